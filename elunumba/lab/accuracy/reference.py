"""References more precise than what they judge.

Everything here is evaluated in x87 extended precision (NumPy's longdouble on x86-64: a 64-bit
significand, 11 bits more than float64 and 40 more than float32), independently of elunumba's
own expm1 (these call the C library's expm1l/expl through NumPy).
"""

import numpy as np

EXTENDED = np.longdouble
# SELU's constants as decimal strings: the references take them exactly (to extended precision),
# the kernels as the nearest float64, as elunumba.selu passes them
SELU_ALPHA = "1.6732632423543772848170429916717"
SELU_SCALE = "1.0507009873554804934193349852946"


def require_extended_precision():
    if np.finfo(EXTENDED).nmant < 63:
        raise RuntimeError(
            "the accuracy references need an 80-bit long double (x86-64); this platform's "
            f"np.longdouble has a {np.finfo(EXTENDED).nmant + 1}-bit significand"
        )


def elu_forward(x, alpha=1.0, scale=1.0, input_scale=1.0):
    """scale*x where x > 0, else scale*alpha*expm1(input_scale*x), in extended precision."""
    x = np.asarray(x).astype(EXTENDED)
    with np.errstate(over="ignore", invalid="ignore"):
        negative = EXTENDED(scale) * EXTENDED(alpha) * np.expm1(EXTENDED(input_scale) * x)
        return np.where(x > 0, EXTENDED(scale) * x, negative)


def slope_from_output(y, alpha=1.0, scale=1.0, input_scale=1.0):
    """What the backward-from-output formula should give for a stored y, computed exactly:
    scale where y > 0, else input_scale*(y + alpha*scale)."""
    y = np.asarray(y).astype(EXTENDED)
    negative = EXTENDED(input_scale) * (y + EXTENDED(alpha) * EXTENDED(scale))
    return np.where(y > 0, EXTENDED(scale), negative)


def true_slope(x, alpha=1.0, scale=1.0, input_scale=1.0):
    """The derivative itself: scale where x > 0, else scale*alpha*input_scale*exp(input_scale*x)."""
    x = np.asarray(x).astype(EXTENDED)
    with np.errstate(over="ignore", invalid="ignore"):
        negative = (EXTENDED(scale) * EXTENDED(alpha) * EXTENDED(input_scale)
                    * np.exp(EXTENDED(input_scale) * x))
        return np.where(x > 0, EXTENDED(scale), negative)


def correctly_rounded(reference, dtype):
    """The reference rounded to ``dtype`` (once, from 64 significant bits; beyond its range, to
    an infinity)."""
    with np.errstate(over="ignore"):
        return np.asarray(reference).astype(dtype)


def float32_forward_correctly_rounded(x, alpha=1.0):
    """elu(x, alpha) correctly rounded to float32, fast enough for all 2^32 inputs (see
    _float32_correctly_rounded; float64 expm1 is within 2 float64 ULPs)."""
    with np.errstate(over="ignore", invalid="ignore"):  # signalling NaNs; overflow to inf
        x64 = np.asarray(x, np.float32).astype(np.float64)
        value = np.where(x64 > 0, x64, alpha * np.expm1(np.minimum(x64, 0.0)))
    return _float32_correctly_rounded(value, lambda near: elu_forward(x64[near], alpha))


def float32_true_slope_correctly_rounded(x, alpha=1.0):
    """The derivative of elu(x, alpha), 1 where x > 0 else alpha*exp(x), correctly rounded to
    float32 for all 2^32 inputs (float64 exp is within 2 float64 ULPs)."""
    with np.errstate(over="ignore", invalid="ignore"):  # signalling NaNs; overflow to inf
        x64 = np.asarray(x, np.float32).astype(np.float64)
        value = np.where(x64 > 0, 1.0, alpha * np.exp(np.minimum(x64, 0.0)))
    return _float32_correctly_rounded(value, lambda near: true_slope(x64[near], alpha))


def _float32_correctly_rounded(value, exact_of):
    """float64 ``value`` (2^-51 relative) rounded to float32, which decides the rounding of all
    but the elements whose value lies within 2^-45 (relative) of a float32 rounding midpoint;
    those few are redone in extended precision by ``exact_of(mask)``."""
    rounded = value.astype(np.float32)
    near_midpoint = np.zeros(rounded.shape, bool)
    for direction in (-np.inf, np.inf):
        with np.errstate(over="ignore", invalid="ignore"):  # past the largest float32; NaN
            neighbour = np.nextafter(rounded, np.float32(direction)).astype(np.float64)
            midpoint = (rounded.astype(np.float64) + neighbour) / 2  # exact in float64
            near_midpoint |= np.abs(value - midpoint) <= np.abs(value) * 2.0**-45
    if near_midpoint.any():
        rounded[near_midpoint] = correctly_rounded(exact_of(near_midpoint), np.float32)
    return rounded


def float32_slope_correctly_rounded(y, alpha=1.0):
    """The slope from a stored float32 y (1 where y > 0, else y + alpha) correctly rounded.

    y + alpha is exact in extended precision unless the two span more than its 64 bits; then y
    lies below 2^-40 of alpha and could only change the float32 rounding of the sum if alpha
    itself lay that close to a float32 rounding midpoint.
    """
    return correctly_rounded(slope_from_output(y, alpha), np.float32)
