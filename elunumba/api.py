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


# Parameter descriptions that several of the functions below share, filled into their docstrings
# (``%(scale)s`` ...) by _shared_docs; indented for a method's docstring.
_SHARED_DOCS = {
    "x": """x : array_like
            The input: a NumPy array of any shape, order and strides, a Python number or list,
            a CUDA device array (Numba, CuPy, PyTorch; computed on the GPU, returned as the same
            kind), or a dask, xarray or pandas object, masked array or PyTorch CPU tensor (the
            result takes its type). float16, float32 and float64 are kept; integers and bool
            promote as ``np.expm1`` promotes them.""",
    "scale": """scale : float, default 1.0
            Keyword only. Multiplies both branches (SELU's lambda).""",
    "input_scale": """input_scale : float, default 1.0
            Keyword only. Multiplies x inside the exponential (CELU's 1/alpha).""",
    "out": """out : ndarray, optional
            Keyword only. A writeable array of the result's shape and dtype (either byte order)
            to write the result into and return; it may be an input itself (in place).
            Nothing is written when the call raises.""",
    "target": """target : {"auto", "cpu", "parallel", "cuda"}, default "auto"
            Keyword only. "cpu": one thread; "parallel": all Numba threads (the same bits as
            "cpu"); "cuda": an NVIDIA GPU (NumPy arrays are copied there and back); "auto":
            "cuda" for device arrays, else "cpu" below 2**15 elements and "parallel" from
            there on.""",
    "raises": """Raises
        ------
        TypeError
            An unsupported dtype (complex, long double, object, strings, datetimes), a
            parameter that is not a real number, or an ``out`` of the wrong type or dtype.
        ValueError
            Inputs that do not broadcast, an ``out`` of the wrong shape or read-only, a
            parameter that is not finite, or that overflows (or, nonzero, rounds to 0) in the
            precision computed in (float32 for float16), or an unknown target.
        TargetUnavailableError
            ``target="cuda"`` where no GPU or no CUDA support is installed.""",
}


def _shared_docs(function):
    function.__doc__ = function.__doc__ % _SHARED_DOCS
    return function


class ELUFunctions:
    """The public functions in one float32 rounding.

    ``elunumba.elu``, ``elu_backward``, ``elu_grad``, ``elu_value_and_grad``, ``selu`` and
    ``celu`` are the methods of ``ELUFunctions(correctly_rounded=False)``;
    ``elunumba.correctly_rounded`` is ``ELUFunctions(correctly_rounded=True)``, with the same
    six methods. Holds no kernels of its own; every call goes to dispatch.

    Parameters
    ----------
    correctly_rounded : bool
        False: float32 is computed in float32 arithmetic, within 1 ULP of the exact result and
        correctly rounded for most inputs, at the memory system's speed. True: float32 is
        computed by the float64 kernels and rounded once, so float32 ELU is correctly rounded,
        at some cost in speed. float16 and float64 are the same in both.

    Examples
    --------
    >>> import numpy as np
    >>> import elunumba
    >>> x = np.float32(-0.353045791)  # the default float32 kernel's largest error (0.73 ULP)
    >>> print(elunumba.correctly_rounded.elu(x) == np.float32(np.expm1(np.float64(x))))
    True
    """

    def __init__(self, correctly_rounded):
        self.correctly_rounded = correctly_rounded

    def __repr__(self):
        return f"ELUFunctions(correctly_rounded={self.correctly_rounded})"

    @_shared_docs
    def elu(self, x, alpha=1.0, *, scale=1.0, input_scale=1.0, out=None, target="auto"):
        """The Exponential Linear Unit of ``x``, element by element (Clevert et al. 2015).

        In PyTorch's parameterisation, with the negative branch computed as expm1, never as
        ``exp(z) - 1``::

            ELU(x) = scale * x                                   if x > 0
                     scale * alpha * (exp(input_scale * x) - 1)  otherwise

        The defaults give ELU; SELU is ``alpha=SELU_ALPHA, scale=SELU_SCALE`` (``selu``) and
        CELU ``input_scale=1/alpha`` (``celu``). NaN gives NaN, -inf gives -alpha*scale, and
        ±0 keeps its sign.

        Parameters
        ----------
        %(x)s
        alpha : float, default 1.0
            The negative branch's saturation: ELU(x) -> -alpha*scale as x -> -inf. Any finite
            real number (alpha = 0 is ReLU).
        %(scale)s
        %(input_scale)s
        %(out)s
        %(target)s

        Returns
        -------
        ndarray
            ELU(x), with the input's shape and the dtype ``np.expm1`` would give (a NumPy
            scalar for a Python number); ``out`` when given.

        %(raises)s

        Examples
        --------
        >>> import numpy as np
        >>> import elunumba
        >>> x = np.array([-2.0, -1.0, 0.0, 0.5, 3.0], dtype=np.float32)
        >>> y = elunumba.elu(x)
        >>> y.dtype
        dtype('float32')
        >>> print(np.round(y, 4))
        [-0.8647 -0.6321  0.      0.5     3.    ]
        >>> print(np.round(elunumba.elu(x, alpha=0.5, scale=2.0), 4))
        [-0.8647 -0.6321  0.      1.      6.    ]
        >>> elunumba.elu(x, out=x) is x  # in place
        True
        """
        if type(x) is not ndarray and interop.adapts(x):  # dask, xarray, pandas, torch...
            return interop.call(self.elu, (x,), 1, (alpha, scale, input_scale), out, target)
        return dispatch.call("forward", (x,), (alpha, scale, input_scale), out, target,
                             self.correctly_rounded)

    @_shared_docs
    def elu_backward(self, grad_out, y, alpha=1.0, *, scale=1.0, input_scale=1.0, out=None,
                     target="auto"):
        """The gradient with respect to ELU's input, from ``grad_out`` and ELU's OUTPUT ``y``.

        What a backward pass needs, from the stored activations alone (x may have been
        overwritten)::

            grad_in = grad_out * scale                               if y > 0
                      grad_out * input_scale * (y + alpha * scale)   otherwise

        The slope is never negative, also where the stored y lies just below -alpha*scale.
        Where x << 0 has rounded y to -alpha*scale the slope is 0: ``elu_grad`` computes the
        derivative from x instead.

        Parameters
        ----------
        grad_out : array_like or scalar
            The gradient from above. A scalar is passed to the kernel as a scalar, never
            broadcast into an array; arrays broadcast with ``y`` like a ufunc's inputs.
        y : array_like
            The output of ``elu`` with the same alpha, scale and input_scale (any input kind,
            as ``x`` of ``elu``).
        alpha : float, default 1.0
            As for ``elu``; must be >= 0 (the output then determines the slope).
        scale : float, default 1.0
            Keyword only. As for ``elu``; must be > 0.
        %(input_scale)s
        %(out)s
        %(target)s

        Returns
        -------
        ndarray
            The gradient with respect to x, in the broadcast shape of ``grad_out`` and ``y``;
            ``out`` when given.

        %(raises)s
        ValueError
            Also alpha < 0 or scale <= 0.

        Examples
        --------
        >>> import numpy as np
        >>> import elunumba
        >>> y = np.array([-0.5, 0.0, 2.0])
        >>> print(elunumba.elu_backward(1.0, y))
        [0.5 1.  1. ]
        >>> print(elunumba.elu_backward(np.full(3, 2.0), y, 1.0, scale=2.0))
        [3. 4. 4.]
        >>> x = np.float32(-20.0)  # elu(x) rounds to -1: the slope from the output is 0
        >>> print(elunumba.elu_backward(1.0, elunumba.elu(x)))
        0.0
        """
        if (type(grad_out) is not ndarray or type(y) is not ndarray) and interop.adapts(
                grad_out, y):
            return interop.call(self.elu_backward, (grad_out, y), 1, (alpha, scale, input_scale),
                                out, target)
        return dispatch.call("backward", (grad_out, y), (alpha, scale, input_scale), out, target,
                             self.correctly_rounded)

    @_shared_docs
    def elu_grad(self, x, alpha=1.0, *, scale=1.0, input_scale=1.0, out=None, target="auto"):
        """The derivative of ``elu(x, ...)`` with respect to x, computed from the INPUT ``x``.

        ::

            dELU/dx = scale                                         if x > 0
                      scale * alpha * input_scale * exp(input_scale * x)   otherwise

        ±0 takes the second branch: the derivative from the left, as PyTorch's. It keeps full
        relative accuracy also for x << 0, where the gradient from the output has rounded away
        (within 1 ULP with the default parameters: docs/accuracy.md, "Gradients").

        Parameters
        ----------
        %(x)s
        alpha : float, default 1.0
            As for ``elu``: any finite real number, with
            abs(alpha*scale*input_scale) < 2**50.
        %(scale)s
        %(input_scale)s
        %(out)s
        %(target)s

        Returns
        -------
        ndarray
            dELU/dx, with the shape and dtype ``elu`` gives; ``out`` when given.

        %(raises)s
        ValueError
            Also abs(alpha*scale*input_scale) >= 2**50.

        Examples
        --------
        >>> import numpy as np
        >>> import elunumba
        >>> print(np.round(elunumba.elu_grad(np.array([-1.0, 0.0, 2.0])), 4))
        [0.3679 1.     1.    ]
        >>> print(f"{elunumba.elu_grad(np.float32(-20.0)):.4g}")  # exp(-20)
        2.061e-09
        """
        if type(x) is not ndarray and interop.adapts(x):
            return interop.call(self.elu_grad, (x,), 1, (alpha, scale, input_scale), out, target)
        return dispatch.call("grad_from_input", (x,), (alpha, scale, input_scale), out, target,
                             self.correctly_rounded)

    @_shared_docs
    def elu_value_and_grad(self, x, alpha=1.0, *, scale=1.0, input_scale=1.0, out=None,
                           target="auto", grad_from="output"):
        """``(elu(x), dELU/dx)`` in one pass over ``x``.

        The formulas of ``elu`` and, for the derivative, of ``elu_backward`` applied to
        ``ones`` and y (``grad_from="output"``) or of ``elu_grad`` (``grad_from="input"``):
        the results are theirs, bit for bit.

        Parameters
        ----------
        %(x)s
        alpha : float, default 1.0
            As for ``elu``; with grad_from="output" it must be >= 0, with "input"
            abs(alpha*scale*input_scale) < 2**50.
        scale : float, default 1.0
            Keyword only. As for ``elu``; with grad_from="output" it must be > 0.
        %(input_scale)s
        out : tuple of two ndarrays, optional
            Keyword only. ``(y_buffer, grad_buffer)``, each as ``out`` of ``elu``; returned.
        %(target)s
        grad_from : {"output", "input"}, default "output"
            Keyword only. Which formula gives the derivative (see ``elu_backward`` and
            ``elu_grad``).

        Returns
        -------
        tuple of two ndarrays
            ``(y, grad)``, each with the shape and dtype ``elu`` gives; ``out`` when given.

        %(raises)s
        ValueError
            Also a grad_from other than "output" or "input", and the parameter bounds above.

        Examples
        --------
        >>> import numpy as np
        >>> import elunumba
        >>> x = np.array([-1.0, 0.0, 2.0])
        >>> y, dydx = elunumba.elu_value_and_grad(x)
        >>> print(np.round(y, 4), np.round(dydx, 4))
        [-0.6321  0.      2.    ] [0.3679 1.     1.    ]
        >>> y, dydx = elunumba.elu_value_and_grad(x, grad_from="input")
        >>> print(np.round(dydx, 4))
        [0.3679 1.     1.    ]
        """
        op = _FUSED_OPS.get(grad_from) if type(grad_from) is str else None
        if op is None:
            raise ValueError(f"grad_from must be 'output' or 'input', got {grad_from!r}")
        if type(x) is not ndarray and interop.adapts(x):
            return interop.call(self.elu_value_and_grad, (x,), 2, (alpha, scale, input_scale),
                                out, target, grad_from=grad_from)
        return dispatch.call(op, (x,), (alpha, scale, input_scale), out, target,
                             self.correctly_rounded)

    @_shared_docs
    def selu(self, x, *, out=None, target="auto"):
        """The Scaled Exponential Linear Unit (Klambauer et al. 2017), element by element.

        ``elu(x, SELU_ALPHA, scale=SELU_SCALE)``::

            SELU(x) = SELU_SCALE * x                            if x > 0
                      SELU_SCALE * SELU_ALPHA * (exp(x) - 1)    otherwise

        with SELU_ALPHA = 1.6732632423543772 and SELU_SCALE = 1.0507009873554805 (the paper's
        alpha_01 and lambda_01, to float64 precision). Its gradient:
        ``elu_backward(grad_y, y, SELU_ALPHA, scale=SELU_SCALE)``, or from the input
        ``elu_grad(x, SELU_ALPHA, scale=SELU_SCALE)``.

        Parameters
        ----------
        %(x)s
        %(out)s
        %(target)s

        Returns
        -------
        ndarray
            SELU(x), with the shape and dtype ``elu`` gives; ``out`` when given.

        %(raises)s

        Examples
        --------
        >>> import numpy as np
        >>> import elunumba
        >>> print(np.round(elunumba.selu(np.array([-1.0, 0.0, 1.0])), 4))
        [-1.1113  0.      1.0507]
        """
        return self.elu(x, SELU_ALPHA, scale=SELU_SCALE, out=out, target=target)

    @_shared_docs
    def celu(self, x, alpha=1.0, *, out=None, target="auto"):
        """The Continuously Differentiable Exponential Linear Unit (Barron 2017).

        ``elu(x, alpha, input_scale=1/alpha)``::

            CELU(x) = max(0, x) + min(0, alpha * (exp(x / alpha) - 1))

        Its gradient: ``elu_backward(grad_y, y, alpha, input_scale=1/alpha)``, or from the
        input ``elu_grad(x, alpha, input_scale=1/alpha)``.

        Parameters
        ----------
        %(x)s
        alpha : float, default 1.0
            Must be > 0, and alpha and 1/alpha must both be finite in the precision the input
            is computed in (float32 for float16, and for float32 in the default set).
        %(out)s
        %(target)s

        Returns
        -------
        ndarray
            CELU(x), with the shape and dtype ``elu`` gives; ``out`` when given.

        %(raises)s
        ValueError
            Also alpha <= 0, or alpha or 1/alpha out of range.

        Examples
        --------
        >>> import numpy as np
        >>> import elunumba
        >>> print(np.round(elunumba.celu(np.array([-2.0, 0.0, 1.0]), alpha=2.0), 4))
        [-1.2642  0.      1.    ]
        >>> elunumba.celu(1.0, alpha=0.0)
        Traceback (most recent call last):
        ValueError: celu needs alpha > 0 (its input scale is 1/alpha), got 0.0
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
