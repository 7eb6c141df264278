"""Size parsing for `elunumba bench --sizes`."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elunumba.lab.bench.sizes import SizeError, default_sizes, format_size, parse_size, parse_sizes


@pytest.mark.parametrize("text, sizes", [
    ("1024", [1024]),
    ("1024,4096", [1024, 4096]),
    (" 4096 , 1024 ,1024", [1024, 4096]),
    ("1e6", [1_000_000]),
    ("2.5e3", [2500]),
    ("1_000", [1000]),
    ("2^20", [2**20]),
    ("2**20", [2**20]),
    ("10^3", [1000]),
    ("2^10:2^16:x4", [2**10, 2**12, 2**14, 2**16]),
    ("2^10:2^15:x4", [2**10, 2**12, 2**14]),
    ("2^10:2^13", [2**10, 2**11, 2**12, 2**13]),
    ("2^10:2^24:*4", [2**k for k in range(10, 25, 2)]),
    ("1000:5000:+1000", [1000, 2000, 3000, 4000, 5000]),
    ("1000:3500:1000", [1000, 2000, 3000]),
    ("7:7:x2", [7]),
    ("2^4:2^6,100", [16, 32, 64, 100]),
])
def test_parse_sizes(text, sizes):
    assert parse_sizes(text) == sizes


@pytest.mark.parametrize("text, words", [
    ("", "no sizes"),
    ("   ", "no sizes"),
    ("1024,,2048", "empty item"),
    ("abc", "malformed size"),
    ("0", "at least 1"),
    ("-5", "at least 1"),
    ("1.5", "whole number"),
    ("1e400", "whole number"),
    ("nan", "whole number"),
    ("2^100", "too large"),
    ("2^10:2^5", "ends before"),
    ("1:2:3:4", "malformed range"),
    ("2^10:2^12:x1", "at least x2"),
    ("2^10:2^12:xq", "malformed step"),
    ("10:20:+0", "malformed step"),
    ("1:100000:+1", "more than"),
    ("2^10:", "malformed size"),
])
def test_malformed_sizes(text, words):
    with pytest.raises(SizeError, match=words):
        parse_sizes(text)


def test_size_error_is_one_line():
    with pytest.raises(SizeError) as caught:
        parse_sizes("2^10:2^12:y")
    assert "\n" not in str(caught.value)


def test_defaults():
    assert default_sizes() == [2**k for k in range(10, 27, 2)]
    assert default_sizes(gpu=True) == [2**k for k in range(10, 29, 2)]


@pytest.mark.parametrize("size, text", [(1, "1"), (8, "8"), (16, "2^4"), (1024, "2^10"),
                                        (1000, "1000"), (3 * 2**20, "3145728")])
def test_format_size(size, text):
    assert format_size(size) == text


@given(st.integers(min_value=1, max_value=2**40))
def test_formatted_sizes_parse_back(size):
    assert parse_size(format_size(size)) == size


@given(st.integers(1, 2**20), st.integers(2, 16), st.integers(0, 30))
def test_geometric_ranges_stay_within_bounds(start, factor, steps):
    stop = start * factor ** (steps + 1) - 1  # short of the next step
    sizes = parse_sizes(f"{start}:{stop}:x{factor}")
    assert sizes == [start * factor**k for k in range(steps + 1)]
