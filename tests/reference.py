"""Independent references for the ELU tests, and ULP measurement.

Nothing here imports elunumba. The references compute the mathematical ELU in a precision well
above the output's:

* float16 and float32 outputs: float64 (``np.expm1`` in float64 is within ~1 float64 ULP, i.e. 2^-29
  of a float32 ULP);
* float64 outputs: ``np.longdouble`` when it is the x87 80-bit format (64-bit mantissa, so 11 bits
  beyond float64), else mpmath.

Parameters. The library takes alpha, scale and input_scale as Python floats and computes in the
compute precision (float32 for float16 and float32 data, float64 for float64 data) with PyTorch's
coefficients ``poscoef = scale``, ``negcoef = alpha*scale``, ``negiptcoef = input_scale``, each
rounded to the compute precision. The references use those rounded coefficients exactly, and then
compute the exact function of them: the rounding of the parameters is part of the contract, every
rounding after it is error.
"""

import math

import mpmath
import numpy as np

LONGDOUBLE_IS_EXTENDED = np.finfo(np.longdouble).nmant >= 63


def compute_dtype(dtype, correctly_rounded=False):
    """float16 is computed in float32; float32 and float64 in themselves (float32 in float64 for
    ``elunumba.correctly_rounded``)."""
    dtype = np.dtype(dtype)
    if dtype == np.float16:
        return np.dtype(np.float32)
    if dtype == np.float32 and correctly_rounded:
        return np.dtype(np.float64)
    return dtype


def reference_dtype(dtype):
    """The dtype references for ``dtype`` outputs are computed in (an object dtype: mpmath)."""
    dtype = np.dtype(dtype)
    if dtype in (np.float16, np.float32):
        return np.dtype(np.float64)
    return np.dtype(np.longdouble) if LONGDOUBLE_IS_EXTENDED else np.dtype(object)


def coefficients(dtype, alpha=1.0, scale=1.0, input_scale=1.0, correctly_rounded=False):
    """(poscoef, negcoef, negiptcoef) rounded to the compute precision, as exact Python floats."""
    c = compute_dtype(dtype, correctly_rounded).type
    return (float(c(scale)), float(c(float(alpha) * float(scale))), float(c(input_scale)))


# ---------------------------------------------------------------------------------------------
# forward


def elu_reference(x, alpha=1.0, scale=1.0, input_scale=1.0, dtype=None, correctly_rounded=False):
    """ELU of the values ``x`` for an output of ``dtype`` (default: x's dtype), in high precision.

    Returns an array of ``reference_dtype(dtype)``. x = ±0 and NaN take the linear branch
    (``scale*x``), so the sign of zero is kept and NaN stays NaN; -inf gives -alpha*scale.
    """
    x = np.asarray(x)
    dtype = np.dtype(dtype or x.dtype)
    rdt = reference_dtype(dtype)
    coefs = coefficients(dtype, alpha, scale, input_scale, correctly_rounded)
    if rdt == np.dtype(object):
        return _elu_mpmath_array(x, coefs)
    pos, neg, ipt = (rdt.type(v) for v in coefs)
    xr = x.astype(rdt)
    with np.errstate(all="ignore"):  # IEEE rules for inf and NaN: expm1(-inf) = -1
        negative = neg * np.expm1(ipt * xr)
        return np.where(xr < 0, negative, pos * xr).astype(rdt)


def elu_mpmath(x, alpha=1.0, scale=1.0, input_scale=1.0, dtype=np.float64, prec=200):
    """One value with mpmath at ``prec`` bits (same coefficient convention); an mpf."""
    pos, neg, ipt = coefficients(dtype, alpha, scale, input_scale)
    with mpmath.workprec(prec):
        xm = mpmath.mpf(float(x))
        if not xm < 0:
            return mpmath.mpf(pos) * xm
        return mpmath.mpf(neg) * mpmath.expm1(mpmath.mpf(ipt) * xm)


def _elu_mpmath_array(x, coefs):
    pos, neg, ipt = coefs
    out = np.empty(x.shape, dtype=object)
    with mpmath.workprec(128):
        for index, value in np.ndenumerate(x):
            xm = mpmath.mpf(float(value))
            out[index] = (mpmath.mpf(pos) * xm if not xm < 0
                          else mpmath.mpf(neg) * mpmath.expm1(mpmath.mpf(ipt) * xm))
    return out


# ---------------------------------------------------------------------------------------------
# gradients


def grad_from_x_reference(x, alpha=1.0, scale=1.0, input_scale=1.0, dtype=None,
                          correctly_rounded=False):
    """d elu/dx at x, in high precision: scale for x > 0, alpha*scale*input_scale*exp(input_scale*x)
    for x <= 0 (the library's convention at x = 0 is the left derivative, as PyTorch's)."""
    x = np.asarray(x)
    dtype = np.dtype(dtype or x.dtype)
    rdt = reference_dtype(dtype)
    if rdt == np.dtype(object):
        rdt = np.dtype(np.float64)  # only used for loose comparisons
    coefs = coefficients(dtype, alpha, scale, input_scale, correctly_rounded)
    pos, neg, ipt = (rdt.type(v) for v in coefs)
    xr = x.astype(rdt)
    with np.errstate(all="ignore"):
        negative = neg * ipt * np.exp(ipt * xr)
        return np.where(xr > 0, pos, np.where(np.isnan(xr), xr, negative)).astype(rdt)


def grad_from_output_reference(grad_out, y, alpha=1.0, scale=1.0, input_scale=1.0, dtype=None,
                               correctly_rounded=False):
    """``grad_out*scale`` where y > 0, else ``grad_out*input_scale*(y + alpha*scale)``, exactly
    (in high precision) for the given (already rounded) y and grad_out; broadcasts. The slope is
    never negative: a y below -alpha*scale (a rounded forward output) has slope 0."""
    grad_out, y = np.asarray(grad_out), np.asarray(y)
    dtype = np.dtype(dtype or np.result_type(grad_out, y))
    rdt = reference_dtype(dtype)
    if rdt == np.dtype(object):
        rdt = np.dtype(np.longdouble)
    coefs = coefficients(dtype, alpha, scale, input_scale, correctly_rounded)
    pos, neg, ipt = (rdt.type(v) for v in coefs)
    g, yr = grad_out.astype(rdt), y.astype(rdt)
    with np.errstate(all="ignore"):
        slope = np.where(yr > 0, pos, np.maximum(ipt * (yr + neg), 0))
        slope = np.where(np.isnan(yr), yr, slope)
        return (g * slope).astype(rdt)


# ---------------------------------------------------------------------------------------------
# ULPs


def ulp_of(ref, dtype):
    """The spacing of ``dtype`` numbers at the (high-precision) values ``ref``: 2**(e - nmant) for
    |ref| in [2**e, 2**(e+1)), never below the smallest subnormal. Exact powers of two take the
    spacing above them, as np.spacing does; inf/NaN give NaN."""
    info = np.finfo(dtype)
    ref = np.asarray(ref)
    if ref.dtype == object:
        ref = ref.astype(np.longdouble)
    with np.errstate(all="ignore"):
        _, exponent = np.frexp(np.abs(ref))  # |ref| = m * 2**exponent, m in [0.5, 1)
        spacing = np.ldexp(np.ones_like(ref), (exponent - 1 - info.nmant).astype(np.int32))
        tiny = ref.dtype.type(info.smallest_subnormal)
        spacing = np.maximum(spacing, tiny)
        return np.where(np.isfinite(ref), spacing, np.nan)


def ulp_error(got, ref, dtype=None):
    """|got - ref| in ULPs of ``dtype`` at ref (ref in high precision). NaN vs NaN and equal
    infinities count 0; NaN vs a number, or a wrong infinity, count inf. A zero of the wrong sign
    (where ref is zero or rounds to zero) counts inf as well."""
    got = np.asarray(got)
    dtype = np.dtype(dtype or got.dtype)
    ref = np.asarray(ref)
    if ref.dtype == object:
        return _ulp_error_mpmath(got, ref, dtype)
    high = ref.dtype
    g = got.astype(high)
    with np.errstate(all="ignore"):
        err = np.abs(g - ref) / ulp_of(ref, dtype)
        both_nan = np.isnan(g) & np.isnan(ref)
        err = np.where(both_nan, 0.0, err)
        err = np.where(np.isnan(g) ^ np.isnan(ref), np.inf, err)
        rounded = ref.astype(dtype)
        # a reference that is infinite, or overflows when rounded, must be matched exactly
        inf_ref = np.isinf(rounded) & ~np.isnan(ref)
        err = np.where(inf_ref, np.where(got.astype(dtype) == rounded, 0.0, np.inf), err)
        err = np.where(np.isinf(g) & ~inf_ref & ~np.isnan(ref), np.inf, err)
        wrong_zero = (g == 0) & (rounded == 0) & (np.signbit(g) != np.signbit(ref))
        err = np.where(wrong_zero, np.inf, err)
    return err.astype(np.float64)


def _ulp_error_mpmath(got, ref, dtype):
    """ulp_error for references held as mpmath numbers (the fallback where np.longdouble is no
    wider than float64). mpmath has no -0.0, so the sign of zero is checked only where a
    nonzero reference rounds to zero."""
    info = np.finfo(dtype)
    tiny = mpmath.mpf(float(info.smallest_subnormal))
    err = np.empty(got.shape, np.float64)
    with mpmath.workprec(256):
        for index, g in np.ndenumerate(got):
            r = mpmath.mpf(ref[index])
            g = float(g)
            if mpmath.isnan(r) or math.isnan(g):
                err[index] = 0.0 if (mpmath.isnan(r) and math.isnan(g)) else np.inf
                continue
            with np.errstate(over="ignore"):
                rounded = dtype.type(float(r))
            if mpmath.isinf(r) or np.isinf(rounded):
                err[index] = 0.0 if g == float(rounded) else np.inf
                continue
            if g == 0 and rounded == 0 and r != 0 and math.copysign(1, g) != mpmath.sign(r):
                err[index] = np.inf
                continue
            if r == 0:
                ulp = tiny
            else:
                _, exponent = mpmath.frexp(r)
                ulp = max(mpmath.ldexp(1, int(exponent) - 1 - info.nmant), tiny)
            err[index] = float(abs(mpmath.mpf(g) - r) / ulp)
    return err


def max_ulp_error(got, ref, dtype=None):
    err = ulp_error(got, ref, dtype)
    return float(err.max()) if err.size else 0.0


def assert_ulp(got, ref, max_ulp, dtype=None, inputs=None, what="result"):
    """Every element of ``got`` within ``max_ulp`` ULPs of ``ref``; on failure show the worst."""
    err = ulp_error(got, ref, dtype)
    if err.size == 0:
        return
    worst = int(np.argmax(err))
    if not err.flat[worst] <= max_ulp:
        bad = np.count_nonzero(~(err <= max_ulp))
        where = "" if inputs is None else f" at input {np.asarray(inputs).flat[worst]!r}"
        raise AssertionError(
            f"{what}: {bad} of {err.size} elements above {max_ulp} ULP; worst "
            f"{err.flat[worst]:.3f} ULP{where}: got {np.asarray(got).flat[worst]!r}, "
            f"reference {np.asarray(ref).flat[worst]!r}"
        )


def correctly_rounded(ref, dtype):
    """The high-precision reference rounded to ``dtype`` (to nearest even)."""
    ref = np.asarray(ref)
    if ref.dtype == object:
        ref = ref.astype(np.longdouble)
    with np.errstate(over="ignore"):  # beyond the largest finite number: inf, as rounding says
        return ref.astype(dtype)


def ulp_distance(a, b):
    """Integer distance between two arrays of one float dtype, counted in representable numbers
    (NaN == NaN gives 0, NaN vs number gives a huge value; -0.0 and +0.0 are 1 apart)."""
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype
    int_type = {2: np.int16, 4: np.int32, 8: np.int64}[a.dtype.itemsize]
    ia = a.view(int_type).astype(np.int64)
    ib = b.view(int_type).astype(np.int64)
    sign = np.int64(1) << (8 * a.dtype.itemsize - 1)
    # map to a monotonic integer line: negatives below zero; -0.0 -> -1, +0.0 -> 0
    ia = np.where(ia < 0, -(ia + sign) - 1, ia)
    ib = np.where(ib < 0, -(ib + sign) - 1, ib)
    dist = np.abs(ia - ib)
    both_nan = np.isnan(a) & np.isnan(b)
    dist = np.where(both_nan, 0, dist)
    dist = np.where(np.isnan(a) ^ np.isnan(b), np.iinfo(np.int64).max, dist)
    return dist


def bits_equal(a, b):
    """Bitwise equality of two float arrays (NaNs compared by their payload too)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    int_type = {2: np.uint16, 4: np.uint32, 8: np.uint64}[a.dtype.itemsize]
    return bool(np.array_equal(np.ascontiguousarray(a).view(int_type),
                               np.ascontiguousarray(b).view(int_type)))


def assert_bits_equal(a, b, what="arrays"):
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype, f"{what}: dtypes {a.dtype} != {b.dtype}"
    assert a.shape == b.shape, f"{what}: shapes {a.shape} != {b.shape}"
    if not bits_equal(a, b):
        int_type = {2: np.uint16, 4: np.uint32, 8: np.uint64}[a.dtype.itemsize]
        ia = np.ascontiguousarray(a).view(int_type)
        ib = np.ascontiguousarray(b).view(int_type)
        diff = np.flatnonzero(ia != ib)
        i = diff[0]
        raise AssertionError(f"{what}: {diff.size} of {a.size} elements differ bitwise; first at "
                             f"flat index {i}: {a.flat[i]!r} vs {b.flat[i]!r}")


# ---------------------------------------------------------------------------------------------
# adversarial inputs


def adversarial_inputs(dtype):
    """Inputs where an expm1 or an ELU is likely to go wrong, in ``dtype`` (mostly negative)."""
    dtype = np.dtype(dtype)
    info = np.finfo(dtype)
    t = dtype.type
    values = [0.0, -0.0, np.nan, np.inf, -np.inf, 1.0, -1.0, float(info.max), -float(info.max),
              float(info.smallest_subnormal), -float(info.smallest_subnormal),
              float(info.smallest_normal), -float(info.smallest_normal)]
    centres = [0.0, -math.log(2) / 2, math.log(2) / 2, -0.5, -1.0, -2.0, -10.0,
               -17.328679513998633, -18.0, -37.42994775023705, -40.0, -88.0, -103.0, -104.0,
               -745.0, -746.0]
    centres += [-k * math.log(2) for k in range(1, 60)]
    centres += [-(k + 0.5) * math.log(2) for k in range(0, 60)]
    for centre in centres:
        c = t(centre)
        if not np.isfinite(c):
            continue
        values.extend(_neighbours(c, 8))
    # tiny negatives, from subnormal to around the cubic term's onset
    for e in range(info.minexp - info.nmant, 1):
        v = math.ldexp(1.0, e)
        if v <= float(info.max):
            values.extend([-v, -v * 1.5, v])
    arr = np.array(values, dtype=np.float64).astype(dtype)
    return arr


def _neighbours(c, k):
    dtype = np.asarray(c).dtype
    out = [c]
    lo = hi = c
    for _ in range(k):
        lo = np.nextafter(lo, dtype.type(-np.inf))
        hi = np.nextafter(hi, dtype.type(np.inf))
        out.extend([lo, hi])
    return [float(v) for v in out]


# ---------------------------------------------------------------------------------------------
# SELU's constants, from their definition (Klambauer et al. 2017, eqs. 8-9, fixed point 0 / 1)


def _selu_constants():
    with mpmath.workdps(50):
        e, pi, erfc, sqrt = mpmath.e, mpmath.pi, mpmath.erfc, mpmath.sqrt
        c = erfc(1 / sqrt(2))
        alpha = -sqrt(2 / pi) / (c * mpmath.exp(mpmath.mpf(1) / 2) - 1)
        scale = ((1 - c * sqrt(e)) * sqrt(2 * pi)
                 * (2 * erfc(sqrt(2)) * e**2 + pi * c**2 * e - 2 * (2 + pi) * c * sqrt(e) + pi + 2)
                 ** (-mpmath.mpf(1) / 2))
        return float(alpha), float(scale)


SELU_ALPHA, SELU_SCALE = _selu_constants()


# ---------------------------------------------------------------------------------------------
# the error bounds (ULP) the value and property tests hold results to
#
# They follow from how many roundings each result takes, not from measurements; p is the
# precision (24 or 53 bits) and one rounding costs at most 2^-p relative, which is at most 1 ULP
# and at least 0.5 ULP depending on where in its binade the result falls.
# * float16 is computed in float32 and rounded once to float16: within 0.5 ULP of float16 plus a
#   few float32 ULPs (2^-13 float16 ULP each) -> 0.5 + 2^-10.
# * forward, float32/float64, alpha*scale = 1: expm1 is required to be within 1 ULP -> 1.
# * forward, alpha*scale != 1: expm1's 1 ULP is up to 2^-(p-1) relative, up to 2 ULP of the
#   product, plus the product's rounding -> 2.5.
# * forward with an input_scale that is not a power of two >= 1: input_scale*x is rounded too,
#   which moves expm1 by at most 2^-p relative -> 3.5.
# * backward, float32/float64: (y + alpha*scale), times input_scale, times grad_out: three
#   roundings -> 3 (the fused gradient, with grad_out = 1: two roundings -> 2).
# The documented requirements (1 ULP for alpha = 1, 1.5 ULP otherwise) are checked on large
# samples in test_accuracy_bounds.py.

HALF_BOUND = 0.5 + 2.0**-10


def _exact_input_scale(input_scale):
    mantissa, _ = math.frexp(input_scale)
    return input_scale >= 1 and mantissa == 0.5


def scaled_input_in_bounds(x, input_scale, dtype):
    """Where a bound in ULPs of the result can hold: everywhere but where input_scale*x, rounded
    in the compute precision, is subnormal. There its rounding error is absolute (up to half the
    smallest subnormal), and alpha*scale multiplies it: float32 x = -1e-45 with input_scale 1.5
    and alpha*scale 9 lands 4.5 ULP from the exact result. Exact input scales round nothing."""
    x = np.asarray(x)
    if _exact_input_scale(input_scale):
        return np.ones(x.shape, bool)
    tiny = np.finfo(compute_dtype(dtype)).tiny
    with np.errstate(over="ignore"):  # a float64 x near the largest overflows to inf: in bounds
        return (x == 0) | ~(np.abs(x.astype(np.float64) * input_scale) < 32 * tiny)


def forward_bound(dtype, alpha=1.0, scale=1.0, input_scale=1.0):
    if np.dtype(dtype) == np.float16:
        return HALF_BOUND
    if not _exact_input_scale(input_scale):
        return 3.5
    return 1.0 if alpha * scale == 1 else 2.5


def backward_bound(dtype):
    return HALF_BOUND if np.dtype(dtype) == np.float16 else 3.0


def grad_from_input_bound(dtype, alpha=1.0, scale=1.0, input_scale=1.0):
    """The gradient from the input against grad_from_x_reference (coefficients as the kernels
    get them): 1 ULP where alpha*scale*input_scale is exact in the compute precision, else one
    more rounding of that product, half an ULP."""
    if np.dtype(dtype) == np.float16:
        return HALF_BOUND
    _, neg, ipt = coefficients(dtype, alpha, scale, input_scale)
    exact = mpmath.mpf(neg) * mpmath.mpf(ipt)
    return 1.0 if compute_dtype(dtype).type(exact) == exact else 1.5


def fused_grad_bound(dtype):
    """The fused gradient: input_scale*(y + alpha*scale), two roundings (grad_out is 1)."""
    return HALF_BOUND if np.dtype(dtype) == np.float16 else 2.0
