"""Throughput of the current kernels against a reference copy of elunumba and a copy of the same
bytes, side by side in one process (tools/reference_kernels.py says how to make the reference).

Each round times every contender once, in a rotating order, each sample long enough (several calls
back to back) to dwarf timer noise; ratios are taken within a round (paired), and the report gives
their medians, so a machine whose speed drifts, or that other work shares, affects both sides of
each ratio alike. The copy is the fastest of elunumba.lab.bench's host copies in that round. With
--target cpu (one thread) the samples are the thread's CPU time, not wall time, so that time spent
descheduled on a shared machine is left out, and the copy is np.copyto (one thread too).

    python tools/ab_kernels.py --reference /tmp/ref > bench_results/ab-kernels-<cpu>-<isa>.md
"""

import argparse
import os
import statistics
import time

import llvmlite.binding as llvm
import numba
import numpy as np

import elunumba
from elunumba.lab.bench.copy import host_copiers
from elunumba.lab.machine import one_line as machine_line

import reference_kernels

MIN_SAMPLE_S = 0.02


def cases(package, size, target):
    """{label: (call, bytes moved)} for one package, on fresh arrays of ``size`` elements."""
    rng = np.random.default_rng(0)
    result = {}
    for dtype in (np.float32, np.float64):
        x = rng.uniform(-8, 8, size).astype(dtype)
        y, dydx = np.empty_like(x), np.empty_like(x)
        grad = np.ones_like(x)
        item = x.itemsize
        name = np.dtype(dtype).name
        result[f"{name} forward"] = (
            lambda x=x, y=y: package.elu(x, out=y, target=target), 2 * item)
        result[f"{name} forward alpha=1.7"] = (
            lambda x=x, y=y: package.elu(x, 1.7, out=y, target=target), 2 * item)
        if dtype == np.float32:
            result[f"{name} backward"] = (
                lambda g=grad, y=y, d=dydx: package.elu_backward(g, y, out=d, target=target),
                3 * item)
            result[f"{name} fused"] = (
                lambda x=x, y=y, d=dydx: package.elu_value_and_grad(x, out=(y, d), target=target),
                3 * item)
            result[f"{name} forward, correctly rounded"] = (
                lambda x=x, y=y: package.correctly_rounded.elu(x, out=y, target=target), 2 * item)
    return result


def sample(call, inner, clock):
    start = clock()
    for _ in range(inner):
        call()
    return (clock() - start) / inner


def inner_for(call, clock):
    call()
    once = sample(call, 1, clock)
    return max(1, int(MIN_SAMPLE_S / max(once, 1e-9)))


def measure(new, old, copies, rounds, clock):
    """Per-round times of new, old and the best copy; rotating order within rounds."""
    contenders = {"new": new, "old": old, **{f"copy {k}": v for k, v in copies.items()}}
    inners = {k: inner_for(v, clock) for k, v in contenders.items()}
    names = list(contenders)
    times = []
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        t = {k: sample(contenders[k], inners[k], clock) for k in order}
        times.append((t["new"], t["old"], min(v for k, v in t.items() if k.startswith("copy"))))
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", required=True, help="directory holding an older elunumba")
    parser.add_argument("--size", type=int, default=2**24, help="elements (default 2^24)")
    parser.add_argument("--target", default="parallel", choices=("cpu", "parallel"))
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--only", default="", help="measure only cases whose label contains this")
    args = parser.parse_args()
    if args.size < 1 or args.rounds < 1:
        parser.error("--size and --rounds must be at least 1")
    try:
        reference = reference_kernels.load(args.reference)
    except ValueError as error:
        parser.error(str(error))

    one_thread = args.target == "cpu"
    clock = time.thread_time if one_thread else time.perf_counter
    load_before = os.getloadavg()
    new_cases = cases(elunumba, args.size, args.target)
    old_cases = cases(reference, args.size, args.target)
    rows = []
    for label, (new, moved) in new_cases.items():
        if args.only not in label:
            continue
        copies = host_copiers(moved * args.size)
        if one_thread:
            copies = {"np.copyto": copies["np.copyto"]}
        times = measure(new, old_cases[label][0], copies, args.rounds, clock)
        speedup = statistics.median(o / n for n, o, _ in times)
        of_copy = statistics.median(c / n for n, _, c in times)
        old_of_copy = statistics.median(c / o for _, o, c in times)
        gelem = args.size / statistics.median(n for n, _, _ in times) / 1e9
        rows.append(f"| {label} | {speedup:.2f}x | {of_copy:.0%} | {old_of_copy:.0%} "
                    f"| {gelem:.2f} |")
    load_after = os.getloadavg()

    print(f"# Current kernels against {args.reference} and a copy of the same bytes\n")
    print(f"CPU: {machine_line()} (LLVM host CPU {llvm.get_host_cpu_name()}), "
          f"{os.cpu_count()} logical cores, {numba.get_num_threads()} Numba threads, "
          f"numba {numba.__version__}")
    print(f"{args.size} elements, target {args.target}, {args.rounds} paired rounds, "
          f"{'thread CPU time' if one_thread else 'wall time'}; "
          f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after\n")
    print("| case | speedup, new/old (median of paired ratios) | new, fraction of copy "
          "| old, fraction of copy | new, Gelem/s (median) |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
