"""float16 <-> float32 conversion for the CPU kernels, which see float16 arrays as uint16 bits.

Numba has no CPU float16 type, but LLVM has: these intrinsics reinterpret the bits as LLVM's
``half`` and extend or truncate it, which LLVM compiles to the F16C instructions vcvtph2ps and
vcvtps2ph (8 elements per instruction) where the CPU has them and to compiler-rt calls where it
does not. The loop stays one vectorized pass: float16 is widened on load and rounded once, to
nearest even, on store. (A bit-twiddling version in plain Numba arithmetic ran 2.7x slower than
the float32 kernel; with F16C the float16 kernel moves half the bytes at float32's speed.)
"""

from llvmlite import ir
from numba import types
from numba.extending import intrinsic


@intrinsic
def half_bits_to_float(typingctx, bits):
    """The float32 value of the float16 whose bit pattern is ``bits`` (uint16), exactly."""

    def codegen(context, builder, signature, args):
        return builder.fpext(builder.bitcast(args[0], ir.HalfType()), ir.FloatType())

    return types.float32(types.uint16), codegen


@intrinsic
def float_to_half_bits(typingctx, value):
    """The uint16 bit pattern of float32 ``value`` rounded to float16 (nearest, ties to even)."""

    def codegen(context, builder, signature, args):
        return builder.bitcast(builder.fptrunc(args[0], ir.HalfType()), ir.IntType(16))

    return types.uint16(types.float32), codegen
