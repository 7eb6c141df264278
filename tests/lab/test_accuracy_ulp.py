"""The ULP measures of elunumba.lab.accuracy.ulp on hand-picked pairs."""

import numpy as np
import pytest

from elunumba.lab.accuracy.ulp import ulp_distance, ulp_error, ulp_of

F32 = np.float32
TINY32 = np.finfo(F32).smallest_subnormal
MAX32 = np.finfo(F32).max


@pytest.mark.parametrize(
    "a, b, expected",
    [
        (1.0, 1.0, 0),
        (1.0, np.nextafter(F32(1), F32(2)), 1),
        (np.nextafter(F32(1), F32(0)), np.nextafter(F32(1), F32(2)), 2),  # across a binade
        (0.0, -0.0, 0),  # signed zeros are the same number
        (-0.0, TINY32, 1),
        (-TINY32, TINY32, 2),  # across zero through the subnormals
        (np.finfo(F32).smallest_normal, np.finfo(F32).smallest_normal - TINY32, 1),
        (MAX32, np.inf, 1),
        (-1.0, 1.0, 2 * 0x3F800000),
        (np.nan, np.nan, 0),
        (np.nan, 1.0, np.iinfo(np.int64).max),
    ],
)
def test_ulp_distance_float32(a, b, expected):
    assert ulp_distance(np.array([a], F32), np.array([b], F32))[0] == expected
    assert ulp_distance(np.array([b], F32), np.array([a], F32))[0] == expected


def test_ulp_distance_float64_and_float16():
    one = np.array([1.0])
    assert ulp_distance(one, np.nextafter(one, 2))[0] == 1
    halves = np.array([0.0, 65504.0], np.float16)
    assert list(ulp_distance(halves, np.array([-0.0, np.inf], np.float16))) == [0, 1]


def test_ulp_of_is_the_spacing_of_the_binade():
    values = np.array([1.0, 1.5, 2.0, 0.75, 0.0, 1e-40, -3.0])
    expected = [2.0**-23, 2.0**-23, 2.0**-22, 2.0**-24, 2.0**-149, 2.0**-149, 2.0**-22]
    assert list(ulp_of(values, F32)) == expected
    assert ulp_of(np.array([1.0]), np.float64)[0] == 2.0**-52
    assert ulp_of(np.array([1.0]), np.float16)[0] == 2.0**-10


def test_ulp_error_measures_against_the_unrounded_reference():
    got = np.array([1.0, 1.0, np.inf, np.nan, -np.inf, 0.0], F32)
    reference = np.array([1.0 + 2.0**-24, 1.0 + 2.0**-23 * 0.75, np.inf, np.nan, np.inf, 2.0**-150])
    assert list(ulp_error(got, reference, F32)) == [0.5, 0.75, 0.0, 0.0, np.inf, 0.5]


def test_ulp_error_of_nan_against_a_number_is_infinite():
    assert ulp_error(np.array([np.nan], F32), np.array([1.0]), F32)[0] == np.inf
    assert ulp_error(np.array([1.0], F32), np.array([np.nan]), F32)[0] == np.inf
