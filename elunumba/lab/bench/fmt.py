"""Text for numbers and rows, shared by the terminal tables and the markdown files."""

from . import stability
from .sizes import format_size

# "× naive" is the speedup over numpy-naive
CELL_COLUMNS = ("size", "name", "median ±IQR", "GB/s", "of copy", "× naive",
                "× best peer")
# the terminal's: without GB/s (in the files), so that a table fits 80 columns
TERMINAL_COLUMNS = tuple(column for column in CELL_COLUMNS if column != "GB/s")


def seconds(value):
    if value is None:
        return "–"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if value >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{value / 1e-9:.3g} ns"


def number(value, digits=3):
    if value is None:
        return "–"
    return f"{value:.{digits}g}" if abs(value) >= 0.01 or value == 0 else "<0.01"


def ratio(value, spread=None):
    """"2.78×", or with the interquartile range of its paired samples "2.78× ±0.05"."""
    if value is None:
        return "–"
    shown = f"{value:.3g}×" if value >= 0.01 else "<0.01×"
    return shown + ("" if spread is None else f" ±{spread / 2:.2g}")


def percent(value, spread=None):
    if value is None:
        return "–"
    return f"{100 * value:.0f}%" + ("" if spread is None else f" ±{50 * spread:.2g}")


def label(record):
    """``parallel``, ``torch``; ``(cuda)`` appended for cells on a GPU."""
    return record["target"] + (" (cuda)" if record["device"] == "cuda" else "")


def cell_row(record, reason=True, spreads=False, columns=CELL_COLUMNS, mark_unstable=False):
    """The ``columns`` (of CELL_COLUMNS) of one cell record, as text; a failed cell says why
    unless ``reason`` is false (narrow terminals list the reasons apart, see failure_line).
    ``spreads`` adds each ratio's spread: half the interquartile range of its paired samples.
    ``mark_unstable`` marks the spread of an unstable cell (see stability.py)."""
    if record["status"] != "ok":
        texts = dict.fromkeys(CELL_COLUMNS, "–")
        texts["median ±IQR"] = f"failed: {record['reason']}" if reason else "failed"
    else:
        spread = (lambda name: record.get(f"{name}_iqr")) if spreads else (lambda name: None)
        mark = stability.MARK if mark_unstable and stability.is_unstable(record) else ""
        texts = {
            "median ±IQR": f"{seconds(record['median_s'])} "
                           f"±{_relative(record['iqr_s'], record['median_s'])}{mark}",
            "GB/s": number(record["gbps"]),
            "of copy": percent(record["fraction_of_copy"], spread("fraction_of_copy")),
            "× naive": ratio(record["speedup_vs_numpy"], spread("speedup_vs_numpy")),
            "× best peer": _versus_best(record, spread("speedup_vs_best_peer")),
        }
    texts.update({"size": format_size(record["size"]), "name": label(record)})
    return [texts[column] for column in columns]


def _relative(part, whole):
    return "–" if part is None or not whole else f"{100 * part / whole:.0f}%"


def _versus_best(record, spread=None):
    if record["speedup_vs_best_peer"] is None:
        return "–"
    return f"{ratio(record['speedup_vs_best_peer'], spread)} {record['best_peer']}"


def failure_line(record):
    return f"failed: {cell_name(record)}: {record['reason']}"


def cell_name(record):
    """``forward float32 2^22 parallel``."""
    return f"{record['op']} {record['dtype']} {format_size(record['size'])} {label(record)}"


def transfer_line(record):
    """For a cuda cell measured with NumPy arrays too: what the host-device copies add."""
    return (f"{cell_name(record)}: {seconds(record['with_transfers_s'])} with NumPy arrays in "
            f"and out (transfers included), {seconds(record['median_s'])} on device arrays")


def groups(cells):
    """Cells by (op, dtype), in first-seen order; each group sorted by size, then as measured."""
    grouped = {}
    for record in cells:
        grouped.setdefault((record["op"], record["dtype"]), []).append(record)
    return {key: sorted(rows, key=lambda r: r["size"]) for key, rows in grouped.items()}


SUMMARY_COLUMNS = ("measure", "size", "value", "goal", "met")


def summary_row(entry):
    value = entry["value"]
    shown = "not measured" if value is None else (
        percent(value) if entry["unit"] == "fraction" else ratio(value))
    met = {True: "yes", False: "NO", None: "–"}[entry["met"]]
    if entry.get("note", "").startswith("not judged"):
        met = "n/a"
    size = "–" if entry["size"] is None else format_size(entry["size"])
    return [entry["name"], size, shown, entry["goal"] or "–", met]


def summary_notes(entries):
    """Lines under the summary: where the goals were set, and why an entry is not judged."""
    set_for = next((e["set_for"] for e in entries if e.get("set_for")), None)
    lines = [f"Goals set for {set_for}, alpha 1."] if set_for else []
    return lines + [f"{e['name']}: {e['note']}" for e in entries if e.get("note")]


def skipped_line(entry):
    where = f" on {entry['device']}" if entry.get("device") else ""
    return f"{entry['name']}{where}: {entry['reason']}"
