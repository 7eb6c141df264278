"""Closed-form statistics (elunumba.stats) against scipy quadrature and against Monte-Carlo means
of the library's own kernels, plus `elunumba stats` on good and bad input."""

import json
import math

import mpmath
import numpy as np
import pytest
import scipy.integrate as scipy_integrate
from click.testing import CliRunner

import elunumba
from elunumba import stats
from elunumba_cli.main import cli

from cli_usage import assert_usage_error

# (mu, sigma) pairs where mean and variance are not tiny against E|f|, so relative error means
# something; sigma from 0.1 to 10, mu/sigma from -3 to 3
NORMALS = [(0.0, 1.0), (0.5, 0.3), (-1.0, 2.0), (2.0, 1.5), (0.0, 0.1), (-0.3, 0.1), (3.0, 10.0)]
# name -> (closed form, f, f') with f and f' written directly from their definitions
ALPHA, SLOPE = 1.7, 0.1


def _elu(alpha, scale=1.0, input_scale=1.0):
    def f(x):
        return scale * x if x > 0 else scale * alpha * math.expm1(input_scale * x)

    def grad(x):
        return scale if x > 0 else scale * alpha * input_scale * math.exp(input_scale * x)
    return f, grad


ACTIVATIONS = {
    "elu": (lambda m, s: stats.elu_moments(m, s, ALPHA), *_elu(ALPHA)),
    "elu-scaled": (lambda m, s: stats.elu_moments(m, s, 0.7, scale=1.3, input_scale=0.6),
                   *_elu(0.7, 1.3, 0.6)),
    "selu": (stats.selu_moments, *_elu(1.6732632423543772, 1.0507009873554805)),
    "celu": (lambda m, s: stats.celu_moments(m, s, 2.5), *_elu(2.5, 1.0, 1 / 2.5)),
    "relu": (stats.relu_moments, lambda x: max(x, 0.0), lambda x: float(x > 0)),
    "leaky": (lambda m, s: stats.leaky_relu_moments(m, s, SLOPE),
              lambda x: x if x > 0 else SLOPE * x, lambda x: 1.0 if x > 0 else SLOPE),
}


def _expect(g, mu, sigma):
    """E[g(X)], X ~ N(mu, sigma^2), by adaptive quadrature over z = (x - mu)/sigma, split at the
    kink x = 0 and at the peak z = 0."""
    def weighted(z):
        return g(mu + sigma * z) * math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    cuts = sorted({0.0, -mu / sigma})
    total = 0.0
    for low, high in zip([-math.inf, *cuts], [*cuts, math.inf]):
        value, _ = scipy_integrate.quad(weighted, low, high, epsabs=0.0, epsrel=1e-13, limit=500)
        total += value
    return total


@pytest.mark.parametrize("name", ACTIVATIONS)
@pytest.mark.parametrize("mu, sigma", NORMALS)
def test_closed_form_matches_quadrature(name, mu, sigma):
    closed, f, grad = ACTIVATIONS[name]
    got = closed(mu, sigma)
    mean = _expect(f, mu, sigma)
    expected = {"mean": mean,
                "second_moment": _expect(lambda x: f(x) ** 2, mu, sigma),
                "variance": _expect(lambda x: (f(x) - mean) ** 2, mu, sigma),
                "mean_grad": _expect(grad, mu, sigma)}
    # the mean is a difference of the positive and negative parts and is zero for SELU at N(0, 1)
    # by design: its error is judged against E|f(X)|, every other field against itself
    size = {"mean": _expect(lambda x: abs(f(x)), mu, sigma)}
    for field, reference in expected.items():
        value = float(getattr(got, field))
        allowed = 1e-12 * max(abs(reference), size.get(field, 0.0))
        assert abs(value - reference) <= allowed, (field, value, reference)


def test_vectorized_over_mu_and_sigma_matches_scalar_calls():
    mu = np.array([[-1.0], [0.0], [2.0]])
    sigma = np.array([0.5, 1.0, 3.0])
    grid = stats.elu_moments(mu, sigma, 1.3)
    assert grid.mean.shape == (3, 3)
    for i in range(3):
        for j in range(3):
            one = stats.elu_moments(float(mu[i, 0]), float(sigma[j]), 1.3)
            for field in stats.Moments._fields:
                assert getattr(grid, field)[i, j] == float(getattr(one, field))


def test_extreme_normals_match_quadrature():
    # e^(mu + sigma^2/2) overflows and Phi underflows in the first two; their product does neither
    f, _ = _elu(1.0)
    mu, sigma = np.array([0.0, 30.0, -50.0, 40.0]), np.array([40.0, 39.0, 1.0, 1.0])
    got = stats.elu_moments(mu, sigma)
    for i in range(len(mu)):
        reference = _expect(f, mu[i], sigma[i])
        assert abs(got.mean[i] - reference) <= 1e-12 * abs(reference), (i, got.mean[i], reference)


@pytest.mark.parametrize("name", ["elu", "elu-scaled", "selu", "celu", "relu", "leaky"])
def test_closed_form_matches_monte_carlo_of_the_kernels(name):
    mu, sigma, n = 0.3, 1.2, 10**7
    x = np.random.default_rng(12).normal(mu, sigma, n)
    value, grad = _kernel_value_and_grad(name, x)
    closed = ACTIVATIONS[name][0](mu, sigma)
    for sample, expected in ((value, closed.mean), (value * value, closed.second_moment),
                             (grad, closed.mean_grad)):
        # five standard errors of the sample mean: a false failure has odds below 1e-6
        tolerance = 5.0 * sample.std() / math.sqrt(n)
        assert abs(sample.mean() - float(expected)) <= tolerance
    variance_tolerance = 5.0 * ((value - value.mean()) ** 2).std() / math.sqrt(n)
    assert abs(value.var() - float(closed.variance)) <= variance_tolerance


def _kernel_value_and_grad(name, x):
    """f(x) and f'(x) by elunumba's public kernels (LeakyReLU from the ReLU kernel, alpha=0)."""
    if name == "elu":
        return elunumba.elu_value_and_grad(x, ALPHA)
    if name == "elu-scaled":
        return elunumba.elu_value_and_grad(x, 0.7, scale=1.3, input_scale=0.6)
    if name == "selu":
        return elunumba.elu_value_and_grad(x, elunumba.SELU_ALPHA, scale=elunumba.SELU_SCALE)
    if name == "celu":
        return elunumba.elu_value_and_grad(x, 2.5, input_scale=1 / 2.5)
    relu, step = elunumba.elu_value_and_grad(x, 0.0)
    if name == "relu":
        return relu, step
    return (1 - SLOPE) * relu + SLOPE * x, (1 - SLOPE) * step + SLOPE


def test_zero_mean_alpha_is_selus_alpha_for_the_standard_normal():
    assert float(stats.zero_mean_alpha(0.0, 1.0)) == pytest.approx(elunumba.SELU_ALPHA, rel=1e-14)
    alphas = stats.zero_mean_alpha([0.0, -0.5, 1.0], [2.0, 1.0, 0.5])
    means = stats.elu_moments([0.0, -0.5, 1.0], [2.0, 1.0, 0.5], 1.0).mean  # shape check
    assert means.shape == alphas.shape
    for mu, sigma, alpha in zip([0.0, -0.5, 1.0], [2.0, 1.0, 0.5], alphas):
        assert abs(float(stats.elu_moments(mu, sigma, alpha).mean)) < 1e-13 * alpha


def test_zero_mean_alpha_is_nan_when_it_does_not_fit_a_float():
    assert math.isnan(float(stats.zero_mean_alpha(60.0, 1.0)))


def test_selu_fixed_point_reproduces_selus_constants():
    alpha, scale = stats.selu_fixed_point()
    assert alpha == pytest.approx(elunumba.SELU_ALPHA, rel=1e-14)
    assert scale == pytest.approx(elunumba.SELU_SCALE, rel=1e-14)


def test_init_gain_is_kaimings_for_relu_and_one_for_selu():
    assert float(stats.init_gain(stats.relu_moments(0.0, 1.0), 1.0)) == pytest.approx(math.sqrt(2))
    assert float(stats.init_gain(stats.selu_moments(0.0, 1.0), 1.0)) == pytest.approx(1.0)
    # the gain keeps the next pre-activation's variance at sigma^2, whatever sigma
    moments = stats.elu_moments(0.0, 3.0)
    assert float(stats.init_gain(moments, 3.0)) ** 2 * float(moments.second_moment) \
        == pytest.approx(9.0)


@pytest.mark.parametrize("call, message", [
    (lambda: stats.elu_moments(0.0, 0.0), "sigma must be finite and > 0"),
    (lambda: stats.elu_moments(0.0, [1.0, -1.0]), "sigma must be finite and > 0"),
    (lambda: stats.elu_moments(math.nan, 1.0), "mu must be finite"),
    (lambda: stats.elu_moments(0.0, math.inf), "sigma must be finite"),
    (lambda: stats.elu_moments("a", 1.0), "mu and sigma must be real numbers"),
    (lambda: stats.elu_moments([0, 1], [1, 2, 3]), "do not broadcast"),
    (lambda: stats.elu_moments(0.0, 1.0, -1.0), "alpha must be a finite number >= 0"),
    (lambda: stats.elu_moments(0.0, 1.0, scale=0.0), "scale must be a finite number > 0"),
    (lambda: stats.celu_moments(0.0, 1.0, 0.0), "alpha must be a finite number > 0"),
    (lambda: stats.leaky_relu_moments(0.0, 1.0, math.nan), "slope must be a finite number"),
])
def test_bad_input_names_what_is_wrong(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_cli_table_and_json(tmp_path):
    out = tmp_path / "stats.json"
    result = CliRunner().invoke(cli, ["stats", "--mu", "0", "--sigma", "1", "--alpha", "1",
                                      "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "ReLU" in result.output and "1.673263242" in result.output
    written = json.loads(out.read_text())
    assert written["zero_mean_alpha"] == pytest.approx(elunumba.SELU_ALPHA)
    relu = next(r for r in written["activations"] if r["activation"] == "ReLU")
    assert relu["mean"] == pytest.approx(1 / math.sqrt(2 * math.pi))
    assert relu["init_gain"] == pytest.approx(math.sqrt(2))


@pytest.mark.parametrize("arguments, message", [
    (["--sigma", "0"], "'--sigma': 0.0 is not a finite number >= 1e-75"),
    (["--sigma", "-2"], "--sigma"),
    (["--mu", "nan"], "'--mu': nan is not a finite number"),
    (["--mu", "inf"], "--mu"),
    (["--alpha", "0"], "'--alpha': 0.0 is not a finite number > 0 and <= 1e+75: CELU(x) = "
                       "max(0, x) + min(0, alpha*(exp(x/alpha) - 1)) divides by alpha; ELU with "
                       "alpha 0 is ReLU, whose row the table always has"),
    (["--slope", "-0.1"], "'--slope': -0.1 is not a finite number >= 0"),
    (["--sigma", "abc"], "--sigma"),
    (["--json", "missing-folder/stats.json"], "does not exist"),
    (["--json", "stats.txt"], "unsupported file type"),
])
def test_cli_bad_input_exits_2_before_writing(tmp_path, monkeypatch, arguments, message):
    assert_usage_error(tmp_path, monkeypatch, ["stats", *arguments], message)


# --- accuracy over the whole range: sigma from 1e-300 to 1e300, |mu|/sigma up to 40 -------------
EPS = np.finfo(np.float64).eps
WIDE_SIGMAS = [1e-300, 1e-100, 1e-20, 1e-10, 1e-8, 1e-3, 0.3, 1.0, 3.0, 1e3, 1e20, 1e100, 1e300]
WIDE_TS = [0.0, 1e-3, -1e-3, 0.5, -0.5, 3.0, -3.0, 12.0, -12.0, 40.0, -40.0]
# name -> (alpha, scale, input_scale); celu's alpha*input_scale is 1 up to rounding, elu's exactly
WIDE_ELUS = {"elu": (1.0, 1.0, 1.0), "celu": (2.5, 1.0, 1 / 2.5),
             "selu": (elunumba.SELU_ALPHA, elunumba.SELU_SCALE, 1.0), "scaled": (0.7, 1.3, 0.6)}


def _cdf(x):
    """Phi(x) in mpmath; beyond |x| = 1e6 (where mpmath's erfc overflows an exponent) from the
    asymptotic series, whose first omitted term is below 15/x^6 = 1.5e-35 relative."""
    if abs(x) < 1e6:
        return mpmath.ncdf(x)
    tail = mpmath.npdf(x) / abs(x) * (1 - 1 / x**2 + 3 / x**4)
    return tail if x < 0 else 1 - tail


def _mp_elu_moments(mu, sigma, alpha, scale, k):
    """(mean, second moment, variance, mean grad, positive-part size) of ELU by the textbook
    closed form in mpmath, at a working precision that covers every cancellation in it: the
    differences of ~1/2-sized terms that leave (k sigma)^2, those of (k sigma)^2-sized exponents,
    and the t^2-fold loss of the tails. The size is scale*(E[X 1{X>0}] + alpha E[(1-e^(kX))
    1{X<=0}]), what a mean that is a difference of the two parts can be judged against."""
    lost = 2 * abs(math.log10(k * sigma)) + 2 * math.log10(1 + (mu / sigma) ** 2)
    with mpmath.workdps(int(60 + lost)):
        m, s, a, c, kk = (mpmath.mpf(v) for v in (mu, sigma, alpha, scale, k))
        t, d = m / s, kk * s
        up, down, density = _cdf(t), _cdf(-t), mpmath.npdf(t)
        exp_k = mpmath.exp(kk * m + d * d / 2) * _cdf(-t - d)
        exp_2k = mpmath.exp(2 * kk * m + 2 * d * d) * _cdf(-t - 2 * d)
        positive = m * up + s * density
        mean = c * (positive + a * (exp_k - down))
        second = c * c * ((m * m + s * s) * up + m * s * density
                          + a * a * (exp_2k - 2 * exp_k + down))
        grad = c * (up + a * kk * exp_k)
        size = c * (positive + a * (down - exp_k))
        return [float(v) for v in (mean, second, second - mean * mean, grad, size)]


def _relative_error(got, reference):
    """|got - reference| / |reference|, with overflow expected as inf and results below the
    smallest normal judged in units of it (subnormals carry fewer digits)."""
    if math.isinf(reference):
        return 0.0 if got == math.inf else math.inf
    return abs(got - reference) / max(abs(reference), np.finfo(np.float64).tiny)


@pytest.mark.parametrize("sigma", WIDE_SIGMAS)
@pytest.mark.parametrize("name", WIDE_ELUS)
def test_moments_keep_relative_accuracy_over_the_whole_range(name, sigma):
    # The bound: rounding in double precision is amplified by the problem's own condition
    # number, which for the tails is ~t^2 (phi(t) = e^(-t^2/2) with t rounded, and the log-space
    # products that avoid its underflow), so 32 eps (1 + t^2): at most 3.6e-12 at |t| = 40,
    # 7e-15 at t = 0. The mean can be a difference of its positive and negative parts (SELU's is
    # 0 at N(0, 1) by design), so its error is judged against the larger of itself and those
    # parts... except for ELU(1) and CELU, where alpha*k = 1 makes the mean mu + a positive term:
    # those are judged against the mean alone, which the old closed form failed by 1e4 at
    # sigma = 1e-10. The variance is E[f^2] - E[f]^2 and is judged against E[f^2].
    alpha, scale, k = WIDE_ELUS[name]
    for t in WIDE_TS:
        mu = t * sigma
        got = stats.elu_moments(mu, sigma, alpha, scale=scale, input_scale=k)
        mean, second, variance, grad, size = _mp_elu_moments(mu, sigma, alpha, scale, k)
        bound = 32 * EPS * (1 + t * t)
        where = (name, sigma, t)
        assert not any(np.isnan(float(value)) for value in got), where
        assert _relative_error(float(got.second_moment), second) <= bound, (where, got, second)
        assert _relative_error(float(got.mean_grad), grad) <= bound, (where, got, grad)
        mean_scale = abs(mean) if name in ("elu", "celu") or math.isinf(second) else \
            max(abs(mean), size)
        assert abs(float(got.mean) - mean) <= bound * max(mean_scale, 2.3e-308), \
            (where, got, mean)
        if math.isfinite(second):
            assert float(got.variance) >= 0.0
            assert abs(float(got.variance) - variance) <= bound * max(second, 2.3e-308), \
                (where, got, variance)


def test_small_sigma_mean_and_gain_at_the_reported_points():
    # issue: N(0, 1e-10^2) gave E[ELU] = -2.65e-17 and gain 0.013; N(0, 1e-8^2) was 50-60% off
    for sigma in (1e-10, 1e-8):
        moments = stats.elu_moments(0.0, sigma)
        mean, second, *_ = _mp_elu_moments(0.0, sigma, 1.0, 1.0, 1.0)
        assert float(moments.mean) == pytest.approx(mean, rel=1e-14) and mean > 0
        assert float(stats.init_gain(moments, sigma)) == pytest.approx(
            sigma / math.sqrt(second), rel=1e-14)
    assert float(stats.zero_mean_alpha(0.0, 1e-10)) == pytest.approx(
        1 + 1e-10 * math.sqrt(2 * math.pi) / 4, rel=1e-13)


def test_huge_sigma_gives_no_nan_and_gain_is_nan_only_where_the_moment_overflows():
    moments = stats.elu_moments(0.0, 1e300)
    assert float(moments.mean) == pytest.approx(1e300 / math.sqrt(2 * math.pi), rel=1e-14)
    assert float(moments.second_moment) == math.inf and float(moments.variance) == math.inf
    assert float(moments.mean_grad) == pytest.approx(0.5, rel=1e-15)
    assert math.isnan(float(stats.init_gain(moments, 1e300)))
    leaky = stats.leaky_relu_moments(0.0, 1e300, 0.5)
    assert not np.isnan([float(value) for value in leaky]).any()


@pytest.mark.parametrize("arguments, message", [
    (["--sigma", "1e308"], "'--sigma': 1e+308 is not a finite number >= 1e-75 and <= 1e+75"),
    (["--sigma", "1e-300"], "'--sigma': 1e-300 is not a finite number >= 1e-75"),
    (["--mu", "-1e200"], "'--mu': -1e+200 is not a finite number >= -1e+75"),
    (["--alpha", "1e200"], "'--alpha'"),
    (["--slope", "1e308"], "'--slope': 1e+308 is not a finite number >= 0 and <= 1e+75"),
    (["--mu", "-40", "--sigma", "1e-70"], "ReLU's init_gain is not representable in float64"),
])
def test_cli_refuses_what_float64_cannot_hold(tmp_path, monkeypatch, arguments, message):
    assert_usage_error(tmp_path, monkeypatch, ["stats", *arguments, "--json", "s.json"], message)


def test_cli_json_holds_only_numbers_at_the_range_ends(tmp_path):
    for sigma in ("1e-75", "1e75"):
        out = tmp_path / f"stats-{sigma}.json"
        result = CliRunner().invoke(cli, ["stats", "--sigma", sigma, "--slope", "1e75",
                                          "--mu", f"-{sigma}", "--alpha", "1e75",
                                          "--json", str(out)])
        assert result.exit_code == 0, result.output
        text = out.read_text()
        assert "NaN" not in text and "Infinity" not in text and "none representable" \
            not in result.output
        assert all(math.isfinite(row["init_gain"]) for row in json.loads(text)["activations"])


def _mp_leaky_moments(mu, sigma, slope):
    """(mean, second moment, variance, mean grad, E|f|) of LeakyReLU in mpmath, precision as for
    ELU (the tails lose ~t^2; mu^2 + sigma^2 against the tail moments is what cancels)."""
    with mpmath.workdps(int(60 + 4 * math.log10(1 + (mu / sigma) ** 2))):
        m, s, k = (mpmath.mpf(v) for v in (mu, sigma, slope))
        t = m / s
        up, down, density = _cdf(t), _cdf(-t), mpmath.npdf(t)
        above, below = m * up + s * density, m * down - s * density
        square = m * m + s * s
        second_above, second_below = square * up + m * s * density, square * down - m * s * density
        mean = above + k * below
        second = second_above + k * k * second_below
        return [float(v) for v in (mean, second, second - mean * mean, up + k * down,
                                   above - k * below)]


@pytest.mark.parametrize("slope", [0.0, 0.01, 0.5, 3.0])
def test_leaky_relu_moments_over_the_whole_range(slope):
    # same bound as for ELU; the mean is a difference of its two parts when slope > 0
    for sigma in WIDE_SIGMAS:
        for t in WIDE_TS:
            mu = t * sigma
            got = stats.leaky_relu_moments(mu, sigma, slope)
            mean, second, variance, grad, size = _mp_leaky_moments(mu, sigma, slope)
            bound = 32 * EPS * (1 + t * t)
            where = (slope, sigma, t)
            assert not any(np.isnan(float(value)) for value in got), where
            assert _relative_error(float(got.second_moment), second) <= bound, (where, got)
            assert _relative_error(float(got.mean_grad), grad) <= bound, (where, got)
            assert abs(float(got.mean) - mean) <= bound * max(abs(mean), size, 2.3e-308), \
                (where, got, mean)
            if math.isfinite(second):
                assert abs(float(got.variance) - variance) <= bound * max(second, 2.3e-308), \
                    (where, got, variance)


def test_no_nan_and_no_warning_at_any_extreme():
    # every finite input has a moment in [0, inf] or a finite signed mean: NaN would be a bug
    # (the old closed form gave NaN from sigma = 1e154 on); warnings are errors in this suite
    mu = np.array([0.0, 1e300, -1e300, 1e-300, -1e-300, 5.0, -5.0])[:, None]
    sigma = np.array([1e-300, 1e-10, 1.0, 1e10, 1e300])[None, :]
    extremes = [0.0, 1e-300, 1.0, 1e300]
    for alpha in extremes:
        for k in extremes[1:]:
            for scale in extremes[1:]:
                moments = stats.elu_moments(mu, sigma, alpha, scale=scale, input_scale=k)
                assert not np.isnan(np.stack(moments)).any(), (alpha, k, scale)
                assert (moments.variance >= 0).all() and (moments.second_moment >= 0).all()
                stats.init_gain(moments, sigma)
                stats.zero_mean_alpha(mu, sigma, input_scale=k)
    for slope in extremes:
        assert not np.isnan(np.stack(stats.leaky_relu_moments(mu, sigma, slope))).any(), slope
