"""The CUDA side of the dispatch layer: device arrays in and out, NumPy arrays to the GPU and back.

Device arrays are anything with ``__cuda_array_interface__`` (Numba device arrays, CuPy arrays,
PyTorch CUDA tensors) or a Numba device array. They are used in place (zero-copy) and the result is
a device array of the same library: CuPy in gives CuPy out, torch in gives torch out. NumPy inputs
with target="cuda" are copied to the device, computed there and copied back into a NumPy result.
Device arrays must be C-contiguous and of one shape (no broadcasting on the device).
"""

import numpy as np

from .resolve import N_OUTPUTS, coefficients_in, compute_dtype, is_device_array, result_dtype
from .targets import cuda_backend


def call(op, inputs, coefs, out, target, correctly_rounded):
    """``op`` on device arrays, with device results (host.py has the NumPy path)."""
    if target not in ("auto", "cuda"):
        raise ValueError(
            f"target {target!r} cannot take device arrays; use target='cuda' or 'auto', or "
            "copy the arrays to the host first"
        )
    cuda = cuda_backend()
    if not all(is_device_array(v) for v in inputs):
        raise TypeError("mix of device arrays and host values: pass all inputs on the device")
    views = [cuda.as_device_array(v) for v in inputs]
    dtype = result_dtype(views, views)
    if any(v.dtype != dtype for v in views):
        raise TypeError(f"device inputs must all have dtype {dtype}; got "
                        f"{', '.join(str(v.dtype) for v in views)} (no promotion on the device)")
    shape = tuple(views[0].shape)
    if any(tuple(v.shape) != shape for v in views):
        raise ValueError("device inputs must have one shape (no broadcasting on the device); "
                         f"got {', '.join(str(tuple(v.shape)) for v in views)}")
    n_outputs = N_OUTPUTS[op]
    if out is None:
        results = [_empty_like(inputs[0], shape, dtype) for _ in range(n_outputs)]
    else:
        results = list(out) if n_outputs > 1 else [out]
        _check_device_out(cuda, results, n_outputs, out, shape, dtype)
    result_views = [cuda.as_device_array(r) for r in results]
    for array in views + result_views:
        if not _c_contiguous(array):
            raise ValueError("device arrays must be C-contiguous")
    if n_outputs > 1 and _overlap(*result_views):
        raise ValueError("the two out buffers (value, grad) must not share memory")
    if any(_overlap(r, v) and not _same_memory(r, v) for r in result_views for v in views):
        # the host path computes into a temporary; on the device that would be a race
        raise ValueError("a device out buffer partly overlaps a device input: pass the input "
                         "itself (in place) or separate memory")
    if views[0].size:
        kernel_coefs = coefficients_in(compute_dtype(dtype, correctly_rounded), *coefs)
        cuda.launch(op, [_flat(a) for a in views + result_views], kernel_coefs)
    if out is not None:
        return out
    return results[0] if n_outputs == 1 else tuple(results)


def _check_device_out(cuda, results, n_outputs, out, shape, dtype):
    if n_outputs > 1 and not (isinstance(out, tuple) and len(out) == n_outputs):
        raise TypeError(f"out must be a tuple of {n_outputs} device arrays, got {out!r}")
    for result in results:
        if not is_device_array(result):
            raise TypeError(f"out must be a device array for device inputs, got "
                            f"{type(result).__name__}")
        view = cuda.as_device_array(result)
        if tuple(view.shape) != shape:
            raise ValueError(f"out has shape {tuple(view.shape)}, the result has shape {shape}")
        if view.dtype != dtype:
            raise TypeError(f"out has dtype {view.dtype}, the result has dtype {dtype}")


def run_from_host(op, inputs, outputs, kernel_coefs):
    """Run ``op`` on the GPU for NumPy arrays: copy the inputs over (contiguous, broadcast to the
    result's shape), launch, copy the results back into ``outputs``."""
    cuda = cuda_backend()
    shape = outputs[0].shape
    device_in = [cuda.to_device(np.ascontiguousarray(np.broadcast_to(a, shape)).reshape(-1))
                 for a in inputs]
    device_out = [cuda.device_array(outputs[0].size, a.dtype) for a in outputs]
    cuda.launch(op, device_in + device_out, kernel_coefs)
    for output, device_result in zip(outputs, device_out):
        np.copyto(output, device_result.copy_to_host().reshape(shape))


def _empty_like(example, shape, dtype):
    """A new device array from the example's library: CuPy, torch, else Numba."""
    module = type(example).__module__.split(".")[0]
    if module == "cupy":
        import cupy

        return cupy.empty(shape, dtype)
    if module == "torch":
        import torch

        torch_dtype = {np.float16: torch.float16, np.float32: torch.float32,
                       np.float64: torch.float64}[dtype.type]
        return torch.empty(shape, dtype=torch_dtype, device=example.device)
    from ..kernels import gpu as cuda

    return cuda.device_array(shape, dtype)


def _extent(view):
    """(first byte, one past the last) of a C-contiguous device array."""
    # the simulator's arrays wrap NumPy arrays and have only the host interface
    interface = getattr(view, "__cuda_array_interface__", None) or view.__array_interface__
    start = interface["data"][0]
    return start, start + view.nbytes


def _overlap(a, b):
    """Whether two C-contiguous device arrays share memory (by their byte ranges)."""
    (a0, a1), (b0, b1) = _extent(a), _extent(b)
    return a0 < b1 and b0 < a1


def _same_memory(a, b):
    return _extent(a) == _extent(b)


def _c_contiguous(array):
    return getattr(array, "is_c_contiguous", lambda: True)()


def _flat(array):
    return array.reshape(array.size)
