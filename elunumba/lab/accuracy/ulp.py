"""Distances in units in the last place (ULP)."""

import numpy as np

_ORDERED_INT = {np.dtype(np.float16): np.int16, np.dtype(np.float32): np.int32,
                np.dtype(np.float64): np.int64}


def ulp_of(reference, dtype):
    """The spacing of ``dtype`` numbers in the binade of each |reference| (Goldberg's ulp).

    ``reference`` is kept in its own (higher) precision; at 0 and in the subnormal range the
    spacing is that of the subnormals.
    """
    finfo = np.finfo(dtype)
    reference = np.asarray(reference)
    _, exponent = np.frexp(np.abs(reference))  # |reference| = m * 2**exponent, 0.5 <= m < 1
    lowest = finfo.minexp - finfo.nmant  # exponent of the smallest subnormal
    shift = np.where(reference == 0, lowest, np.maximum(exponent - 1 - finfo.nmant, lowest))
    return np.ldexp(np.ones_like(reference), shift)


def ulp_error(got, reference, dtype):
    """|got - reference| in ULPs of ``dtype`` at the reference (a real number, not rounded).

    Equal values (including equal infinities) and NaN against NaN are 0; a NaN or infinity
    against anything else is inf. A reference beyond ``dtype``'s range counts as what it rounds
    to, an infinity (scale*x for the largest x).
    """
    reference = np.asarray(reference)
    with np.errstate(over="ignore"):
        overflows = np.isinf(reference.astype(dtype)) & np.isfinite(reference)
    reference = np.where(overflows, np.copysign(np.inf, reference), reference)
    got = np.asarray(got).astype(reference.dtype)
    with np.errstate(invalid="ignore", over="ignore"):
        error = np.abs(got - reference) / ulp_of(reference, dtype)
    both_nan = np.isnan(got) & np.isnan(reference)
    equal = got == reference
    error = np.where(equal | both_nan, 0.0, error)
    return np.where(np.isnan(error), np.inf, error)


def ulp_distance(a, b):
    """How many representable numbers apart a and b (same float dtype) are, as int64.

    +0 and -0 are 0 apart; NaN against NaN is 0, NaN against a number is the largest int64.
    """
    a, b = np.asarray(a), np.asarray(b)
    key_a, key_b = _ordered(a), _ordered(b)
    distance = np.abs(key_a - key_b)
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    distance = np.where(nan_a & nan_b, 0, distance)
    return np.where(nan_a ^ nan_b, np.iinfo(np.int64).max, distance)


def _ordered(values):
    """Integer keys in the order of the floats: adjacent floats have adjacent keys."""
    bits = values.view(_ORDERED_INT[values.dtype]).astype(np.int64)
    sign_bit = np.int64(1) << (8 * values.dtype.itemsize - 1)
    return np.where(bits < 0, -(bits + sign_bit), bits)
