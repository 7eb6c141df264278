"""Closed-form statistics of ELU, SELU, CELU, ReLU and LeakyReLU under a normal input.

For X ~ N(mu, sigma^2) every quantity here is a finite sum of normal pdf/cdf terms (no numerical
integration), vectorized over arrays of ``mu`` and ``sigma`` (they broadcast). With t = mu/sigma:

* E[X 1{X>0}]        = mu Phi(t) + sigma phi(t)
* E[X^2 1{X>0}]      = (mu^2 + sigma^2) Phi(t) + mu sigma phi(t)
* E[e^(kX) 1{X<=0}]  = e^(k mu + k^2 sigma^2 / 2) Phi(-t - k sigma)

Written like that they cancel: for small sigma E[ELU] ~ sigma^2 is the difference of parts
~ sigma and ~ 1/2 (N(0, 1e-10^2) gave a negative mean), tail moments are differences of nearly
equal terms for t << 0, and the exponential overflows where Phi underflows. So each is evaluated
in a form without that cancellation: tail moments as phi(t) times ratios of Mills' kind (a
continued fraction, the scaled complementary error function's role), in log space where phi(t)
underflows; the negative side's e^(kX) - 1 as a power series in k sigma while that is small;
the mean in whichever of three equal sums has the smallest terms, with 1 - alpha*k exact. The
variance is not E[f^2] - E[f]^2 (whose error is relative to E[f^2]: 0 for ELU at N(-40, 1),
where it is 8.4e-35) but the law of total variance over the two sides of 0,
p Var[f | X>0] + q Var[f | X<=0] + p q (E[f | X>0] - E[f | X<=0])^2, three terms >= 0 each in
a centred form, so it needs no clamp. tests/faces/test_stats.py bounds every relative error by
32 eps (1 + t^2) against an mpmath evaluation over sigma = 1e-300..1e300 and |t| <= 40, and
tests/faces/test_stats_variance.py the variance's against mpmath quadrature of its definition.

ELU in PyTorch's parameterisation, ``scale*x`` for x > 0 else ``scale*alpha*expm1(input_scale*x)``,
covers SELU (alpha, scale = SELU_ALPHA, SELU_SCALE), CELU (input_scale = 1/alpha) and ReLU
(alpha = 0). LeakyReLU(slope) is ``x`` for x > 0 else ``slope*x``.

Only NumPy and the standard library are used, so ``import elunumba.stats`` stays light.
"""

import math
from typing import NamedTuple

import numpy as np

from .api import SELU_ALPHA, SELU_SCALE

__all__ = ["Moments", "elu_moments", "selu_moments", "celu_moments", "relu_moments",
           "leaky_relu_moments", "zero_mean_alpha", "init_gain", "selu_fixed_point", "compare"]

_SQRT2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_HALF_PI = math.sqrt(0.5 * math.pi)
# |mu|/sigma beyond this is clamped: phi(t) and the far tail are exactly 0 in float64 long before,
# and every product sigma*t below is written with mu itself, so the clamp changes no result
_T_LIMIT = 1e100
# the continued fraction (backward recurrence) for the upper-tail moments is used from c = 1 on;
# below it the forward recurrence loses at most a factor 3 (1 - c R(c) >= 0.34)
_CF_FROM, _CF_TERMS = 1.0, 480
# the negative side's expectations of e^(kX) - 1 and its powers are power series in
# delta = k sigma while delta times the spread of |X|/sigma on X <= 0 stays below this: the terms
# then fall at least geometrically by this ratio, and the closed-form differences (which cancel
# as delta -> 0) are used only where they lose at most a small constant factor
_SERIES_BELOW = 0.5
_SERIES_TERMS = 60
_erfc = np.frompyfunc(math.erfc, 1, 1)



class Moments(NamedTuple):
    """E[f(X)], E[f(X)^2], Var[f(X)] and E[f'(X)] for X ~ N(mu, sigma^2), as float64 arrays.

    What ``elu_moments`` and the other ``*_moments`` functions return, in the broadcast shape
    of their ``mu`` and ``sigma`` (0-d for scalars).

    Parameters
    ----------
    mean : ndarray
        E[f(X)].
    second_moment : ndarray
        E[f(X)^2].
    variance : ndarray
        Var[f(X)] = E[(f(X) - E[f(X)])^2] >= 0, to its own relative precision (not formed as
        E[f(X)^2] - E[f(X)]^2, which loses it where the mean dwarfs the spread).
    mean_grad : ndarray
        E[f'(X)], the mean slope.

    Examples
    --------
    >>> from elunumba import stats
    >>> moments = stats.relu_moments(0.0, 1.0)
    >>> print(round(float(moments.second_moment), 6), moments._fields)
    0.5 ('mean', 'second_moment', 'variance', 'mean_grad')
    """

    mean: np.ndarray
    second_moment: np.ndarray
    variance: np.ndarray
    mean_grad: np.ndarray


def check_normal(mu, sigma):
    """``mu`` and ``sigma`` as broadcast float64 arrays, or ValueError naming what is wrong."""
    try:
        mu = np.asarray(mu, dtype=np.float64)
        sigma = np.asarray(sigma, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"mu and sigma must be real numbers or arrays of them, got {mu!r} and "
                         f"{sigma!r}") from None
    if not np.all(np.isfinite(mu)):
        raise ValueError(f"mu must be finite, got {mu}")
    if not np.all(np.isfinite(sigma)) or not np.all(sigma > 0):
        raise ValueError(f"sigma must be finite and > 0, got {sigma}")
    try:
        return np.broadcast_arrays(mu, sigma)
    except ValueError:
        raise ValueError(f"mu (shape {mu.shape}) and sigma (shape {sigma.shape}) do not "
                         "broadcast together") from None


def _check_parameter(name, value, lowest, strict):
    value = float(value) if isinstance(value, (int, float, np.integer, np.floating)) \
        and not isinstance(value, bool) else math.nan
    if not math.isfinite(value) or value < lowest or (strict and value == lowest):
        relation = ">" if strict else ">="
        raise ValueError(f"{name} must be a finite number {relation} {lowest:g}, got {value!r}")
    return value


def normal_cdf(z):
    """Phi(z), the standard normal cdf, to full float64 relative precision for every z."""
    z = np.asarray(z, dtype=np.float64)
    return 0.5 * np.asarray(_erfc(-z / _SQRT2), dtype=np.float64)


def normal_pdf(z):
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(over="ignore"):
        return _INV_SQRT_2PI * np.exp(-0.5 * z * z)


def _upper_moments(c, count):
    """[I_n(c)/n! for n = 0..count], I_n(c) = int_0^inf u^n e^(-cu - u^2/2) du, for c >= 0.

    phi(c) I_n(c) = E[(Z - c)^n 1{Z > c}], so these are the normal tail's moments with the tail's
    vanishing factor phi(c) taken out (I_0 is Mills' ratio, erfcx scaled): they keep full relative
    precision where phi(c) underflows. I_(n+1) = n I_(n-1) - c I_n loses digits forwards for large
    c, so from c = 1 on the ratios r_n = I_n/(n I_(n-1)) = 1/(c + (n+1) r_(n+1)) come from the
    backward recurrence (the continued fraction) and I_n = n! I_0 r_1...r_n; below it the forward
    recurrence starts from I_0 = e^(c^2/2) erfc(c/sqrt2) sqrt(pi/2).
    """
    c = np.asarray(c, np.float64)
    small = c < _CF_FROM
    near = np.where(small, c, 0.0)
    forward = [np.exp(0.5 * near * near) * np.asarray(_erfc(near / _SQRT2), np.float64)
               * _SQRT_HALF_PI]
    forward.append(1.0 - near * forward[0])
    for n in range(1, count):
        forward.append((forward[n - 1] - near * forward[n]) / (n + 1))
    far = np.where(small, _CF_FROM, c)
    ratio, ratios = np.zeros_like(far), {}
    for n in range(_CF_TERMS, 0, -1):
        ratio = 1.0 / (far + (n + 1) * ratio)
        if n <= count:
            ratios[n] = ratio
    backward = [1.0 / (far + ratio)]
    for n in range(1, count + 1):
        backward.append(backward[-1] * ratios[n])
    return [np.where(small, f, b) for f, b in zip(forward[:count + 1], backward)]


def _mills(c):
    return _upper_moments(c, 0)[0]


def _times_pdf(t, *factors):
    """phi(t) * factors (all >= 0) without the underflow of phi(t) where the product is
    representable (sigma^2 phi(40) at sigma = 1e300): in log space where phi(t) is not normal."""
    t = np.asarray(t, np.float64)
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        direct = normal_pdf(t)
        for factor in factors:
            direct = direct * factor
        logs = -0.5 * t * t + math.log(_INV_SQRT_2PI)
        for factor in factors:
            logs = logs + np.log(factor)
        far = np.exp(logs)
    faint = normal_pdf(t) < np.finfo(np.float64).tiny
    return np.where(faint & ~np.isnan(far), far, direct)


def _lower_tail(c):
    """Phi(-c) for c >= 0."""
    return np.where(c < _CF_FROM, normal_cdf(-c), normal_pdf(c) * _mills(c))


class _Normal(NamedTuple):
    """X ~ N(mu, sigma^2) split at 0: t = mu/sigma (clamped), P(X > 0), P(X <= 0),
    E[X 1{X>0}], E[X^2 1{X>0}] and E[-X 1{X<=0}], each evaluated where it has no cancellation."""

    mu: np.ndarray
    sigma: np.ndarray
    t: np.ndarray
    above: np.ndarray
    below: np.ndarray
    first_above: np.ndarray
    second_above: np.ndarray
    first_below: np.ndarray


def _split(mu, sigma):
    with np.errstate(over="ignore", under="ignore"):
        t = np.clip(mu / sigma, -_T_LIMIT, _T_LIMIT)
    a = np.abs(t)
    tail = _lower_tail(a)
    density = normal_pdf(a)
    positive = t >= 0
    above = np.where(positive, 1.0 - tail, tail)
    below = np.where(positive, tail, 1.0 - tail)
    # t >= 0: E[X 1{X>0}] = mu Phi(t) + sigma phi(t), a sum of positive terms; t < 0 it is the
    # tail moment sigma phi(t) I_1(|t|) (mu Phi(t) + sigma phi(t) would cancel)
    moments = _upper_moments(a, 2)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        tail_first = _times_pdf(a, sigma, moments[1])
        tail_second = _times_pdf(a, sigma, sigma, 2.0 * moments[2])
        bulk_first = mu * above + sigma * density
        bulk_second = mu * bulk_first + sigma * sigma * above
        first_above = np.where(positive, bulk_first, tail_first)
        second_above = np.where(positive, bulk_second, tail_second)
        # E[-X 1{X<=0}] mirrors E[X 1{X>0}] with mu -> -mu
        first_below = np.where(positive, tail_first, -mu * below + sigma * density)
    return _Normal(mu, sigma, t, above, below, first_above, second_above, first_below)


def _exp_moment_below_zero(k, normal):
    """E[e^(kX) 1{X<=0}] = e^(k mu + k^2 sigma^2/2) Phi(-t - k sigma), without the overflow of the
    exponential or the underflow of Phi: with c = t + k sigma >= 0 it equals phi(t) R(c) (R the
    Mills ratio), otherwise the exponent k mu + (k sigma)^2/2 is negative and Phi(-c) >= 1/2."""
    delta = k * normal.sigma
    with np.errstate(over="ignore", under="ignore"):
        shifted = normal.t + delta
        up = shifted >= 0
        mills = _mills(np.where(up, shifted, 0.0))
        from_mills = _times_pdf(normal.t, mills)
        exponent = np.where(up, 0.0, k * normal.mu + 0.5 * delta * delta)
        from_exp = np.exp(exponent) * (1.0 - _lower_tail(np.where(up, 0.0, -shifted)))
    return np.where(up, from_mills, from_exp)


class _NegativeSide(NamedTuple):
    """E[(1 - e^(kX)) 1{X<=0}], E[(e^(kX) - 1 - kX) 1{X<=0}], E[(1 - e^(kX))^2 1{X<=0}] and
    E[e^(kX) 1{X<=0}], all >= 0."""

    pull: np.ndarray
    curvature: np.ndarray
    square: np.ndarray
    exp_k: np.ndarray


def _tail_terms(delta, upper):
    """delta^n I_n/n! for n = 0.._SERIES_TERMS (upper: _upper_moments' list). delta^n alone
    overflows only where delta > 1e5 and so t > 2e5: there the term is below 2^-n of the first
    relative to it, nothing at the n where that happens."""
    terms, power = [], np.ones_like(delta)
    for n in range(_SERIES_TERMS + 1):
        terms.append(np.where(np.isfinite(power), power * upper[n], 0.0))
        power = power * delta
    return terms


def _alternating_sums(terms):
    """From S_n: sum (-1)^(n+1) S_n (E[1 - e^(-delta u)]-like) and sum (-1)^n (2^n - 2) S_n
    (E[(1 - e^(-delta u))^2]-like), smallest terms first."""
    first = sum((-1.0) ** (n + 1) * terms[n] for n in range(_SERIES_TERMS, 0, -1))
    second = sum((-1.0) ** n * (2.0 ** n - 2.0) * terms[n] for n in range(_SERIES_TERMS, 1, -1))
    return first, second


def _negative_side(k, normal):
    """With X = -sigma u on X <= 0, E[g(X) 1{X<=0}] = int_0^inf g(-sigma u) phi(t + u) du, and
    e^(kX) - 1 = e^(-delta u) - 1 (delta = k sigma) expands in S_n = delta^n E[u^n 1{X<=0}]/n!:
    pull = S_1 - S_2 + ..., curvature = S_2 - S_3 + ..., square = sum (-1)^n (2^n - 2) S_n.
    The closed forms q - E[e^(kX)..] cancel to nothing as delta -> 0 (small sigma: the reported
    E[ELU] < 0 at N(0, 1e-20)); the series is used while delta times the spread of u is below
    _SERIES_BELOW, the closed forms beyond, where they lose at most a small factor."""
    t, sigma, mu = normal.t, normal.sigma, normal.mu
    with np.errstate(over="ignore"):
        delta = k * sigma
    exp_k = _exp_moment_below_zero(k, normal)
    exp_2k = _exp_moment_below_zero(2.0 * k, normal)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        pull = normal.below - exp_k
        curvature = k * normal.first_below - pull
        square = normal.below - 2.0 * exp_k + exp_2k
        positive = t >= 0
        spread = np.where(positive, 1.0 / np.maximum(t, 1.0), 1.0 + np.abs(t))
        series = np.where(positive, delta * spread, delta + k * np.abs(mu)) <= _SERIES_BELOW
        if np.any(series):
            # t >= 0: S_n = phi(t) delta^n I_n(t)/n!; t < 0: the forward recurrence
            # S_(n+1) = (delta^2 S_(n-1) + k|mu| S_n)/(n+1) adds positive terms
            small_delta = np.where(series, delta, 0.0)
            upper = _upper_moments(np.where(positive, t, 0.0), _SERIES_TERMS)
            density = normal_pdf(t)
            drift = np.where(positive, 0.0, k * np.abs(mu))
            low = [normal.below, small_delta * density + drift * normal.below]
            for n in range(2, _SERIES_TERMS + 1):
                low.append((small_delta * small_delta * low[n - 2] + drift * low[n - 1]) / n)
            terms = [np.where(positive, density * scaled, below)
                     for scaled, below in zip(_tail_terms(small_delta, upper), low)]
            series_pull, series_square = _alternating_sums(terms)
            series_curvature = sum((-1.0) ** n * terms[n] for n in range(_SERIES_TERMS, 1, -1))
            pull = np.where(series, series_pull, pull)
            curvature = np.where(series, series_curvature, curvature)
            square = np.where(series, series_square, square)
    return _NegativeSide(np.maximum(pull, 0.0), np.maximum(curvature, 0.0),
                         np.maximum(square, 0.0), exp_k)


def _one_minus_product(a, b):
    """1 - a*b with the product's rounding error put back (Dekker's exact product), so that CELU
    (input_scale = 1/alpha rounded) and ELU(alpha=1) see the exact 1 - alpha*k."""
    product = a * b
    split = 134217729.0  # 2^27 + 1

    def halves(x):
        high = x * split
        high = high - (high - x)
        return high, x - high
    a_high, a_low = halves(a)
    b_high, b_low = halves(b)
    error = ((a_high * b_high - product) + a_high * b_low + a_low * b_high) + a_low * b_low
    return (1.0 - product) - error


def _times(factor, value):
    """factor * value, 0 where either is 0 (ReLU's alpha = 0 times an overflowed part is 0)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where((factor == 0) | (value == 0), 0.0, factor * value)


def _sum_of(*terms):
    """The sum and the sum of magnitudes (the size its rounding error is relative to)."""
    return sum(terms), sum(np.abs(term) for term in terms)


def _elu_mean(alpha, k, normal, negative):
    """E[ELU] without cancellation where it can be avoided. Directly it is
    E[X 1{X>0}] - alpha E[(1 - e^(kX)) 1{X<=0}], two positive parts that cancel when alpha k ~ 1
    and sigma is small (E ~ sigma^2 from parts ~ sigma). With e^(kX) - 1 = kX + (e^(kX) - 1 - kX)
    it is also mu + (1 - alpha k) E[-X 1{X<=0}] + alpha E[e^(kX) - 1 - kX; X<=0]
    = (1 - alpha k) E[X 1{X>0}] + alpha k mu + alpha E[...], whose terms are small exactly
    there. Each form's rounding error is relative to the sum of its terms' magnitudes: the form
    with the smallest such sum is taken."""
    omega = _one_minus_product(alpha, k)
    mu = normal.mu
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        curvature = _times(alpha, negative.curvature)
        forms = [_sum_of(normal.first_above, -_times(alpha, negative.pull)),
                 _sum_of(mu, _times(omega, normal.first_below), curvature),
                 _sum_of(_times(omega, normal.first_above), _times(alpha * k, mu), curvature)]
    sizes = np.stack([np.where(np.isnan(size), np.inf, size) for _, size in forms])
    best = np.argmin(sizes, axis=0)
    return np.choose(best, [value for value, _ in forms])


def _second_difference_of_log_mills(t, delta):
    """D = log R(t) - 2 log R(t + delta) + log R(t + 2 delta), R(x) = Q(x)/phi(x) Mills' ratio
    (Q the upper tail), for delta > 0: log(M(2 delta)/M(delta)^2) for M(s) = E[e^(-s W)], W the
    normal N(-t, 1) cut to W >= 0 (M(s) = R(t + s)/R(t)). For x < 0, log R(x) = x^2/2 +
    log(sqrt(2 pi) Phi(-x)) grows like x^2/2: that part's second difference is taken exactly (it
    is delta^2 where all three points are negative, where it and the rest cancel to nothing
    otherwise), the rest, G(x) = log R(x) - min(x, 0)^2/2, is O(1 + log(1 + |x|))."""
    x = [t, t + delta, t + 2.0 * delta]
    # with x_1 = -m <= 0 < x_2: (x_0^2 - 2 x_1^2)/2 = (delta^2 + m (2 delta - m))/2, terms >= 0
    m = -x[1]
    straddle = 0.5 * (delta * delta + m * (2.0 * delta - m))
    quadratic = np.where(x[2] <= 0, delta * delta,
                         np.where(x[1] <= 0, straddle, np.where(x[0] < 0, 0.5 * t * t, 0.0)))
    below = [np.log1p(-_lower_tail(np.abs(point))) for point in x]
    # G(x) = log(sqrt(2 pi)) + below for x < 0: the constant cancels where all three are negative
    rest = [np.where(point < 0, math.log(math.sqrt(2.0 * math.pi)) + low,
                     np.log(_mills(np.maximum(point, 0.0)))) for point, low in zip(x, below)]
    all_negative = below[0] - 2.0 * below[1] + below[2]
    mixed = rest[0] - 2.0 * rest[1] + rest[2]
    return quadratic + np.where(x[2] <= 0, all_negative, mixed)


class _Branch(NamedTuple):
    """One side of zero for the law of total variance: its probability times the variance of the
    activation's branch given that side (spread), and the branch's distance from 0 given that
    side (offset: the positive side's E[X | X > 0], the negative side's -E[f | X <= 0] >= 0)."""

    spread: np.ndarray
    offset: np.ndarray


def _above_branch(normal):
    """X itself on X > 0. With X = mu + sigma Z, c = -t: Var[X | X > 0] = sigma^2 Var[Z | Z > c].
    For t >= 0 (the bulk) that is 1 - lambda (t + lambda), lambda = phi(t)/Phi(t) <= 0.8, within
    [1 - 2/pi, 1]: no term much larger than the result. For t < 0 it is a tail, P(X > 0) =
    phi(t) I_0(|t|) and the variance (I_0 I_2 - I_1^2)/I_0^2 (I_n the tail integrals of
    _upper_moments), where I_0 I_2 is between pi/2 and 2 times I_1^2 (2/c^4 against 1/c^4 as
    c -> inf): a bit lost at most. It is multiplied next to phi(t), so that phi's underflow does
    not take sigma^2 phi(t) (representable at sigma = 1e300, |t| = 40) with it."""
    t, sigma, above = normal.t, normal.sigma, normal.above
    a = np.abs(t)
    moments = _upper_moments(a, 2)
    mills, first, second = moments[0], moments[1], 2.0 * moments[2]
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        ratio = normal_pdf(t) / above
        bulk_spread = (sigma * (1.0 - ratio * (t + ratio))) * (sigma * above)
        tail_spread = _times_pdf(a, sigma, sigma, (mills * second - first * first) / mills)
        bulk_offset = normal.first_above / above
        tail_offset = sigma * (first / mills)
    positive = t >= 0
    return _Branch(np.where(positive, bulk_spread, tail_spread),
                   np.where(positive, bulk_offset, tail_offset))


def _exp_branch(k, normal, negative):
    """e^(kX) - 1 on X <= 0 (ELU's negative branch over alpha): spread q Var[e^(kX) | X <= 0],
    offset E[1 - e^(kX) | X <= 0], with delta = k sigma. The spread is never formed as
    E[e^(2kX)] - E[e^(kX)]^2 where those nearly cancel (that cancelled to 0 at N(-40, 1), true
    value 8.4e-35):

    * t < 0, X = mu + sigma Z with Z <= b = -t: q Var = e^(2 k mu) (T_2 - T_1^2/q),
      T_j = E[(e^(delta Z) - 1)^j 1{Z <= b}], series in delta over the moments of Z below b,
      while delta <= _SERIES_BELOW (centred at e^(k mu), so T_1^2/q <= T_2 delta^2/4 or so);
    * t >= 0, X = -sigma W with W >= 0 of density phi(t + w)/q: the series in delta over the tail
      integrals, T_1 = sum (-1)^(n+1) delta^n I_n/n!, T_2 = sum (-1)^n (2^n - 2) delta^n I_n/n!,
      q Var = phi(t) (T_2 I_0 - T_1^2)/I_0 (the two differ by a factor near I_0 I_2/I_1^2 in
      [pi/2, 2]) while 2 delta <= _SERIES_BELOW max(t, 2): from t = 2 on the terms fall at
      least like (2 delta/t)^n <= 2^-n, below it (2 delta)^n <= 1 and I_n/n! falls faster than
      1/sqrt(n!) (the closed form's D is then >= 0.07, not ~0.03 as at delta = 0.3, t = 0.3);
    * beyond, Var = M(2 delta) (1 - M(delta)^2/M(2 delta)) = M(2 delta) (-expm1(-D)) with
      D = log(M(2 delta)/M(delta)^2) the second difference of log Mills' ratio, which is then
      not small against its terms' rounding: q Var = E[e^(2kX) 1{X <= 0}] (-expm1(-D))."""
    t, sigma, mu = normal.t, normal.sigma, normal.mu
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        delta = k * sigma
        positive = t >= 0
        a = np.abs(t)
        # beyond the series: closed forms
        exp_2k = _exp_moment_below_zero(2.0 * k, normal)
        closed_spread = np.where(exp_2k > 0, exp_2k * -np.expm1(
            -_second_difference_of_log_mills(t, np.where(np.isfinite(delta), delta, 1.0))), 0.0)
        closed_offset_tail = 1.0 - _mills(a + delta) / _mills(a)
        series_tail = 2.0 * delta <= _SERIES_BELOW * np.maximum(a, 2.0)
        series_bulk = delta <= _SERIES_BELOW
        small = np.where(np.where(positive, series_tail, series_bulk), delta, 0.0)
        # t >= 0: tail integrals
        upper = _upper_moments(np.where(positive, a, 0.0), _SERIES_TERMS)
        tail_first, tail_second = _alternating_sums(_tail_terms(small, upper))
        mills = upper[0]
        tail_spread = _times_pdf(a, (tail_second * mills - tail_first * tail_first) / mills)
        # t < 0: moments B_n = E[Z^n 1{Z <= b}], B_(n+1) = n B_(n-1) - b^n phi(b)
        b = np.where(positive, 0.0, a)
        edge = normal_pdf(b)
        moment = [normal.below, -edge]
        for n in range(1, _SERIES_TERMS):
            edge = edge * b
            moment.append(n * moment[n - 1] - edge)
        first, second, power = np.zeros_like(small), np.zeros_like(small), np.ones_like(small)
        for n in range(1, _SERIES_TERMS + 1):
            power = power * small / n
            first = first + power * moment[n]
            second = second + (2.0 ** n - 2.0) * power * moment[n]
        bulk_spread = np.exp(2.0 * k * mu) * (second - first * first / normal.below)
        spread = np.where(positive, np.where(series_tail, tail_spread, closed_spread),
                          np.where(series_bulk, bulk_spread, closed_spread))
        offset = np.where(positive, np.where(series_tail, tail_first / mills, closed_offset_tail),
                          negative.pull / normal.below)
    return _Branch(spread, offset)


def _total_variance(normal, above, below, weight):
    """Var[f(X)] = p Var[f | X > 0] + q Var[f | X <= 0] + p q (E[f | X > 0] - E[f | X <= 0])^2,
    with f = X above 0 and f = -weight * (below's offset function) below: three terms >= 0,
    so nothing cancels and each keeps its relative accuracy. The tail side's probability is
    phi(|t|) I_0(|t|), multiplied next to phi like the spreads."""
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        gap = above.offset + _times(weight, below.offset)
        bulk = np.where(normal.t >= 0, normal.above, normal.below)
        a = np.abs(normal.t)
        between = _times_pdf(a, _mills(a), bulk, gap, gap)
        return _times(weight * weight, below.spread) + above.spread + between


def elu_moments(mu, sigma, alpha=1.0, *, scale=1.0, input_scale=1.0):
    """Moments of ELU for X ~ N(mu, sigma^2), in closed form (no numerical integration)::

        ELU(x) = scale * x                                   if x > 0
                 scale * alpha * (exp(input_scale * x) - 1)  otherwise

    alpha = 0 is ReLU; see also ``selu_moments`` and ``celu_moments``.

    Parameters
    ----------
    mu : float or array_like
        The normal's mean; finite.
    sigma : float or array_like
        Its standard deviation; finite and > 0. mu and sigma broadcast together.
    alpha : float, default 1.0
        Finite, >= 0.
    scale : float, default 1.0
        Keyword only. Finite, > 0.
    input_scale : float, default 1.0
        Keyword only. Finite, > 0.

    Returns
    -------
    Moments
        mean, second_moment, variance and mean_grad, float64 arrays of the broadcast shape.

    Raises
    ------
    ValueError
        A parameter out of the ranges above, or mu and sigma that do not broadcast.

    Examples
    --------
    >>> from elunumba import stats
    >>> m = stats.elu_moments(0.0, 1.0)
    >>> print(f"{float(m.mean):.6f} {float(m.variance):.6f} {float(m.mean_grad):.6f}")
    0.160521 0.619179 0.761578
    >>> stats.elu_moments([0.0, 1.0, 2.0], 1.0).mean.shape
    (3,)
    """
    mu, sigma = check_normal(mu, sigma)
    alpha = _check_parameter("alpha", alpha, 0.0, strict=False)
    scale = _check_parameter("scale", scale, 0.0, strict=True)
    k = _check_parameter("input_scale", input_scale, 0.0, strict=True)
    # intermediate overflow and underflow are expected at the range's ends and are resolved into
    # the representable result (inf only where the moment itself overflows): no warnings
    with np.errstate(all="ignore"):
        normal = _split(mu, sigma)
        negative = _negative_side(k, normal)
        mean = _times(scale, _elu_mean(alpha, k, normal, negative))
        # both parts are positive: no cancellation once square is accurate
        second = _times(scale * scale, normal.second_above + _times(alpha * alpha, negative.square))
        mean_grad = _times(scale, normal.above + _times(alpha * k, negative.exp_k))
        variance = _total_variance(normal, _above_branch(normal), _exp_branch(k, normal, negative),
                                   alpha)
        variance = _times(scale, _times(scale, variance))
    return Moments(mean, second, variance, mean_grad)


def selu_moments(mu, sigma):
    """Moments of SELU, ``elu_moments(mu, sigma, SELU_ALPHA, scale=SELU_SCALE)``.

    Parameters
    ----------
    mu, sigma : float or array_like
        The normal's mean and standard deviation, as for ``elu_moments``.

    Returns
    -------
    Moments

    Examples
    --------
    >>> from elunumba import stats
    >>> m = stats.selu_moments(0.0, 1.0)  # SELU's fixed point: mean 0, variance 1
    >>> print(abs(float(m.mean)) < 1e-12, round(float(m.variance), 6))
    True 1.0
    """
    return elu_moments(mu, sigma, SELU_ALPHA, scale=SELU_SCALE)


def celu_moments(mu, sigma, alpha=1.0):
    """Moments of CELU, ``elu_moments(mu, sigma, alpha, input_scale=1/alpha)``.

    Parameters
    ----------
    mu, sigma : float or array_like
        The normal's mean and standard deviation, as for ``elu_moments``.
    alpha : float, default 1.0
        Finite, > 0.

    Returns
    -------
    Moments

    Examples
    --------
    >>> from elunumba import stats
    >>> print(f"{float(stats.celu_moments(0.0, 1.0, alpha=2.0).mean):.6f}")
    0.098180
    """
    alpha = _check_parameter("alpha", alpha, 0.0, strict=True)
    return elu_moments(mu, sigma, alpha, input_scale=1.0 / alpha)


def relu_moments(mu, sigma):
    """Moments of ReLU, ``max(0, x)``: ``elu_moments(mu, sigma, alpha=0)``.

    Parameters
    ----------
    mu, sigma : float or array_like
        The normal's mean and standard deviation, as for ``elu_moments``.

    Returns
    -------
    Moments

    Examples
    --------
    >>> from elunumba import stats
    >>> m = stats.relu_moments(0.0, 1.0)  # mean 1/sqrt(2 pi), variance 1/2 - 1/(2 pi)
    >>> print(f"{float(m.mean):.6f} {float(m.variance):.6f}")
    0.398942 0.340845
    """
    return elu_moments(mu, sigma, 0.0)


def leaky_relu_moments(mu, sigma, slope=0.01):
    """Moments of LeakyReLU, ``x`` for x > 0 else ``slope*x``, for X ~ N(mu, sigma^2).

    Parameters
    ----------
    mu, sigma : float or array_like
        The normal's mean and standard deviation, as for ``elu_moments``.
    slope : float, default 0.01
        Finite, >= 0.

    Returns
    -------
    Moments

    Examples
    --------
    >>> from elunumba import stats
    >>> m = stats.leaky_relu_moments(0.0, 1.0, slope=0.01)
    >>> print(f"{float(m.mean):.6f} {float(m.mean_grad):.6f}")
    0.394953 0.505000
    """
    mu, sigma = check_normal(mu, sigma)
    slope = _check_parameter("slope", slope, 0.0, strict=False)
    with np.errstate(all="ignore"):
        normal = _split(mu, sigma)
        # mu + (slope - 1) E[X 1{X<=0}] or slope mu + (1 - slope) E[X 1{X>0}]: the same sum,
        # take the one whose terms are smaller (the first for mu >= 0, the second below)
        mean = np.where(normal.t >= 0, mu + (1.0 - slope) * normal.first_below,
                        slope * mu + (1.0 - slope) * normal.first_above)
        # E[X^2 1{X<=0}]: for mu < 0 the bulk, (mu^2 + sigma^2) Phi(-t) - mu sigma phi(t), a sum of
        # positive terms; for mu >= 0 a tail moment, the mirror image of E[X^2 1{X>0}]
        bulk = (mu * mu + sigma * sigma) * normal.below - mu * (sigma * normal_pdf(normal.t))
        second_below = np.where(normal.t >= 0, _mirror_second(normal), bulk)
        second = normal.second_above + _times(slope * slope, second_below)
        # slope X below 0 is -slope times the mirror image's X above 0
        variance = _total_variance(normal, _above_branch(normal),
                                   _above_branch(_split(-mu, sigma)), slope)
    return Moments(mean, second, variance, normal.above + slope * normal.below)


def _mirror_second(normal):
    """E[X^2 1{X<=0}] for t >= 0, the mirror image of E[X^2 1{X>0}] at t <= 0 (a tail moment)."""
    return _split(-normal.mu, normal.sigma).second_above


def zero_mean_alpha(mu, sigma, *, input_scale=1.0):
    """The alpha that makes E[ELU_alpha(X)] = 0 for X ~ N(mu, sigma^2) (any scale).

    E[ELU_alpha(X)] = E[X 1{X>0}] - alpha E[(1 - e^(kX)) 1{X<=0}] is linear in alpha and both
    expectations are positive (the second from its series in k sigma for small sigma, where
    the closed form cancels), so in exact arithmetic the root always exists; it is NaN where it
    does not fit a float64 (the negative part's expectation underflows, e.g. mu >> sigma).
    For the standard normal it is SELU's alpha, 1.6733.

    Parameters
    ----------
    mu, sigma : float or array_like
        The normal's mean and standard deviation, as for ``elu_moments``.
    input_scale : float, default 1.0
        Keyword only. Finite, > 0.

    Returns
    -------
    ndarray
        alpha, float64, in the broadcast shape of mu and sigma.

    Examples
    --------
    >>> import numpy as np
    >>> from elunumba import stats
    >>> print(np.round(stats.zero_mean_alpha([0.0, 1.0], 1.0), 6))
    [ 1.673263 19.107361]
    """
    mu, sigma = check_normal(mu, sigma)
    input_scale = _check_parameter("input_scale", input_scale, 0.0, strict=True)
    with np.errstate(all="ignore"):
        normal = _split(mu, sigma)
        pulled_down = _negative_side(input_scale, normal).pull
        alpha = normal.first_above / pulled_down
    return np.where((pulled_down > 0) & np.isfinite(alpha), alpha, np.nan)


def init_gain(moments, sigma):
    """The Kaiming-style gain g for weights W ~ N(0, g^2 / fan_in): with the activation's
    E[f(X)^2] for X ~ N(mu, sigma^2), the next layer's pre-activation W f(X) has variance
    g^2 E[f(X)^2], which equals sigma^2 for g = sigma / sqrt(E[f(X)^2]). ReLU at N(0, 1): sqrt(2).
    NaN where E[f(X)^2] is not a normal positive float64 (it underflowed or overflowed, so the
    ratio cannot be formed from it).

    Parameters
    ----------
    moments : Moments
        The activation's moments at N(mu, sigma^2) (only ``second_moment`` is used).
    sigma : float or array_like
        The same sigma.

    Returns
    -------
    ndarray
        g, float64.

    Examples
    --------
    >>> from elunumba import stats
    >>> print(round(float(stats.init_gain(stats.relu_moments(0.0, 1.0), 1.0)), 6))  # sqrt(2)
    1.414214
    """
    second = np.asarray(moments.second_moment, np.float64)
    usable = np.isfinite(second) & (second >= np.finfo(np.float64).tiny)
    root = np.sqrt(np.where(usable, second, 1.0))
    with np.errstate(over="ignore", under="ignore"):
        gain = np.asarray(sigma, np.float64) / root
    return np.where(usable & np.isfinite(gain), gain, np.nan)


def selu_fixed_point():
    """(alpha, scale) that map N(0, 1) to mean 0 and variance 1 through ELU: SELU's constants.

    alpha makes the mean zero whatever the scale; scale then makes the second moment one.

    Returns
    -------
    tuple of two floats
        (alpha, scale), SELU_ALPHA and SELU_SCALE to within a few ULP.

    Examples
    --------
    >>> from elunumba import stats
    >>> alpha, scale = stats.selu_fixed_point()
    >>> print(round(alpha, 6), round(scale, 6))
    1.673263 1.050701
    """
    alpha = float(zero_mean_alpha(0.0, 1.0))
    scale = 1.0 / math.sqrt(float(elu_moments(0.0, 1.0, alpha).second_moment))
    return alpha, scale


def compare(mu, sigma, alpha=1.0, slope=0.01):
    """One record per activation (ELU_alpha, SELU, CELU_alpha, ReLU, LeakyReLU_slope): its
    moments and init gain for N(mu, sigma^2), scalars as floats. Used by ``elunumba stats``.

    Parameters
    ----------
    mu : float
        The normal's mean; finite.
    sigma : float
        Its standard deviation; finite and > 0.
    alpha : float, default 1.0
        ELU's and CELU's alpha; finite, > 0.
    slope : float, default 0.01
        LeakyReLU's slope; finite, >= 0.

    Returns
    -------
    list of dict
        Per activation: "activation" (its name), "mean", "second_moment", "variance",
        "mean_grad" and "init_gain".

    Examples
    --------
    >>> from elunumba import stats
    >>> rows = stats.compare(0.0, 1.0)
    >>> print([row["activation"] for row in rows])
    ['ELU(alpha=1)', 'SELU', 'CELU(alpha=1)', 'ReLU', 'LeakyReLU(slope=0.01)']
    >>> print(round(rows[3]["init_gain"], 6))
    1.414214
    """
    mu = float(np.asarray(check_normal(mu, sigma)[0]))
    sigma = float(sigma)
    alpha = _check_parameter("alpha", alpha, 0.0, strict=True)
    rows = [
        (f"ELU(alpha={alpha:g})", elu_moments(mu, sigma, alpha)),
        ("SELU", selu_moments(mu, sigma)),
        (f"CELU(alpha={alpha:g})", celu_moments(mu, sigma, alpha)),
        ("ReLU", relu_moments(mu, sigma)),
        (f"LeakyReLU(slope={slope:g})", leaky_relu_moments(mu, sigma, slope)),
    ]
    return [{"activation": name,
             **{field: float(value) for field, value in moments._asdict().items()},
             "init_gain": float(init_gain(moments, sigma))}
            for name, moments in rows]
