"""The dispatch layer: validate, resolve dtypes and shapes, check ``out=``, pick a target, then
make exactly one kernel call. Kernels never validate; this module never computes ELU.
"""

import functools
import math

import numpy as np

from ._elu import needs_scaled
from .cpu import KERNELS

TARGETS = ("auto", "cpu", "parallel", "cuda")
HOST_TARGETS = ("cpu", "parallel")
SUPPORTED_DTYPES = tuple(np.dtype(t) for t in (np.float16, np.float32, np.float64))
SUPPORTED_DTYPES_TEXT = (
    "float16, float32 and float64 (booleans and integers promote to a float as np.expm1 does)"
)
N_OUTPUTS = {"forward": 1, "backward": 1, "fused": 2}
# concrete types, not numbers.Real: an ABC check costs microseconds on every call
_REAL_TYPES = (int, float, np.integer, np.floating)

# target="auto" runs a NumPy input on one thread below this many elements and on all Numba
# threads from it on. Measured with `python tools/measure_threshold.py` on the 2-core reference
# machine: forward float32, two threads are a tie with one at 2^14 (0.96-1.12x over three runs)
# and win from 2^15 on (1.01-1.30x, rising to 2x by 2^19): waking the second thread costs about
# as much as 2^13 elements of work. See README "Targets".
PARALLEL_THRESHOLD = 2**15


def check_target(target):
    if not isinstance(target, str) or target not in TARGETS:
        raise ValueError(f"unknown target {target!r}: valid targets are {', '.join(TARGETS)}")
    return target


def check_real(name, value):
    """``value`` as a finite float, or TypeError/ValueError naming ``name``."""
    if type(value) is bool or not isinstance(value, _REAL_TYPES):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    try:
        as_float = float(value)
    except OverflowError:
        as_float = math.inf
    if not math.isfinite(as_float):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return as_float


def coefficients(alpha, scale, input_scale, *, for_backward=False):
    """(poscoef, negcoef, negiptcoef) as Python floats, from validated parameters."""
    alpha, scale = check_real("alpha", alpha), check_real("scale", scale)
    input_scale = check_real("input_scale", input_scale)
    if not input_scale > 0:
        # expm1 of a positive argument would be needed, and ELU's negative branch is not that
        raise ValueError(f"input_scale must be > 0, got {input_scale!r}")
    if for_backward and not (alpha >= 0 and scale > 0):
        raise ValueError(
            "elu_backward needs alpha >= 0 and scale > 0, otherwise the output y does not "
            f"determine the gradient; got alpha={alpha!r}, scale={scale!r}"
        )
    return scale, alpha * scale, input_scale


def coefficients_in(compute_dtype, poscoef, negcoef, negiptcoef):
    """The coefficients rounded to the precision the kernel computes in."""
    # the signs make -0.0 and 0.0 (equal, and hashed alike) separate cache entries
    signs = tuple(math.copysign(1.0, c) for c in (poscoef, negcoef, negiptcoef))
    return _coefficients_in(compute_dtype, poscoef, negcoef, negiptcoef, signs)


@functools.lru_cache(maxsize=256)
def _coefficients_in(compute_dtype, poscoef, negcoef, negiptcoef, signs):
    with np.errstate(over="ignore"):  # an overflow is reported below, as a ValueError
        rounded = tuple(compute_dtype.type(c) for c in (poscoef, negcoef, negiptcoef))
    for name, value in zip(("scale", "alpha*scale", "input_scale"), rounded):
        if not np.isfinite(value):
            raise ValueError(f"{name} overflows {compute_dtype.name}: {float(value)!r}")
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
    if type(value) in (bool, int, float, complex):
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


def check_out(out, n_outputs, shape, dtype):
    """The output buffers as a list, after checking each; None when the call allocates."""
    if out is None:
        return None
    if n_outputs == 1:
        buffers = [out]
    elif isinstance(out, tuple) and len(out) == n_outputs:
        buffers = list(out)
    else:
        raise TypeError(f"out must be a tuple of {n_outputs} arrays (value, grad), got {out!r}")
    for buffer in buffers:
        if not isinstance(buffer, np.ndarray):
            raise TypeError(f"out must be a NumPy array, got {type(buffer).__name__}")
        if buffer.shape != shape:
            raise ValueError(f"out has shape {buffer.shape}, the result has shape {shape}")
        if buffer.dtype != dtype:
            raise TypeError(f"out has dtype {buffer.dtype}, the result has dtype {dtype}")
        if not buffer.flags.writeable:
            raise ValueError("out is read-only")
    if n_outputs == 2 and np.shares_memory(buffers[0], buffers[1]):
        raise ValueError("the two out buffers (value, grad) must not share memory")
    return buffers


def is_device_array(value):
    """Anything exposing __cuda_array_interface__ (CuPy, torch CUDA), or a Numba device array."""
    return hasattr(value, "__cuda_array_interface__") or hasattr(value, "copy_to_host")


def choose_host_target(target, size):
    if target == "auto":
        return "parallel" if size >= PARALLEL_THRESHOLD else "cpu"
    return target


_PLANS = {}  # (op, params, target, correctly_rounded, dtype) -> Plan
MAX_PLANS = 256
PLAN_PARAMS = (float, int)  # exactly these types: not bool, not NumPy scalars (see Plan)


def call(op, inputs, params, out, target, correctly_rounded=False):
    """Run ``op`` on ``inputs`` with params = (alpha, scale, input_scale) as the caller gave them;
    returns the output, a tuple of outputs for "fused"."""
    alpha, scale, input_scale = params
    # Only these types may look for a plan (see Plan): they hash without fail, and for them an
    # equal key means the same call. A plan is stored under the result dtype, which Plan.fits
    # made sure is the first input's.
    if (type(inputs[0]) is np.ndarray and type(target) is str and type(alpha) in PLAN_PARAMS
            and type(scale) in PLAN_PARAMS and type(input_scale) in PLAN_PARAMS):
        plan = _PLANS.get((op, params, target, correctly_rounded, inputs[0].dtype))
        if plan is not None:
            result = plan.run(inputs, out)
            if result is not None:
                return result
    coefs = coefficients(*params, for_backward=op != "forward")
    check_target(target)
    if any(is_device_array(v) for v in inputs):
        from . import device

        return device.call(op, inputs, coefs, out, target, correctly_rounded)
    if target == "cuda":  # NumPy in, NumPy out, through the GPU
        from . import device

        device.cuda_backend()  # before anything else: say it cannot run here, if it cannot
    arrays = [np.asarray(v) for v in inputs]
    dtype = result_dtype(inputs, arrays)
    shape = broadcast_shape(arrays)
    buffers = check_out(out, N_OUTPUTS[op], shape, dtype)
    kernel_coefs = coefficients_in(compute_dtype(dtype, correctly_rounded), *coefs)
    results = buffers or [_empty_like_inputs(arrays, shape, dtype) for _ in range(N_OUTPUTS[op])]
    if math.prod(shape):
        inputs_in_dtype = [a.astype(dtype, copy=False) for a in arrays]
        if target == "cuda":
            device.run_from_host(op, inputs_in_dtype, results, kernel_coefs)
        else:
            kernel = KERNELS[op, choose_host_target(target, math.prod(shape)),
                             needs_scaled(kernel_coefs[1])]
            run_flat(kernel, inputs_in_dtype, results, kernel_coefs, fresh_outputs=buffers is None)
    key = (op, params, target, correctly_rounded, dtype)
    if target != "cuda" and key not in _PLANS and Plan.fits(params, inputs, dtype):
        if len(_PLANS) >= MAX_PLANS:  # a sweep over many alphas must not grow it without bound
            _PLANS.clear()
        _PLANS[key] = Plan(op, target, kernel_coefs)
    if buffers is not None:
        return out
    if shape == ():
        results = [r[()] for r in results]
    return results[0] if len(results) == 1 else tuple(results)


class Plan:
    """What the general path decided for one (op, params, target, dtype), kept so that a repeat
    call on C-contiguous NumPy arrays of that dtype only allocates its output (or checks ``out``)
    and runs the kernel.

    On 1,000 float32 elements (`elunumba bench`, "small call" in the summary) a repeat call
    costs ~2.7x np.expm1 this way, against ~12x through the general path; the kernel and the
    allocation alone are ~1.4x. Plans are kept only for params that are Python floats or ints
    other than ±0 and a str target, and ``call`` checks those types before every lookup: those
    are the only values for which an equal dict key means the same call (2 == 2.0 gives the same
    coefficients). True == 1.0, Fraction(3, 2) == 1.5 and 1.5 + 0j == 1.5, which the general
    path refuses, and -0.0 == 0.0, which changes the sign of zero results, must not find a plan.
    """

    __slots__ = ("n_outputs", "below_threshold", "from_threshold",
                 "poscoef", "negcoef", "negiptcoef")

    def __init__(self, op, target, kernel_coefs):
        scaled = needs_scaled(kernel_coefs[1])
        self.n_outputs = N_OUTPUTS[op]
        # the kernels for sizes below and from PARALLEL_THRESHOLD (the same one unless "auto")
        self.below_threshold = KERNELS[op, choose_host_target(target, 0), scaled]
        self.from_threshold = KERNELS[op, choose_host_target(target, PARALLEL_THRESHOLD), scaled]
        self.poscoef, self.negcoef, self.negiptcoef = kernel_coefs

    @staticmethod
    def fits(params, inputs, dtype):
        # not float16: the CPU kernels take it as uint16 bits, a view the general path makes
        return (all(type(p) in PLAN_PARAMS and p != 0 for p in params) and dtype.char != "e"
                and all(type(v) is np.ndarray and v.dtype == dtype for v in inputs))

    def run(self, inputs, out):
        """The result, or None where the general path must decide (layouts, shapes, overlaps).
        ``out`` is taken here when it is an input itself (in place) or a separate writeable
        array laid out like the inputs; the two outputs of "fused" are always new."""
        first = inputs[0]
        if first.ndim == 0 or not first.flags.c_contiguous:  # 0-d: the result is a scalar
            return None
        if len(inputs) == 2 and not _same_layout(inputs[1], first):
            return None
        if self.n_outputs == 1:
            if out is None:
                out = np.empty(first.shape, first.dtype)
            elif not _usable_out(out, inputs):
                return None
            outputs = (out,)
        elif out is None:
            outputs = (np.empty(first.shape, first.dtype), np.empty(first.shape, first.dtype))
        else:
            return None
        arrays = inputs + outputs
        if first.ndim != 1:  # the kernels loop over flat arrays
            arrays = [a.reshape(-1) for a in arrays]
        kernel = self.below_threshold if first.size < PARALLEL_THRESHOLD else self.from_threshold
        kernel(*arrays, self.poscoef, self.negcoef, self.negiptcoef)
        return out if self.n_outputs == 1 else outputs


def _same_layout(array, first):
    return (type(array) is np.ndarray and array.dtype == first.dtype
            and array.shape == first.shape and array.flags.c_contiguous)


def _usable_out(out, inputs):
    """``out`` is writeable, laid out like the inputs, and each input is either ``out`` itself
    (in place) or apart from it (a partial overlap needs the general path's temporaries)."""
    return (_same_layout(out, inputs[0]) and out.flags.writeable
            and all(v is out or not np.may_share_memory(v, out) for v in inputs))


def _empty_like_inputs(arrays, shape, dtype):
    """A new output laid out like the first input of the result's shape (as ufuncs do)."""
    full = next((a for a in arrays if a.shape == shape), None)
    fortran = full is not None and full.flags.f_contiguous and not full.flags.c_contiguous
    return np.empty(shape, dtype, order="F" if fortran else "C")


def run_flat(kernel, inputs, outputs, kernel_coefs, fresh_outputs=False):
    """Call a kernel that loops over flat contiguous arrays, whatever the arrays' layout.

    Arrays that are all C- or all F-contiguous with the result's shape are passed as flat views
    (no copy; an output may be an input, for in-place use). Anything else (strides, broadcasting,
    an output that partly overlaps an input) goes through contiguous temporaries, so the result is
    the same as without overlap. Outputs the call just allocated overlap nothing.
    """
    flat = _flat_views(inputs + outputs, outputs[0].shape)
    if flat is None or not fresh_outputs and _partly_overlapping(inputs, outputs):
        shape = outputs[0].shape
        work_in = [np.ascontiguousarray(np.broadcast_to(a, shape)) for a in inputs]
        work_out = [np.empty(shape, a.dtype) for a in outputs]
        run_flat(kernel, work_in, work_out, kernel_coefs, fresh_outputs=True)
        for buffer, result in zip(outputs, work_out):
            np.copyto(buffer, result)
        return
    kernel(*(_storage_view(a) for a in flat), *kernel_coefs)


def _flat_views(arrays, shape):
    if any(a.shape != shape for a in arrays):
        return None
    if all(a.flags.c_contiguous for a in arrays):
        return arrays if len(shape) == 1 else [a.reshape(-1) for a in arrays]
    if all(a.flags.f_contiguous for a in arrays):
        return [a.reshape(-1, order="F") for a in arrays]
    return None


def _partly_overlapping(inputs, outputs):
    def same_view(a, b):
        return (a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
                and a.strides == b.strides)

    return any(np.may_share_memory(o, i) and not same_view(o, i) and np.shares_memory(o, i)
               for o in outputs for i in inputs)


def _storage_view(array):
    """float16 travels to the CPU kernels as its uint16 bit pattern (Numba has no CPU float16)."""
    return array.view(np.uint16) if array.dtype.char == "e" else array
