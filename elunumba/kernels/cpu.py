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
from .formulas import FORMULAS, elu_slope_from_input, elu_slope_from_output, elu_value, variant
from .storage import load, narrow, widen

# target="auto" runs on one thread below this many elements and on all Numba threads from it on.
# Measured with `python tools/measure_threshold.py` on the 2-core reference machine: forward
# float32, two threads are a tie with one at 2^14 (0.96-1.12x over three runs) and win from 2^15
# on (1.01-1.30x, rising to 2x by 2^19): waking the second thread costs about as much as 2^13
# elements of work. See README "Targets".
PARALLEL_THRESHOLD = 2**15


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
        dydx[i] = narrow(elu_slope_from_output(widen(stored), poscoef, negcoef, negiptcoef), dydx)


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
# (compiler.kernel's interleave): LLVM keeps one per iteration in loops this long, and three ran
# them 1.06-1.25x faster on Zen 3 (AVX2). LLVM interleaves the short backward loop by itself.
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
