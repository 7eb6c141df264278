"""ELU's element formulas, shared by the CPU and CUDA kernels.

Parameters arrive in PyTorch's internal form, already in the compute precision:
poscoef = scale, negcoef = alpha * scale, negiptcoef = input_scale.

A kernel is a loop (CPU: prange; CUDA: grid stride) whose body loads with ``widen``, applies
these formulas and stores with ``narrow``. The bodies stay in the loops: a helper that takes the
arrays, inlined by Numba, leaves a copy of each array's descriptor in the loop, and LLVM then no
longer vectorizes it; one more call level (loop -> step -> formula) put the float64 formula over
LLVM's inlining threshold, and a call left in the loop stops vectorization too. (Numba-level
inlining of these functions is no way out: numba-cuda 0.30 then loses their module globals.)
"""

import functools
import hashlib
import pathlib
import types

from numba.extending import register_jitable

from .expm1 import expm1, expm1_negative, scaled_exp, scaled_expm1
from .fma import fma


@register_jitable
def elu_value(x, poscoef, negcoef, negiptcoef):
    """scale*x for x >= 0 (and NaN), scale*alpha*expm1(input_scale*x) for x < 0.

    Taking ±0 down the linear branch keeps the sign of zero. For alpha*scale = 1 the product is
    exact and expm1 is rounded once; otherwise elu_value_scaled is used.
    """
    return x * poscoef if not x < 0 else expm1(x * negiptcoef) * negcoef


@register_jitable
def elu_value_unit(x, poscoef, negcoef, negiptcoef):
    """elu_value for alpha*scale = 1 and input_scale = 1 (ELU's default, alpha = 1), without the
    two products by 1: they are exact, so no bit changes, but where the loop's time follows the
    instructions it issues (AVX2), fewer instructions and registers make it faster
    (bench_results/benchmarks/ab-kernels-unit-amd-epyc-znver3-avx2.md). x < 0
    here, never -0, so expm1 needs no copysign. x is computed in the coefficients' precision,
    which the product by input_scale did: float64 for float32 arrays in the correctly rounded
    functions, with the float64 evaluation made for float32 inputs."""
    return x * poscoef if not x < 0 else expm1_negative(x, negiptcoef)


@register_jitable
def elu_value_scaled(x, poscoef, negcoef, negiptcoef):
    """elu_value with the product by alpha*scale taking expm1's rounding errors along."""
    return x * poscoef if not x < 0 else scaled_expm1(x * negiptcoef, negcoef)


@register_jitable
def elu_slope_from_output(y, poscoef, negcoef, negiptcoef):
    """dy/dx from the forward output alone: scale for y > 0, input_scale*(y + alpha*scale) else.

    Valid because y <= 0 exactly where x <= 0 when alpha >= 0 and scale > 0 (the dispatch layer
    enforces both). NaN gives NaN; y = -alpha*scale (from x = -inf) gives 0.
    """
    if y > 0:
        return poscoef
    slope = negiptcoef * (y + negcoef)
    # y rounded to its storage type can lie below -alpha*scale (the float16 or float32 nearest
    # to it, from x = -inf or x << 0), which would make the slope negative: ELU's is never.
    # (a zero of the compute type from the finite coefficient; NaN stays NaN)
    return slope if not slope < 0 else negiptcoef - negiptcoef


@register_jitable
def elu_slope_from_unit_output(y, poscoef, negcoef, negiptcoef):
    """elu_slope_from_output for alpha*scale = 1 and input_scale = 1, of a y that
    elu_value_unit computed (the fused kernels'): the same bits without the product by
    input_scale, which is exact, and without the clamp: y >= -1 there (expm1 >= -1, and rounding
    to the storage type is monotonic and -1 a float of every precision), so y + 1 is never
    negative. A y from elsewhere (elu_backward's) can lie below -1 and needs the clamp."""
    return poscoef if y > 0 else y + negcoef


@register_jitable
def elu_slope_from_input(x, poscoef, negcoef, negiptcoef):
    """dy/dx from the input: scale for x > 0, alpha*scale*input_scale*exp(input_scale*x) else.

    Exact in form for any alpha and scale (no sign conditions, unlike the slope from the output)
    and keeps its relative accuracy where the output has none left: x << 0 gives exp's tiny
    value, not (y + alpha*scale) after y has rounded to -alpha*scale. NaN gives NaN; ±0 takes
    the exponential branch (the derivative from the left), as PyTorch does.
    """
    scaled_x = x * negiptcoef
    # exp is steep: the rounding error of scaled_x (exact through the FMA) would cost up to
    # |scaled_x|/2 ULP of the result where input_scale is not a power of two
    scaled_x_error = fma(x, negiptcoef, -scaled_x)
    return poscoef if x > 0 else scaled_exp(scaled_x, scaled_x_error, negcoef * negiptcoef)


# Which elu_value each kind of kernel uses: "unit" for alpha*scale = 1 and input_scale = 1,
# "exact" for the other coefficients whose product by alpha*scale is exact (alpha*scale = 1 with
# another input_scale, or alpha*scale = 0), "scaled" for every other alpha*scale.
FORMULAS = {"unit": elu_value_unit, "exact": elu_value, "scaled": elu_value_scaled}
# and the slope the fused kernels take of the value that formula computed
SLOPES_OF_VALUE = {"unit": elu_slope_from_unit_output, "exact": elu_slope_from_output,
                   "scaled": elu_slope_from_output}
elu_slope_of_value = elu_slope_from_output  # what a template called directly uses (see variant)


@register_jitable
def product_is_exact(negcoef):
    """Whether expm1 * alpha*scale is exact, so that elu_value (not elu_value_scaled) serves:
    alpha*scale = 1, or 0 (there the product is exactly -0.0, which the compensated sum of
    elu_value_scaled would make +0.0). Jitted code (elunumba.jit) asks it too."""
    return negcoef == 1 or negcoef == 0


def formula(negcoef, negiptcoef):
    """The FORMULAS key of a kernel for these coefficients."""
    if not product_is_exact(negcoef):
        return "scaled"
    return "unit" if negcoef == 1 and negiptcoef == 1 else "exact"


# The modules whose code the kernels inline, besides the file that defines each kernel loop, and
# compiler, which sets how they compile (an interleave count that Numba's cache does not see).
FORMULA_MODULES = ("formulas", "expm1", "fma", "storage", "half", "compiler")


def variant(loop, suffix, kind):
    """A copy of the kernel loop ``loop`` under a new name whose ``elu_value`` is FORMULAS[kind]
    and whose ``elu_slope_of_value`` is SLOPES_OF_VALUE[kind].
    Numba's disk cache tells functions apart by name, not by how they were compiled, so every
    variant needs its own; and it checks only the defining file for edits, so the name carries a
    hash of the formula files too (an edit to them compiles anew)."""
    names = dict(loop.__globals__, elu_value=FORMULAS[kind],
                 elu_slope_of_value=SLOPES_OF_VALUE[kind])
    copy = types.FunctionType(loop.__code__, names,
                              f"{loop.__name__}{suffix}_{kind}_{formula_files_hash()}")
    copy.__qualname__ = copy.__name__
    return copy


@functools.cache
def formula_files_hash():
    """12 hex digits of the SHA-256 of the FORMULA_MODULES' source files."""
    digest = hashlib.sha256()
    folder = pathlib.Path(__file__).parent
    for name in FORMULA_MODULES:
        digest.update((folder / f"{name}.py").read_bytes())
    return digest.hexdigest()[:12]
