"""Throughput against size, one panel per (op, dtype), a line per target and peer, the copy
baseline as a dashed line (and a GPU's theoretical peak as a dotted one).

matplotlib is an optional extra (``pip install 'elunumba[plot]'``), imported only here, only when
a plot is drawn; it is driven through its object API (no pyplot, no global state).
"""

import importlib.util

from . import fmt, records
from .sizes import format_size

INSTALL_HINT = "pip install 'elunumba[plot]'"


class PlotUnavailableError(RuntimeError):
    """matplotlib is not installed."""


def check_available():
    if importlib.util.find_spec("matplotlib") is None:
        raise PlotUnavailableError(f"--plot needs matplotlib, which is not installed: "
                                   f"{INSTALL_HINT}")


def plot(result, path):
    """Draw ``result``'s cells into ``path`` (the format follows the extension, e.g. .png)."""
    check_available()
    from matplotlib.figure import Figure

    grouped = fmt.groups(result["cells"])
    ops = list(dict.fromkeys(op for op, _ in grouped))
    dtypes = list(dict.fromkeys(dtype for _, dtype in grouped))
    rows, columns = max(1, len(ops)), max(1, len(dtypes))  # an interrupted sweep may have none
    figure = Figure(figsize=(5.5 * columns, 4 * rows), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False)
    for (op, dtype), cells in grouped.items():
        ax = axes[ops.index(op)][dtypes.index(dtype)]
        _draw_panel(ax, op, dtype, cells)
    env = result["environment"]
    figure.suptitle(f"elunumba bench: {env['cpu']}, {env['numba_threads']} Numba threads"
                    + (f", {env['gpu']['name']}" if env.get("gpu") else ""))
    versions = ", ".join(f"{k} {v}" for k, v in env["versions"].items()
                         if k in ("elunumba", "numpy", "numba", "torch"))
    figure.supxlabel(f"{versions}; commit {records.commit_text(env)}; {result['created']}",
                     fontsize=6, color="grey")
    figure.savefig(path, dpi=110)


def _draw_panel(ax, op, dtype, cells):
    lines = {}
    for cell in cells:
        if cell["gbps"]:  # measured, and in a time the clock could resolve
            lines.setdefault((fmt.label(cell), cell["kind"]), []).append((cell["size"],
                                                                          cell["gbps"]))
    for (name, kind), points in lines.items():
        ax.plot(*zip(*points), marker="o", markersize=3, label=name,
                linewidth=2.2 if kind == "target" else 1.0)
    _draw_baselines(ax, cells)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_title(f"{op} {dtype}")
    ax.set_xlabel("elements per array")
    ax.set_ylabel("GB/s (all bytes moved)")
    ticks = sorted({c["size"] for c in cells})
    ax.set_xticks(ticks, [format_size(s) for s in ticks], fontsize=7)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)


def _draw_baselines(ax, cells):
    for device, style in (("host", "--"), ("cuda", "-.")):
        copy = sorted({(c["size"], c["copy_gbps"]) for c in cells
                       if c["device"] == device and c["copy_gbps"]})
        if copy:
            ax.plot(*zip(*copy), "k" + style, linewidth=1,
                    label="copy" + (" (cuda)" if device == "cuda" else ""))
    peaks = {c["peak_gbps"] for c in cells if c["peak_gbps"]}
    for peak in peaks:
        ax.axhline(peak, color="grey", linestyle=":", linewidth=1, label="GPU peak")
