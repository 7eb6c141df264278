"""Throughput against size, one panel per (op, dtype), a line per target and peer in a colour of
its own (the same in every panel and plot) with its interquartile band, the copy baseline as a
grey band (and a GPU's theoretical peak as a dotted line), one legend beside the panels.

matplotlib is an optional extra (``pip install 'elunumba[plot]'``), imported only here, only when
a plot is drawn; it is driven through its object API (no pyplot, no global state).
"""

import importlib.util

import numpy as np

from elunumba.lab.files import FIGURE_SUFFIXES, atomic_output, output_format

from . import copy, fmt, records
from .sizes import format_size

INSTALL_HINT = "pip install 'elunumba[plot]'"
# formats every matplotlib backend writes without extra software
SUFFIXES = FIGURE_SUFFIXES
COLOURS = {"cpu": "#1f77b4", "parallel": "#d62728", "parallel-cr": "#9467bd", "cuda": "#2ca02c",
           "auto-alloc": "#e377c2",
           "numpy-naive": "#7f7f7f", "numpy-expm1": "#bcbd22", "numexpr": "#17becf",
           "torch": "#ff7f0e", "cupy": "#8c564b"}


class PlotUnavailableError(RuntimeError):
    """matplotlib is not installed."""


def check_available():
    if importlib.util.find_spec("matplotlib") is None:
        raise PlotUnavailableError(f"--plot needs matplotlib, which is not installed: "
                                   f"{INSTALL_HINT}")


def plot(result, path):
    """Draw ``result``'s cells into ``path``, written whole or not at all; the format follows
    the extension (one of SUFFIXES)."""
    check_available()
    from matplotlib.figure import Figure

    grouped = fmt.groups(result["cells"])
    ops = list(dict.fromkeys(op for op, _ in grouped))
    dtypes = list(dict.fromkeys(dtype for _, dtype in grouped))
    rows, columns = max(1, len(ops)), max(1, len(dtypes))  # an interrupted sweep may have none
    figure = Figure(figsize=(4.8 * columns + 1.8, 3.8 * rows + 0.6), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False)
    for (op, dtype), cells in grouped.items():
        _draw_panel(axes[ops.index(op)][dtypes.index(dtype)], op, dtype, cells)
    handles = {}
    for ax in axes.flat:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(label, handle)
    if handles:  # one legend for every panel, beside them: the colours are the same everywhere
        figure.legend(handles.values(), handles.keys(), loc="outside right upper", fontsize=8)
    env = result["environment"]
    figure.suptitle(f"elunumba bench: {records.machine_caption(env)}"
                    + (f", {env['gpu']['name']}" if env.get("gpu") else "")
                    + _alpha_note(result), fontsize=10)
    versions = ", ".join(f"{k} {v}" for k, v in env["versions"].items()
                         if k in ("elunumba", "numpy", "numba", "torch"))
    figure.supxlabel(f"{versions}; commit {records.commit_text(env)}; {result['created']}; "
                     "bands: interquartile range of the samples; grey band: the copy baseline",
                     fontsize=6, color="grey")
    with atomic_output(path, "wb") as f:
        figure.savefig(f, format=output_format(path, SUFFIXES), dpi=110)


def _alpha_note(result):
    alpha = result["settings"].get("alpha", 1.0)
    return "" if alpha == 1.0 else f", alpha {alpha:g}"


def colour(name):
    """One colour per implementation, the same in every panel and every plot."""
    return COLOURS.get(name, "black")


def _draw_panel(ax, op, dtype, cells):
    _draw_copy_band(ax, cells)
    lines = {}
    for cell in cells:
        if cell["gbps"]:  # measured, and in a time the clock could resolve
            lines.setdefault((cell["target"], cell["device"], cell["kind"]), []).append(cell)
    for (name, device, kind), measured in lines.items():
        sizes = [c["size"] for c in measured]
        label = name + (" (cuda)" if device == "cuda" else "")
        style = "--" if device == "cuda" and kind == "peer" else "-"
        ax.plot(sizes, [c["gbps"] for c in measured], style, marker="o", markersize=3,
                label=label, color=colour(name), linewidth=2.2 if kind == "target" else 1.0)
        if all(c["q1_s"] and c["q3_s"] for c in measured):
            ax.fill_between(sizes, [c["bytes"] / c["q3_s"] / 1e9 for c in measured],
                            [c["bytes"] / c["q1_s"] / 1e9 for c in measured],
                            color=colour(name), alpha=0.18, linewidth=0)
    peaks = {c["peak_gbps"] for c in cells if c["peak_gbps"]}
    for peak in peaks:
        ax.axhline(peak, color="grey", linestyle=":", linewidth=1, label="GPU peak")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_title(f"{op} {dtype}", fontsize=9)
    ax.set_xlabel("elements per array", fontsize=8)
    ax.set_ylabel("GB/s (all bytes moved)", fontsize=8)
    ticks = sorted({c["size"] for c in cells})
    ax.set_xticks(ticks, [format_size(s) for s in ticks], fontsize=7)
    ax.grid(True, which="both", alpha=0.3)


def _draw_copy_band(ax, cells):
    """The copy baseline as the band its samples span (interquartile range at each size): one
    copy's median hops from size to size with the machine's drift, a band shows that spread."""
    for device in ("host", "cuda"):
        spans = {}
        for cell in cells:
            samples = cell.get("copy_samples_s")
            if cell["device"] == device and samples:
                rates = copy.moved_bytes(cell["bytes"]) / np.array(samples) / 1e9
                spans.setdefault(cell["size"], []).extend(rates)
            elif cell["device"] == device and cell["copy_gbps"]:
                spans.setdefault(cell["size"], []).append(cell["copy_gbps"])
        if spans:
            sizes = sorted(spans)
            low, high = zip(*(np.percentile(spans[s], [25, 75]) for s in sizes))
            ax.fill_between(sizes, low, high, color="grey", alpha=0.3, linewidth=0,
                            label="copy" + (" (cuda)" if device == "cuda" else ""))
