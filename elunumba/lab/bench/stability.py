"""Which cells are unstable: their samples spread too widely for the median alone to be trusted.

pyperf warns when a benchmark's standard deviation reaches 10% of its mean. A cell's spread here is
the interquartile range of its samples over their median (the "±" the tables print after the
median), which one sample cut short by another process does not inflate as it inflates a
standard deviation; the warning comes at the same 10%.
"""

import os

UNSTABLE_SPREAD = 0.10
MARK = "!"


def relative_spread(cell):
    """The cell's interquartile range over its median; None for a failed or unmeasured cell."""
    if cell["status"] != "ok" or not cell["median_s"] or cell.get("iqr_s") is None:
        return None
    return cell["iqr_s"] / cell["median_s"]


def is_unstable(cell, threshold=UNSTABLE_SPREAD):
    spread = relative_spread(cell)
    return spread is not None and spread >= threshold


def warning(cells, describe, threshold=UNSTABLE_SPREAD):
    """Lines warning of the unstable cells (none when every cell is steady), naming the
    threshold and the widest spread; ``describe(cell)`` names a cell."""
    shaky = [c for c in cells if is_unstable(c, threshold)]
    if not shaky:
        return []
    widest = max(shaky, key=relative_spread)
    measured = sum(relative_spread(c) is not None for c in cells)
    return [
        (f"WARNING: {len(shaky)} of {measured} cells may be unstable: the spread of their "
         f"samples (interquartile range over the median, the ± after the median, marked "
         f"{MARK}) is {100 * threshold:.0f}% or more; the widest is "
         f"±{100 * relative_spread(widest):.0f}% ({describe(widest)})."),
        ("Their times may be off by more than the differences they show (the ratios between "
         "implementations divide samples taken side by side, which cancels a slow spell both "
         f"shared). Rerun on a quieter machine{_load_text()}, or with more --repeats."),
    ]


def _load_text():
    try:
        one_minute = os.getloadavg()[0]
    except (AttributeError, OSError):  # not available on this platform
        return ""
    return f" (load average now {one_minute:.1f} on {os.cpu_count()} logical cores)"
