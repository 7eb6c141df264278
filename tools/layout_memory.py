"""Peak memory and time of ``elunumba.elu(x)`` on one array in several memory layouts, against
the contiguous layout and against ``torch.nn.functional.elu`` on the same layout, in one process.

    python -m tools.layout_memory > bench_results/benchmarks/layouts-<cpu>-<isa>.md

Peak memory is what tracemalloc sees allocated during one call (NumPy reports its buffers to it;
torch's allocator does not, so torch is timed only), the result included; time is the median of
repeats after a warm-up, each layout timed beside the contiguous call in alternating order, so
the ratio is paired.
"""

import argparse
import os
import statistics
import sys
import time


import numpy as np

import elunumba
from elunumba.lab.machine import one_line as machine_line
from elunumba.lab.memory import peak_traced_bytes


def layouts(x):
    """NCHW ``x`` in the layouts users meet: (name, array equal to x)."""
    return [
        ("contiguous (NCHW)", x),
        ("channels last", np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)),
        ("transposed", np.ascontiguousarray(x.T).T),
        ("every other W (a view of 2x the data)", np.repeat(x, 2, axis=3)[..., ::2]),
    ]


def paired_times(call, baseline, repeats):
    ours, base = [], []
    for i in range(repeats):
        for name, function in (("a", call), ("b", baseline))[:: 1 if i % 2 else -1]:
            start = time.perf_counter()
            function()
            (ours if name == "a" else base).append(time.perf_counter() - start)
    return statistics.median(ours), statistics.median(a / b for a, b in zip(ours, base))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mib", type=int, default=64, help="array size in MiB (float32)")
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args(argv)
    if not 1 <= args.mib <= 4096 or not 3 <= args.repeats <= 1000:
        parser.error("--mib takes 1..4096 and --repeats 3..1000")
    n = args.mib * 2**20 // 4
    shape = (n // (64 * 64 * 64), 64, 64, 64)
    x = np.random.default_rng(0).standard_normal(shape, dtype=np.float32)
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        torch = None
    load_before = os.getloadavg()[0]
    contiguous = x
    rows = []
    for name, array in layouts(x):
        elunumba.elu(array)  # compiled before measuring
        peak = peak_traced_bytes(lambda a=array: elunumba.elu(a))
        median, ratio = paired_times(lambda a=array: elunumba.elu(a),
                                     lambda: elunumba.elu(contiguous), args.repeats)
        row = [name, f"{peak / 2**20:.0f} MiB", f"{median * 1e3:.1f} ms", f"{ratio:.2f}x"]
        if torch is not None:
            tensor = torch.from_numpy(array)  # the same memory, strides and all
            F.elu(tensor)
            torch_median, torch_ratio = paired_times(lambda a=array: elunumba.elu(a),
                                                     lambda t=tensor: F.elu(t), args.repeats)
            row += [f"{torch_median / torch_ratio * 1e3:.1f} ms",
                    f"{torch_ratio:.2f}x"]
        rows.append(row)
    headers = ["layout", "elunumba peak", "elunumba median", "time / contiguous"]
    if torch is not None:
        headers += ["torch median", "elunumba time / torch"]
    print(f"# elu(x) on {args.mib} MiB of float32 in several layouts\n")
    print(f"`python -m tools.layout_memory {' '.join(sys.argv[1:])}` on {machine_line()}, "
          f"{elunumba.threading_layer()} threading layer, load average {load_before:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after; peak = tracemalloc's peak during one call (the "
          f"result is {x.nbytes / 2**20:.0f} MiB); medians of {args.repeats} paired calls.\n")
    print("| " + " | ".join(headers) + " |")
    print("|" + "---|" * len(headers))
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
