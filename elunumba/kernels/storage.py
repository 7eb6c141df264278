"""How a kernel loads an element into its compute precision and stores a result back.

float32 and float64 are computed in their own precision. float16 is computed in float32 and
rounded once on the store: on the CPU the arrays are passed as their uint16 bit patterns (Numba has
no CPU float16) and converted bit by bit; on CUDA they are native float16.
"""

import numpy as np
from numba.extending import overload

from .half import float_to_half_bits, half_bits_to_float


# The pure-Python forms below run under the CUDA simulator and with NUMBA_DISABLE_JIT=1; they
# give what the compiled forms (the overloads further down) give.
def widen(element):
    """The element in its compute precision; a uint16 element is float16 bits."""
    if element.dtype == np.uint16:
        return np.float32(element.view(np.float16))
    return np.float32(element) if element.dtype == np.float16 else element


def load(values, i):
    """``widen(values[i])``, or ``widen(values)`` for a scalar that stands for every element."""
    return widen(values[i]) if np.ndim(values) else widen(values)


def narrow(value, out):
    """``value`` rounded to the storage type of the array ``out`` (float16 bits for uint16)."""
    if out.dtype == np.uint16:
        return np.float16(value).view(np.uint16)
    return out.dtype.type(value)


def in_precision_of(value, coefficient):
    """``value`` in the precision of ``coefficient``: the kernels compute in the coefficients'
    precision, float64 for float32 arrays in the correctly rounded functions."""
    return type(coefficient)(value)


@overload(widen, inline="always")
def _widen_for_type(element):
    from numba.core import types

    if element == types.uint16:
        return lambda element: half_bits_to_float(element)
    if element == types.float16:
        return lambda element: np.float32(element)
    return lambda element: element


@overload(narrow, inline="always")
def _narrow_for_type(value, out):
    from numba.core import types

    if out.dtype == types.uint16:
        return lambda value, out: float_to_half_bits(value)
    storage = out.dtype
    return lambda value, out: storage(value)


@overload(in_precision_of, inline="always")
def _in_precision_of_for_type(value, coefficient):
    precision = coefficient  # the Numba type (the lambda's own argument takes the name)
    return lambda value, coefficient: precision(value)


@overload(load, inline="always")
def _load_for_type(values, i):
    from numba.core import types

    if isinstance(values, types.Array):
        return lambda values, i: widen(values[i])
    return lambda values, i: widen(values)
