"""Fit the polynomial coefficients used by elunumba/kernels/expm1.py.

expm1(r) on |r| <= ln2/2 is written r + r**2/2 + r**3 * q(r); q is a Chebyshev fit (near minimax)
to (expm1(r) - r - r**2/2) / r**3, computed with mpmath at 60 digits and rounded to the working
precision. Prints the coefficients (lowest degree first) and the worst relative error of the
resulting polynomial over the interval, evaluated exactly (mpmath) with the rounded coefficients.

    python tools/fit_expm1.py
"""

import mpmath as mp
import numpy as np

mp.mp.dps = 60
# A little beyond ln2/2: the rounding of n = round(x/ln2) may leave |r| just above it.
HALF_WIDTH = mp.log(2) / 2 + mp.mpf("1e-3")


def tail(r):
    if abs(r) < mp.mpf("1e-30"):
        return mp.mpf(1) / 6
    return (mp.expm1(r) - r - r * r / 2) / r**3


def fit(tail_degree, dtype):
    poly = mp.chebyfit(tail, [-HALF_WIDTH, HALF_WIDTH], tail_degree + 1)
    coefficients = [dtype(float(c)) for c in reversed(poly)]
    worst = mp.mpf(0)
    for i in range(1, 4001):
        r = -HALF_WIDTH + 2 * HALF_WIDTH * i / 4001
        q = sum(mp.mpf(float(c)) * r**k for k, c in enumerate(coefficients))
        worst = max(worst, abs((r + r * r / 2 + r**3 * q) / mp.expm1(r) - 1))
    return coefficients, float(mp.log(worst, 2))


if __name__ == "__main__":
    for name, degree, dtype in (("float32", 4, np.float32), ("float64", 9, np.float64)):
        coefficients, log2_error = fit(degree, dtype)
        print(f"{name}: relative error 2^{log2_error:.1f}")
        for k, c in enumerate(coefficients, start=3):
            print(f"  C{k} = {float(c)!r}")
