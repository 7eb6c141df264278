"""Text for numbers and rows, shared by the terminal tables and the markdown files."""

from .sizes import format_size

CELL_COLUMNS = ("size", "implementation", "median", "IQR", "Gelem/s", "GB/s", "of copy",
                "× numpy-naive", "× best peer")


def seconds(value):
    if value is None:
        return "–"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if value >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{value / 1e-9:.3g} ns"


def number(value, digits=3):
    return "–" if value is None else f"{value:.{digits}g}"


def ratio(value):
    return "–" if value is None else f"{value:.2f}×"


def percent(value):
    return "–" if value is None else f"{100 * value:.0f}%"


def label(record):
    """``parallel``, ``torch``; ``(cuda)`` appended for cells on a GPU."""
    return record["target"] + (" (cuda)" if record["device"] == "cuda" else "")


def cell_row(record, reason=True):
    """The CELL_COLUMNS of one cell record, as text; a failed cell says why unless ``reason``
    is false (narrow terminals list the reasons apart, see failure_line)."""
    if record["status"] != "ok":
        return [format_size(record["size"]), label(record),
                f"failed: {record['reason']}" if reason else "failed",
                *["–"] * (len(CELL_COLUMNS) - 3)]
    return [format_size(record["size"]), label(record), seconds(record["median_s"]),
            seconds(record["iqr_s"]), number(record["gelems"]), number(record["gbps"]),
            percent(record["fraction_of_copy"]), ratio(record["speedup_vs_numpy"]),
            _versus_best(record)]


def _versus_best(record):
    if record["speedup_vs_best_peer"] is None:
        return "–"
    return f"{ratio(record['speedup_vs_best_peer'])} ({record['best_peer']})"


def failure_line(record):
    return (f"failed: {record['op']} {record['dtype']} {format_size(record['size'])} "
            f"{label(record)}: {record['reason']}")


def transfer_line(record):
    """For a cuda cell measured with NumPy arrays too: what the host-device copies add."""
    return (f"{record['op']} {record['dtype']} {format_size(record['size'])} {label(record)}: "
            f"{seconds(record['with_transfers_s'])} with NumPy arrays in and out (transfers "
            f"included), {seconds(record['median_s'])} on device arrays")


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
    size = "–" if entry["size"] is None else format_size(entry["size"])
    return [entry["name"], size, shown, entry["goal"] or "–", met]


def skipped_line(entry):
    where = f" on {entry['device']}" if entry.get("device") else ""
    return f"{entry['name']}{where}: {entry['reason']}"


def markdown_table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines)
