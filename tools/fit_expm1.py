"""Fit the polynomial coefficients used by elunumba/kernels/expm1.py.

expm1(r) is written r + r**2/2 + r**3 * q(r) on the interval the reduction leaves r in; q is a
Chebyshev fit (near minimax) to (expm1(r) - r - r**2/2) / r**3, computed with mpmath at 60 digits
and rounded to the working precision. Prints the coefficients (lowest degree first) and the worst
relative error of the resulting polynomial over the interval, evaluated exactly (mpmath) with the
rounded coefficients.

The three fits:
  float32         n = round(x/ln2 + 3/16), so r lies in [-(1/2 + 3/16)*ln2, (1/2 - 3/16)*ln2]
  float64         n = round(x/ln2), |r| <= ln2/2
  float32 via f64 the correctly rounded float32 functions: float64 arithmetic, degree 10, |r| <=
                  ln2/2 (a float32 x leaves |r| within 1e-6 of it)
Each interval is widened a little, since the rounding of n may leave r just outside it.

    python -m tools.fit_expm1
"""

import argparse

import mpmath as mp
import numpy as np

mp.mp.dps = 60
LN2 = mp.log(2)
F32_SHIFT = mp.mpf(3) / 16
# (name, degree of q, dtype, interval of r)
FITS = (
    ("float32", 4, np.float32,
     (-(mp.mpf(1) / 2 + F32_SHIFT) * LN2 - mp.mpf("1e-3"),
      (mp.mpf(1) / 2 - F32_SHIFT) * LN2 + mp.mpf("1e-3"))),
    ("float64", 9, np.float64, (-LN2 / 2 - mp.mpf("1e-3"), LN2 / 2 + mp.mpf("1e-3"))),
    ("float32 via float64", 7, np.float64, (-LN2 / 2 - mp.mpf("1e-6"), LN2 / 2 + mp.mpf("1e-6"))),
)


def tail(r):
    if abs(r) < mp.mpf("1e-30"):
        return mp.mpf(1) / 6
    return (mp.expm1(r) - r - r * r / 2) / r**3


def fit(tail_degree, dtype, interval):
    low, high = interval
    poly = mp.chebyfit(tail, [low, high], tail_degree + 1)
    coefficients = [dtype(float(c)) for c in reversed(poly)]
    worst = mp.mpf(0)
    for i in range(1, 4001):
        r = low + (high - low) * i / 4001
        q = sum(mp.mpf(float(c)) * r**k for k, c in enumerate(coefficients))
        worst = max(worst, abs((r + r * r / 2 + r**3 * q) / mp.expm1(r) - 1))
    return coefficients, float(mp.log(worst, 2))


if __name__ == "__main__":
    argparse.ArgumentParser(prog="python -m tools.fit_expm1",
                            description=__doc__.split("\n\n")[0]).parse_args()
    for name, degree, dtype, interval in FITS:
        coefficients, log2_error = fit(degree, dtype, interval)
        print(f"{name}: r in [{float(interval[0]):.6f}, {float(interval[1]):.6f}], "
              f"relative error 2^{log2_error:.1f}")
        for k, c in enumerate(coefficients, start=3):
            print(f"  C{k} = {float(c)!r}")
