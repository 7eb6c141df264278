"""The one expm1 of elunumba: float32 and float64, plain branch-free arithmetic; and the exp of
the gradient from the input (scaled_exp), made of the same reduction and polynomial.

Numba lowers ``math.expm1`` to a scalar libm call, which keeps a loop from vectorizing; libdevice's
expm1f is off by up to 1.13 ULP. These versions are ordinary arithmetic that LLVM turns into SIMD
code on the CPU and that the CUDA kernels call unchanged, so every target computes the same thing.

The recipe (fdlibm, SLEEF): n = round(x / ln2); r = (x - n*ln2_hi) - n*ln2_lo with |r| <= ln2/2;
expm1(r) = r + r**2/2 + r**3 * q(r) with q a near-minimax polynomial (tools/fit_expm1.py),
corrected by what rounding r lost (fdlibm's "c" term: without it the error reached 1.28 ULP in
float64 and 0.87 ULP in float32 just past |x| = ln2/2, where the rounding of r dominates);
expm1(x) = 2**n * expm1(r) + (2**n - 1). Both 2**n*expm1(r) and 2**n - 1 are exact or nearly so,
so the result is rounded about once.

Only x <= 0 matters to ELU (the positive branch is linear, and the kernels select it for x >= 0
and NaN), so x is clamped below at LOWEST, where the result rounds to -1 in the working precision
and 2**n stays a normal number. x > 0 gives a meaningless result that no kernel selects: clamping
it too cost two instructions, and the float64 alpha*scale != 1 formula sits right at LLVM's
inlining threshold, over which the kernel loop stops vectorizing and ran ~7x slower on 2^14
elements in cache (tests/kernels/test_vectorized.py checks every kernel). NaN flows through as NaN.

2**n is built from exponent bits. Adding ROUND = 1.5 * 2**(p-1) + BIAS to x/ln2 (one FMA) rounds
it to an integer and leaves n + BIAS, the biased exponent of 2**n, in the low mantissa bits of the
sum; one shift moves those bits into the exponent field and pushes the rest out. So no
float-to-int conversion is needed (AVX2 has none for 64-bit integers, and one would stop the loop
from vectorizing), and no add or mask either: folding the bias into ROUND left the rounding of n
unchanged (the exact product x * INV_LN2 is never an integer and a half, so the parity of ROUND
never breaks a tie; tools/check_bit_identity.py compared every float32 input with the version
that added the bias after the shift) and took 8 of 46 instructions out of the AVX2 float32 loop
(its time on Zen 3 stayed within noise: the loop is bound by its dependency chain, not by its
instruction count; notes/avx2-kernels.md).
"""

import math

import numpy as np
from numba.extending import overload, register_jitable

from .fma import fma

# float32: coefficients from tools/fit_expm1.py (relative error of the polynomial 2^-29.0).
F32_LOWEST = np.float32(-18.0)  # e^-18 < 2^-25: expm1 rounds to -1
# exp (see scaled_exp_f32): 2^(n + 75) from the rounding constant, then times 2^-75
F32_EXP_LOWEST = np.float32(-139.0)  # n >= -201: 2^(n + 75) stays normal
F32_EXP_ROUND = np.float32(12582912.0 + 127 + 75)
F32_EXP_UNSCALE = np.float32(2.0**-75)
F32_INV_LN2 = np.float32(1.4426950408889634)
# 9 significant bits: n * F32_LN2_HI and x - n * F32_LN2_HI are exact for |n| <= 201 (exp's range)
F32_LN2_HI = np.float32(0.693359375)
F32_LN2_LO = np.float32(-2.1219444005469057e-4)
F32_ROUND = np.float32(12582912.0 + 127)  # 1.5 * 2**23 + the exponent bias
F32_ONE = np.float32(1.0)
F32_ZERO = np.float32(0.0)
F32_HALF = np.float32(0.5)
F32_C3 = np.float32(0.1666666716337204)
F32_C4 = np.float32(0.04166655242443085)
F32_C5 = np.float32(0.00833332072943449)
F32_C6 = np.float32(0.0013926392421126366)
F32_C7 = np.float32(0.00019882929336745292)

# float64: coefficients from tools/fit_expm1.py (relative error of the polynomial 2^-58.5; one
# degree less, 2^-53.5, measured 1.05 ULP at x = -0.2766 against mpmath).
F64_LOWEST = -40.0  # e^-40 < 2^-54: expm1 rounds to -1
F64_EXP_LOWEST = -1063.0  # n >= -1534: 2^(n + 512) stays normal
F64_EXP_ROUND = 6755399441055744.0 + 1023 + 512
F64_EXP_UNSCALE = 2.0**-512
F64_INV_LN2 = 1.4426950408889634
F64_LN2_HI = 6.93147180369123816490e-01  # fdlibm's split: 21 trailing zero bits
F64_LN2_LO = 1.90821492927058770002e-10
F64_ROUND = 6755399441055744.0 + 1023  # 1.5 * 2**52 + the exponent bias
F64_C3 = 0.16666666666666669
F64_C4 = 0.041666666666666664
F64_C5 = 0.008333333333329989
F64_C6 = 0.00138888888888865
F64_C7 = 0.0001984126986342035
F64_C8 = 2.480158731740639e-05
F64_C9 = 2.755726789174553e-06
F64_C10 = 2.755728256374953e-07
F64_C11 = 2.510065503606659e-08
F64_C12 = 2.0911429114372476e-09


@register_jitable
def _expm1_parts_f32(x):
    """(2^n, m, m_error) with expm1(x) = 2^n*(m + m_error) + (2^n - 1), float32, x <= 0."""
    x = F32_LOWEST if x < F32_LOWEST else x
    shifted = x * F32_INV_LN2 + F32_ROUND
    n = shifted - F32_ROUND
    expm1_r, expm1_r_error = _expm1_reduced_f32(x, n)
    # the low 9 bits of shifted are n + 127 (101..127), the biased exponent of 2^n
    return _power_of_two_f32(shifted), expm1_r, expm1_r_error


@register_jitable
def _expm1_reduced_f32(x, n):
    """(m, m_error) with m + m_error = expm1(r), r = x - n*ln2, |r| <= ln2/2, float32."""
    r_hi = x - n * F32_LN2_HI  # exact
    r = r_hi - n * F32_LN2_LO
    r_error = (r_hi - r) - n * F32_LN2_LO  # what rounding r lost
    q = (((F32_C7 * r + F32_C6) * r + F32_C5) * r + F32_C4) * r + F32_C3
    # expm1(r + e) ~ expm1(r) + e*(1 + r); adding e inside keeps expm1(r) to one rounding
    tail = r * r * (F32_HALF + r * q) + r_error * (F32_ONE + r)
    expm1_r = r + tail
    expm1_r_error = tail - (expm1_r - r)  # Fast2Sum: exact, |r| > |tail|
    return expm1_r, expm1_r_error


@register_jitable
def _power_of_two_f32(shifted):
    """2^k from the float32 ``shifted`` = an integer plus ROUND, whose low bits hold k + 127:
    one shift moves them into the exponent field and pushes the rest out (-126 <= k <= 127)."""
    return np.int32(np.float32(shifted).view(np.int32) << 23).view(np.float32)


@register_jitable
def _expm1_parts_f64(x):
    """(2^n, m, m_error) with expm1(x) = 2^n*(m + m_error) + (2^n - 1), float64, x <= 0."""
    x = F64_LOWEST if x < F64_LOWEST else x
    shifted = x * F64_INV_LN2 + F64_ROUND
    n = shifted - F64_ROUND
    expm1_r, expm1_r_error = _expm1_reduced_f64(x, n)
    # the low 12 bits of shifted are n + 1023 (965..1023), the biased exponent of 2^n
    return _power_of_two_f64(shifted), expm1_r, expm1_r_error


@register_jitable
def _expm1_reduced_f64(x, n):
    """(m, m_error) with m + m_error = expm1(r), r = x - n*ln2, |r| <= ln2/2, float64."""
    r_hi = x - n * F64_LN2_HI  # exact
    r = r_hi - n * F64_LN2_LO
    r_error = (r_hi - r) - n * F64_LN2_LO  # what rounding r lost
    q = F64_C12 * r + F64_C11
    q = q * r + F64_C10
    q = q * r + F64_C9
    q = q * r + F64_C8
    q = q * r + F64_C7
    q = q * r + F64_C6
    q = q * r + F64_C5
    q = q * r + F64_C4
    q = q * r + F64_C3
    # expm1(r + e) ~ expm1(r) + e*(1 + r); adding e inside keeps expm1(r) to one rounding
    tail = r * r * (0.5 + r * q) + r_error * (1.0 + r)
    expm1_r = r + tail
    expm1_r_error = tail - (expm1_r - r)  # Fast2Sum: exact, |r| > |tail|
    return expm1_r, expm1_r_error


@register_jitable
def _power_of_two_f64(shifted):
    """2^k from the float64 ``shifted`` = an integer plus ROUND (see _power_of_two_f32)."""
    return np.int64(np.float64(shifted).view(np.int64) << 52).view(np.float64)


@register_jitable
def _combine(x, two_n, expm1_r, one):
    # copysign: expm1 has the sign of x, and at x = -0 the sums above give +0 (one bitwise op)
    return math.copysign(two_n * expm1_r + (two_n - one), x)


@register_jitable
def _combine_scaled(x, two_n, expm1_r, expm1_r_error, one, scale):
    """scale * (2^n*(m + m_error) + (2^n - 1)) with the sum's rounding errors carried into the
    product (Fast2Sum again: |2^n - 1| >= |2^n*m| for n < 0, and 2^n - 1 = 0 for n = 0), with
    the sign of scale * x (see _combine)."""
    minus_one = two_n - one
    minus_one_error = two_n - (minus_one + one)  # not 0 once 2^n is below half an ULP of 1
    value = two_n * expm1_r + minus_one
    value_error = two_n * expm1_r - (value - minus_one)
    product = scale * value + scale * ((value_error + minus_one_error) + two_n * expm1_r_error)
    return math.copysign(product, scale * x)


@register_jitable
def expm1_f32(x):
    """expm1 of a float32 x <= 0 in float32 arithmetic (meaningless for x > 0)."""
    two_n, expm1_r, _ = _expm1_parts_f32(x)
    return _combine(x, two_n, expm1_r, F32_ONE)


@register_jitable
def expm1_f64(x):
    """expm1 of a float64 x <= 0 in float64 arithmetic (meaningless for x > 0)."""
    two_n, expm1_r, _ = _expm1_parts_f64(x)
    return _combine(x, two_n, expm1_r, 1.0)


@register_jitable
def scaled_expm1_f32(x, scale):
    """scale * expm1(x) for a float32 x <= 0, rounded about once (float32 arithmetic).

    expm1_f32(x) * scale rounds twice; carrying expm1's rounding errors into the product keeps
    alpha = 1.7 within 1.19 ULP of the exact result (`elunumba accuracy --alpha 1.7`), at the
    price of six more operations, felt only where a kernel is compute-bound (arrays in cache).
    The kernels use this only when scale != 1.
    """
    two_n, expm1_r, expm1_r_error = _expm1_parts_f32(x)
    return _combine_scaled(x, two_n, expm1_r, expm1_r_error, F32_ONE, scale)


@register_jitable
def scaled_expm1_f64(x, scale):
    """scale * expm1(x) for a float64 x <= 0, rounded about once (see scaled_expm1_f32)."""
    two_n, expm1_r, expm1_r_error = _expm1_parts_f64(x)
    return _combine_scaled(x, two_n, expm1_r, expm1_r_error, 1.0, scale)


@register_jitable
def scaled_exp_f32(x, x_error, scale):
    """scale * exp(x + x_error) for a float32 x <= 0 and |x_error| <= ULP(x)/2, rounded about
    once (float32 arithmetic).

    exp(x) = 2^n * (1 + expm1(r)) from the same reduction and polynomial as expm1, with
    1 + expm1(r) kept as a sum of two floats, x_error folded in to first order (its square is
    below 2^-34), and the product by scale rounded once. The result reaches far below 2^-126,
    where 2^n is no normal number: the rounding constant builds 2^(n + 75) instead, and a last
    exact product by 2^-75 brings it down, rounding only where the result is subnormal, as it
    must. (Two normal halves of 2^n cost five more instructions, which put the float64 kernel
    over LLVM's inlining threshold: it stopped vectorizing.) x is clamped at EXP_LOWEST, below
    which every result is 0 for |scale| < EXP_SCALE_LIMIT; x_error, meaningless there (NaN at
    x = -inf), is dropped with it.
    """
    clamped = x < F32_EXP_LOWEST
    x = F32_EXP_LOWEST if clamped else x
    x_error = F32_ZERO if clamped else x_error
    shifted = x * F32_INV_LN2 + F32_EXP_ROUND
    n = shifted - F32_EXP_ROUND
    expm1_r, expm1_r_error = _expm1_reduced_f32(x, n)
    # the low 8 bits of shifted are n + 127 + 75 (1..202), the biased exponent of 2^(n + 75)
    return _combine_exp(expm1_r, expm1_r_error, x_error, _power_of_two_f32(shifted),
                        F32_EXP_UNSCALE, F32_ONE, scale)


@register_jitable
def scaled_exp_f64(x, x_error, scale):
    """scale * exp(x + x_error) for a float64 x <= 0, rounded about once (see scaled_exp_f32,
    with 2^(n + 512))."""
    clamped = x < F64_EXP_LOWEST
    x = F64_EXP_LOWEST if clamped else x
    x_error = 0.0 if clamped else x_error
    shifted = x * F64_INV_LN2 + F64_EXP_ROUND
    n = shifted - F64_EXP_ROUND
    expm1_r, expm1_r_error = _expm1_reduced_f64(x, n)
    # the low 11 bits of shifted are n + 1023 + 512 (1..1535)
    return _combine_exp(expm1_r, expm1_r_error, x_error, _power_of_two_f64(shifted),
                        F64_EXP_UNSCALE, 1.0, scale)


@register_jitable
def _combine_exp(expm1_r, expm1_r_error, x_error, two_n_scaled, unscale, one, scale):
    """scale * 2^n * (1 + m + m_error) * (1 + x_error), with 2^n = two_n_scaled * unscale and
    1 + m as a sum of two floats (Fast2Sum: |m| < 1), so that it rounds once where normal."""
    exp_r = one + expm1_r
    exp_r_error = fma(x_error, exp_r, ((one - exp_r) + expm1_r) + expm1_r_error)
    return (fma(scale, exp_r, scale * exp_r_error) * two_n_scaled) * unscale


# |scale| below which scaled_exp's clamp is invisible and nothing overflows: float32 is the
# tighter, scale * exp(-139) < 2^-150 (half the smallest subnormal) for |scale| < 2^50.5, and
# scale * 2^75 stays finite below 2^53; float64 allows 2^458
EXP_SCALE_LIMIT = 2.0**50


def expm1(x):
    """expm1 in the precision of x (float32 or float64); see expm1_f32 and expm1_f64."""
    return expm1_f32(x) if isinstance(x, np.float32) else expm1_f64(x)


@overload(expm1, inline="always")
def _expm1_for_type(x):
    from numba.core import types

    if x == types.float32:
        return lambda x: expm1_f32(x)
    if x == types.float64:
        return lambda x: expm1_f64(x)
    return None


def scaled_expm1(x, scale):
    """scale * expm1(x), rounded about once, in the precision of x (float32 or float64)."""
    if isinstance(x, np.float32):
        return scaled_expm1_f32(x, scale)
    return scaled_expm1_f64(x, scale)


@overload(scaled_expm1, inline="always")
def _scaled_expm1_for_type(x, scale):
    from numba.core import types

    if x == types.float32:
        return lambda x, scale: scaled_expm1_f32(x, scale)
    if x == types.float64:
        return lambda x, scale: scaled_expm1_f64(x, scale)
    return None


def scaled_exp(x, x_error, scale):
    """scale * exp(x + x_error) for x <= 0, rounded about once, in the precision of x (float32
    or float64); needs |x_error| <= ULP(x)/2 and |scale| < EXP_SCALE_LIMIT."""
    if isinstance(x, np.float32):
        return scaled_exp_f32(x, x_error, scale)
    return scaled_exp_f64(x, x_error, scale)


@overload(scaled_exp, inline="always")
def _scaled_exp_for_type(x, x_error, scale):
    from numba.core import types

    if x == types.float32:
        return lambda x, x_error, scale: scaled_exp_f32(x, x_error, scale)
    if x == types.float64:
        return lambda x, x_error, scale: scaled_exp_f64(x, x_error, scale)
    return None
