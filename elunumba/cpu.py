"""CPU kernels: forward, backward-from-output and fused, each serial ("cpu") and "parallel".

Each kernel is one flat loop over contiguous 1-d arrays (the dispatch layer brings every layout to
that form) around a step from _elu.py. Both targets run the same step, so they give the same bits.
Kernels compile on first use, one signature at a time, and are cached on disk.
"""

import types

from numba import njit, prange

from ._elu import backward_at, forward_at, fused_at

# 'contract' lets LLVM fuse a*b+c into FMA instructions: fewer instructions, one rounding instead
# of two. No other fast-math flag: NaN, inf, signed zeros and subnormals keep IEEE semantics.
_JIT_OPTIONS = dict(nogil=True, cache=True, fastmath={"contract"}, error_model="numpy")


def _forward(x, y, poscoef, negcoef, negiptcoef):
    for i in prange(x.size):
        forward_at(i, x, y, poscoef, negcoef, negiptcoef)


def _backward(grad_out, y, grad_in, poscoef, negcoef, negiptcoef):
    for i in prange(y.size):
        backward_at(i, grad_out, y, grad_in, poscoef, negcoef, negiptcoef)


def _fused(x, y, dydx, poscoef, negcoef, negiptcoef):
    for i in prange(x.size):
        fused_at(i, x, y, dydx, poscoef, negcoef, negiptcoef)


def _compile(loop, parallel):
    """A dispatcher for ``loop``, serial or parallel.

    Numba's disk cache keys entries by function name and signature, not by compile flags, so the
    parallel variant is compiled from a renamed copy of the function: otherwise the two variants
    would load each other's machine code from the cache.
    """
    if parallel:
        loop = types.FunctionType(loop.__code__, loop.__globals__, loop.__name__ + "_parallel")
        loop.__qualname__ = loop.__name__
    return njit(parallel=parallel, **_JIT_OPTIONS)(loop)


KERNELS = {
    (op, target): _compile(loop, parallel=(target == "parallel"))
    for op, loop in (("forward", _forward), ("backward", _backward), ("fused", _fused))
    for target in ("cpu", "parallel")
}
