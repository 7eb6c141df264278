"""elunumba: Numba kernels for the Exponential Linear Unit.

    y = elu(x)                               # forward
    grad_x = elu_backward(grad_y, y)         # gradient from the forward output alone
    y, dydx = elu_value_and_grad(x)          # both in one pass over x

``y = scale*x`` where x > 0, else ``scale*alpha*expm1(input_scale*x)`` (PyTorch's
parameterisation). Importing this package compiles nothing and never touches a GPU; each kernel
compiles on first use and is cached on disk.
"""

from . import dispatch
from .device import TargetUnavailableError

__version__ = "0.1.0"
__all__ = [
    "elu", "elu_backward", "elu_value_and_grad", "selu", "celu",
    "SELU_ALPHA", "SELU_SCALE", "TARGETS", "TargetUnavailableError", "__version__",
]

# Klambauer et al. 2017, "Self-Normalizing Neural Networks", eq. (14), to float64 precision.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
TARGETS = dispatch.TARGETS


def elu(x, alpha=1.0, *, scale=1.0, input_scale=1.0, out=None, target="auto"):
    """ELU of ``x``: ``scale*x`` where x > 0, else ``scale*alpha*expm1(input_scale*x)``.

    ``x``: any array-like; the result has its shape and the dtype np.expm1 would give.
    ``out``: an array of that shape and dtype to write into (may be ``x`` itself); returned.
    ``target``: "auto", "cpu" (one thread), "parallel" (all Numba threads) or "cuda".
    """
    coefs = dispatch.coefficients(alpha, scale, input_scale)
    return dispatch.call("forward", (x,), coefs, out, target)


def elu_backward(grad_out, y, alpha=1.0, *, scale=1.0, input_scale=1.0, out=None, target="auto"):
    """Gradient with respect to the input, from ``grad_out`` and the forward OUTPUT ``y``.

    ``grad_out*scale`` where y > 0, else ``grad_out*input_scale*(y + alpha*scale)``; needs
    alpha >= 0 and scale > 0. ``grad_out`` and ``y`` broadcast like a NumPy ufunc's inputs.
    """
    coefs = dispatch.coefficients(alpha, scale, input_scale, for_backward=True)
    return dispatch.call("backward", (grad_out, y), coefs, out, target)


def elu_value_and_grad(x, alpha=1.0, *, scale=1.0, input_scale=1.0, out=None, target="auto"):
    """``(elu(x), d elu(x)/dx)`` in one pass over ``x``; ``out=(y_buffer, grad_buffer)``.

    Bit-identical to ``elu(x, ...)`` and ``elu_backward(ones, elu(x, ...), ...)``, so it too
    needs alpha >= 0 and scale > 0.
    """
    coefs = dispatch.coefficients(alpha, scale, input_scale, for_backward=True)
    return dispatch.call("fused", (x,), coefs, out, target)


def selu(x, *, out=None, target="auto"):
    """SELU: ``elu(x, SELU_ALPHA, scale=SELU_SCALE)``.

    Gradient: ``elu_backward(grad_y, y, SELU_ALPHA, scale=SELU_SCALE)``.
    """
    return elu(x, SELU_ALPHA, scale=SELU_SCALE, out=out, target=target)


def celu(x, alpha=1.0, *, out=None, target="auto"):
    """CELU: ``max(0, x) + min(0, alpha*expm1(x/alpha))`` = ``elu(x, alpha, input_scale=1/alpha)``.

    Gradient: ``elu_backward(grad_y, y, alpha, input_scale=1/alpha)``.
    """
    if alpha == 0:
        raise ValueError("celu needs alpha != 0 (its input scale is 1/alpha)")
    return elu(x, alpha, input_scale=1.0 / alpha, out=out, target=target)
