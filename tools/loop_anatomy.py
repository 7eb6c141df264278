"""Where the float32 forward loop's cycles go: the kernel against copies of its loop with parts
of the element formula left out, on one thread, in cycles per element.

Each part is left out alone (the rounding error term of r, the clamp below at F32_LOWEST, the
copysign, ELU's select of the linear branch), then all four together: what is left is the bare
reduction, polynomial and 2^n*expm1(r) + (2^n - 1). Every loop is compiled as the kernels are
(elunumba.kernels.compiler: FMA contraction, three vectors per iteration), and the loop with nothing left out
is checked to give the kernel's bits, so the copies cannot drift from the real formula. A plain
copy loop gives the floor of loading and storing.

Times are the slope between two sizes in the caches (2^13 and 2^16 elements), so the cost of a
call cancels out; each is the median over rounds in a rotating order, in thread CPU time. Cycles
come from the clock measured as tools/fma_throughput.py does. Beside each, the vector loop's
instructions per element (tools/kernel_asm.py), its stack operands (spilled values), and the
instructions per cycle that follow. On a shared machine the cycles of one run can differ from
another's by a third (a busy sibling thread slows this one's CPU time too); the times relative to
the kernel, taken in the same rounds, hold better.

    python tools/loop_anatomy.py [--rounds 40]
"""

import argparse
import math
import os
import statistics
import time

import llvmlite.binding as llvm
import numba
import numpy as np
from numba import types
from numba.extending import register_jitable

from elunumba.kernels import expm1 as E
from elunumba.kernels import compiler, cpu

import fma_throughput
import kernel_asm

SIZES = (2**13, 2**16)
PARTS = ("r's rounding error", "clamp", "copysign", "select")


@register_jitable
def expm1_with(x, r_error_term, clamp, copysign):
    """expm1.expm1_f32 with the parts switched off by the flags (literal at compile time)."""
    if clamp:
        x = E.F32_LOWEST if x < E.F32_LOWEST else x
    shifted = x * E.F32_INV_LN2 + E.F32_ROUND
    n = shifted - E.F32_ROUND
    r_hi = x - n * E.F32_LN2_HI
    r = r_hi - n * E.F32_LN2_LO
    q = (((E.F32_C7 * r + E.F32_C6) * r + E.F32_C5) * r + E.F32_C4) * r + E.F32_C3
    tail = r * r * (E.F32_HALF + r * q)
    if r_error_term:
        tail += ((r_hi - r) - n * E.F32_LN2_LO) * (E.F32_ONE + r)
    two_n = E._power_of_two_f32(shifted)
    value = two_n * (r + tail) + (two_n - E.F32_ONE)
    return math.copysign(value, x) if copysign else value


def loop_without(left_out):
    """A forward loop (unit formula) with the PARTS in ``left_out`` left out."""
    r_error_term, clamp, copysign = (part not in left_out for part in PARTS[:3])
    if "select" in left_out:
        def loop(x, y, poscoef):
            for i in range(x.size):
                y[i] = expm1_with(x[i], r_error_term, clamp, copysign)
    else:
        def loop(x, y, poscoef):
            for i in range(x.size):
                v = x[i]
                y[i] = v * poscoef if not v < 0 else expm1_with(v, r_error_term, clamp, copysign)
    return loop


def copy_loop(x, y, poscoef):
    for i in range(x.size):
        y[i] = x[i]


def compiled(function):
    """``function`` compiled as the interleaved kernels are, without the disk cache (Numba shows
    no assembly of cached code), for float32 arrays."""
    template = compiler.kernel(function, parallel=False, interleave=True)
    kernel = type(template)(function, {}, template.targetoptions)
    array = types.Array(types.float32, 1, "C")
    kernel.compile((array, array, types.float32))
    return kernel


def contenders():
    """{label: (call(x, y), vector loop instructions)}; the first is elunumba's kernel."""
    one = np.float32(1)
    unit_kernel = cpu.KERNELS["forward", "cpu", "unit"]
    result = {"elunumba forward kernel (unit formula)":
              lambda x, y: unit_kernel(x, y, one, one, one)}
    loops = {"the same loop, copied here": loop_without(())}
    loops.update({f"without {part}": loop_without((part,)) for part in PARTS})
    loops["without all four"] = loop_without(PARTS)
    loops["copy loop"] = copy_loop
    bodies = {}
    for label, function in loops.items():
        kernel = compiled(function)
        result[label] = lambda x, y, kernel=kernel: kernel(x, y, one)
        bodies[label] = kernel_asm.vector_loop(kernel.inspect_asm(kernel.signatures[0]))
    bodies[next(iter(result))] = bodies["the same loop, copied here"]
    return result, bodies


def check_copy_matches_kernel(calls):
    """The copied loop with nothing left out gives the kernel's bits on every float32 sign and
    exponent and a spread of mantissas (the guard against the copy drifting from expm1.py)."""
    bits = np.arange(0, 2**32, 4093, dtype=np.uint64).astype(np.uint32)
    x = bits.view(np.float32)
    kernel, copy = (np.empty_like(x) for _ in range(2))
    calls["elunumba forward kernel (unit formula)"](x, kernel)
    calls["the same loop, copied here"](x, copy)
    if not np.array_equal(kernel.view(np.uint32), copy.view(np.uint32)):
        raise SystemExit("the copied loop no longer gives the kernel's bits: update "
                         "expm1_with to match elunumba/kernels/expm1.py")


def measure(calls, rounds):
    """{label: seconds per element}: the slope between SIZES, medians over rotating rounds."""
    rng = np.random.default_rng(0)
    arrays = {n: (-rng.uniform(0, 10, n).astype(np.float32), np.empty(n, np.float32))
              for n in SIZES}
    samples = {(label, n): [] for label in calls for n in SIZES}
    labels = list(calls)
    for r in range(rounds):
        for label in labels[r % len(labels):] + labels[:r % len(labels)]:
            for n, (x, y) in arrays.items():
                repeats = SIZES[-1] * 2 // n
                start = time.thread_time_ns()
                for _ in range(repeats):
                    calls[label](x, y)
                samples[label, n].append((time.thread_time_ns() - start) * 1e-9 / repeats)
    small, large = SIZES
    return {label: (statistics.median(samples[label, large])
                    - statistics.median(samples[label, small])) / (large - small)
            for label in labels}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=40, help="rounds (default 40)")
    args = parser.parse_args()
    if args.rounds < 5:
        parser.error("--rounds must be at least 5")
    calls, bodies = contenders()
    check_copy_matches_kernel(calls)
    clock = fma_throughput.measure()[0]
    per_element = measure(calls, args.rounds)
    clock_after = fma_throughput.measure()[0]
    cpu_name = numba.config.CPU_NAME or llvm.get_host_cpu_name()
    print(f"LLVM cpu {cpu_name}, float32, one thread, {args.rounds} rounds, "
          f"clock {clock / 1e9:.2f} GHz before and {clock_after / 1e9:.2f} after; load average "
          f"{os.getloadavg()[0]:.2f}\n")
    print("| loop | cycles per element | time, kernel = 1 | instructions per element "
          "| stack operands per element | instructions per cycle |")
    print("|---|---|---|---|---|---|")
    kernel_seconds = next(iter(per_element.values()))
    for label, seconds in per_element.items():
        body = bodies[label]
        lanes = kernel_asm.elements_per_iteration(body, 32, 1)
        cycles = seconds * (clock + clock_after) / 2
        instructions = len(body) / lanes
        spills = sum("(%rsp)" in text for text in body) / lanes
        print(f"| {label} | {cycles:.2f} | {seconds / kernel_seconds:.2f} "
              f"| {instructions:.2f} | {spills:.2f} "
              f"| {instructions / cycles:.1f} |")


if __name__ == "__main__":
    main()
