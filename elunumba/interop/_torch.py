"""torch CPU tensors: the kernels run on ``tensor.numpy()`` (the tensor's own memory) and the
results come back as tensors over the NumPy results' memory (``torch.from_numpy``, no copy);
``out=`` tensors are written in place and returned."""

import numpy as np
import torch

from . import as_returned, each_result

INTEGRATION = "elunumba.torch, the PyTorch integration"


def call(method, inputs, n_outputs, options, out, target):
    arrays = [_array(method, v) for v in inputs]
    if out is not None:
        buffers = [_array(method, b) for b in each_result(out, n_outputs)]
        method(*arrays, **options, out=as_returned(buffers, n_outputs), target=target)
        return out
    results = method(*arrays, **options, target=target)
    return as_returned([torch.from_numpy(np.asarray(r)) for r in each_result(results, n_outputs)],
                       n_outputs)


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
