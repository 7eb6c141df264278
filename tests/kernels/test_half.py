"""The float16 <-> float32 bit conversions of elunumba/kernels/half.py, called from small @njit loops,
against NumPy's casts.

* widening: all 65536 half bit patterns give NumPy's astype(float32) (NaNs: the same sign and
  payload; the F16C instruction quiets a signalling NaN, NumPy keeps it signalling);
* narrowing (round to nearest, ties to even): ~10^7 random float32 bit patterns, and every
  float32 within a few ULPs of each rounding midpoint between consecutive halves and of the
  boundaries (65504, 65520, the subnormals, 2^-25, ...), give NumPy's astype(float16); NaN stays
  NaN with its sign.
"""

import numpy as np
import pytest
from numba import njit

from elunumba.kernels.half import float_to_half_bits, half_bits_to_float

QUIET32 = np.uint32(0x00400000)
QUIET16 = np.uint16(0x0200)


@njit(cache=False)
def widen_all(bits, out):
    for i in range(bits.size):
        out[i] = half_bits_to_float(bits[i])


@njit(cache=False)
def narrow_all(values, out):
    for i in range(values.size):
        out[i] = float_to_half_bits(values[i])


def widen(bits):
    out = np.empty(bits.size, np.float32)
    widen_all(bits, out)
    return out


def narrow(values):
    out = np.empty(values.size, np.uint16)
    narrow_all(np.ascontiguousarray(values, np.float32), out)
    return out


def numpy_narrow(values):
    with np.errstate(over="ignore", invalid="ignore"):
        return values.astype(np.float16).view(np.uint16)


def assert_narrowing_matches_numpy(values):
    values = np.ascontiguousarray(values, np.float32)
    got = narrow(values)
    expected = numpy_narrow(values)
    nan = np.isnan(values)
    bad = ~nan & (got != expected)
    assert not bad.any(), [(hex(v), hex(g), hex(e)) for v, g, e in
                           zip(values.view(np.uint32)[bad][:5], got[bad][:5], expected[bad][:5])]
    # NaN stays NaN (quiet), with its sign and the leading bits of its payload. (NumPy keeps a
    # signalling NaN signalling, adding 1 to a payload that would vanish: not compared.)
    got_nan, bits = got[nan], values.view(np.uint32)[nan]
    assert np.all(np.isnan(got_nan.view(np.float16)))
    assert np.all((got_nan & QUIET16) != 0)
    assert np.all((got_nan >> 15) == (bits >> 31))
    assert np.all((got_nan & 0x01FF) == ((bits >> 13) & 0x01FF))
    assert np.all((expected[nan] >> 15) == (bits >> 31))


def test_widening_all_half_patterns():
    bits = np.arange(2**16, dtype=np.uint32).astype(np.uint16)
    got = widen(bits).view(np.uint32)
    expected = bits.view(np.float16).astype(np.float32).view(np.uint32)
    nan = np.isnan(bits.view(np.float16))
    assert nan.sum() == 2 * 1023
    np.testing.assert_array_equal(got[~nan], expected[~nan])
    assert np.all(np.isnan(got[nan].view(np.float32)))
    assert np.all((got[nan] | QUIET32) == (expected[nan] | QUIET32))


def test_widening_is_exact():
    """Every finite half is a float32 exactly: converting back gives the same bits."""
    bits = np.arange(2**16, dtype=np.uint32).astype(np.uint16)
    finite = np.isfinite(bits.view(np.float16))
    np.testing.assert_array_equal(narrow(widen(bits))[finite], bits[finite])


def test_narrowing_random_float32_patterns():
    rng = np.random.default_rng(1234)
    for _ in range(10):  # 10^7 patterns in chunks
        bits = rng.integers(0, 2**32, 10**6, dtype=np.uint64).astype(np.uint32)
        assert_narrowing_matches_numpy(bits.view(np.float32))


def test_narrowing_random_values_in_the_half_range():
    """Random patterns are mostly far outside float16's range; these are inside it."""
    rng = np.random.default_rng(99)
    magnitude = np.exp2(rng.uniform(-27, 17, 2 * 10**6)).astype(np.float32)
    values = np.where(rng.random(magnitude.size) < 0.5, -magnitude, magnitude)
    assert_narrowing_matches_numpy(values)


def float32_neighbours(values, k):
    """Every float32 within k ULPs of each of the (positive, finite) float32 ``values``."""
    bits = np.asarray(values, np.float32).view(np.int32)[:, None] + np.arange(-k, k + 1)
    bits = bits[(bits >= 0) & (bits < 0x7F800000)]
    return bits.astype(np.int32).view(np.float32)


def test_narrowing_near_every_midpoint_and_boundary():
    halves = np.arange(0x7C00, dtype=np.uint16).view(np.float16).astype(np.float64)  # 0..65504
    midpoints = (halves[:-1] + halves[1:]) / 2  # exact in float64 and float32 (12 bits)
    boundaries = [65504.0, 65520.0, 65536.0, 2.0**-24, 2.0**-25, 2.0**-26, 2.0**-14,
                  2.0**-14 - 2.0**-25, 6.0e-8, 1.0, 2048.0, 2049.0, 4097.0,
                  float(np.finfo(np.float32).max), float(np.finfo(np.float32).smallest_subnormal),
                  float(np.finfo(np.float32).smallest_normal)]
    centres = np.concatenate([midpoints, halves, boundaries]).astype(np.float32)
    assert np.array_equal(centres[:midpoints.size].astype(np.float64), midpoints)
    values = float32_neighbours(centres, 4)
    values = np.concatenate([values, -values, [0.0, -0.0, np.inf, -np.inf]]).astype(np.float32)
    assert values.size > 10 * 2**15
    assert_narrowing_matches_numpy(values)


@pytest.mark.parametrize("value, expected", [
    (65504.0, 0x7BFF), (65519.99, 0x7BFF), (65520.0, 0x7C00), (1e6, 0x7C00), (np.inf, 0x7C00),
    (-65520.0, 0xFC00), (2.0**-24, 0x0001), (2.0**-25, 0x0000), (2.0**-25 * 1.0000001, 0x0001),
    (3 * 2.0**-25, 0x0002), (-2.0**-25, 0x8000), (-0.0, 0x8000), (1.0 + 2.0**-11, 0x3C00),
    (1.0 + 3 * 2.0**-11, 0x3C02), (2.0**-14, 0x0400),
])
def test_narrowing_known_cases(value, expected):
    """Round to nearest, ties to even, overflow at 65520, underflow through the subnormals."""
    assert narrow(np.array([value], np.float32))[0] == expected


def test_nan_stays_nan():
    rng = np.random.default_rng(5)
    payload = rng.integers(1, 2**23, 10**5, dtype=np.uint32)
    sign = rng.integers(0, 2, payload.size, dtype=np.uint32) << 31
    nans = (sign | np.uint32(0x7F800000) | payload).view(np.float32)
    assert np.all(np.isnan(nans))
    got = narrow(nans)
    assert np.all(np.isnan(got.view(np.float16)))
    np.testing.assert_array_equal(got >> 15, sign >> 31)
    assert_narrowing_matches_numpy(nans)
