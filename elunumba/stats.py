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
variance is E[f^2] - E[f]^2 clamped at 0: its error is relative to E[f^2], not to itself, where
|mu| >> sigma. tests/test_stats.py bounds every relative error by 32 eps (1 + t^2) against an
mpmath evaluation over sigma = 1e-300..1e300 and |t| <= 40.

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
        Var[f(X)] = E[f(X)^2] - E[f(X)]^2, clamped at 0.
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
            terms, power = [], np.ones_like(small_delta)
            for n in range(_SERIES_TERMS + 1):
                # delta^n alone overflows only where delta > 1e5 and so t > 2e5: there the term
                # is below 2^-n of the first relative to it, nothing at the n where that happens
                scaled = np.where(np.isfinite(power), power * upper[n], 0.0)
                terms.append(np.where(positive, density * scaled, low[n]))
                power = power * small_delta
            sign = [(-1.0) ** n for n in range(_SERIES_TERMS + 2)]
            series_pull = sum(sign[n + 1] * terms[n] for n in range(_SERIES_TERMS, 0, -1))
            series_curvature = sum(sign[n] * terms[n] for n in range(_SERIES_TERMS, 1, -1))
            series_square = sum(sign[n] * (2.0 ** n - 2.0) * terms[n]
                                for n in range(_SERIES_TERMS, 1, -1))
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


def _variance(second, mean):
    """E[f^2] - E[f]^2, clamped at 0; infinite where E[f^2] overflows."""
    with np.errstate(over="ignore", invalid="ignore"):
        variance = second - mean * mean
    variance = np.where(np.isinf(second), np.inf, variance)
    return np.maximum(np.nan_to_num(variance, nan=np.inf, posinf=np.inf), 0.0)


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
    return Moments(mean, second, _variance(second, mean), mean_grad)


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
    return Moments(mean, second, _variance(second, mean), normal.above + slope * normal.below)


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
