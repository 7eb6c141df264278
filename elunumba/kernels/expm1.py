"""The one expm1 of elunumba: float32 and float64, plain branch-free arithmetic; and the exp of
the gradient from the input (scaled_exp), made of the same reduction and polynomial.

Numba lowers ``math.expm1`` to a scalar libm call, which keeps a loop from vectorizing; libdevice's
expm1f is off by up to 1.13 ULP. These versions are ordinary arithmetic that LLVM turns into SIMD
code on the CPU and that the CUDA kernels call unchanged, so every target computes the same thing.

The recipe (fdlibm, SLEEF): n = round(x / ln2); r = x - n*ln2; expm1(r) = r + r**2 * h(r) with
h(r) = 1/2 + r*q(r) and q a near-minimax polynomial (tools/fit_expm1.py); expm1(x) = 2**n *
expm1(r) + (2**n - 1). Both 2**n*expm1(r) and 2**n - 1 are exact or nearly so, so the result is
rounded about once.

r is exact from one FMA, r = fma(-n, LN2, x) with LN2 = ln2 rounded to the working precision: LN2
lies in [1/2, 1), so n*LN2 is a multiple of the working precision's ULP of 1/2; for |x| >= 1/2, so
is x, and |x - n*LN2| < 1 holds no more bits than the precision has; for smaller |x|, n is 0 or -1
and r is as fine-grained as x (for any n, exp's too, and in float32 and float64 alike). What LN2
misses, n*(LN2 - ln2), is carried as an error term where it matters (the float64 expm1, the
compensated products, exp's |n| up to 201 or 1534).

float32 moves the interval: n = round(x/ln2 + 3/16), so r lies in [-(1/2 + 3/16)*ln2,
(1/2 - 3/16)*ln2]. Where n = -1, r < 0.223 and expm1(r) < 1/4: its rounding costs at most an
eighth of an ULP of the result 2^-1*expm1(r) - 1/2, not the quarter ULP it cost on
[-ln2/2, ln2/2], the largest error besides the final rounding. That leaves the float32 residual
n*(LN2 - ln2) negligible for expm1 (|n| <= 26) and expm1(r) to one FMA, fma(r*r, h, r). The
shift 3/16 is where the error of the n = -1 region and the n = 0 one (wider by the shift, where
the roundings of r*r and h grow) are lowest together (a scan of 0.17..0.24, and the exhaustive
runs in bench_results/). float64 keeps n = round(x/ln2) and its error term.

Only x <= 0 matters to ELU (the positive branch is linear, and the kernels select it for x >= 0
and NaN), so x is clamped below at LOWEST, where the result rounds to -1 in the working precision
and 2**n stays a normal number. x > 0 gives a meaningless result that no kernel selects: clamping
it too cost two instructions, and the float64 alpha*scale != 1 formula sits right at LLVM's
inlining threshold, over which the kernel loop stops vectorizing and ran ~7x slower on 2^14
elements in cache (tests/kernels/test_vectorized.py checks every kernel). NaN flows through as NaN.
expm1_negative serves x < 0 alone: -0 would come out +0, and ELU sends it down the linear branch;
expm1 gives -0 the sign of x (one more bitwise operation).

2**n is built from exponent bits. Adding ROUND = 1.5 * 2**(p-1) + BIAS to x/ln2 rounds it to an
integer and leaves n + BIAS, the biased exponent of 2**n, in the low mantissa bits of the sum;
one shift moves those bits into the exponent field and pushes the rest out. So no float-to-int
conversion is needed (AVX2 has none for 64-bit integers, and one would stop the loop from
vectorizing), and no add or mask either: folding the bias into ROUND left the rounding of n
unchanged (tools/check_bit_identity.py compared every float32 input with the version that added
the bias after the shift; notes/avx2-kernels.md). The float32 shift cannot ride in ROUND
(1.5 * 2**23 + 3/16 is no float32): x/ln2 + 3/16 is one FMA, + ROUND one add; only fma, add, sub
and shift, so CUDA compiles the same operations.

The correctly rounded float32 functions evaluate in float64 (expm1_f32_in_f64): the same exact
reduction and a polynomial of degree 10 on [-ln2/2, ln2/2], whose float64 result rounds to the
correctly rounded float32 for every float32 input (checked on all of them: bench_results/).
"""

import math

import numpy as np
from numba.extending import overload, register_jitable

from .fma import fma

# float32: coefficients from tools/fit_expm1.py (relative error of the polynomial 2^-28.8 on the
# shifted interval).
F32_LOWEST = np.float32(-18.0)  # e^-18 < 2^-25: expm1 rounds to -1
# exp (see scaled_exp_f32): 2^(n + 75) from the rounding constant, then times 2^-75
F32_EXP_LOWEST = np.float32(-139.0)  # n >= -200: 2^(n + 75) stays normal
F32_EXP_ROUND = np.float32(12582912.0 + 127 + 75)
F32_EXP_UNSCALE = np.float32(2.0**-75)
F32_INV_LN2 = np.float32(1.4426950408889634)
F32_SHIFT = np.float32(0.1875)  # n = round(x/ln2 + 3/16)
F32_LN2 = np.float32(0.6931471824645996)  # ln2 rounded to float32: fma(-n, F32_LN2, x) is exact
F32_LN2_ERROR = np.float32(1.9046542999577680e-09)  # F32_LN2 - ln2
F32_ROUND = np.float32(12582912.0 + 127)  # 1.5 * 2**23 + the exponent bias
F32_ONE = np.float32(1.0)
F32_ZERO = np.float32(0.0)
F32_HALF = np.float32(0.5)
F32_C3 = np.float32(0.1666666567325592)
F32_C4 = np.float32(0.041666705161333084)
F32_C5 = np.float32(0.008334191516041756)
F32_C6 = np.float32(0.0013885709922760725)
F32_C7 = np.float32(0.00018335394270252436)

# float64: coefficients from tools/fit_expm1.py (relative error of the polynomial 2^-58.5; one
# degree less, 2^-53.5, measured 1.05 ULP at x = -0.2766 against mpmath).
F64_LOWEST = -40.0  # e^-40 < 2^-54: expm1 rounds to -1
F64_EXP_LOWEST = -1063.0  # n >= -1534: 2^(n + 512) stays normal
F64_EXP_ROUND = 6755399441055744.0 + 1023 + 512
F64_EXP_UNSCALE = 2.0**-512
F64_INV_LN2 = 1.4426950408889634
F64_LN2 = 0.6931471805599453  # ln2 rounded to float64: fma(-n, F64_LN2, x) is exact
F64_LN2_ERROR = -2.3190468138462996e-17  # F64_LN2 - ln2
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

# float32 inputs evaluated in float64 (the correctly rounded functions): tools/fit_expm1.py's
# degree 10 (relative error 2^-47.4); x is clamped where the float32 result is -1.
F32_IN_F64_C3 = 0.16666666666662586
F32_IN_F64_C4 = 0.041666666666663264
F32_IN_F64_C5 = 0.008333333344203168
F32_IN_F64_C6 = 0.0013888888897945124
F32_IN_F64_C7 = 0.00019841224599133488
F32_IN_F64_C8 = 2.480154960727102e-05
F32_IN_F64_C9 = 2.761756513390866e-06
F32_IN_F64_C10 = 2.7607516554866554e-07


@register_jitable
def _reduce_f32(x, round_constant):
    """(shifted, n, r): n = round(x/ln2 + 3/16), shifted = n + round_constant, whose low bits
    hold the biased exponent of 2^n, and r = x - n*F32_LN2, exact."""
    shifted = fma(x, F32_INV_LN2, F32_SHIFT) + round_constant
    n = shifted - round_constant
    return shifted, n, fma(-n, F32_LN2, x)


@register_jitable
def _h_f32(r):
    """h(r) with expm1(r) = r + r*r*h(r) on the shifted interval, float32."""
    return r * ((((F32_C7 * r + F32_C6) * r + F32_C5) * r + F32_C4) * r + F32_C3) + F32_HALF


@register_jitable
def _fast_two_sum(r, tail):
    """(m, m_error) with m + m_error = r + tail exactly, m rounded once (Fast2Sum: |r| >= |tail|,
    as holds for tail = r*r*h(r) and the tails below)."""
    m = r + tail
    return m, tail - (m - r)


@register_jitable
def _power_of_two_f32(shifted):
    """2^k from the float32 ``shifted`` = an integer plus ROUND, whose low bits hold k + 127:
    one shift moves them into the exponent field and pushes the rest out (-126 <= k <= 127)."""
    return np.int32(np.float32(shifted).view(np.int32) << 23).view(np.float32)


@register_jitable
def _reduce_f64(x, round_constant):
    """(shifted, n, r): n = round(x/ln2), shifted = n + round_constant, r = x - n*F64_LN2,
    exact."""
    shifted = x * F64_INV_LN2 + round_constant
    n = shifted - round_constant
    return shifted, n, fma(-n, F64_LN2, x)


@register_jitable
def _h_f64(r):
    """h(r) with expm1(r) = r + r*r*h(r) on [-ln2/2, ln2/2], float64."""
    q = F64_C12 * r + F64_C11
    q = q * r + F64_C10
    q = q * r + F64_C9
    q = q * r + F64_C8
    q = q * r + F64_C7
    q = q * r + F64_C6
    q = q * r + F64_C5
    q = q * r + F64_C4
    q = q * r + F64_C3
    return r * q + 0.5


@register_jitable
def _expm1_tail_f64(r, n):
    """tail with expm1(r + n*F64_LN2_ERROR) = r + tail, float64, |n| <= 58 (expm1's range).
    The residual d of F64_LN2 (up to 0.3 ULP of the result at n = -1) enters as expm1(r + d) ~
    expm1(r) + d*(1 + r), so that r + tail is rounded once (d*r*r/2 is below 2^-100 of the
    result)."""
    residual = n * F64_LN2_ERROR
    return r * r * _h_f64(r) + fma(residual, r, residual)


@register_jitable
def _power_of_two_f64(shifted):
    """2^k from the float64 ``shifted`` = an integer plus ROUND (see _power_of_two_f32)."""
    return np.int64(np.float64(shifted).view(np.int64) << 52).view(np.float64)


@register_jitable
def expm1_negative_f32(x):
    """expm1 of a float32 x < 0 in float32 arithmetic (+0 for -0; meaningless for x > 0)."""
    x = F32_LOWEST if x < F32_LOWEST else x
    shifted, _, r = _reduce_f32(x, F32_ROUND)
    expm1_r = fma(r * r, _h_f32(r), r)
    two_n = _power_of_two_f32(shifted)
    return two_n * expm1_r + (two_n - F32_ONE)


@register_jitable
def expm1_negative_f64(x):
    """expm1 of a float64 x < 0 in float64 arithmetic (+0 for -0; meaningless for x > 0)."""
    x = F64_LOWEST if x < F64_LOWEST else x
    shifted, n, r = _reduce_f64(x, F64_ROUND)
    expm1_r = r + _expm1_tail_f64(r, n)
    two_n = _power_of_two_f64(shifted)
    return two_n * expm1_r + (two_n - 1.0)


@register_jitable
def expm1_f32_in_f64(x):
    """expm1 of a float32 value x < 0, evaluated in float64 (x a float64): rounded to float32 it
    is the correctly rounded float32 expm1 (every negative float32 checked; meaningless for
    x > 0, and for x that float32 does not hold)."""
    x = -18.0 if x < -18.0 else x  # as F32_LOWEST: e^-18 < 2^-25, so float32 rounds to -1
    shifted = fma(x, F64_INV_LN2, F64_ROUND)
    n = shifted - F64_ROUND
    r = fma(-n, F64_LN2, x)  # exact, and float64 keeps what F64_LN2 misses below 2^-58 of r
    q = F32_IN_F64_C10 * r + F32_IN_F64_C9
    q = q * r + F32_IN_F64_C8
    q = q * r + F32_IN_F64_C7
    q = q * r + F32_IN_F64_C6
    q = q * r + F32_IN_F64_C5
    q = q * r + F32_IN_F64_C4
    q = q * r + F32_IN_F64_C3
    expm1_r = fma(r * r, r * q + 0.5, r)
    two_n = _power_of_two_f64(shifted)
    return fma(two_n, expm1_r, two_n - 1.0)


@register_jitable
def _combine_scaled(x, two_n, expm1_r, expm1_r_error, one, scale):
    """scale * (2^n*(m + m_error) + (2^n - 1)) with the sum's rounding errors carried into the
    product (Fast2Sum again: |2^n - 1| >= |2^n*m| for n < 0, and 2^n - 1 = 0 for n = 0), with
    the sign of scale * x (-0 stays -0)."""
    minus_one = two_n - one
    minus_one_error = two_n - (minus_one + one)  # not 0 once 2^n is below half an ULP of 1
    value = two_n * expm1_r + minus_one
    value_error = two_n * expm1_r - (value - minus_one)
    product = scale * value + scale * ((value_error + minus_one_error) + two_n * expm1_r_error)
    return math.copysign(product, scale * x)


@register_jitable
def expm1_f32(x):
    """expm1 of a float32 x <= 0 in float32 arithmetic (meaningless for x > 0)."""
    return math.copysign(expm1_negative_f32(x), x)


@register_jitable
def expm1_f64(x):
    """expm1 of a float64 x <= 0 in float64 arithmetic (meaningless for x > 0)."""
    return math.copysign(expm1_negative_f64(x), x)


@register_jitable
def scaled_expm1_f32(x, scale):
    """scale * expm1(x) for a float32 x <= 0, rounded about once (float32 arithmetic).

    expm1_f32(x) * scale rounds twice; carrying expm1's rounding errors into the product keeps
    alpha = 1.7 close to one rounding of the exact result (`elunumba accuracy --alpha 1.7`), at
    the price of a few more operations, felt only where a kernel is compute-bound (arrays in
    cache). The kernels use this only when scale != 1.
    """
    x = F32_LOWEST if x < F32_LOWEST else x
    shifted, n, r = _reduce_f32(x, F32_ROUND)
    expm1_r, expm1_r_error = _fast_two_sum(r, r * r * _h_f32(r))
    # the residual of F32_LN2 adds n*F32_LN2_ERROR*(1 + r) to expm1(r): below 0.01 ULP of the
    # result for expm1's |n| <= 26 without the r
    expm1_r_error = fma(n, F32_LN2_ERROR, expm1_r_error)
    return _combine_scaled(x, _power_of_two_f32(shifted), expm1_r, expm1_r_error, F32_ONE,
                           scale)


@register_jitable
def scaled_expm1_f64(x, scale):
    """scale * expm1(x) for a float64 x <= 0, rounded about once (see scaled_expm1_f32)."""
    x = F64_LOWEST if x < F64_LOWEST else x
    shifted, n, r = _reduce_f64(x, F64_ROUND)
    expm1_r, expm1_r_error = _fast_two_sum(r, _expm1_tail_f64(r, n))
    return _combine_scaled(x, _power_of_two_f64(shifted), expm1_r, expm1_r_error, 1.0, scale)


@register_jitable
def scaled_exp_f32(x, x_error, scale):
    """scale * exp(x + x_error) for a float32 x <= 0 and |x_error| <= ULP(x)/2, rounded about
    once (float32 arithmetic).

    exp(x) = 2^n * (1 + expm1(r)) from the same reduction and polynomial as expm1, with
    1 + expm1(r) kept as a sum of two floats, x_error and the residual of F32_LN2 (n*(F32_LN2 -
    ln2), up to 200 * 1.9e-9: several ULP of exp) folded in to first order (their square is
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
    shifted, n, r = _reduce_f32(x, F32_EXP_ROUND)
    expm1_r, expm1_r_error = _fast_two_sum(r, r * r * _h_f32(r))
    x_error = fma(n, F32_LN2_ERROR, x_error)  # exp(x) = 2^n * exp(r + n*F32_LN2_ERROR)
    # the low 8 bits of shifted are n + 127 + 75 (2..202), the biased exponent of 2^(n + 75)
    return _combine_exp(expm1_r, expm1_r_error, x_error, _power_of_two_f32(shifted),
                        F32_EXP_UNSCALE, F32_ONE, scale)


@register_jitable
def scaled_exp_f64(x, x_error, scale):
    """scale * exp(x + x_error) for a float64 x <= 0, rounded about once (see scaled_exp_f32,
    with 2^(n + 512))."""
    clamped = x < F64_EXP_LOWEST
    x = F64_EXP_LOWEST if clamped else x
    x_error = 0.0 if clamped else x_error
    shifted, n, r = _reduce_f64(x, F64_EXP_ROUND)
    expm1_r, expm1_r_error = _fast_two_sum(r, r * r * _h_f64(r))
    x_error = fma(n, F64_LN2_ERROR, x_error)  # exp(x) = 2^n * exp(r + n*F64_LN2_ERROR)
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


def expm1_negative(x, coefficient):
    """expm1 of x < 0 in the precision of ``coefficient`` (float32 or float64), as the kernels
    compute: float32 x with float64 coefficients (the correctly rounded functions) by
    expm1_f32_in_f64, whose result rounds once to the correctly rounded float32."""
    if isinstance(x, np.float32) and isinstance(coefficient, float):
        return expm1_f32_in_f64(np.float64(x))
    if isinstance(coefficient, np.float32):
        return expm1_negative_f32(np.float32(x))
    return expm1_negative_f64(np.float64(x))


@overload(expm1_negative, inline="always")
def _expm1_negative_for_type(x, coefficient):
    from numba.core import types

    if x == types.float32 and coefficient == types.float64:
        return lambda x, coefficient: expm1_f32_in_f64(np.float64(x))
    if coefficient == types.float32:
        return lambda x, coefficient: expm1_negative_f32(np.float32(x))
    if coefficient == types.float64:
        return lambda x, coefficient: expm1_negative_f64(np.float64(x))
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
