"""ELU's element formulas and per-element steps, shared by the CPU and CUDA kernels.

Parameters arrive in PyTorch's internal form, already in the compute precision:
poscoef = scale, negcoef = alpha * scale, negiptcoef = input_scale.
A kernel is a loop (CPU: prange; CUDA: grid stride) around one of the ``*_at`` steps.
"""

from numba.extending import register_jitable

from ._expm1 import expm1
from ._storage import narrow, widen


@register_jitable
def elu_value(x, poscoef, negcoef, negiptcoef):
    """scale*x for x >= 0 (and NaN), scale*alpha*expm1(input_scale*x) for x < 0.

    Taking ±0 down the linear branch keeps the sign of zero.
    """
    return x * poscoef if not x < 0 else expm1(x * negiptcoef) * negcoef


@register_jitable
def elu_slope_from_output(y, poscoef, negcoef, negiptcoef):
    """dy/dx from the forward output alone: scale for y > 0, input_scale*(y + alpha*scale) else.

    Valid because y <= 0 exactly where x <= 0 when alpha >= 0 and scale > 0 (the dispatch layer
    enforces both). NaN gives NaN; y = -alpha*scale (from x = -inf) gives 0.
    """
    return poscoef if y > 0 else negiptcoef * (y + negcoef)


@register_jitable
def forward_at(i, x, y, poscoef, negcoef, negiptcoef):
    y[i] = narrow(elu_value(widen(x[i]), poscoef, negcoef, negiptcoef), y)


@register_jitable
def backward_at(i, grad_out, y, grad_in, poscoef, negcoef, negiptcoef):
    slope = elu_slope_from_output(widen(y[i]), poscoef, negcoef, negiptcoef)
    grad_in[i] = narrow(widen(grad_out[i]) * slope, grad_in)


@register_jitable
def fused_at(i, x, y, dydx, poscoef, negcoef, negiptcoef):
    stored = narrow(elu_value(widen(x[i]), poscoef, negcoef, negiptcoef), y)
    y[i] = stored
    # the slope of the stored (rounded) value: bit-identical to elu_backward(ones, y)
    dydx[i] = narrow(elu_slope_from_output(widen(stored), poscoef, negcoef, negiptcoef), dydx)
