"""The click types of the numeric options that are not plain click ones: finite floats within
bounds, and integers written as a power of two or in hex. Each keeps click's own metavar
(FLOAT RANGE, INTEGER), so every number in the help reads alike, and a bounded float shows its
bounds the way click's IntRange does, in the option's [default: ...; range] bracket."""

import math

import click


class FiniteFloat(click.FloatRange):
    """A finite float above ``lowest`` (or equal to it when not ``strict``) and at most
    ``highest``; anything else is a usage error (exit 2) saying what is accepted, and ``why``
    where the bound needs a reason."""

    def __init__(self, lowest=None, strict=False, highest=None, why=None):
        super().__init__(min=lowest, max=highest, min_open=strict)
        self.why = why

    def convert(self, value, param, ctx):
        number = click.FLOAT.convert(value, param, ctx)
        below = self.min is not None and (number <= self.min if self.min_open
                                          else number < self.min)
        above = self.max is not None and number > self.max
        if not math.isfinite(number) or below or above:
            needs = "a finite number"
            if self.min is not None:
                needs += f" {'>' if self.min_open else '>='} {self.min:g}"
            if self.max is not None:
                needs += f"{' and' if self.min is not None else ''} <= {self.max:g}"
            self.fail(f"{number!r} is not {needs}" + (f": {self.why}" if self.why else ""),
                      param, ctx)
        return number


class WrittenInteger(click.ParamType):
    """An integer written in decimal, in hex (0x...) or, through ``parse``, in another notation
    (2^26, 1e6): ``parse`` turns the text into the integer or raises ValueError saying why."""

    name = "integer"

    def __init__(self, parse):
        self.parse = parse

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        try:
            return self.parse(value)
        except ValueError as error:
            self.fail(str(error), param, ctx)
