"""The cost of a repeat call on a small NumPy array: elunumba.elu against np.expm1.

Times ``elunumba.elu(x)`` and ``np.expm1(x)`` on the same 1,000 float32 elements side by side,
alternating, and prints the median of the paired ratios (a ratio in one run, so that the load
of the machine cancels). Run it in two checkouts to compare them:

    python -m tools.small_call_ratio [--rounds 41] [--calls 2000]
"""

import argparse
import statistics
import time

import numpy as np

import elunumba


def per_call(function, x, calls):
    start = time.perf_counter()
    for _ in range(calls):
        function(x)
    return (time.perf_counter() - start) / calls


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=41)
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    x = np.linspace(-4, 4, 1000, dtype=np.float32)
    elunumba.elu(x)  # compile (or load) and make the repeat-call plan
    ratios, elu_times = [], []
    for _ in range(args.rounds):
        elu_time = per_call(elunumba.elu, x, args.calls)
        expm1_time = per_call(np.expm1, x, args.calls)
        ratios.append(elu_time / expm1_time)
        elu_times.append(elu_time)
    print(f"elu / np.expm1 on 1,000 float32: median of {args.rounds} paired ratios "
          f"{statistics.median(ratios):.3f} (quartiles {statistics.quantiles(ratios, n=4)[0]:.3f}"
          f"-{statistics.quantiles(ratios, n=4)[2]:.3f}); "
          f"elu {statistics.median(elu_times) * 1e6:.2f} us")


if __name__ == "__main__":
    main()
