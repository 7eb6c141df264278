"""The ELU implementations the accuracy tools compare, each as forward(x, alpha) and
slope(y, alpha), the gradient from the stored output (multiply by grad_out for backward)."""

from dataclasses import dataclass
from typing import Callable

import numpy as np

import elunumba

from .naive import naive_elu


@dataclass(frozen=True)
class Variant:
    name: str
    forward: Callable
    slope: Callable
    dtypes: tuple = ("float16", "float32", "float64")
    key: str = None  # its name in thresholds.json: a target, or "correctly-rounded"


def elunumba_variants(targets):
    """elunumba on each target, plus the correctly rounded set on the parallel target."""
    variants = [_elunumba_variant(f"elunumba[{t}]", elunumba, t, t) for t in targets]
    variants.append(_elunumba_variant("elunumba.correctly_rounded", elunumba.correctly_rounded,
                                      "parallel", "correctly-rounded"))
    return variants


def _elunumba_variant(name, kernels, target, key):
    def forward(x, alpha):
        return kernels.elu(x, alpha, target=target)

    def slope(y, alpha):
        return kernels.elu_backward(np.ones_like(y), y, alpha, target=target)

    return Variant(name, forward, slope, key=key)


def _slope_in_numpy(y, alpha):
    return np.where(y > 0, y.dtype.type(1), y + y.dtype.type(alpha))


NAIVE = Variant("naive exp(x)-1", naive_elu, _slope_in_numpy, ("float32", "float64"))
def _numpy_expm1_forward(x, alpha):
    with np.errstate(over="ignore"):  # np.where evaluates expm1 on the positive x too
        return np.where(x > 0, x, x.dtype.type(alpha) * np.expm1(x))


NUMPY = Variant("numpy expm1", _numpy_expm1_forward, _slope_in_numpy)


def torch_variant():
    """PyTorch's F.elu and its is_result backward, or None when torch is not installed."""
    try:
        import torch
    except ImportError:
        return None

    def forward(x, alpha):
        return torch.nn.functional.elu(torch.from_numpy(x), alpha).numpy()

    def slope(y, alpha):
        result = torch.from_numpy(y)
        ones = torch.ones_like(result)
        return torch.ops.aten.elu_backward(ones, alpha, 1, 1, True, result).numpy()

    return Variant(f"torch {torch.__version__.split('+')[0]}", forward, slope)


def available_targets():
    """cpu and parallel always; cuda on a real GPU (the simulator is far too slow for this)."""
    from numba import config

    targets = ["cpu", "parallel"]
    if not config.ENABLE_CUDASIM:
        try:
            elunumba.device.cuda_backend()
            targets.append("cuda")
        except elunumba.TargetUnavailableError:
            pass
    return targets


def all_variants(targets):
    return [*elunumba_variants(targets), NAIVE, NUMPY, *filter(None, [torch_variant()])]
