"""The documented accuracy requirements, on large samples.

* float32: max error <= 1 ULP for alpha = 1, <= 1.5 ULP for other alphas, against the exact value
  (computed in float64 and so within 2^-29 ULP of it), on >= 10^6 random plus adversarial inputs.
* float64: <= 1 ULP against an 80-bit np.longdouble reference (cross-checked with mpmath) on
  >= 10^6 inputs spanning the negative range from subnormals down to where the result is -1.
* float16: all 65536 inputs against the exact result rounded to float16.

The error of a result is |got - exact| / (spacing of the output dtype at the exact value).

Where the library is known to miss a requirement, the test still fails on anything worse than the
measured state (KNOWN_SHORTFALLS) and reports the shortfall as an expected failure (xfail) with the
measured error, so the suite passes and the gap stays visible in the summary.
"""

import math

import mpmath
import numpy as np
import pytest

import elunumba
from reference import (
    LONGDOUBLE_IS_EXTENDED,
    SELU_ALPHA,
    SELU_SCALE,
    adversarial_inputs,
    correctly_rounded,
    elu_mpmath,
    elu_reference,
    grad_from_output_reference,
    ulp_distance,
    ulp_error,
)

LN2 = math.log(2)

# (dtype, alpha*scale == 1?) -> the bound the library is held to until a shortfall is fixed.
# None now: with alpha*scale != 1 the kernels carry expm1's rounding errors into the product
# (it was up to 1.66 ULP in float32 and 1.57 in float64 when the product was a second rounding).
# (The float64 requirement for alpha != 1 is taken to be float32's 1.5.)
KNOWN_SHORTFALLS = {}


def check_bound(got, ref, x, dtype, spec, alpha_is_one):
    err = ulp_error(got, ref, dtype)
    i = int(np.argmax(err))
    worst = float(err[i])
    where = f"{worst:.4f} ULP at x = {np.asarray(x).flat[i]!r} (got {got.flat[i]!r})"
    guard = KNOWN_SHORTFALLS.get((np.dtype(dtype).name, alpha_is_one), spec)
    assert worst <= guard, f"max error {where}, bound {guard}"
    if worst > spec:
        pytest.xfail(f"known shortfall: max error {where} > required {spec} ULP")
    return err


# ---------------------------------------------------------------------------------------------
# samples


def float32_sample(rng):
    """>= 10^6 float32 inputs: log-uniform magnitudes from the smallest subnormal to 20, uniform
    on [-20, 0] and [-1, 0], every float32 around ±ln2/2, k*ln2 and (k + 1/2)*ln2, -17.33 and
    -18, and the adversarial set."""
    tiny = float(np.finfo(np.float32).smallest_subnormal)
    parts = [
        -np.exp(rng.uniform(math.log(tiny), math.log(20.0), 600_000)),
        rng.uniform(-20.0, 0.0, 300_000),
        rng.uniform(-1.0, 0.0, 100_000),
        rng.uniform(0.0, 50.0, 10_000),
    ]
    sample = [np.concatenate(parts).astype(np.float32), adversarial_inputs(np.float32)]
    for centre in [-LN2 / 2, LN2 / 2, -17.328679, -18.0] + [-k * LN2 for k in range(1, 27)] \
            + [-(k + 0.5) * LN2 for k in range(27)]:
        sample.append(float32_neighbourhood(centre, 2000))
    return np.concatenate(sample)


def float32_neighbourhood(centre, k):
    """The 2k+1 float32 numbers nearest ``centre``: consecutive bit patterns are consecutive
    floats of one sign (centre is far from 0 and from inf)."""
    bits = np.array([centre], np.float32).view(np.int32)
    return (bits + np.arange(-k, k + 1, dtype=np.int32)).view(np.float32)


def float64_sample(rng, n):
    """n float64 inputs over the negative range: log-uniform magnitudes from the smallest
    subnormal to 745 (beyond -37.43 the result is -1), uniform on [-40, 0] and [-1, 0], and the
    neighbourhoods of ±ln2/2, k*ln2 and -37.43, plus the adversarial set."""
    tiny = float(np.finfo(np.float64).smallest_subnormal)
    parts = [
        -np.exp(rng.uniform(math.log(tiny), math.log(745.0), n * 55 // 100)),
        rng.uniform(-40.0, 0.0, n * 25 // 100),
        rng.uniform(-1.0, 0.0, n * 10 // 100),
        rng.uniform(0.0, 50.0, n * 2 // 100),
    ]
    centres = [-LN2 / 2, LN2 / 2, -37.42994775023705, -40.0] + [-k * LN2 for k in range(1, 56)]
    for centre in centres:
        ulps = rng.integers(-3000, 3000, n * 8 // 100 // len(centres))
        parts.append(centre + ulps * np.spacing(centre))
    return np.concatenate(parts + [adversarial_inputs(np.float64)])


@pytest.fixture(scope="module")
def f32_inputs():
    return float32_sample(np.random.default_rng(20240601))


@pytest.fixture(scope="module")
def f64_inputs():
    return float64_sample(np.random.default_rng(20240602), 1_000_000)


# ---------------------------------------------------------------------------------------------
# float32


def test_float32_sample_is_large_and_adversarial(f32_inputs):
    assert f32_inputs.size >= 10**6
    assert np.any(f32_inputs == np.float32(-LN2 / 2))
    assert np.any(np.isnan(f32_inputs)) and np.any(np.isneginf(f32_inputs))
    assert np.any((f32_inputs < 0) & (f32_inputs > -np.finfo(np.float32).smallest_normal))


def test_float32_alpha1_within_1_ulp(f32_inputs):
    x = f32_inputs
    y = elunumba.elu(x)
    ref = elu_reference(x)
    check_bound(y, ref, x, np.float32, 1.0, True)
    # and so never more than one float32 away from the correctly rounded result
    assert ulp_distance(y, correctly_rounded(ref, np.float32)).max() <= 1


@pytest.mark.parametrize("alpha, scale", [(0.5, 1.0), (1.3, 1.0), (1.7, 1.0), (3.0, 1.0),
                                          (SELU_ALPHA, SELU_SCALE), (1.0, 0.7)],
                         ids=["alpha0.5", "alpha1.3", "alpha1.7", "alpha3", "selu", "scale0.7"])
def test_float32_other_alphas_within_1_5_ulp(f32_inputs, alpha, scale):
    x = f32_inputs
    y = elunumba.elu(x, alpha, scale=scale)
    check_bound(y, elu_reference(x, alpha, scale), x, np.float32, 1.5, False)


def test_float32_correctly_rounded_variant(f32_inputs):
    """elunumba.correctly_rounded: float32 through float64, rounded once: every result is the
    correctly rounded one, except where the exact value lies within float64 noise of a tie."""
    x = f32_inputs
    for alpha, scale in ((1.0, 1.0), (SELU_ALPHA, SELU_SCALE)):
        y = elunumba.correctly_rounded.elu(x, alpha, scale=scale)
        ref = elu_reference(x, alpha, scale, correctly_rounded=True)
        assert y.dtype == np.float32
        off = ulp_distance(y, correctly_rounded(ref, np.float32)) != 0
        err = ulp_error(y, ref)
        assert np.all(np.abs(err[off] - 0.5) < 2.0**-20), x[off][:10]
        assert err.max() <= 0.5 + 2.0**-20


# ---------------------------------------------------------------------------------------------
# float64


def test_float64_sample_is_large_and_spans_the_range(f64_inputs):
    x = f64_inputs
    assert x.size >= 10**6
    negative = x[x < 0]
    assert negative.min() < -745 and negative.max() > -1e-300
    assert np.any(negative > -np.finfo(np.float64).smallest_normal)  # subnormals


@pytest.mark.skipif(not LONGDOUBLE_IS_EXTENDED, reason="np.longdouble is not 80-bit here")
@pytest.mark.parametrize("alpha, scale", [(1.0, 1.0), (1.3, 1.0), (SELU_ALPHA, SELU_SCALE)],
                         ids=["alpha1", "alpha1.3", "selu"])
def test_float64_within_bound_longdouble_reference(f64_inputs, alpha, scale):
    x = f64_inputs
    y = elunumba.elu(x, alpha, scale=scale)
    ref = elu_reference(x, alpha, scale)  # np.longdouble
    assert ref.dtype == np.longdouble
    spec = 1.0 if alpha * scale == 1 else 1.5
    err = check_bound(y, ref, x, np.float64, spec, alpha * scale == 1)
    # cross-check the reference and the verdict with mpmath on the worst and on random points
    rng = np.random.default_rng(7)
    picks = np.unique(np.concatenate([np.argsort(err)[-1000:],
                                      rng.choice(x.size, 2000, replace=False)]))
    exact = np.array([elu_mpmath(x[i], alpha, scale) for i in picks], dtype=object)
    with mpmath.workprec(200):
        for i, e in zip(picks, exact):
            if np.isfinite(x[i]) and e != 0:
                relative = abs((longdouble_to_mpf(ref[i]) - e) / e)
                assert relative < mpmath.mpf(2) ** -61, (x[i], ref[i], e)
    mp_err = ulp_error(y[picks], exact, np.float64)
    np.testing.assert_allclose(mp_err, err[picks], rtol=0, atol=2.0**-8)


def longdouble_to_mpf(value):
    """A finite np.longdouble as an mpf, exactly: its 64-bit integer mantissa times 2**e."""
    mantissa, exponent = np.frexp(value)
    return mpmath.ldexp(mpmath.mpf(int(np.ldexp(mantissa, 64))), int(exponent) - 64)


def test_float64_mpmath_reference():
    """The mpmath path of the references (used where np.longdouble is not 80-bit), on a smaller
    sample; on this machine it also checks the bound independently of np.longdouble."""
    rng = np.random.default_rng(11)
    x = np.concatenate([float64_sample(rng, 20_000)[::10], adversarial_inputs(np.float64)[::3]])
    x = x[np.isfinite(x)]
    ref = np.array([elu_mpmath(v) for v in x], dtype=object)
    y = elunumba.elu(x)
    check_bound(y, ref, x, np.float64, 1.0, True)


# ---------------------------------------------------------------------------------------------
# float16: exhaustive

ALL_HALVES = np.arange(2**16, dtype=np.uint16).view(np.float16)


def check_half_against_exact(got, ref, inputs):
    """got == the exact value rounded to float16, except where the exact value is so close to a
    tie between two float16 numbers that the float32 computation may land on either side: there
    it may be the other neighbour, 1 float16 ULP away."""
    assert got.dtype == np.float16
    exact = correctly_rounded(ref, np.float16)
    distance = ulp_distance(got, exact)
    err = ulp_error(got, ref, np.float16)
    off = distance != 0
    near_tie = np.abs(err - 0.5) < 2.0**-10
    bad = off & ~(near_tie & (distance == 1))
    assert not bad.any(), (inputs[bad][:10], got[bad][:10], exact[bad][:10])
    assert err.max() <= 0.5 + 2.0**-10
    return int(off.sum())


@pytest.mark.parametrize("target", ["cpu", "parallel"])
def test_float16_forward_alpha1_exhaustive_exact(target):
    """alpha = 1: every float16 input gives exactly the correctly rounded result."""
    y = elunumba.elu(ALL_HALVES, target=target)
    ref = elu_reference(ALL_HALVES)
    exact = correctly_rounded(ref, np.float16)
    nan = np.isnan(ALL_HALVES)
    assert np.all(np.isnan(y[nan]))
    np.testing.assert_array_equal(y.view(np.uint16)[~nan], exact.view(np.uint16)[~nan])


@pytest.mark.parametrize("alpha, scale, input_scale", [
    (1.3, 1.0, 1.0), (0.1, 1.0, 1.0), (3.7, 1.0, 1.0), (SELU_ALPHA, SELU_SCALE, 1.0),
    (2.0, 1.0, 0.5), (1.0, 0.75, 3.0),
])
def test_float16_forward_exhaustive(alpha, scale, input_scale):
    y = elunumba.elu(ALL_HALVES, alpha, scale=scale, input_scale=input_scale)
    ref = elu_reference(ALL_HALVES, alpha, scale, input_scale)
    off = check_half_against_exact(y, ref, ALL_HALVES)
    assert off <= 20  # ties within 2^-10 ULP are rare


@pytest.mark.parametrize("alpha, scale", [(1.0, 1.0), (1.3, 0.8), (SELU_ALPHA, SELU_SCALE)])
def test_float16_backward_and_fused_exhaustive(alpha, scale):
    """Every float16 y through the backward (grad_out 1 and 0.75), and every float16 x through
    the fused op."""
    y = ALL_HALVES
    for grad_out in (np.float16(1.0), np.float16(0.75)):
        with np.errstate(invalid="ignore"):
            g = elunumba.elu_backward(grad_out, y, alpha, scale=scale)
        ref = grad_from_output_reference(grad_out, y, alpha, scale, dtype=np.float16)
        check_half_against_exact(g, ref, y)
    value, grad = elunumba.elu_value_and_grad(ALL_HALVES, alpha, scale=scale)
    check_half_against_exact(value, elu_reference(ALL_HALVES, alpha, scale), ALL_HALVES)
    ref = grad_from_output_reference(np.float16(1), value, alpha, scale, dtype=np.float16)
    check_half_against_exact(grad, ref, ALL_HALVES)


@pytest.mark.parametrize("alpha, scale, input_scale", [(1.0, 1.0, 1.0), (1.3, 0.8, 1.7),
                                                       (SELU_ALPHA, SELU_SCALE, 1.0)])
def test_float16_is_float32_rounded_once(alpha, scale, input_scale):
    """float16 results are the float32 kernels' results on the widened inputs, rounded once."""
    kwargs = dict(scale=scale, input_scale=input_scale)
    x16 = ALL_HALVES
    x32 = x16.astype(np.float32)
    with np.errstate(over="ignore"):
        np.testing.assert_array_equal(elunumba.elu(x16, alpha, **kwargs),
                                      elunumba.elu(x32, alpha, **kwargs).astype(np.float16))
        g16 = np.flip(x16)
        with np.errstate(invalid="ignore"):
            np.testing.assert_array_equal(
                elunumba.elu_backward(g16, x16, alpha, **kwargs),
                elunumba.elu_backward(g16.astype(np.float32), x32, alpha, **kwargs)
                .astype(np.float16))
        value, grad = elunumba.elu_value_and_grad(x16, alpha, **kwargs)
        np.testing.assert_array_equal(value, elunumba.elu(x32, alpha, **kwargs)
                                      .astype(np.float16))
        np.testing.assert_array_equal(grad, elunumba.elu_backward(
            np.float32(1), value.astype(np.float32), alpha, **kwargs).astype(np.float16))
