"""The ELU implementations the accuracy tools compare, each as forward(x, alpha, scale),
slope(y, alpha, scale), the gradient from the stored output (multiply by grad_out for backward),
and slope_from_input(x, alpha, scale), the gradient from the input.

alpha and scale reach them as floats (a decimal string such as SELU's constant is rounded to the
nearest float64 first, as a caller's Python float would be); the references get them exactly.
"""

from dataclasses import dataclass
from typing import Callable

import numpy as np

import elunumba
from elunumba.lab import peer_formulas


@dataclass(frozen=True)
class Variant:
    name: str
    forward: Callable
    slope: Callable
    slope_from_input: Callable
    dtypes: tuple = ("float16", "float32", "float64")
    key: str = None  # its name in thresholds.json: a target, or "correctly-rounded"


def elunumba_variants(targets):
    """elunumba on each target, plus the correctly rounded set on the parallel target."""
    variants = [_elunumba_variant(f"elunumba[{t}]", elunumba, t, t) for t in targets]
    variants.append(_elunumba_variant("elunumba.correctly_rounded", elunumba.correctly_rounded,
                                      "parallel", "correctly-rounded"))
    return variants


def _elunumba_variant(name, kernels, target, key):
    def forward(x, alpha, scale):
        return kernels.elu(x, float(alpha), scale=float(scale), target=target)

    def slope(y, alpha, scale):
        return kernels.elu_backward(np.ones_like(y), y, float(alpha), scale=float(scale),
                                    target=target)

    def slope_from_input(x, alpha, scale):
        return kernels.elu_grad(x, float(alpha), scale=float(scale), target=target)

    return Variant(name, forward, slope, slope_from_input, key=key)


def _numpy_variant(name, formula, dtypes=("float16", "float32", "float64")):
    """A NumPy formula from elunumba.lab.peer_formulas; SELU's scale multiplies its result."""
    def forward(x, alpha, scale):
        # np.where evaluates the exponential on the positive x too, where it may overflow
        with np.errstate(over="ignore", invalid="ignore"):
            return _scaled(formula(np, x, float(alpha)), scale)

    def slope(y, alpha, scale):
        return peer_formulas.slope_from_output(np, y, float(alpha), float(scale))

    def slope_from_input(x, alpha, scale):
        with np.errstate(over="ignore"):
            return peer_formulas.slope_from_input(np, x, float(alpha), float(scale))

    return Variant(name, forward, slope, slope_from_input, dtypes)


def _scaled(values, scale):
    return values if float(scale) == 1 else values * values.dtype.type(float(scale))


NAIVE = _numpy_variant("naive exp(x)-1", peer_formulas.naive_forward, ("float32", "float64"))
NUMPY = _numpy_variant("numpy expm1", peer_formulas.expm1_forward)


def torch_variant():
    """PyTorch's F.elu and its is_result backward, or None when torch is not installed."""
    try:
        import torch
    except ImportError:
        return None

    def forward(x, alpha, scale):
        return torch.ops.aten.elu(torch.from_numpy(x), float(alpha), float(scale), 1).numpy()

    def slope(y, alpha, scale):
        result = torch.from_numpy(y)
        ones = torch.ones_like(result)
        return torch.ops.aten.elu_backward(ones, float(alpha), float(scale), 1, True,
                                           result).numpy()

    def slope_from_input(x, alpha, scale):
        x = torch.from_numpy(x)
        return torch.ops.aten.elu_backward(torch.ones_like(x), float(alpha), float(scale), 1,
                                           False, x).numpy()

    return Variant(f"torch {torch.__version__.split('+')[0]}", forward, slope, slope_from_input)


def available_targets():
    """The host targets, and cuda on a real GPU (the simulator is far too slow for this)."""
    from numba import config

    return [t for t in elunumba.available_targets()
            if t != "auto" and not (t == "cuda" and config.ENABLE_CUDASIM)]


def all_variants(targets):
    return [*elunumba_variants(targets), NAIVE, NUMPY, *filter(None, [torch_variant()])]
