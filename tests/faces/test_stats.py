"""Closed-form statistics (elunumba.stats) against scipy quadrature and against Monte-Carlo means
of the library's own kernels, plus `elunumba stats` on good and bad input."""

import json
import math

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
    (["--sigma", "0"], "'--sigma': 0.0 is not a finite number > 0"),
    (["--sigma", "-2"], "--sigma"),
    (["--mu", "nan"], "'--mu': nan is not a finite number"),
    (["--mu", "inf"], "--mu"),
    (["--alpha", "0"], "--alpha"),
    (["--slope", "-0.1"], "'--slope': -0.1 is not a finite number >= 0"),
    (["--sigma", "abc"], "--sigma"),
    (["--json", "missing-folder/stats.json"], "does not exist"),
    (["--json", "stats.txt"], "unsupported file type"),
])
def test_cli_bad_input_exits_2_before_writing(tmp_path, monkeypatch, arguments, message):
    assert_usage_error(tmp_path, monkeypatch, ["stats", *arguments], message)
