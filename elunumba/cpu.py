"""CPU kernels: forward, backward-from-output and fused, each serial ("cpu") and "parallel".

Each kernel is one flat loop over contiguous 1-d arrays (the dispatch layer brings every layout to
that form) around the formulas of _elu.py; _cuda.py has the same bodies in grid-stride loops.
Both CPU targets compile the same loop, so they give the same bits. Kernels compile on first use,
one signature at a time, and are cached on disk.
"""

from numba import njit, prange

from ._elu import elu_slope_from_output, elu_value, variant
from ._storage import narrow, widen

# 'contract' lets LLVM fuse a*b+c into FMA instructions: fewer instructions, one rounding instead
# of two. No other fast-math flag: NaN, inf, signed zeros and subnormals keep IEEE semantics.
_JIT_OPTIONS = dict(nogil=True, cache=True, fastmath={"contract"}, error_model="numpy")


def _forward(x, y, poscoef, negcoef, negiptcoef):
    for i in prange(x.size):
        y[i] = narrow(elu_value(widen(x[i]), poscoef, negcoef, negiptcoef), y)


def _backward(grad_out, y, grad_in, poscoef, negcoef, negiptcoef):
    for i in prange(y.size):
        slope = elu_slope_from_output(widen(y[i]), poscoef, negcoef, negiptcoef)
        grad_in[i] = narrow(widen(grad_out[i]) * slope, grad_in)


def _fused(x, y, dydx, poscoef, negcoef, negiptcoef):
    for i in prange(x.size):
        stored = narrow(elu_value(widen(x[i]), poscoef, negcoef, negiptcoef), y)
        y[i] = stored
        # the slope of the stored (rounded) value: bit-identical to elu_backward(ones, y)
        dydx[i] = narrow(elu_slope_from_output(widen(stored), poscoef, negcoef, negiptcoef), dydx)


# (op, target, scaled) -> dispatcher; "scaled" kernels serve alpha*scale != 1 (see _elu.py)
KERNELS = {
    (op, target, scaled): njit(parallel=(target == "parallel"), **_JIT_OPTIONS)(
        variant(loop, "_" + target, scaled))
    for op, loop in (("forward", _forward), ("backward", _backward), ("fused", _fused))
    for target in ("cpu", "parallel")
    for scaled in (False, True)
}
