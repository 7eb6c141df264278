"""The host path: NumPy arrays (and anything np.asarray takes) in, NumPy arrays out, with NumPy's
dtype promotion, broadcasting, layouts and ``out=``; run by the CPU kernels, or by the GPU for
target="cuda".
"""

import math

import numpy as np

from ..kernels import cpu
from . import device
from ..kernels.formulas import formula
from .resolve import N_OUTPUTS, broadcast_shape, coefficients_in, compute_dtype, result_dtype
from .targets import cuda_backend


def call(op, inputs, coefs, out, target, correctly_rounded):
    """(result, dtype, kernel coefficients) of ``op`` on host inputs; the result is ``out`` when
    given, else new arrays (a tuple of two for "fused"; NumPy scalars for a 0-d result)."""
    if target == "cuda":
        cuda_backend()  # before anything else: say it cannot run here, if it cannot
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
            launch = cpu.launcher(op, target, formula(*kernel_coefs[1:]))
            scalars = []
            if op == "backward" and inputs_in_dtype[0].size == 1 < math.prod(shape):
                # one grad_out for every y (elu_backward(1.0, y)) goes to the kernel as a
                # scalar: broadcast into an array it cost 3x the memory and time
                scalars = [_storage_view(inputs_in_dtype.pop(0)).reshape(())[()]]
            run_flat(launch, inputs_in_dtype, results, kernel_coefs,
                     fresh_outputs=buffers is None, scalars=scalars)
    if buffers is not None:
        return out, dtype, kernel_coefs
    if shape == ():
        results = [r[()] for r in results]
    return (results[0] if len(results) == 1 else tuple(results)), dtype, kernel_coefs


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


def _empty_like_inputs(arrays, shape, dtype):
    """A new output laid out like the first input of the result's shape (as ufuncs do)."""
    full = next((a for a in arrays if a.shape == shape), None)
    fortran = full is not None and full.flags.f_contiguous and not full.flags.c_contiguous
    return np.empty(shape, dtype, order="F" if fortran else "C")


def run_flat(launch, inputs, outputs, kernel_coefs, fresh_outputs=False, scalars=()):
    """Run a kernel that loops over flat contiguous arrays, whatever the arrays' layout;
    ``scalars`` are the kernel's arguments before the arrays, if any.

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
        run_flat(launch, work_in, work_out, kernel_coefs, fresh_outputs=True, scalars=scalars)
        for buffer, result in zip(outputs, work_out):
            np.copyto(buffer, result)
        return
    launch(*scalars, *(_storage_view(a) for a in flat), *kernel_coefs)


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
