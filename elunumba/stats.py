"""Closed-form statistics of ELU, SELU, CELU, ReLU and LeakyReLU under a normal input.

For X ~ N(mu, sigma^2) every quantity here is a finite sum of normal pdf/cdf terms (no numerical
integration), vectorized over arrays of ``mu`` and ``sigma`` (they broadcast). With t = mu/sigma:

* E[X 1{X>0}]        = mu Phi(t) + sigma phi(t)
* E[X^2 1{X>0}]      = (mu^2 + sigma^2) Phi(t) + mu sigma phi(t)
* E[e^(kX) 1{X<=0}]  = e^(k mu + k^2 sigma^2 / 2) Phi(-t - k sigma)

ELU in PyTorch's parameterisation, ``scale*x`` for x > 0 else ``scale*alpha*expm1(input_scale*x)``,
covers SELU (alpha, scale = SELU_ALPHA, SELU_SCALE), CELU (input_scale = 1/alpha) and ReLU
(alpha = 0). LeakyReLU(slope) is ``x`` for x > 0 else ``slope*x``.

Only NumPy and the standard library are used, so ``import elunumba.stats`` stays light.
"""

import math
from typing import NamedTuple

import numpy as np

from .api import SELU_ALPHA, SELU_SCALE

_SQRT2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
# Below this z, Phi(z) is taken from its asymptotic series in log space: erfc underflows near
# z = -37.5, and e^(k mu + k^2 sigma^2/2) may overflow exactly where Phi(z) underflows. Six terms
# of the series at z = -35 leave a relative error below 11!!/35^12 ~ 1e-15.
_ASYMPTOTIC_Z = -35.0
_erfc = np.frompyfunc(math.erfc, 1, 1)


class Moments(NamedTuple):
    """E[f(X)], E[f(X)^2], Var[f(X)] and E[f'(X)] for X ~ N(mu, sigma^2), as float64 arrays."""

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
    return _INV_SQRT_2PI * np.exp(-0.5 * z * z)


def _exp_times_cdf(exponent, z):
    """e^exponent * Phi(z) without the overflow of e^exponent or the underflow of Phi(z)."""
    exponent, z = np.broadcast_arrays(np.asarray(exponent, np.float64), np.asarray(z, np.float64))
    far = z < _ASYMPTOTIC_Z
    near_z = np.where(far, 0.0, z)
    direct = np.exp(np.where(far, 0.0, exponent)) * normal_cdf(near_z)
    far_z = np.where(far, z, _ASYMPTOTIC_Z)
    inverse_square = 1.0 / (far_z * far_z)
    # Phi(z) ~ phi(z)/|z| * (1 - 1/z^2 + 3/z^4 - 15/z^6 + 105/z^8 - 945/z^10 + 10395/z^12)
    series = 1.0
    term = 1.0
    for odd in (1, 3, 5, 7, 9, 11):
        term = -term * odd * inverse_square
        series = series + term
    log_cdf = -0.5 * far_z * far_z - np.log(-far_z) - 0.5 * math.log(2.0 * math.pi) \
        + np.log(series)
    asymptotic = np.exp(exponent + log_cdf)
    return np.where(far, asymptotic, direct)


def _exp_moment_below_zero(k, mu, sigma):
    """E[e^(kX) 1{X<=0}] for X ~ N(mu, sigma^2)."""
    return _exp_times_cdf(k * mu + 0.5 * (k * sigma) ** 2, -mu / sigma - k * sigma)


def _positive_part(mu, sigma):
    """(P(X>0), E[X 1{X>0}], E[X^2 1{X>0}]) and their X<=0 counterparts."""
    t = mu / sigma
    above, below = normal_cdf(t), normal_cdf(-t)
    density = normal_pdf(t)
    first_above = mu * above + sigma * density
    first_below = mu * below - sigma * density
    second_above = (mu * mu + sigma * sigma) * above + mu * sigma * density
    second_below = (mu * mu + sigma * sigma) * below - mu * sigma * density
    return above, below, first_above, first_below, second_above, second_below


def elu_moments(mu, sigma, alpha=1.0, *, scale=1.0, input_scale=1.0):
    """Moments of ELU (``scale*x`` for x > 0 else ``scale*alpha*expm1(input_scale*x)``) for
    X ~ N(mu, sigma^2). alpha=0 is ReLU; see ``selu_moments`` and ``celu_moments``."""
    mu, sigma = check_normal(mu, sigma)
    alpha = _check_parameter("alpha", alpha, 0.0, strict=False)
    scale = _check_parameter("scale", scale, 0.0, strict=True)
    input_scale = _check_parameter("input_scale", input_scale, 0.0, strict=True)
    above, below, first_above, _, second_above, _ = _positive_part(mu, sigma)
    exp_k = _exp_moment_below_zero(input_scale, mu, sigma)
    exp_2k = _exp_moment_below_zero(2.0 * input_scale, mu, sigma)
    mean = scale * (first_above + alpha * (exp_k - below))
    second = scale * scale * (second_above + alpha * alpha * (exp_2k - 2.0 * exp_k + below))
    mean_grad = scale * (above + alpha * input_scale * exp_k)
    return Moments(mean, second, second - mean * mean, mean_grad)


def selu_moments(mu, sigma):
    return elu_moments(mu, sigma, SELU_ALPHA, scale=SELU_SCALE)


def celu_moments(mu, sigma, alpha=1.0):
    alpha = _check_parameter("alpha", alpha, 0.0, strict=True)
    return elu_moments(mu, sigma, alpha, input_scale=1.0 / alpha)


def relu_moments(mu, sigma):
    return elu_moments(mu, sigma, 0.0)


def leaky_relu_moments(mu, sigma, slope=0.01):
    """Moments of LeakyReLU: ``x`` for x > 0 else ``slope*x`` (slope >= 0)."""
    mu, sigma = check_normal(mu, sigma)
    slope = _check_parameter("slope", slope, 0.0, strict=False)
    above, below, first_above, first_below, second_above, second_below = \
        _positive_part(mu, sigma)
    mean = first_above + slope * first_below
    second = second_above + slope * slope * second_below
    return Moments(mean, second, second - mean * mean, above + slope * below)


def zero_mean_alpha(mu, sigma, *, input_scale=1.0):
    """The alpha that makes E[ELU_alpha(X)] = 0 for X ~ N(mu, sigma^2) (any scale).

    E[ELU_alpha(X)] = E[X 1{X>0}] - alpha E[(1 - e^(kX)) 1{X<=0}] is linear in alpha and both
    expectations are positive, so in exact arithmetic the root always exists; it is NaN where it
    does not fit a float64 (the negative part's expectation underflows, e.g. mu >> sigma).
    For the standard normal it is SELU's alpha, 1.6733.
    """
    mu, sigma = check_normal(mu, sigma)
    input_scale = _check_parameter("input_scale", input_scale, 0.0, strict=True)
    _, below, first_above, *_ = _positive_part(mu, sigma)
    pulled_down = below - _exp_moment_below_zero(input_scale, mu, sigma)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        alpha = first_above / pulled_down
    return np.where((pulled_down > 0) & np.isfinite(alpha), alpha, np.nan)


def init_gain(moments, sigma):
    """The Kaiming-style gain g for weights W ~ N(0, g^2 / fan_in): with the activation's
    E[f(X)^2] for X ~ N(mu, sigma^2), the next layer's pre-activation W f(X) has variance
    g^2 E[f(X)^2], which equals sigma^2 for g = sigma / sqrt(E[f(X)^2]). ReLU at N(0, 1): sqrt(2).
    """
    return np.asarray(sigma, np.float64) / np.sqrt(moments.second_moment)


def selu_fixed_point():
    """(alpha, scale) that map N(0, 1) to mean 0 and variance 1 through ELU: SELU's constants.

    alpha makes the mean zero whatever the scale; scale then makes the second moment one.
    """
    alpha = float(zero_mean_alpha(0.0, 1.0))
    scale = 1.0 / math.sqrt(float(elu_moments(0.0, 1.0, alpha).second_moment))
    return alpha, scale


def compare(mu, sigma, alpha=1.0, slope=0.01):
    """One record per activation (ELU_alpha, SELU, CELU_alpha, ReLU, LeakyReLU_slope): its
    moments and init gain for N(mu, sigma^2), scalars as floats. Used by ``elunumba stats``."""
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
