"""The README's benchmark table, generated from a results file (never edited by hand).

``rewrite(readme_text, result)`` replaces what stands between ``<!-- bench-table:start -->`` and
``<!-- bench-table:end -->`` with ``table(result)``: the summary of the speed goals, then every
implementation at the largest size measured on each device. When the README also holds
``<!-- bench-schema:start -->`` / ``<!-- bench-schema:end -->``, the JSON cell schema is written
there from records.CELL_FIELDS.
"""

import re

from . import fmt, records
from .sizes import format_size

TABLE_MARKERS = ("<!-- bench-table:start -->", "<!-- bench-table:end -->")
SCHEMA_MARKERS = ("<!-- bench-schema:start -->", "<!-- bench-schema:end -->")
COLUMNS = ("op", "dtype", "implementation", "median", "GB/s", "of copy", "× numpy-naive",
           "× best peer")


class MarkerError(ValueError):
    """The README lacks the markers to write between."""


def table(result):
    env = result["environment"]
    parts = [
        f"Measured by `{result['command']}` on {env['cpu']} ({env['numba_threads']} Numba "
        f"threads, {env['threading_layer']}), elunumba commit {records.commit_text(env)}, "
        f"{result['created'][:10]}.",
        fmt.markdown_table(fmt.SUMMARY_COLUMNS,
                           [fmt.summary_row(e) for e in result["summary"]["entries"]]),
    ]
    for device in ("host", "cuda"):
        cells = [c for c in result["cells"] if c["device"] == device and c["status"] == "ok"]
        if cells:
            size = max(c["size"] for c in cells)
            rows = [_row(c) for c in cells if c["size"] == size]
            parts.append(f"{'CPU' if device == 'host' else 'GPU'}, {format_size(size)} "
                         f"elements ({size:,}):\n\n" + fmt.markdown_table(COLUMNS, rows))
    return "\n\n".join(parts)


def _row(cell):
    text = fmt.cell_row(cell)  # size, implementation, median, IQR, Gelem/s, GB/s, ...
    return [cell["op"], cell["dtype"], *text[1:3], *text[5:]]


def schema():
    return fmt.markdown_table(("field", "meaning"), [(f"`{name}`", meaning) for name, meaning
                                                     in records.CELL_FIELDS.items()])


def rewrite(text, result):
    """``text`` with the generated blocks replaced; MarkerError when the table markers are
    missing."""
    if not all(marker in text for marker in TABLE_MARKERS):
        raise MarkerError(f"the README has no {TABLE_MARKERS[0]} ... {TABLE_MARKERS[1]} block "
                          "to write the table into")
    text = replace_between(text, TABLE_MARKERS, table(result))
    if all(marker in text for marker in SCHEMA_MARKERS):
        text = replace_between(text, SCHEMA_MARKERS, schema())
    return text


def replace_between(text, markers, body):
    """``text`` with what stands between the two markers replaced by ``body``."""
    start, end = (re.escape(m) for m in markers)
    return re.sub(f"{start}.*?{end}", lambda _: f"{markers[0]}\n{body}\n{markers[1]}", text,
                  count=1, flags=re.S)
