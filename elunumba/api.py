"""The public functions, defined once and offered in two float32 roundings.

``ELUFunctions(correctly_rounded=False)`` is the default set (``elunumba.elu`` and friends):
float32 is computed in float32 arithmetic, within 1 ULP and correctly rounded for most inputs,
at the memory system's speed. ``ELUFunctions(correctly_rounded=True)``
(``elunumba.correctly_rounded``) computes float32 through the float64 kernels and rounds once,
which makes float32 ELU correctly rounded at some cost in speed; float16 and float64 are the
same in both.
"""

import math
import sys

import numpy as np
from numpy import ndarray  # one global lookup on the repeat-call path, not np + attribute

from . import dispatch, interop
from .dispatch.resolve import CoefficientRangeError, check_real


class ELUFunctions:
    """The public functions in one float32 rounding: the default set (elunumba.elu and friends)
    or elunumba.correctly_rounded. Holds no kernels of its own; every call goes to dispatch."""

    def __init__(self, correctly_rounded):
        self.correctly_rounded = correctly_rounded

    def __repr__(self):
        return f"ELUFunctions(correctly_rounded={self.correctly_rounded})"

    def elu(self, x, alpha=1.0, *, scale=1.0, input_scale=1.0, out=None, target="auto"):
        """ELU of ``x``: ``scale*x`` where x > 0, else ``scale*alpha*expm1(input_scale*x)``.

        ``x``: any array-like; the result has its shape and the dtype np.expm1 would give.
        ``out``: an array of that shape and dtype to write into (may be ``x`` itself); returned.
        ``target``: "auto", "cpu" (one thread), "parallel" (all Numba threads) or "cuda".
        """
        if type(x) is not ndarray and interop.adapts(x):  # dask, xarray, pandas, torch...
            return interop.call(self.elu, (x,), 1, (alpha, scale, input_scale), out, target)
        return dispatch.call("forward", (x,), (alpha, scale, input_scale), out, target,
                             self.correctly_rounded)

    def elu_backward(self, grad_out, y, alpha=1.0, *, scale=1.0, input_scale=1.0, out=None,
                     target="auto"):
        """Gradient with respect to the input, from ``grad_out`` and the forward OUTPUT ``y``.

        ``grad_out*scale`` where y > 0, else ``grad_out*input_scale*(y + alpha*scale)``; needs
        alpha >= 0 and scale > 0. ``grad_out`` and ``y`` broadcast like a NumPy ufunc's inputs.
        """
        if (type(grad_out) is not ndarray or type(y) is not ndarray) and interop.adapts(
                grad_out, y):
            return interop.call(self.elu_backward, (grad_out, y), 1, (alpha, scale, input_scale),
                                out, target)
        return dispatch.call("backward", (grad_out, y), (alpha, scale, input_scale), out, target,
                             self.correctly_rounded)

    def elu_grad(self, x, alpha=1.0, *, scale=1.0, input_scale=1.0, out=None, target="auto"):
        """Derivative of ``elu(x, ...)`` with respect to x, computed from the INPUT ``x``.

        ``scale`` where x > 0, else ``scale*alpha*input_scale*exp(input_scale*x)`` (±0 takes the
        second: the derivative from the left, as PyTorch's). Any alpha and scale. Keeps full
        relative accuracy for x << 0, where the gradient from the output has rounded away
        (docs/accuracy.md, "Gradients"); ``out``, ``target`` as for ``elu``.
        """
        if type(x) is not ndarray and interop.adapts(x):
            return interop.call(self.elu_grad, (x,), 1, (alpha, scale, input_scale), out, target)
        return dispatch.call("grad_from_input", (x,), (alpha, scale, input_scale), out, target,
                             self.correctly_rounded)

    def elu_value_and_grad(self, x, alpha=1.0, *, scale=1.0, input_scale=1.0, out=None,
                           target="auto", grad_from="output"):
        """``(elu(x), d elu(x)/dx)`` in one pass over ``x``; ``out=(y_buffer, grad_buffer)``.

        ``grad_from="output"`` (the default): bit-identical to ``elu(x, ...)`` and
        ``elu_backward(ones, elu(x, ...), ...)``, so it needs alpha >= 0 and scale > 0.
        ``grad_from="input"``: the gradient is ``elu_grad(x, ...)``'s, bit for bit.
        """
        op = _FUSED_OPS.get(grad_from) if type(grad_from) is str else None
        if op is None:
            raise ValueError(f"grad_from must be 'output' or 'input', got {grad_from!r}")
        if type(x) is not ndarray and interop.adapts(x):
            return interop.call(self.elu_value_and_grad, (x,), 2, (alpha, scale, input_scale),
                                out, target, grad_from=grad_from)
        return dispatch.call(op, (x,), (alpha, scale, input_scale), out, target,
                             self.correctly_rounded)

    def selu(self, x, *, out=None, target="auto"):
        """SELU: ``elu(x, SELU_ALPHA, scale=SELU_SCALE)``.

        Gradient: ``elu_backward(grad_y, y, SELU_ALPHA, scale=SELU_SCALE)``, or from the input
        ``elu_grad(x, SELU_ALPHA, scale=SELU_SCALE)``.
        """
        return self.elu(x, SELU_ALPHA, scale=SELU_SCALE, out=out, target=target)

    def celu(self, x, alpha=1.0, *, out=None, target="auto"):
        """CELU: ``max(0, x) + min(0, alpha*expm1(x/alpha))``, i.e. elu with input_scale=1/alpha.

        Gradient: ``elu_backward(grad_y, y, alpha, input_scale=1/alpha)``, or from the input
        ``elu_grad(x, alpha, input_scale=1/alpha)``.
        """
        alpha = check_real("alpha", alpha)
        if not alpha > 0:
            raise ValueError(f"celu needs alpha > 0 (its input scale is 1/alpha), got {alpha!r}")
        # the errors name celu's own parameter: the caller passed alpha, not elu's coefficients
        if not math.isfinite(1.0 / alpha):
            raise ValueError(f"celu needs 1/alpha to be finite, so alpha >= "
                             f"{1 / sys.float_info.max!r}; got {alpha!r}")
        try:
            return self.elu(x, alpha, input_scale=1.0 / alpha, out=out, target=target)
        except CoefficientRangeError as error:
            dtype = error.compute_dtype.name
            bound = np.finfo(error.compute_dtype)
            raise ValueError(f"celu computes this input in {dtype}, which needs "
                             f"{1 / float(bound.max)!r} <= alpha <= {float(bound.max)!r} (alpha "
                             f"and 1/alpha must both fit); got alpha={alpha!r}") from None


_FUSED_OPS = {"output": "fused", "input": "fused_from_input"}  # grad_from -> kernel op

# Klambauer et al. 2017, "Self-Normalizing Neural Networks", eq. (14), to float64 precision.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
