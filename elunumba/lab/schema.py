"""Values read from JSON checked against a declared shape, field by field.

A file that parses is not yet a file to compute with: a time of 0 divides by zero, NaN makes
every rank test "same", 10**400 overflows a float, a list where an object belongs fails far from
the reading. ``check(value, shape, where)`` walks ``value`` along ``shape`` and raises
ValueError naming the first field that does not fit and what it must be. A shape is:

- a type (str, bool, dict, list): a value of that type (bool is never a number here);
- ``Number(...)``: an int or float, finite, within bounds, whole where asked;
- ``OneOf(*choices)``: one of those strings;
- ``Nullable(shape)``: null or ``shape``;
- ``{name: shape}``: an object holding each name (``Optional(shape)``: may be missing), other
  names ignored;
- ``[shape]``: a list of values of that shape;
- ``MapOf(shape)``: an object whose every value has that shape.
"""

import dataclasses
import math

TYPE_NAMES = {str: "a string", bool: "true or false", list: "a list", dict: "an object"}


@dataclasses.dataclass(frozen=True)
class Number:
    lowest: float = None
    strict: bool = False  # lowest itself excluded
    highest: float = None
    whole: bool = False
    unit: str = ""

    def fits(self, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        if self.whole and not isinstance(value, int):
            return False
        if isinstance(value, float) and not math.isfinite(value):
            return False
        below = self.lowest is not None and (value <= self.lowest if self.strict
                                             else value < self.lowest)
        above = self.highest is not None and value > self.highest
        return not (below or above) and (self.whole or abs(value) <= MAX_FLOAT)

    def describe(self, plural=False):
        text = ("whole numbers" if plural else "a whole number") if self.whole else (
            "numbers" if plural else "a number")
        bounds = [] if self.whole else ["finite"]
        if self.lowest is not None:
            bounds.append(f"{'>' if self.strict else '>='} {self.lowest:g}")
        if self.highest is not None:
            bounds.append(f"<= {self.highest:g}")
        return text + (", " + " and ".join(bounds) if bounds else "") + (
            f" ({self.unit})" if self.unit else "")


MAX_FLOAT = 1.7976931348623157e308  # an int beyond it would overflow every float computation


@dataclasses.dataclass(frozen=True)
class OneOf:
    choices: tuple

    def __init__(self, *choices):
        object.__setattr__(self, "choices", choices)


@dataclasses.dataclass(frozen=True)
class Nullable:
    shape: object


@dataclasses.dataclass(frozen=True)
class Optional:
    shape: object


@dataclasses.dataclass(frozen=True)
class MapOf:
    shape: object


def check(value, shape, where):
    """None when ``value`` fits ``shape``; else ValueError naming ``where`` (a field path such as
    "cells[3].median_s") and what the value must be."""
    if isinstance(shape, Nullable):
        if value is not None:
            _check_value(value, shape.shape, where, nullable=True)
        return
    _check_value(value, shape, where)


def _check_value(value, shape, where, nullable=False):
    if isinstance(shape, dict):
        _expect(value, dict, where, nullable)
        for name, field in shape.items():
            optional = isinstance(field, Optional)
            if name not in value:
                if optional:
                    continue
                raise ValueError(f"'{_join(where, name)}' is missing")
            check(value[name], field.shape if optional else field, _join(where, name))
    elif isinstance(shape, list):
        _expect(value, list, where, nullable)
        for index, item in enumerate(value):
            if isinstance(shape[0], (Number, OneOf)) and not _fits(item, shape[0]):
                raise ValueError(f"'{where}' must be a list of {describe(shape[0], True)} "
                                 f"(item {index} is {shown(item)})")
            check(item, shape[0], f"{where}[{index}]")
    elif isinstance(shape, MapOf):
        _expect(value, dict, where, nullable)
        for name, item in value.items():
            check(item, shape.shape, _join(where, name))
    elif not _fits(value, shape):
        raise ValueError(f"'{where}' must be {describe(shape)}{' or null' if nullable else ''}, "
                         f"not {shown(value)}")


def _fits(value, shape):
    if isinstance(shape, Number):
        return shape.fits(value)
    if isinstance(shape, OneOf):
        return value in shape.choices and isinstance(value, str)
    return isinstance(value, shape) and (shape is bool or not isinstance(value, bool))


def _expect(value, kind, where, nullable):
    if not isinstance(value, kind):
        raise ValueError(f"'{where}' must be {TYPE_NAMES[kind]}{' or null' if nullable else ''}"
                         f", not {shown(value)}")


def describe(shape, plural=False):
    if isinstance(shape, Number):
        return shape.describe(plural)
    if isinstance(shape, OneOf):
        return ("one of " if not plural else "each one of ") + ", ".join(shape.choices)
    return TYPE_NAMES[shape] + ("s" if plural else "")


def shown(value):
    """A short text for a value in a message: containers by kind and length, long texts cut."""
    if isinstance(value, list):
        return f"list of {len(value)} items"
    if isinstance(value, dict):
        return f"object of {len(value)} fields"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_FLOAT:
        return f"an integer beyond {MAX_FLOAT:.4g}"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _join(where, name):
    return f"{where}.{name}" if where else name
