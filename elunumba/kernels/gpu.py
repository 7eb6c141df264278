"""CUDA kernels: cpu.py's five (forward, backward-from-output, gradient from the input and
the two fused ones), as grid-stride loops.

This module is the only place that imports the CUDA backend (numba.cuda, provided by numba-cuda),
and only the dispatch layer imports it, the first time a CUDA target is used: adopting another
backend means rewriting this file, not the kernels' formulas, which live in formulas.py and
expm1.py.
Every element runs the same step as on the CPU (same expm1, same operation order).
"""

import functools
import math

from numba import config, cuda

from .formulas import (FORMULAS, elu_slope_from_input, elu_slope_from_output, elu_slope_of_value,
                       elu_value, formula, variant)
from .storage import narrow, widen

THREADS_PER_BLOCK = 256
# Enough resident blocks to fill every multiprocessor several times over; the grid-stride loop
# covers the rest.
BLOCKS_PER_MULTIPROCESSOR = 32


# The loop bodies are cpu.py's (see formulas.py for why they are not shared helpers).
def _forward(x, y, poscoef, negcoef, negiptcoef):
    for i in range(cuda.grid(1), x.size, cuda.gridsize(1)):
        y[i] = narrow(elu_value(widen(x[i]), poscoef, negcoef, negiptcoef), y)


def _backward(grad_out, y, grad_in, poscoef, negcoef, negiptcoef):
    for i in range(cuda.grid(1), y.size, cuda.gridsize(1)):
        slope = elu_slope_from_output(widen(y[i]), poscoef, negcoef, negiptcoef)
        grad_in[i] = narrow(widen(grad_out[i]) * slope, grad_in)


def _fused(x, y, dydx, poscoef, negcoef, negiptcoef):
    for i in range(cuda.grid(1), x.size, cuda.gridsize(1)):
        stored = narrow(elu_value(widen(x[i]), poscoef, negcoef, negiptcoef), y)
        y[i] = stored
        dydx[i] = narrow(elu_slope_of_value(widen(stored), poscoef, negcoef, negiptcoef), dydx)


def _grad_from_input(x, dydx, poscoef, negcoef, negiptcoef):
    for i in range(cuda.grid(1), x.size, cuda.gridsize(1)):
        dydx[i] = narrow(elu_slope_from_input(widen(x[i]), poscoef, negcoef, negiptcoef), dydx)


def _fused_from_input(x, y, dydx, poscoef, negcoef, negiptcoef):
    for i in range(cuda.grid(1), x.size, cuda.gridsize(1)):
        value = widen(x[i])
        y[i] = narrow(elu_value(value, poscoef, negcoef, negiptcoef), y)
        dydx[i] = narrow(elu_slope_from_input(value, poscoef, negcoef, negiptcoef), dydx)


LOOPS = {"forward": _forward, "backward": _backward, "fused": _fused,
         "grad_from_input": _grad_from_input, "fused_from_input": _fused_from_input}

# (op, formula) -> kernel, formula one of formulas.FORMULAS, as on the CPU
KERNELS = {(op, kind): cuda.jit(variant(loop, "_cuda", kind))
           for op, loop in LOOPS.items() for kind in FORMULAS}


def availability():
    """(True, device name) when a CUDA device can run kernels here, else (False, reason)."""
    if config.ENABLE_CUDASIM:
        return True, "the Numba CUDA simulator (NUMBA_ENABLE_CUDASIM=1)"
    if not cuda.is_available():
        words = failure()
        return False, "no usable CUDA device" + (f" ({words})" if words else "")
    return True, cuda.get_current_device().name


def failure():
    """Why CUDA does not initialise here, in numba's words on one line; '' where they say
    nothing. Numba reports the driver's failure as "Error at driver init: REASON" or "Error at
    driver init: \\nREASON:", and without a driver REASON may be empty."""
    try:
        cuda.detect()
    except Exception as error:  # the driver's own words are the useful part
        text = " ".join(str(error).split())
        prefix = "Error at driver init:"
        if not text.startswith(prefix):
            return text
        return text[len(prefix):].strip().rstrip(":").strip()
    return "numba.cuda.is_available() is False"


def launch(op, device_arrays, kernel_coefs):
    """One launch of ``op`` over flat contiguous device arrays, on the default stream."""
    size = device_arrays[0].size
    blocks = min(math.ceil(size / THREADS_PER_BLOCK), _max_blocks())
    kernel = KERNELS[op, formula(*kernel_coefs[1:])]
    kernel[blocks, THREADS_PER_BLOCK](*device_arrays, *kernel_coefs)


@functools.cache
def _max_blocks():
    if config.ENABLE_CUDASIM:  # the simulator runs each thread in Python: keep grids small
        return 4
    return cuda.get_current_device().MULTIPROCESSOR_COUNT * BLOCKS_PER_MULTIPROCESSOR


def to_device(array):
    return cuda.to_device(array)


def device_array(shape, dtype):
    return cuda.device_array(shape, dtype)


def as_device_array(value):
    """A Numba view of a device array from any library (zero-copy)."""
    if hasattr(value, "copy_to_host"):  # already a Numba device array
        return value
    return cuda.as_cuda_array(value)
