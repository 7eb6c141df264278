"""Array sizes for a sweep: parsing ``--sizes`` text and the defaults.

A size list is comma-separated; each item is a single size or a range ``START:STOP[:STEP]``.

    1024, 1e6, 2^20, 2**20        single sizes (a float form must be a whole number)
    2^10:2^24:x4                  geometric: 2^10, 2^12, ..., 2^24 (STOP included when reached)
    1000:5000:+1000               arithmetic: 1000, 2000, ..., 5000
    2^10:2^16                     geometric with the default step x2

Sizes come back sorted, without repeats.
"""

import math
import re

DEFAULT_HOST_SIZES = "2^10:2^26:x4"
DEFAULT_GPU_SIZES = "2^10:2^28:x4"
QUICK_SIZES = "2^12,2^18,2^22"
MAX_RANGE_ITEMS = 1000

_POWER = re.compile(r"^(\d+)\s*(?:\^|\*\*)\s*(\d+)$")


class SizeError(ValueError):
    """Malformed size text; the message is one line that says what was expected."""


def parse_sizes(text):
    """The sorted, distinct sizes that ``text`` describes; SizeError when it is malformed."""
    if not isinstance(text, str) or not text.strip():
        raise SizeError("no sizes given: expected e.g. '2^10:2^24:x4', '1024,4096' or '1e6'")
    sizes = set()
    for item in text.split(","):
        item = item.strip()
        if not item:
            raise SizeError(f"empty item in size list {text!r}")
        sizes.update(_parse_range(item) if ":" in item else [parse_size(item)])
    return sorted(sizes)


def parse_size(text):
    """One size: an integer, ``B^E`` / ``B**E`` or a whole-number float such as ``1e6``."""
    text = text.strip().replace("_", "")
    power = _POWER.match(text)
    if power:
        base, exponent = int(power.group(1)), int(power.group(2))
        if exponent > 64:
            raise SizeError(f"size {text!r} is too large")
        value = base**exponent
    elif text.isdigit():
        value = int(text)
    else:
        try:
            number = float(text)
        except ValueError:
            raise SizeError(f"malformed size {text!r}: expected an integer, 2^K or a number "
                            "such as 1e6") from None
        if not math.isfinite(number) or number != int(number):
            raise SizeError(f"size {text!r} is not a whole number of elements")
        value = int(number)
    if value < 1:
        raise SizeError(f"size {text!r} must be at least 1")
    return value


def _parse_range(item):
    parts = item.split(":")
    if len(parts) not in (2, 3):
        raise SizeError(f"malformed range {item!r}: expected START:STOP or START:STOP:STEP")
    start, stop = parse_size(parts[0]), parse_size(parts[1])
    step = parts[2].strip() if len(parts) == 3 else "x2"
    if stop < start:
        raise SizeError(f"range {item!r} ends before it starts")
    if step[:1] in ("x", "*"):
        factor = _step_number(step[1:], item)
        if factor < 2:
            raise SizeError(f"range {item!r}: a multiplying step must be at least x2")
        values = [start]
        while values[-1] * factor <= stop and len(values) <= MAX_RANGE_ITEMS:
            values.append(values[-1] * factor)
    else:
        increment = _step_number(step.lstrip("+"), item)
        values = range(start, stop + 1, increment)
    if len(values) > MAX_RANGE_ITEMS:
        raise SizeError(f"range {item!r} has more than {MAX_RANGE_ITEMS} sizes")
    return list(values)


def _step_number(text, item):
    try:
        return parse_size(text)
    except SizeError:
        raise SizeError(f"malformed step in range {item!r}: expected xN (multiply) or +N "
                        "(add)") from None


def default_sizes(gpu=False):
    return parse_sizes(DEFAULT_GPU_SIZES if gpu else DEFAULT_HOST_SIZES)


def format_size(size):
    """``2^20`` for powers of two from 2^4 on, else the integer."""
    if size >= 16 and size & (size - 1) == 0:
        return f"2^{size.bit_length() - 1}"
    return str(size)
