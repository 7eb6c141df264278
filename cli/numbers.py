"""One click callback for numeric options: finite, and within bounds when given."""

import math

import click


def finite_number(lowest=None, strict=True, highest=None):
    """A callback accepting finite values above ``lowest`` (or equal to it when not ``strict``)
    and at most ``highest``; anything else is a usage error (exit 2) saying what is accepted.
    None (an option left out that has no default) passes."""
    def check(ctx, param, value):
        if value is None:
            return value
        below = lowest is not None and (value <= lowest if strict else value < lowest)
        above = highest is not None and value > highest
        if not math.isfinite(value) or below or above:
            needs = "a finite number"
            if lowest is not None:
                needs += f" {'>' if strict else '>='} {lowest:g}"
            if highest is not None:
                needs += f"{' and' if lowest is not None else ''} <= {highest:g}"
            raise click.BadParameter(f"{value!r} is not {needs}")
        return value
    return check
