"""The README's accuracy section, generated from committed results (never edited by hand)."""

from .. import _markdown
from . import fmt, machine

MARKERS = ("<!-- accuracy-table:start -->", "<!-- accuracy-table:end -->")


def exhaustive_section(result):
    headers, rows = fmt.exhaustive_table(result, code=_code)
    return (f"{fmt.exhaustive_title(result)} on {_machine(result)} (`{_command(result)}`):\n\n"
            + _markdown.table(headers, rows))


def band_section(report, dtype, quantity):
    headers, rows = fmt.band_table(report["records"], dtype, quantity, code=_code)
    return (f"{dtype}, {quantity}, {fmt.parameters(report['alpha'], report.get('scale', 1.0))}: "
            f"max ULP error / % correctly rounded, {report['per_band']:,} random inputs per "
            f"band, on {_machine(report)} (`{_command(report)}`):\n\n"
            + _markdown.table(headers, rows))


def _code(text):
    return f"`{text}`"


def _machine(result):
    return machine.line(result.get("machine"))


def _command(result):
    return result.get("command", "command not recorded")


def rewrite(text, body):
    """``text`` with the block between MARKERS replaced by ``body``."""
    return _markdown.replace_between(text, MARKERS, body)
