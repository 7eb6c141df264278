"""fma(a, b, c) = a*b + c rounded once, on every target.

The gradient from the input needs the exact rounding error of input_scale*x (fma(is, x, -t) is
that error exactly; without it, half an ULP of error in t = input_scale*x becomes |t|/2 ULP of
exp(t): 150 ULP at t = -300), and a product rounded once where the polynomial's error terms
join it. LLVM's contraction of a*b + c into an FMA is an optimisation it may or may not apply, so
the kernels ask for llvm.fma by name: one vfmadd on x86 with FMA (AVX2 machines have it), fma.rn
on a GPU, a correctly rounded library call elsewhere. The pure-Python form runs under the CUDA
simulator and with NUMBA_DISABLE_JIT=1.
"""

import math
from fractions import Fraction

import numpy as np
from numba.core import types
from numba.extending import intrinsic, overload


def fma(a, b, c):
    """a*b + c with one rounding, in the wider type of the three (float32 or float64), as
    arithmetic on them would promote."""
    wider = np.result_type(a, b, c).type
    if not (math.isfinite(a) and math.isfinite(b) and math.isfinite(c)):
        with np.errstate(all="ignore"):  # an infinity or NaN in gives what IEEE fma gives
            return wider(a) * wider(b) + wider(c)
    exact = Fraction(float(a)) * Fraction(float(b)) + Fraction(float(c))
    # float() of the exact value rounds to float64; the kernels need only results that float32
    # holds exactly (a product's rounding error) or float64 ones, so no double rounding arises
    try:
        return wider(float(exact))
    except OverflowError:
        return wider(math.copysign(math.inf, exact))


@intrinsic
def _llvm_fma(typingctx, a, b, c):
    def codegen(context, builder, signature, args):
        return builder.fma(*args)

    return a(a, a, a), codegen


@overload(fma, inline="always")
def _fma_compiled(a, b, c):
    if not all(isinstance(t, types.Float) for t in (a, b, c)):
        return None
    wider = max(a, b, c, key=lambda t: t.bitwidth)
    return lambda a, b, c: _llvm_fma(wider(a), wider(b), wider(c))
