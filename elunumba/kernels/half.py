"""float16 <-> float32 conversion for the CPU kernels, which see float16 arrays as uint16 bits.

Numba has no CPU float16 type, but LLVM has: two intrinsics reinterpret the bits as LLVM's
``half`` and extend or truncate it, which LLVM compiles to the F16C instructions vcvtph2ps and
vcvtps2ph (8 elements per instruction) where the target CPU has them. The loop stays one
vectorized pass: float16 is widened on load and rounded once, to nearest even, on store. (A
bit-level version in plain Numba arithmetic was several times slower than the float32 kernel:
notes/code-figures.md, "float16".)

Where the target lacks F16C, LLVM compiles the same conversions to calls of compiler-rt's
__extendhfsf2 and __truncsfhf2, which Numba's JIT cannot resolve: the process aborted ("LLVM
ERROR: Symbol not found: __extendhfsf2"). That target is not only an old CPU: NUMBA_CPU_NAME=
generic (Numba's setting for caches that travel) turns every feature off, and so do QEMU's
default CPU and a NUMBA_CPU_FEATURES string with -f16c or -avx. So each conversion is chosen
when a kernel compiles: the intrinsic where LLVM compiles it without a library call for the
target Numba compiles for (native_half_conversions), else the bit-level form below, which gives
the same bits (round to nearest even, subnormals, infinities, NaN quieted with its sign and
leading payload bits, as the F16C instructions do). Numba's disk cache keys each kernel on that
target, so a cached kernel never crosses from one choice to the other.
"""

import functools

import llvmlite.binding as llvm
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic, overload, register_jitable

from .compiler import target

# Each conversion alone, as LLVM sees the kernels' loads and stores of float16.
_PROBE = """
define float @widen(i16 %bits) {
  %half = bitcast i16 %bits to half
  %value = fpext half %half to float
  ret float %value
}
define i16 @narrow(float %value) {
  %half = fptrunc float %value to half
  %bits = bitcast half %half to i16
  ret i16 %bits
}
"""
_LIBRARY_CALLS = ("__extendhfsf2", "__truncsfhf2", "__gnu_h2f_ieee", "__gnu_f2h_ieee")


@functools.cache
def native_half_conversions():
    """Whether LLVM compiles half <-> float without a library call for the CPU and features Numba
    compiles for (NUMBA_CPU_NAME and NUMBA_CPU_FEATURES, else the host's): on x86, whether that
    target has F16C."""
    triple, cpu, features = target()
    machine = llvm.Target.from_triple(triple).create_target_machine(cpu=cpu, features=features)
    module = llvm.parse_assembly(_PROBE)
    module.triple = triple
    assembly = machine.emit_assembly(module)
    return not any(call in assembly for call in _LIBRARY_CALLS)


def half_bits_to_float(bits):
    """The float32 value of the float16 whose bit pattern is ``bits`` (uint16), exactly."""
    return half_bits_to_float_by_bits(bits)


def float_to_half_bits(value):
    """The uint16 bit pattern of float32 ``value`` rounded to float16 (nearest, ties to even)."""
    return float_to_half_bits_by_bits(value)


@overload(half_bits_to_float)
def _half_bits_to_float_for_target(bits):
    if native_half_conversions():
        return lambda bits: _fpext_half(bits)
    return lambda bits: half_bits_to_float_by_bits(bits)


@overload(float_to_half_bits)
def _float_to_half_bits_for_target(value):
    if native_half_conversions():
        return lambda value: _fptrunc_half(value)
    return lambda value: float_to_half_bits_by_bits(value)


@intrinsic
def _fpext_half(typingctx, bits):
    def codegen(context, builder, signature, args):
        return builder.fpext(builder.bitcast(args[0], ir.HalfType()), ir.FloatType())

    return types.float32(types.uint16), codegen


@intrinsic
def _fptrunc_half(typingctx, value):
    def codegen(context, builder, signature, args):
        return builder.bitcast(builder.fptrunc(args[0], ir.HalfType()), ir.IntType(16))

    return types.uint16(types.float32), codegen


# The bit-level forms compute in int64 (Numba turns mixed uint64/int64 arithmetic into floats).
# float16: sign 1 bit, exponent 5 (bias 15), mantissa 10; float32: 1, 8 (bias 127), 23.
@register_jitable
def half_bits_to_float_by_bits(bits):
    """half_bits_to_float in integer arithmetic: exact, NaN quieted as vcvtph2ps quiets it."""
    half = np.int64(bits)
    sign = (half & 0x8000) << 16
    magnitude = half & 0x7FFF
    if magnitude >= 0x7C00:  # infinity, or NaN with its payload and the quiet bit set
        quiet = 0x00400000 if magnitude > 0x7C00 else 0
        single = 0x7F800000 | ((magnitude & 0x3FF) << 13) | quiet
    elif magnitude >= 0x0400:  # normal: the same mantissa, the exponent rebiased by 127 - 15
        single = (magnitude << 13) + (112 << 23)
    else:  # zero or subnormal: magnitude * 2^-24, a float32 exactly
        subnormal = np.float32(magnitude) * np.float32(2.0**-24)
        single = np.int64(np.float32(subnormal).view(np.uint32))
    return np.uint32(sign | single).view(np.float32)


@register_jitable
def float_to_half_bits_by_bits(value):
    """float_to_half_bits in integer arithmetic (F. Giesen's float_to_half_fast3_rtne), NaN
    quieted with its sign and leading payload bits as vcvtps2ph does."""
    single = np.int64(np.float32(value).view(np.uint32))
    sign = (single >> 16) & 0x8000
    magnitude = single & 0x7FFFFFFF
    if magnitude >= 0x47800000:  # 2^16 and above: infinity; or NaN
        half = 0x7E00 | ((magnitude >> 13) & 0x3FF) if magnitude > 0x7F800000 else 0x7C00
    elif magnitude < 0x38800000:  # below 2^-14: a subnormal half or zero
        # adding 0.5 leaves the value's multiple of 2^-24, rounded to nearest even by the
        # float32 addition itself, in the low mantissa bits of the sum
        total = np.float32(np.uint32(magnitude).view(np.float32)) + np.float32(0.5)
        half = np.int64(np.float32(total).view(np.uint32)) - 0x3F000000
    else:  # a normal half, or 65520 and above rounding up to infinity by the carry
        odd = (magnitude >> 13) & 1
        half = (magnitude - 0x38000000 + 0xFFF + odd) >> 13
    return np.uint16(sign | half)
