"""torch CPU tensors: the kernels run on ``tensor.numpy()`` (the tensor's own memory) and the
results come back as tensors over the NumPy results' memory (``torch.from_numpy``, no copy);
``out=`` tensors are written in place and returned."""

import numpy as np
import torch

INTEGRATION = "elunumba.torch, the PyTorch integration"


def call(method, inputs, n_outputs, options, out, target):
    arrays = [_array(method, v) for v in inputs]
    if out is not None:
        buffers = tuple(_array(method, b) for b in (out if n_outputs == 2 else (out,)))
        method(*arrays, **options, out=buffers if n_outputs == 2 else buffers[0], target=target)
        return out
    results = method(*arrays, **options, target=target)
    wrapped = [torch.from_numpy(np.asarray(r)) for r in (results if n_outputs == 2 else (results,))]
    return wrapped[0] if n_outputs == 1 else tuple(wrapped)


def _array(method, value):
    if not isinstance(value, torch.Tensor):
        return value
    if value.requires_grad:
        raise TypeError(f"{method.__name__} got a tensor that requires grad: autograd goes "
                        f"through {INTEGRATION} (or pass tensor.detach())")
    if value.dtype == torch.bfloat16:
        raise TypeError(f"{method.__name__} got a bfloat16 tensor, which has no NumPy dtype: "
                        f"use {INTEGRATION}, or convert it with tensor.float()")
    if value.device.type != "cpu":
        raise ValueError(f"{method.__name__} got tensors on {value.device} and on the CPU: "
                         "give them all on one device")
    return value.numpy()
