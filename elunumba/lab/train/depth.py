"""Self-normalisation at initialisation: the mean and variance of every layer's output in a deep
perceptron fed standard normal inputs, measured (elunumba's kernels) and predicted from
``elunumba.stats``.

The prediction is the mean-field recursion: the pre-activation of layer l+1 is normal with
variance v_{l+1} = fan_in Var(w) E[f(Z_l)^2], Z_l ~ N(0, v_l), starting from v_1 = fan_in Var(w)
(inputs of unit second moment); the output's mean and variance are E[f(Z_l)] and Var[f(Z_l)].
For SELU with fan_in Var(w) = 1 (the gain of ``stats.init_gain``, LeCun's normal) the point
(mean 0, variance 1) is fixed: ``stats.selu_fixed_point()``.
"""

import dataclasses

import numpy as np

import elunumba

from ... import stats
from . import statistics

# key: (name, activation, init)
CONFIGURATIONS = {
    "selu_gain": ("SELU, gain init (1)", "selu", "gain"),
    "selu_torch": ("SELU, PyTorch default init", "selu", "torch"),
    "elu_gain": ("ELU, gain init (1.245)", "elu", "gain"),
    "relu_gain": ("ReLU, gain init (sqrt 2)", "relu", "gain"),
}
_ACTIVATIONS = {
    "selu": (elunumba.SELU_ALPHA, elunumba.SELU_SCALE),
    "elu": (1.0, 1.0),
    "relu": (0.0, 1.0),
}


@dataclasses.dataclass(frozen=True)
class Settings:
    configurations: tuple = tuple(CONFIGURATIONS)
    depth: int = 64
    width: int = 256
    samples: int = 1024
    seeds: tuple = tuple(range(10))


def weight_variance_times_fan_in(activation, init):
    """fan_in Var(w): gain^2 for the gain init, 1/3 for PyTorch's U(+-1/sqrt(fan_in))."""
    if init == "torch":
        return 1.0 / 3.0
    return float(stats.init_gain(_moments(activation, 1.0), 1.0)) ** 2


def _moments(activation, sigma):
    alpha, scale = _ACTIVATIONS[activation]
    return stats.elu_moments(0.0, sigma, alpha, scale=scale)


def predicted(configuration, depth):
    """Per layer, (mean, variance) of the output by the mean-field recursion."""
    _, activation, init = CONFIGURATIONS[configuration]
    spread = weight_variance_times_fan_in(activation, init)
    variance = spread  # inputs have second moment 1
    means, variances = [], []
    for _ in range(depth):
        moments = _moments(activation, np.sqrt(variance))
        means.append(float(moments.mean))
        variances.append(float(moments.variance))
        variance = spread * float(moments.second_moment)
    return means, variances


def measure(configuration, depth, width, samples, seed):
    """Per layer, (mean, variance) over all samples and units of one network's outputs; weights
    drawn like ``spirals`` draws them, biases zero (PyTorch's default bias would add variance
    the recursion does not model)."""
    _, activation, init = CONFIGURATIONS[configuration]
    alpha, scale = _ACTIVATIONS[activation]
    rng = np.random.default_rng([seed, 3])
    h = rng.standard_normal((samples, width))
    spread = weight_variance_times_fan_in(activation, init)
    means, variances = [], []
    for _ in range(depth):
        if init == "torch":
            bound = 1.0 / np.sqrt(width)
            weight = rng.uniform(-bound, bound, (width, width))
        else:
            weight = rng.normal(0.0, np.sqrt(spread / width), (width, width))
        z = h @ weight
        h = elunumba.elu(z, alpha, scale=scale, out=z)
        means.append(float(h.mean()))
        variances.append(float(h.var()))
    return means, variances


def summarize(settings, records):
    """{"fixed_point": SELU's (alpha, scale) from stats, configuration: {"name",
    "fan_in_weight_variance", "predicted" and "measured" per layer}}; measured as the median over
    seeds with its order-statistic interval, from the ``records`` of ``measure``."""
    result = {"fixed_point": dict(zip(("alpha", "scale"), stats.selu_fixed_point()))}
    for configuration in settings.configurations:
        name, activation, init = CONFIGURATIONS[configuration]
        mean, variance = predicted(configuration, settings.depth)
        runs = [r for r in records if r["configuration"] == configuration]
        result[configuration] = {
            "name": name,
            "fan_in_weight_variance": weight_variance_times_fan_in(activation, init),
            "predicted": {"mean": mean, "variance": variance},
            "measured": {quantity: [statistics.median_interval([r[quantity][layer] for r in runs])
                                    for layer in range(settings.depth)]
                         for quantity in ("mean", "variance")},
        }
    return result
