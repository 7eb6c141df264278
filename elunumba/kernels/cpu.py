"""CPU kernels: forward, backward-from-output, the gradient from the input and the two fused
ones (value with either gradient), each serial ("cpu") and "parallel".

Each kernel is one flat loop over contiguous 1-d arrays (the dispatch layer brings every layout to
that form) around the formulas of formulas.py; gpu.py has the same bodies in grid-stride loops.
Both CPU targets compile the same loop, so they give the same bits. Kernels compile on first use,
one signature at a time, and are cached on disk (compiler.py). ``launcher`` picks the kernel for a
target and a size.
"""

import functools

from numba import prange

from . import compiler, threads
from .formulas import (FORMULAS, elu_slope_from_input, elu_slope_from_output, elu_slope_of_value,
                       elu_value, variant)
from .storage import load, narrow, widen

# target="auto" runs on one thread below this many elements and on all Numba threads from it on:
# the smallest size at which two threads beat one in every run, because waking the second thread
# costs about as much as some thousands of elements of work. `python -m tools.measure_threshold`
# measures it; the figures are in notes/code-figures.md ("The parallel threshold").
PARALLEL_THRESHOLD = 2**15

# The loops below are templates. Their `elu_value` is not the one they are compiled with:
# formulas.variant copies each loop once per formula with `elu_value` rebound to
# FORMULAS[kind] ("unit", "exact" or "scaled", picked from the coefficients by
# formulas.formula), and `elu_slope_of_value` to SLOPES_OF_VALUE[kind], so that one loop body
# serves all three without a branch per element. The imported ones (the "exact" formula and its
# slope) are only what a template called directly would use; gpu.py's kernels are rebound the
# same way.


def _forward(x, y, poscoef, negcoef, negiptcoef):
    for i in prange(x.size):
        y[i] = narrow(elu_value(widen(x[i]), poscoef, negcoef, negiptcoef), y)


def _backward(grad_out, y, grad_in, poscoef, negcoef, negiptcoef):
    # grad_out is an array like y, or one scalar for every element (elu_backward(1.0, y))
    for i in prange(y.size):
        slope = elu_slope_from_output(widen(y[i]), poscoef, negcoef, negiptcoef)
        grad_in[i] = narrow(load(grad_out, i) * slope, grad_in)


def _fused(x, y, dydx, poscoef, negcoef, negiptcoef):
    for i in prange(x.size):
        stored = narrow(elu_value(widen(x[i]), poscoef, negcoef, negiptcoef), y)
        y[i] = stored
        # the slope of the stored (rounded) value: bit-identical to elu_backward(ones, y)
        dydx[i] = narrow(elu_slope_of_value(widen(stored), poscoef, negcoef, negiptcoef), dydx)


def _grad_from_input(x, dydx, poscoef, negcoef, negiptcoef):
    for i in prange(x.size):
        dydx[i] = narrow(elu_slope_from_input(widen(x[i]), poscoef, negcoef, negiptcoef), dydx)


def _fused_from_input(x, y, dydx, poscoef, negcoef, negiptcoef):
    for i in prange(x.size):
        value = widen(x[i])
        y[i] = narrow(elu_value(value, poscoef, negcoef, negiptcoef), y)
        dydx[i] = narrow(elu_slope_from_input(value, poscoef, negcoef, negiptcoef), dydx)


LOOPS = {"forward": _forward, "backward": _backward, "fused": _fused,
         "grad_from_input": _grad_from_input, "fused_from_input": _fused_from_input}

# The loops that evaluate expm1 or exp, compiled with several independent vectors per iteration
# (compiler.kernel's interleave): LLVM keeps one per iteration in loops this long, which leaves
# the core one long dependency chain at a time (why three, and the A/B runs: compiler._Interleaving
# and notes/avx2-kernels.md). LLVM interleaves the short backward loop by itself.
# A new loop that evaluates expm1 or exp adopts this by adding its op name here.
INTERLEAVED = {"forward", "fused", "grad_from_input", "fused_from_input"}

# (op, target, formula) -> dispatcher, formula one of formulas.FORMULAS (formulas.formula picks it)
KERNELS = {
    (op, target, kind): compiler.kernel(variant(loop, "_" + target, kind),
                                    parallel=target == "parallel",
                                    interleave=op in INTERLEAVED)
    for op, loop in LOOPS.items()
    for target in ("cpu", "parallel")
    for kind in FORMULAS
}


@functools.cache
def launcher(op, target, kind):
    """The function that runs ``op`` for ``target`` ("cpu", "parallel" or "auto") with the
    ``kind`` of formula on flat contiguous arrays and the kernel coefficients, picking one
    thread or all by size."""
    serial = KERNELS[op, "cpu", kind]
    if target == "cpu":
        return serial
    parallel = KERNELS[op, "parallel", kind]
    smallest_parallel = PARALLEL_THRESHOLD if target == "auto" else 0

    def launch(*args):
        # args: (a scalar grad_out,) input arrays, output arrays, then the three coefficients
        if args[-4].size < smallest_parallel:
            return serial(*args)
        return threads.run(parallel, serial, args)

    return launch
