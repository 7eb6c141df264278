"""The ConvNetELU of a common ELU tutorial (Conv2d -> ELU(inplace) -> MaxPool -> ... -> Linear),
cut to fit 8x8 single-channel digits, in PyTorch, with any of the activations below.

Left out from the tutorial's network: BatchNorm2d, which re-centres each channel and would hide the
activation's own mean, and Dropout, which would make the runs depend on more than the seed. Two
initialisations: PyTorch's default for Conv2d and Linear (weights and biases uniform in
+-1/sqrt(fan_in), whatever the activation), and the gain from ``elunumba.stats`` (normal weights
of variance gain^2/fan_in, zero biases), as in the perceptron. Both are drawn from a generator
seeded by the run, so the network with torch's ELU and with elunumba's starts from the same
weights.
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import torch
from torch import nn

import elunumba
import elunumba.torch as elunumba_torch

from ... import stats
from . import digits


class Activation(NamedTuple):
    name: str
    make: Callable  # () -> the module, in place
    moments: stats.Moments  # under N(0, 1), for the gain
    # from the output y, where the derivative the backward pass uses is nonzero
    slope_nonzero: Callable


def _elu_slope_nonzero(alpha, scale):
    # both backward passes take the slope from the output: scale for y > 0, else y + alpha*scale
    return lambda y: (y > 0) | (y + alpha * scale != 0)


ACTIVATIONS = {
    "elunumba_elu": Activation("ELU (elunumba)", lambda: elunumba_torch.ELU(inplace=True),
                               stats.elu_moments(0.0, 1.0), _elu_slope_nonzero(1.0, 1.0)),
    "torch_elu": Activation("ELU (torch)", lambda: nn.ELU(inplace=True),
                            stats.elu_moments(0.0, 1.0), _elu_slope_nonzero(1.0, 1.0)),
    "elunumba_selu": Activation("SELU (elunumba)", lambda: elunumba_torch.SELU(inplace=True),
                                stats.selu_moments(0.0, 1.0),
                                _elu_slope_nonzero(elunumba.SELU_ALPHA, elunumba.SELU_SCALE)),
    "relu": Activation("ReLU", lambda: nn.ReLU(inplace=True), stats.relu_moments(0.0, 1.0),
                       lambda y: y > 0),
    "leaky_relu": Activation("LeakyReLU(0.01)", lambda: nn.LeakyReLU(0.01, inplace=True),
                             stats.leaky_relu_moments(0.0, 1.0, 0.01),
                             lambda y: torch.ones_like(y, dtype=torch.bool)),
}
INITS = digits.INITS


def build(activation, init, seed):
    """The network for ``ACTIVATIONS[activation]``, initialised by ``init`` from ``seed``."""
    if init not in INITS:
        raise ValueError(f"init must be one of {', '.join(INITS)}, got {init!r}")
    make = ACTIVATIONS[activation].make
    net = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), make(), nn.MaxPool2d(2),    # 8x8 -> 4x4
        nn.Conv2d(16, 32, 3, padding=1), make(), nn.MaxPool2d(2),   # 4x4 -> 2x2
        nn.Flatten(), nn.Linear(32 * 2 * 2, 64), make(), nn.Linear(64, 10))
    generator = torch.Generator().manual_seed(int(np.random.SeedSequence([seed, 1])
                                                  .generate_state(1)[0]))
    gain = float(stats.init_gain(ACTIVATIONS[activation].moments, 1.0))
    layers = [m for m in net if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        for index, layer in enumerate(layers):
            fan_in = layer.weight[0].numel()
            if init == "torch":
                bound = 1.0 / fan_in ** 0.5
                layer.weight.uniform_(-bound, bound, generator=generator)
                layer.bias.uniform_(-bound, bound, generator=generator)
            else:
                # the output layer feeds no activation: gain 1
                std = (gain if index < len(layers) - 1 else 1.0) / fan_in ** 0.5
                layer.weight.normal_(0.0, std, generator=generator)
                layer.bias.zero_()
    return net


class ActivationRecorder:
    """Forward hooks on the activation modules: per layer, which channels (units) had a nonzero
    slope somewhere, and the sum of the mean activations, while ``recording``."""

    def __init__(self, net, activation):
        self.slope_nonzero = ACTIVATIONS[activation].slope_nonzero
        self.modules = [m for m in net if not isinstance(m, (nn.Conv2d, nn.Linear, nn.MaxPool2d,
                                                              nn.Flatten))]
        self.recording = False
        self.reset()
        for index, module in enumerate(self.modules):
            module.register_forward_hook(lambda m, i, y, index=index: self._seen(index, y))

    def reset(self):
        self.alive = [None] * len(self.modules)
        self.sums = [0.0] * len(self.modules)
        self.calls = 0

    def _seen(self, index, y):
        if not self.recording:
            return
        with torch.no_grad():
            nonzero = self.slope_nonzero(y.detach())
            dims = [d for d in range(nonzero.ndim) if d != 1]  # all but the channel
            alive = nonzero.amax(dim=dims) if dims else nonzero
            self.alive[index] = alive if self.alive[index] is None else self.alive[index] | alive
            self.sums[index] += float(y.detach().double().mean())
        if index == 0:
            self.calls += 1

    def dead_fraction(self):
        return [float(1.0 - alive.double().mean()) for alive in self.alive]

    def mean_activation(self):
        return [total / self.calls for total in self.sums]
