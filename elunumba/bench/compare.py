"""Comparing two results files cell by cell, with a verdict that knows the runs' own noise.

Cells match on (op, dtype, target, device, size). ``ratio`` is new median time over old (below 1
is faster). The verdict is "same" when the two runs' interquartile ranges [q1, q3] overlap: the
difference is within the spread each run shows by itself. Otherwise "faster" or "slower".
A cell that was measured in OLD and failed in NEW is "failed"; a cell that failed in OLD is
"no baseline". ``regressions(rows, pct)`` lists the rows that gate CI: "slower" by more than pct
percent, or "failed".
"""

KEY = ("op", "dtype", "target", "device", "size")


def key(record):
    return tuple(record[k] for k in KEY)


def verdict(old, new):
    if old["status"] != "ok":
        return "no baseline"
    if new["status"] != "ok":
        return "failed"
    if new["q1_s"] <= old["q3_s"] and old["q1_s"] <= new["q3_s"]:
        return "same"
    return "faster" if new["median_s"] < old["median_s"] else "slower"


def compare(old_result, new_result):
    """(rows, only_old, only_new): a row per cell present in both, then the unmatched keys."""
    old = {key(c): c for c in old_result["cells"]}
    new = {key(c): c for c in new_result["cells"]}
    rows = []
    for cell_key, new_cell in new.items():
        old_cell = old.get(cell_key)
        if old_cell is None:
            continue
        both_ok = old_cell["status"] == "ok" and new_cell["status"] == "ok"
        ratio = new_cell["median_s"] / old_cell["median_s"] if both_ok else None
        rows.append({**dict(zip(KEY, cell_key)), "old_median_s": old_cell["median_s"],
                     "new_median_s": new_cell["median_s"], "ratio": ratio,
                     "change_pct": None if ratio is None else 100 * (ratio - 1),
                     "verdict": verdict(old_cell, new_cell)})
    only_old = [k for k in old if k not in new]
    only_new = [k for k in new if k not in old]
    return rows, only_old, only_new


def regressions(rows, fail_above_pct):
    return [row for row in rows if row["verdict"] == "failed" or (
        row["verdict"] == "slower" and row["change_pct"] > fail_above_pct)]
