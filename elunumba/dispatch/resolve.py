"""Argument resolution, shared by the host and the device paths: parameters and their
coefficients, result and compute dtypes, shapes. Nothing here touches an array's elements.
"""

import functools
import math

import numpy as np

from ..kernels.expm1 import EXP_SCALE_LIMIT

SUPPORTED_DTYPES = tuple(np.dtype(t) for t in (np.float16, np.float32, np.float64))
SUPPORTED_DTYPES_TEXT = (
    "float16, float32 and float64 (booleans and integers promote to a float as np.expm1 does)"
)
N_OUTPUTS = {"forward": 1, "backward": 1, "fused": 2, "grad_from_input": 1, "fused_from_input": 2}
# the ops whose gradient comes from the output y, which determines it only for alpha >= 0, scale > 0
FROM_OUTPUT_OPS = ("backward", "fused")
FROM_INPUT_OPS = ("grad_from_input", "fused_from_input")
# concrete types, not numbers.Real: an ABC check costs microseconds on every call
_REAL_TYPES = (int, float, np.integer, np.floating)


def check_real(name, value):
    """``value`` as a finite float, or TypeError/ValueError naming ``name``. A 0-d array of a
    real dtype counts as its element, as NumPy's functions take it."""
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        value = value[()]
    if type(value) is bool or not isinstance(value, _REAL_TYPES):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    try:
        as_float = float(value)
    except OverflowError:
        as_float = math.inf
    if not math.isfinite(as_float):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return as_float


class CoefficientRangeError(ValueError):
    """A kernel coefficient that the compute dtype cannot hold (it overflows, or underflows to
    0); ``name`` says which: "scale", "alpha*scale" or "input_scale"."""

    def __init__(self, message, name, compute_dtype):
        super().__init__(message)
        self.name, self.compute_dtype = name, compute_dtype


def coefficients(alpha, scale, input_scale, op):
    """(poscoef, negcoef, negiptcoef) as Python floats, from parameters validated for ``op``."""
    alpha, scale = check_real("alpha", alpha), check_real("scale", scale)
    input_scale = check_real("input_scale", input_scale)
    if not input_scale > 0:
        # expm1 of a positive argument would be needed, and ELU's negative branch is not that
        raise ValueError(f"input_scale must be > 0, got {input_scale!r}")
    if op in FROM_OUTPUT_OPS and not (alpha >= 0 and scale > 0):
        raise ValueError(
            "the gradient from the output needs alpha >= 0 and scale > 0, otherwise the output "
            f"y does not determine it; got alpha={alpha!r}, scale={scale!r} (elu_grad(x, ...) "
            "takes the gradient from the input for any alpha and scale)"
        )
    if op in FROM_INPUT_OPS and not abs(alpha * scale * input_scale) < EXP_SCALE_LIMIT:
        raise ValueError(
            "the gradient from the input needs |alpha*scale*input_scale| < "
            f"2**{math.log2(EXP_SCALE_LIMIT):g}, got {abs(alpha * scale * input_scale)!r}"
        )
    return scale, alpha * scale, input_scale


def coefficients_in(compute_dtype, poscoef, negcoef, negiptcoef):
    """The coefficients rounded to the precision the kernel computes in."""
    # the signs make -0.0 and 0.0 (equal, and hashed alike) separate cache entries
    signs = tuple(math.copysign(1.0, c) for c in (poscoef, negcoef, negiptcoef))
    return _coefficients_in(compute_dtype, poscoef, negcoef, negiptcoef, signs)


@functools.lru_cache(maxsize=256)
def _coefficients_in(compute_dtype, poscoef, negcoef, negiptcoef, signs):
    with np.errstate(over="ignore", under="ignore"):  # reported below, as a ValueError
        rounded = tuple(compute_dtype.type(c) for c in (poscoef, negcoef, negiptcoef))
    for name, value in zip(("scale", "alpha*scale", "input_scale"), rounded):
        if not np.isfinite(value):
            raise CoefficientRangeError(f"{name} overflows {compute_dtype.name}: "
                                        f"{float(value)!r}", name, compute_dtype)
    # Rounded to 0, scale would make +inf*0 = NaN and input_scale -inf*0 = NaN, and each would
    # zero results that are not 0. An alpha*scale that rounds to 0 is computed right: every
    # result of the negative branch is smaller still, so rounds to -0 as it gives.
    for name, exact, value in (("scale", poscoef, rounded[0]),
                               ("input_scale", negiptcoef, rounded[2])):
        if value == 0 and exact != 0:
            smallest = float(np.finfo(compute_dtype).smallest_subnormal)
            raise CoefficientRangeError(f"{name} underflows {compute_dtype.name} to 0: {exact!r} "
                                        f"(the smallest nonzero magnitude it holds is "
                                        f"{smallest!r})", name, compute_dtype)
    return rounded


def compute_dtype(dtype, correctly_rounded=False):
    """float16 is computed in float32; float32 in float32, or, correctly rounded, in float64.

    The kernels compute in the precision of the coefficients they are given, so float64
    coefficients with float32 arrays run the float64 expm1 and round once on the store.
    """
    if correctly_rounded and dtype == np.float32:
        return np.dtype(np.float64)
    return _COMPUTE_DTYPES[dtype]


_COMPUTE_DTYPES = {np.dtype(np.float16): np.dtype(np.float32),
                   np.dtype(np.float32): np.dtype(np.float32),
                   np.dtype(np.float64): np.dtype(np.float64)}


def result_dtype(inputs, arrays):
    """The dtype np.expm1 gives for the inputs' common type (Python scalars count as weak)."""
    return _result_dtype(*(_promotion_key(v, a) for v, a in zip(inputs, arrays)))


def _promotion_key(value, array):
    # (an int too large for any NumPy integer becomes an object array: refused as such)
    if type(value) in (bool, int, float, complex) and array.dtype != object:
        return type(value)(0)  # a weak Python scalar, as NumPy 2 promotes them
    return array.dtype


# typed: the weak-scalar keys False, 0 and 0.0 are equal and hash alike, but promote differently
@functools.lru_cache(maxsize=256, typed=True)
def _result_dtype(*keys):
    try:
        common = np.result_type(*keys)
        result = np.expm1.resolve_dtypes((common, None))[1]
    except TypeError:
        result = None
    # (`None in SUPPORTED_DTYPES` is True: NumPy compares None equal to dtype float64)
    if result is None or result not in SUPPORTED_DTYPES:
        described = ", ".join(str(k) if isinstance(k, np.dtype) else type(k).__name__
                              for k in keys)
        raise TypeError(f"unsupported dtype ({described}): elunumba computes in "
                        f"{SUPPORTED_DTYPES_TEXT}")
    return result


def broadcast_shape(arrays):
    if len(arrays) == 1:
        return arrays[0].shape
    try:
        return np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        shapes = " and ".join(str(a.shape) for a in arrays)
        raise ValueError(f"shapes {shapes} do not broadcast together") from None


def is_device_array(value):
    """Anything exposing __cuda_array_interface__ (CuPy, torch CUDA), or a Numba device array."""
    return hasattr(value, "__cuda_array_interface__") or hasattr(value, "copy_to_host")
