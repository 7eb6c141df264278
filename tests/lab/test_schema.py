"""Values read from JSON checked against a declared shape (elunumba.lab.schema)."""

import math

import pytest

from elunumba.lab import schema

SECONDS = schema.Number(lowest=1e-12, highest=1e6, unit="seconds")
COUNT = schema.Number(lowest=1, highest=2**53, whole=True)
SHAPE = {"time": SECONDS, "count": COUNT, "kind": schema.OneOf("a", "b"),
         "note": schema.Optional(str), "samples": schema.Nullable([SECONDS]),
         "versions": schema.MapOf(schema.Nullable(str)), "flag": bool}
GOOD = {"time": 1e-6, "count": 3, "kind": "a", "samples": None, "versions": {"x": None},
        "flag": False}


def test_a_value_that_fits_passes_and_optional_fields_may_be_missing():
    schema.check(GOOD, SHAPE, "")
    schema.check({**GOOD, "note": "n", "samples": [1.0, 2e-3]}, SHAPE, "")


@pytest.mark.parametrize("change, message", [
    ({"time": 0}, "'time' must be a number, finite and >= 1e-12 and <= 1e+06 (seconds), not 0"),
    ({"time": math.nan}, "'time' must be a number, finite"),
    ({"time": math.inf}, "not inf"),
    ({"time": True}, "not True"),
    ({"count": 1.0}, "'count' must be a whole number"),
    ({"count": 10**400}, "not an integer beyond 1.798e+308"),
    ({"kind": "c"}, "'kind' must be one of a, b, not 'c'"),
    ({"note": 5}, "'note' must be a string, not 5"),
    ({"samples": [1e-6, -1.0]}, "'samples' must be a list of numbers, finite and >= 1e-12 "
                                "and <= 1e+06 (seconds) (item 1 is -1.0)"),
    ({"samples": {"a": 1}}, "'samples' must be a list or null, not object of 1 fields"),
    ({"versions": {"x": 1}}, "'versions.x' must be a string or null, not 1"),
    ({"flag": 0}, "'flag' must be true or false, not 0"),
    ({"time": "x" * 100}, "not 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..."),
])
def test_the_first_field_that_does_not_fit_is_named_with_what_it_must_be(change, message):
    with pytest.raises(ValueError) as caught:
        schema.check({**GOOD, **change}, SHAPE, "")
    assert message in str(caught.value)


def test_a_missing_field_and_a_nested_place_are_named():
    with pytest.raises(ValueError, match="'cells.kind' is missing"):
        schema.check({k: v for k, v in GOOD.items() if k != "kind"}, SHAPE, "cells")
    with pytest.raises(ValueError, match=r"'outer\[1\]' must be an object"):
        schema.check([GOOD, []], [SHAPE], "outer")
