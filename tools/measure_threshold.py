"""Where does the parallel target start beating the one-thread target? (target="auto" threshold)

Times elunumba.elu(x, out=y) on float32 inputs for target "cpu" and "parallel" over sizes 2^10 to
2^20 (medians of many repeats after warm-up, both measured side by side) and prints the ratio and
the smallest size from which "parallel" is faster at every larger size measured.

    python -m tools.measure_threshold
"""

import argparse
import time

import numpy as np

import elunumba


def median_seconds(function, repeats):
    function()
    samples = []
    for _ in range(repeats):
        began = time.perf_counter()
        function()
        samples.append(time.perf_counter() - began)
    return float(np.median(samples))


def main():
    rng = np.random.default_rng(0)
    ratios = {}
    for exponent in range(10, 21):
        x = rng.standard_normal(2**exponent).astype(np.float32)
        y = np.empty_like(x)
        repeats = max(20, 2**22 // x.size)
        one = median_seconds(lambda: elunumba.elu(x, out=y, target="cpu"), repeats)
        many = median_seconds(lambda: elunumba.elu(x, out=y, target="parallel"), repeats)
        ratios[exponent] = one / many
        print(f"2^{exponent:<2d} cpu {one * 1e6:9.1f} us  parallel {many * 1e6:9.1f} us  "
              f"parallel speedup {one / many:5.2f}")
    wins = [e for e in ratios if all(ratios[f] > 1 for f in ratios if f >= e)]
    print(f"parallel wins from 2^{wins[0]} on" if wins else "parallel never wins")


if __name__ == "__main__":
    argparse.ArgumentParser(prog="python -m tools.measure_threshold",
                            description=__doc__.split("\n\n")[0]).parse_args()
    main()
