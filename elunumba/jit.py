"""elunumba's scalar formulas, to call from your own ``@numba.njit`` and ``@cuda.jit`` code.

    from numba import njit
    from elunumba.jit import elu_value, elu_slope_from_output

    @njit
    def elu_and_slope(x, y, slope, alpha):
        for i in range(x.size):
            y[i] = elu_value(x[i], alpha)
            slope[i] = elu_slope_from_output(y[i], alpha)

They compute in the precision of their first argument (float32 in, float32 out: parameters are
rounded to it first, as elunumba's kernels do) and carry the kernels' accuracy, measured against
a correctly rounded reference (docs/accuracy.md):

* ``expm1(x)``: for x <= 0, elunumba's branch-free polynomial, within 0.74 ULP (float32, every
  input) and 0.81 ULP (float64, sampled); for x > 0, the platform's own expm1 (the C library's on
  the CPU, libdevice's on the GPU: each within about 1 ULP).
* ``elu_value(x, alpha, scale, input_scale)``: ``scale*x`` for x >= 0 (and NaN), else
  ``scale*alpha*expm1(input_scale*x)``; within 1 ULP for alpha*scale = 1, 2.5 ULP otherwise
  and 3.5 ULP where input_scale is not a power of two >= 1 (float32 and float64). Compiled
  with ``fastmath={"contract"}``, as elunumba's CPU kernels are, it returns bit for bit what
  ``elunumba.elu`` returns; without it (Numba's default), or on a GPU,
  the fused multiply-adds differ and so may the last bit of a few results.
* ``elu_slope_from_output(y, alpha, scale, input_scale)``: dy/dx from the output y alone,
  ``scale`` for y > 0, else ``input_scale*(y + alpha*scale)``; within 2 ULP of that expression
  evaluated exactly. Needs alpha >= 0 and scale > 0 (the output then determines the slope), which
  jitted code cannot check: that is the caller's part.
* ``elu_slope_from_input(x, alpha, scale, input_scale)``: dy/dx from the input x, ``scale`` for
  x > 0, else ``scale*alpha*input_scale*exp(input_scale*x)``, for any alpha and scale with
  |alpha*scale*input_scale| < 2**50; within 1 ULP of the true derivative where that product is
  exact in x's precision (the default parameters), half an ULP more otherwise, plus the rounding
  of the parameters themselves (docs/accuracy.md, "Gradients"). Compiled with
  ``fastmath={"contract"}`` it returns what ``elunumba.elu_grad`` returns, bit for bit.

Each compiles into the calling function (no call overhead, and loops over them vectorize).
"""

import math

import numpy as np
from numba.extending import overload, register_jitable

from .kernels import formulas
from .kernels.expm1 import expm1 as _expm1_nonpositive

__all__ = ["expm1", "elu_value", "elu_slope_from_output", "elu_slope_from_input"]


@register_jitable
def expm1(x):
    """``exp(x) - 1`` without cancellation, in the precision of ``x``.

    For x <= 0 elunumba's branch-free polynomial (the kernels' own), for x > 0 the platform's
    expm1. Callable from ``@numba.njit`` and ``@cuda.jit`` code, and from Python.

    Parameters
    ----------
    x : float
        A float32 or float64 number (a NumPy scalar, a Python float, or an element of an array
        inside jitted code); the result has its precision.

    Returns
    -------
    float
        exp(x) - 1, within 0.74 ULP (float32) and 0.81 ULP (float64) for x <= 0.

    Examples
    --------
    >>> from elunumba.jit import expm1
    >>> print(f"{expm1(-1e-10):.6e}")  # exp(-1e-10) - 1 in float64 would keep 7 digits
    -1.000000e-10
    >>> print(round(expm1(-1.0), 6))
    -0.632121
    """
    return math.expm1(x) if x > 0 else _expm1_nonpositive(x)


def _as_float(x):
    """``x`` itself for a float; float64 for an integer or bool, as NumPy promotes them (the
    coefficients take x's type, and an integer type would truncate them)."""
    return float(x) if isinstance(x, (int, np.integer)) else x


@overload(_as_float, inline="always")
def _as_float_for_type(x):
    from numba.core import types

    if isinstance(x, (types.Integer, types.Boolean)):
        return lambda x: np.float64(x)
    return lambda x: x


@register_jitable
def _coefficients(x, alpha, scale, input_scale):
    """(scale, alpha*scale, input_scale) rounded to x's precision, as the kernels take them."""
    as_x = type(x)
    return as_x(scale), as_x(alpha * scale), as_x(input_scale)


@register_jitable
def elu_value(x, alpha=1.0, scale=1.0, input_scale=1.0):
    """ELU of one number, as ``elunumba.elu`` computes it, for your own jitted loops::

        ELU(x) = scale * x                                   if x >= 0 (and NaN)
                 scale * alpha * (exp(input_scale * x) - 1)  otherwise

    Parameters
    ----------
    x : float or int
        The input; float32 and float64 compute in their own precision, integers and bool in
        float64 (as NumPy promotes them).
    alpha : float, default 1.0
        The negative branch's saturation (-alpha*scale as x -> -inf).
    scale : float, default 1.0
        Multiplies both branches (SELU's lambda).
    input_scale : float, default 1.0
        Multiplies x inside the exponential (CELU's 1/alpha).

    The parameters are rounded to x's precision first; nothing is checked (jitted code cannot
    raise the public functions' errors): pass finite values.

    Returns
    -------
    float
        ELU(x) in x's precision; with ``fastmath={"contract"}`` bit for bit ``elunumba.elu``.

    Examples
    --------
    >>> import numba
    >>> import numpy as np
    >>> from elunumba.jit import elu_value
    >>> @numba.njit(fastmath={"contract"})
    ... def elu_sum(xs, alpha):
    ...     total = 0.0
    ...     for x in xs:
    ...         total += elu_value(x, alpha)
    ...     return total
    >>> print(round(elu_sum(np.array([-1.0, 2.0]), 1.0), 4))
    1.3679
    >>> print(round(elu_value(-1.0, 2.0, scale=0.5, input_scale=2.0), 4))  # also from Python
    -0.8647
    """
    x_float = _as_float(x)  # integers compute in float64, as in NumPy
    poscoef, negcoef, negiptcoef = _coefficients(x_float, alpha, scale, input_scale)
    if formulas.product_is_exact(negcoef):
        return formulas.elu_value(x_float, poscoef, negcoef, negiptcoef)
    return formulas.elu_value_scaled(x_float, poscoef, negcoef, negiptcoef)


@register_jitable
def elu_slope_from_output(y, alpha=1.0, scale=1.0, input_scale=1.0):
    """dy/dx from the ELU output ``y`` alone, as ``elunumba.elu_backward`` computes it::

        dy/dx = scale                               if y > 0
                input_scale * (y + alpha * scale)   otherwise

    Parameters
    ----------
    y : float or int
        The output of ``elu_value`` with the same parameters; computed in its precision
        (integers and bool in float64).
    alpha : float, default 1.0
        As for ``elu_value``; must be >= 0, which jitted code cannot check.
    scale : float, default 1.0
        As for ``elu_value``; must be > 0, unchecked likewise.
    input_scale : float, default 1.0
        As for ``elu_value``.

    Returns
    -------
    float
        The slope, within 2 ULP of that expression evaluated exactly.

    Examples
    --------
    >>> from elunumba.jit import elu_slope_from_output
    >>> print(elu_slope_from_output(-0.5), elu_slope_from_output(3.0))
    0.5 1.0
    """
    y_float = _as_float(y)  # integers compute in float64, as in NumPy
    poscoef, negcoef, negiptcoef = _coefficients(y_float, alpha, scale, input_scale)
    return formulas.elu_slope_from_output(y_float, poscoef, negcoef, negiptcoef)


@register_jitable
def elu_slope_from_input(x, alpha=1.0, scale=1.0, input_scale=1.0):
    """dy/dx from the input ``x``, as ``elunumba.elu_grad`` computes it::

        dy/dx = scale                                                if x > 0
                scale * alpha * input_scale * exp(input_scale * x)   otherwise

    Parameters
    ----------
    x : float or int
        The input; computed in its precision (integers and bool in float64).
    alpha : float, default 1.0
        As for ``elu_value``: any value with abs(alpha*scale*input_scale) < 2**50 (unchecked).
    scale : float, default 1.0
        As for ``elu_value``.
    input_scale : float, default 1.0
        As for ``elu_value``.

    Returns
    -------
    float
        The derivative, within 1 ULP where alpha*scale*input_scale is exact in x's precision;
        with ``fastmath={"contract"}`` bit for bit ``elunumba.elu_grad``.

    Examples
    --------
    >>> from elunumba.jit import elu_slope_from_input
    >>> print(round(elu_slope_from_input(-1.0), 6), elu_slope_from_input(2.0))
    0.367879 1.0
    """
    x_float = _as_float(x)  # integers compute in float64, as in NumPy
    poscoef, negcoef, negiptcoef = _coefficients(x_float, alpha, scale, input_scale)
    return formulas.elu_slope_from_input(x_float, poscoef, negcoef, negiptcoef)
