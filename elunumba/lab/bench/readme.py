"""The README's benchmark tables, generated from results files (never edited by hand).

``rewrite(readme_text, [(source, result), ...])`` replaces what stands between
``<!-- bench-table:start -->`` and ``<!-- bench-table:end -->`` with one section per results file
(one per machine), each captioned with the machine: the summary of the speed goals, then every
implementation at the largest size measured on each device. When the README also holds
``<!-- bench-schema:start -->`` / ``<!-- bench-schema:end -->``, the JSON cell schema is written
there from records.CELL_FIELDS.
"""

import pathlib

from .. import markdown
from . import fmt, records
from .sizes import format_size

TABLE_MARKERS = ("<!-- bench-table:start -->", "<!-- bench-table:end -->")
SCHEMA_MARKERS = ("<!-- bench-schema:start -->", "<!-- bench-schema:end -->")
COLUMNS = ("op", "dtype", "implementation", "median ±IQR", "GB/s", "of copy", "× numpy-naive",
           "× best peer")


class MarkerError(ValueError):
    """The README lacks the markers to write between, or has them out of order."""


def table(result, source=None):
    """The markdown for one results file: a caption naming the machine, the summary of the speed
    goals and its notes, then every implementation at the largest size measured on each
    device. ``source`` is the file's name, shown in the caption."""
    env = result["environment"]
    origin = f" (`{source}`)" if source else ""
    parts = [
        f"**{records.machine_caption(env)}**{origin}: measured by `{result['command']}`, "
        f"elunumba commit {records.commit_text(env)}, {result['created'][:10]}"
        + (f", alpha {result['settings']['alpha']:g}"
           if result["settings"].get("alpha", 1.0) != 1.0 else "") + ".",
        markdown.table(fmt.SUMMARY_COLUMNS,
                           [fmt.summary_row(e) for e in result["summary"]["entries"]]),
    ]
    if not any(c.get("samples_s") for c in result["cells"]):
        parts[0] += (" This file predates paired sampling: its ratios divide medians taken "
                     "minutes apart, and its spreads are not recorded.")
    notes = fmt.summary_notes(result["summary"]["entries"])
    if notes:
        parts.append("\n".join(f"- {line}" for line in notes))
    for device in ("host", "cuda"):
        cells = [c for c in result["cells"] if c["device"] == device and c["status"] == "ok"]
        if cells:
            size = max(c["size"] for c in cells)
            rows = [_row(c) for c in cells if c["size"] == size]
            parts.append(f"{'CPU' if device == 'host' else 'GPU'}, {format_size(size)} "
                         f"elements ({size:,}); ± is half the interquartile range of paired "
                         f"samples where recorded:\n\n" + markdown.table(COLUMNS, rows))
    return "\n\n".join(parts)


def tables(results):
    """One table() per (source, result) pair, each under a heading naming its machine."""
    return "\n\n".join(f"### {_heading(result, source)}\n\n{table(result, source)}"
                        for source, result in results)


def _heading(result, source):
    cpu = result["environment"].get("machine")
    name = records.cpu_name(result["environment"])
    if cpu:
        return f"{name}, {cpu['isa']}"
    return f"{name}, vector ISA {records.NOT_RECORDED} ({pathlib.Path(source).name})"


def _row(cell):
    text = fmt.cell_row(cell, spreads=True)  # size, implementation, median ±IQR, GB/s, ...
    return [cell["op"], cell["dtype"], *text[1:]]


def schema():
    return markdown.table(("field", "meaning"), [(f"`{name}`", meaning) for name, meaning
                                                     in records.CELL_FIELDS.items()])


def rewrite(text, results):
    """``text`` with the generated blocks replaced by the tables of ``results`` ([(source,
    result)]); MarkerError when the table markers are missing, repeated or out of order."""
    check_markers(text, TABLE_MARKERS, required=True)
    text = markdown.replace_between(text, TABLE_MARKERS, tables(results))
    if check_markers(text, SCHEMA_MARKERS, required=False):
        text = markdown.replace_between(text, SCHEMA_MARKERS, schema())
    return text


def check_markers(text, markers, required):
    """Whether ``text`` holds the two markers once each, start first; MarkerError when it holds
    them wrongly (or not at all, where ``required``)."""
    start, end = markers
    counts = (text.count(start), text.count(end))
    if counts == (0, 0) and not required:
        return False
    if counts != (1, 1):
        raise MarkerError(f"the README must hold {start} and {end} once each, to write "
                          f"between them (found {counts[0]} and {counts[1]})")
    if text.index(start) > text.index(end):
        raise MarkerError(f"the README's {end} stands before its {start}: put the start "
                          "marker first")
    return True

