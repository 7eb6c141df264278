"""Input bands and per-band error statistics."""

import math

import numpy as np

from . import reference
from .ulp import ulp_error

# (name, smallest |x|, largest |x|) for negative x: where expm1's difficulties differ.
NEGATIVE_BANDS = (
    ("|x| < 1e-6", 1e-30, 1e-6),
    ("1e-6..1e-3", 1e-6, 1e-3),
    ("1e-3..ln2/2", 1e-3, math.log(2) / 2),
    ("ln2/2..1", math.log(2) / 2, 1.0),
    ("1..17", 1.0, 17.0),
    ("below -17", 17.0, 1e30),
)
BAND_NAMES = (*(name for name, _, _ in NEGATIVE_BANDS), "x > 0", "special")


def special_values(dtype):
    """±0, the extreme subnormals and normals, ±inf and NaN."""
    finfo = np.finfo(dtype)
    tiny, normal = finfo.smallest_subnormal, finfo.smallest_normal
    values = [0.0, -0.0, tiny, -tiny, -normal + tiny, -normal, normal, finfo.max, -finfo.max,
              np.inf, -np.inf, np.nan]
    return np.array(values, dtype=dtype)


def custom_band(text):
    """(name, smallest |x|, largest |x|) for a band of negative x written as magnitudes
    "low..high" (e.g. "0.3..0.4"); ValueError saying what is accepted otherwise."""
    try:
        low, high = (float(part) for part in text.split(".."))
    except ValueError:
        raise ValueError(f"{text!r} is neither a band name ({', '.join(BAND_NAMES)}) nor "
                         "magnitudes low..high of negative x, such as 0.3..0.4") from None
    if not (0 < low < high < math.inf):
        raise ValueError(f"{text!r}: use finite magnitudes with 0 < low < high")
    return text, low, high


def sample(dtype, per_band, seed=0, chosen=BAND_NAMES):
    """{band name: inputs} for the ``chosen`` bands (names, or custom "low..high" magnitudes of
    negative x): log-uniform magnitudes per band, clipped to the dtype's range. Each band draws
    from its own seeded stream, so its inputs do not depend on which others are chosen."""
    finfo = np.finfo(dtype)
    largest = min(20.0, math.log(float(finfo.max)))
    ranges = {name: (low, high, -1) for name, low, high in NEGATIVE_BANDS}
    ranges["x > 0"] = (math.exp(-20), math.exp(largest), 1)
    samples = {}
    for name in chosen:
        if name == "special":
            samples[name] = special_values(dtype)
            continue
        if name in ranges:
            stream = BAND_NAMES.index(name)
            low, high, sign = ranges[name]
        else:
            stream = name
            _, low, high = custom_band(name)
            sign = -1
        low, high = max(low, float(finfo.smallest_subnormal)), min(high, float(finfo.max))
        rng = np.random.default_rng([seed, *(stream.encode() if isinstance(stream, str)
                                             else [stream])])
        magnitudes = np.exp(rng.uniform(math.log(low), math.log(high), per_band))
        samples[name] = (sign * magnitudes).astype(dtype)
    return samples


def statistics(x, got, exact, dtype):
    """Error statistics of ``got`` (dtype) against ``exact`` (extended precision)."""
    got = np.asarray(got)
    ulps = ulp_error(got, exact, dtype)
    same = (got.astype(exact.dtype) == exact) | (np.isnan(got) & np.isnan(exact))
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        absolute = np.where(same, 0.0, np.abs(got.astype(exact.dtype) - exact))
        relative = np.where(same, 0.0, absolute / np.abs(exact))
    absolute = np.where(np.isnan(absolute), np.inf, absolute)
    relative = np.where(np.isnan(relative), np.inf, relative)
    rounded = reference.correctly_rounded(exact, dtype)
    correctly_rounded = (got == rounded) | (np.isnan(got) & np.isnan(rounded))
    worst = int(np.argmax(ulps)) if ulps.size else 0
    return {
        "n": int(got.size),
        "max_abs": float(absolute.max(initial=0.0)),
        "mean_abs": float(absolute.mean()) if absolute.size else 0.0,
        "max_rel": float(relative.max(initial=0.0)),
        "max_ulp": float(ulps.max(initial=0.0)),
        "correctly_rounded": float(correctly_rounded.mean()) if got.size else 1.0,
        "worst_input": float(x[worst]) if x.size else None,
    }
