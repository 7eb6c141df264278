"""Check that the current kernels give the same bits as a reference copy of elunumba
(tools/reference_kernels.py says how to make one), for every input where that is affordable:

- float32 forward, alpha = 1, alpha = 1.7 and input_scale = 0.5 (the three formulas of
  elunumba.kernels.formulas.FORMULAS), and the fused kernels' value and gradient (from the output and from the
  input) for alpha = 1: all 2^32 inputs;
- float16 forward, alpha = 1 and 1.7: all 65,536 inputs;
- float32 correctly rounded forward (the float64 expm1, rounded once), alpha = 1 and 1.7: all 2^31
  negative inputs (the only ones that reach expm1);
- float64 forward, alpha = 1 and 1.7: --float64-samples inputs (default 10^8), random bit patterns
  of negative numbers, uniform values in [-40, 0] and the special values.

Results are compared as bit patterns, NaN payloads and signs of zero included. Exit status 0 when
everything matched, 1 otherwise, 2 on a usage error.

    python tools/check_bit_identity.py --reference /tmp/ref
"""

import argparse
import os
import sys
import time

import numpy as np

import elunumba

import reference_kernels

CHUNK = 2**24
ALPHAS = (1.0, 1.7)
SAMPLES = 10**8


def compare(label, inputs, current, reference):
    """Mismatches between current(x) and reference(x) over the chunks x; prints the first."""
    checked = mismatched = 0
    for x in inputs:
        for ours, theirs in zip(current(x), reference(x)):
            bits = np.dtype(f"u{ours.itemsize}")
            differ = ours.view(bits) != theirs.view(bits)
            count = int(np.count_nonzero(differ))
            if count and not mismatched:
                first = int(np.flatnonzero(differ)[0])
                print(f"  {label}: first mismatch at x = {x[first]!r}: "
                      f"{ours[first]!r} against {theirs[first]!r}")
            mismatched += count
        checked += x.size
    print(f"{label}: {checked:,} inputs, {mismatched:,} mismatches", flush=True)
    return mismatched


def all_float32(negative_only=False):
    start = 2**31 if negative_only else 0
    for first in range(start, 2**32, CHUNK):
        yield np.arange(first, first + CHUNK, dtype=np.uint32).view(np.float32)


def float64_samples(count, seed=0):
    """Negative float64 inputs: random bit patterns, uniform values on [-40, 0], special values."""
    rng = np.random.default_rng(seed)
    special = np.array([-0.0, 0.0, -np.inf, np.inf, np.nan, -np.nan, -5e-324, -2.2250738585072014e-308,
                        -40.0, -40.000000000000007, -np.log(2) / 2, -np.log(2), -1e-300, -1.0])
    yield special
    done = 0
    while done < count:
        size = min(CHUNK, count - done)
        bits = rng.integers(2**63, 2**64, size // 2, dtype=np.uint64, endpoint=False)
        uniform = -rng.uniform(0, 40, size - size // 2)
        yield np.concatenate([bits.view(np.float64), uniform])
        done += size


def forward(alpha, correctly_rounded=False, input_scale=1.0):
    """(package, x) -> (elu(x, alpha),) through that package's public functions."""
    def run(package, x):
        kernels = package.correctly_rounded if correctly_rounded else package
        return (kernels.elu(x, alpha, input_scale=input_scale, target="parallel"),)
    return run


def fused(grad_from):
    def run(package, x):
        return package.elu_value_and_grad(x, grad_from=grad_from, target="parallel")
    return run


def checks(samples):
    """(label, inputs, run(package, x)) for every comparison listed in the module docstring."""
    half = np.arange(2**16, dtype=np.uint32).astype(np.uint16).view(np.float16)
    for alpha in ALPHAS:
        yield f"float32 forward, alpha={alpha}, all inputs", all_float32(), forward(alpha)
    yield ("float32 forward, alpha=1.0, input_scale=0.5, all inputs", all_float32(),
           forward(1.0, input_scale=0.5))
    for grad_from in ("output", "input"):
        yield (f"float32 fused (value and gradient from the {grad_from}), alpha=1.0, all inputs",
               all_float32(), fused(grad_from))
    for alpha in ALPHAS:
        yield f"float16 forward, alpha={alpha}, all inputs", [half], forward(alpha)
    for alpha in ALPHAS:
        yield (f"float32 correctly rounded forward, alpha={alpha}, all negative inputs",
               all_float32(negative_only=True), forward(alpha, correctly_rounded=True))
    for alpha in ALPHAS:
        yield (f"float64 forward, alpha={alpha}, {samples:,} samples", float64_samples(samples),
               forward(alpha))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", required=True, help="directory holding an older elunumba")
    parser.add_argument("--float64-samples", type=int, default=SAMPLES,
                        help=f"float64 inputs to compare (default {SAMPLES:.0e})")
    args = parser.parse_args()
    if args.float64_samples < 1:
        parser.error(f"--float64-samples must be at least 1, not {args.float64_samples}")
    try:
        reference = reference_kernels.load(args.reference)
    except ValueError as error:
        parser.error(str(error))

    start = time.perf_counter()
    load = os.getloadavg()[0]
    total = 0
    for label, inputs, run in checks(args.float64_samples):
        total += compare(label, inputs, lambda x: run(elunumba, x), lambda x: run(reference, x))
    print(f"{'all bit-identical' if total == 0 else f'{total:,} mismatches'} "
          f"({time.perf_counter() - start:.0f} s; load average {load:.2f} at the start)")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
