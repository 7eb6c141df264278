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
        # Only a Python scalar can be cast down here (arrays set the result dtype); one beyond
        # the dtype's range rounds to +-inf, which is its correct rounding and gives the right
        # result (y = 1e300 as float16: the slope of y > 0), so NumPy's overflow warning is noise.
        with np.errstate(over="ignore"):
            inputs_in_dtype = [a.astype(dtype, copy=False) for a in arrays]
        if target == "cuda":
            device.run_from_host(op, inputs_in_dtype, results, kernel_coefs)
        else:
            launch = cpu.launcher(op, target, formula(*kernel_coefs[1:]))
            scalars = []
            if op == "backward" and inputs_in_dtype[0].size == 1 < math.prod(shape):
                # one grad_out for every y (elu_backward(1.0, y)) goes to the kernel as a
                # scalar: broadcast into an array it would cost a third array's memory and
                # traffic
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
        if buffer.dtype.newbyteorder("=") != dtype:  # either byte order, as for NumPy's out=
            raise TypeError(f"out has dtype {buffer.dtype}, the result has dtype {dtype}")
        if not buffer.flags.writeable:
            raise ValueError("out is read-only")
    if n_outputs == 2 and np.shares_memory(buffers[0], buffers[1]):
        raise ValueError("the two out buffers (value, grad) must not share memory")
    return buffers


def _empty_like_inputs(arrays, shape, dtype):
    """A new output laid out like the first input of the result's shape, in its axis order
    (as ufuncs do), so that a transposed or channels-last input and its result share one dense
    layout and run as flat arrays."""
    full = next((a for a in arrays if a.shape == shape), None)
    if full is None:
        return np.empty(shape, dtype)
    return np.empty_like(full, dtype=dtype)  # order="K": dense, in full's axis order


# Elements per operand in one block of the blockwise path: a few hundred KiB in all, so the
# blocks stay in cache and no temporary of the whole array is made.
BLOCK_ELEMENTS = 1 << 15


def run_flat(launch, inputs, outputs, kernel_coefs, fresh_outputs=False, scalars=()):
    """Run a kernel that loops over flat contiguous arrays, whatever the arrays' layout;
    ``scalars`` are the kernel's arguments before the arrays, if any.

    Arrays that share one dense layout, in any axis order (C, Fortran, transposed, channels
    last), are passed as flat views: no copy, and an output may be an input, for in-place use.
    Anything else (slices with steps, broadcasting, another byte order, layouts that differ, an
    output that partly overlaps an input) runs block by block (_run_in_blocks). Outputs the call
    just allocated overlap nothing.
    """
    flat = _dense_flat_views(inputs + outputs, outputs[0].shape)
    if flat is not None and (fresh_outputs or not _partly_overlapping(inputs, outputs)):
        launch(*scalars, *(_storage_view(a) for a in flat), *kernel_coefs)
    else:
        _run_in_blocks(launch, inputs, outputs, kernel_coefs, scalars)


def _dense_flat_views(arrays, shape):
    """Flat views of ``arrays`` in memory order, when they all have ``shape``, native byte order
    and the same strides, and fill their memory without gaps in some order of the axes."""
    first = arrays[0]
    if any(a.shape != shape or a.strides != first.strides or not a.dtype.isnative
           for a in arrays):
        return None
    order = sorted(range(len(shape)), key=lambda axis: -abs(first.strides[axis]))
    if not first.transpose(order).flags.c_contiguous:
        return None
    return [a.transpose(order).reshape(-1) for a in arrays]  # views: each is C-contiguous


def _run_in_blocks(launch, inputs, outputs, kernel_coefs, scalars):
    """NumPy's buffered iterator walks the operands in memory order and hands out blocks of at
    most BLOCK_ELEMENTS, converting byte order and broadcasting on the way; the kernel runs on
    each block. Only where an output partly overlaps an input does the iterator copy the whole
    input first (copy_if_overlap), so the result is the same as without overlap."""
    dtype = outputs[0].dtype.newbyteorder("=")
    iterator = np.nditer(
        inputs + outputs,
        flags=["buffered", "external_loop", "zerosize_ok", "copy_if_overlap", "refs_ok"],
        op_flags=[["readonly"]] * len(inputs) + [["writeonly", "no_broadcast"]] * len(outputs),
        op_dtypes=[dtype] * (len(inputs) + len(outputs)), casting="equiv", order="K",
        buffersize=BLOCK_ELEMENTS)
    with iterator:
        for blocks in iterator:
            ins, outs = blocks[:len(inputs)], blocks[len(inputs):]
            # an operand the iterator did not buffer can come as a strided view of one block
            work_out = [b if b.flags.c_contiguous else np.empty(b.shape, dtype) for b in outs]
            launch(*scalars, *(_storage_view(np.ascontiguousarray(b)) for b in ins),
                   *(_storage_view(b) for b in work_out), *kernel_coefs)
            for block, result in zip(outs, work_out):
                if block is not result:
                    block[...] = result


def _partly_overlapping(inputs, outputs):
    def same_view(a, b):
        return (a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
                and a.strides == b.strides)

    return any(np.may_share_memory(o, i) and not same_view(o, i) and np.shares_memory(o, i)
               for o in outputs for i in inputs)


def _storage_view(array):
    """float16 travels to the CPU kernels as its uint16 bit pattern (Numba has no CPU float16)."""
    return array.view(np.uint16) if array.dtype.char == "e" else array
