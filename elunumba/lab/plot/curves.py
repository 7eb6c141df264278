"""Activation curves and their derivatives, from elunumba's public kernels only.

ReLU is ELU with alpha = 0; LeakyReLU(slope) is (1 - slope)*ReLU(x) + slope*x, so its value and
derivative come from the same fused kernel call as ReLU's.
"""

import numpy as np

import elunumba

DEFAULT_ALPHAS = (0.5, 1.0, 2.0)
DEFAULT_SLOPE = 0.1


def grid(low=-3.0, high=3.0, step=0.01):
    """x from ``low`` to ``high`` with x = 0 exactly on the grid (the kink and the C1 point)."""
    count = round((high - low) / step)
    return low + np.arange(count + 1) * ((high - low) / count)


def leaky_relu_curve(x, slope):
    relu, step = elunumba.elu_value_and_grad(x, 0.0)
    return (1.0 - slope) * relu + slope * x, (1.0 - slope) * step + slope


def curves(x, alphas=DEFAULT_ALPHAS, slope=DEFAULT_SLOPE):
    """{label: {"x": x, "y": f(x), "yp": f'(x)}} for ELU at each alpha, ReLU and LeakyReLU,
    as float64 arrays (the format of the seed's ``visualize_activation`` export, one per curve)."""
    x = np.asarray(x, dtype=np.float64)
    found = {f"ELU(alpha={alpha:g})": elunumba.elu_value_and_grad(x, alpha) for alpha in alphas}
    found["ReLU"] = elunumba.elu_value_and_grad(x, 0.0)
    found[f"LeakyReLU(slope={slope:g})"] = leaky_relu_curve(x, slope)
    return {label: {"x": x, "y": y, "yp": yp} for label, (y, yp) in found.items()}


def as_json(found):
    """``curves`` with lists instead of arrays, ready for json.dump."""
    return {label: {key: values.tolist() for key, values in curve.items()}
            for label, curve in found.items()}
