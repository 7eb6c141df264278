"""Var[f(X)] from elunumba.stats against direct numerical integration of its definition in mpmath,
over sigma from 1e-300 to 1e300 and mu/sigma from -40 to 40, for every activation the module has.

The reference never uses a closed form. With X = sigma (t + Z), Z ~ N(0, 1), every ELU is
scale * (sigma P + alpha N) with P = max(t + Z, 0) and N = expm1(delta (t + Z)) where t + Z <= 0
(else 0), delta = input_scale * sigma; LeakyReLU is sigma (P - slope M), M = max(-(t + Z), 0).
Var[P], Var[N] and Var[M] are each E[(g - E g)^2] by mpmath.quad at 60 digits, split at the kink
and where the integrand changes scale; P N = 0 and P M = 0 pointwise, so Cov[P, N] = -E[P] E[N]
and Cov[P, M] = -E[P] E[M] exactly, and each variance is a sum of terms >= 0. P and M depend on
t only and N on (t, delta) only: the grid below chooses sigma = delta/input_scale (input scales
that are powers of two, so mu, sigma and delta are exact), and each integral is done once for
the whole module.
"""

import functools
import math

import mpmath
import numpy as np
import pytest

import elunumba
from elunumba import stats

DPS = 60
EPS = np.finfo(np.float64).eps
TINY = np.finfo(np.float64).tiny
# powers of two near 1e-300, 1e-100, 1e-10, 1e-3, 1, 4, 1e3, 1e100, 1e300: exact products below
DELTAS = [2.0 ** -996, 2.0 ** -332, 2.0 ** -33, 2.0 ** -10, 1.0, 4.0, 2.0 ** 10, 2.0 ** 332,
          2.0 ** 996]
TS = [0.0, 2.0 ** -10, -(2.0 ** -10), 0.75, -0.75, 4.0, -4.0, 40.0, -40.0]
# name -> (alpha, scale, input_scale)
ELUS = {"elu": (1.0, 1.0, 1.0), "selu": (elunumba.SELU_ALPHA, elunumba.SELU_SCALE, 1.0),
        "celu": (2.0, 1.0, 0.5), "scaled": (0.7, 1.3, 0.5), "relu": (0.0, 1.0, 1.0)}
SLOPES = [0.01, 0.5, 3.0]


def _tolerance(t):
    # ELU's variance can be made of the normal's tails (ReLU or the exponential branch at
    # |t| = 40): t = mu/sigma is rounded and phi(t) = e^(-t^2/2), so one rounding in t moves it by
    # t^2 eps relative, and the log-space products that keep phi(40) from underflowing add as
    # much. 32 (1 + t^2) eps leaves room for the small constant factors the forms lose (at most
    # about 2 in each conditional variance): 7e-15 at t = 0, 3.6e-12 at |t| = 40.
    return 32 * EPS * (1 + t * t)


# LeakyReLU with slope > 0 is linear on both sides: its variance is dominated by bulk moments,
# with the tails' share (and their t^2 conditioning) negligible, so a handful of roundings in a
# sum of terms >= 0 is all that is left: 8 eps (E[f^2] - E[f]^2 lost up to 496 eps at t = -40)
LINEAR_TOLERANCE = 8 * EPS


def _relative_error(got, reference):
    """|got - reference|/|reference|; overflow must be inf; below the smallest normal float64
    the error is judged in units of it (subnormals carry fewer digits)."""
    if reference > np.finfo(np.float64).max:
        return 0.0 if got == math.inf else math.inf
    return abs(got - float(reference)) / max(float(reference), TINY)


def _weight(z):
    return mpmath.exp(-z * z / 2)


def _integrate(g, cuts):
    """E[g(Z)] = int g(z) phi(z) dz over the intervals between cuts. mpmath.quad stops when its
    error estimate falls below eps absolutely, so each interval's integrand is first divided by
    its largest size at a few points: a tail of size 1e-348 is then integrated to full relative
    precision instead of being taken as converged at once."""
    total = 0
    for low, high in zip(cuts, cuts[1:]):
        if high == mpmath.inf:
            samples = [low + step for step in (0, 0.5, 2, 8)]
        elif low == -mpmath.inf:
            samples = [high - step for step in (0, 0.5, 2, 8)]
        else:
            samples = [low + (high - low) * i / 4 for i in range(5)]
        size = max(abs(g(z) * _weight(z)) for z in samples) or mpmath.mpf(1)
        total += size * mpmath.quad(lambda z: g(z) * _weight(z) / size, [low, high],
                                    method="gauss-legendre")
    return total / mpmath.sqrt(2 * mpmath.pi)


def _cuts(t, delta=None):
    """Break points in z on one side of the kink z = -t: the normal's body (0, +-8), and near the
    kink where the integrand changes scale (the tail's 1/|t| beyond it; 1/delta, the scale of
    e^(delta (t + z)), before it). delta=None: the side above the kink."""
    kink = -t
    points = {-8.0, 0.0, 8.0}
    if delta is None:
        points |= {kink + c / max(abs(kink), 1.0) for c in (0.25, 1, 4, 16)}
        return [kink, *sorted(p for p in points if kink < p < kink + 48), mpmath.inf]
    points |= {kink - c / delta for c in (0.25, 1, 4, 16, 64, 256)}
    return [-mpmath.inf, *sorted(p for p in points if kink - 48 < p < kink), kink]


@functools.cache
def _positive_part(t):
    """(E[P], Var[P]) for P = max(t + Z, 0): Var as the centred integral above the kink plus
    P(t + Z <= 0) E[P]^2 below it (where P - E[P] = -E[P])."""
    with mpmath.workdps(DPS):
        t = mpmath.mpf(t)
        cuts = _cuts(t)
        mean = _integrate(lambda z: t + z, cuts)
        centred = _integrate(lambda z: (t + z - mean) ** 2, cuts)
        return mean, centred + mpmath.ncdf(-t) * mean * mean


@functools.cache
def _negative_part(t, delta):
    """(E[N], Var[N]) for N = expm1(delta (t + Z)) where t + Z <= 0, else 0: Var as the centred
    integral below the kink plus P(t + Z > 0) E[N]^2 above it. N - E[N] is evaluated without
    losing the digits that matter: as expm1(...) - E[N] where e^(delta (t + z)) stays near 1,
    else as e^(delta (t + z)) - A - p with A = E[e^(delta (t + Z)); t + Z <= 0] and
    p = P(t + Z > 0) (E[N] = A - (1 - p): the constant 1 cancels exactly, not in rounding;
    N(-40, 1) has Var ~ 1e-34 under E[N]^2 ~ 1)."""
    with mpmath.workdps(DPS):
        t, d = mpmath.mpf(t), mpmath.mpf(delta)
        cuts = _cuts(t, d)
        above = mpmath.ncdf(t)
        if d * (1 + abs(t)) <= 1:
            mean = _integrate(lambda z: mpmath.expm1(d * (t + z)), cuts)

            def centred(z):
                return mpmath.expm1(d * (t + z)) - mean
        else:
            grown = _integrate(lambda z: mpmath.exp(d * (t + z)), cuts)
            mean = grown - mpmath.ncdf(-t)

            def centred(z):
                return mpmath.exp(d * (t + z)) - grown - above
        return mean, _integrate(lambda z: centred(z) ** 2, cuts) + above * mean * mean


def _elu_variance(t, delta, alpha, scale, k):
    """Var[scale (sigma P + alpha N)], sigma = delta/k."""
    p_mean, p_variance = _positive_part(t)
    n_mean, n_variance = _negative_part(t, delta)
    with mpmath.workdps(DPS):
        sigma, a, c = mpmath.mpf(delta) / mpmath.mpf(k), mpmath.mpf(alpha), mpmath.mpf(scale)
        return c * c * (sigma * sigma * p_variance + a * a * n_variance
                        - 2 * a * sigma * p_mean * n_mean)


def _leaky_variance(t, sigma, slope):
    """Var[sigma (P - slope M)], M = max(-(t + Z), 0), the positive part of -(t + Z)."""
    p_mean, p_variance = _positive_part(t)
    m_mean, m_variance = _positive_part(-t)
    with mpmath.workdps(DPS):
        s, k = mpmath.mpf(sigma), mpmath.mpf(slope)
        return s * s * (p_variance + k * k * m_variance + 2 * k * p_mean * m_mean)


def _check(got, reference, where, tolerance):
    got = float(got)
    assert not math.isnan(got), where
    assert got >= 0.0, where
    assert math.isfinite(got) or reference > np.finfo(np.float64).max, where
    error = _relative_error(got, reference)
    assert error <= tolerance, (where, got, mpmath.nstr(reference, 17), error)


@pytest.mark.parametrize("name", ELUS)
def test_elu_variance_keeps_relative_accuracy_over_the_whole_range(name):
    alpha, scale, k = ELUS[name]
    for delta in DELTAS:
        sigma = delta / k
        mu = np.array(TS) * sigma
        got = stats.elu_moments(mu, sigma, alpha, scale=scale, input_scale=k).variance
        for t, value in zip(TS, got):
            _check(value, _elu_variance(t, delta, alpha, scale, k), (name, sigma, t),
                   _tolerance(t))


@pytest.mark.parametrize("slope", SLOPES)
def test_leaky_relu_variance_keeps_relative_accuracy_over_the_whole_range(slope):
    for sigma in DELTAS:
        got = stats.leaky_relu_moments(np.array(TS) * sigma, sigma, slope).variance
        for t, value in zip(TS, got):
            _check(value, _leaky_variance(t, sigma, slope), (slope, sigma, t), LINEAR_TOLERANCE)


def test_elu_far_below_zero_has_the_variance_of_its_exponential_branch():
    # E[f^2] - E[f]^2 gave 0 here: ELU(x) is about -1 + e^x, so its variance is
    # Var[e^X] = e^(2 mu + sigma^2) (e^(sigma^2) - 1) = e^-79 (e - 1) = 8.43e-35 up to the cut
    # at 0, which is 40 standard deviations away
    got = float(stats.elu_moments(-40.0, 1.0).variance)
    reference = _elu_variance(-40.0, 1.0, 1.0, 1.0, 1.0)
    assert float(reference) == pytest.approx(math.exp(-79) * math.expm1(1), rel=1e-15)
    assert _relative_error(got, reference) <= _tolerance(40.0)
