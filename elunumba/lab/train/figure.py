"""One figure of the experiments: epochs to target per seed for every setting of the spirals
and the digits, and the deep networks' per-layer variance and mean at initialisation, measured
against the prediction from ``elunumba.stats``."""

import math

import numpy as np

from ..plot.figure import pyplot, save
from . import summary


def draw(path, result):
    plt = pyplot()
    figure, axes = plt.subplots(2, 2, figsize=(16, 11))
    for panel, experiment in zip(axes[0], ("spirals", "digits")):
        if experiment in result["experiments"]:
            _epochs_panel(panel, experiment, result["experiments"][experiment])
        else:
            panel.set_axis_off()
    if "depth" in result["experiments"]:
        _depth_panels(axes[1], result["experiments"]["depth"])
    else:
        for panel in axes[1]:
            panel.set_axis_off()
    figure.suptitle(f"{result['machine']['line']}; {result['seconds']:.0f} s in all",
                    fontsize=10)
    save(plt, figure, path, dpi=90)


def _epochs_panel(panel, experiment, found):
    budget = found["settings"]["budget"]
    rows = found["summary"]
    groups = summary.groups(found["runs"])
    labels = []
    for position, row in enumerate(rows):
        runs = groups[(row["init"], row["layernorm"]), row["key"]]
        values = [summary.measure(r, "epochs_to_target") for r in runs]
        shown = [budget["max_epochs"] * 1.15 if math.isinf(v) else v for v in values]
        jitter = np.linspace(-0.25, 0.25, len(shown))
        color = f"C{list(dict.fromkeys(r['key'] for r in rows)).index(row['key'])}"
        panel.scatter(position + jitter, shown, s=10, color=color, alpha=0.7)
        middle = row["epochs_to_target"]
        if middle["median"] is not None:
            panel.plot([position - 0.35, position + 0.35], [middle["median"]] * 2, color="black")
        norm = {None: "", False: "", True: " +LN"}[row["layernorm"]]
        labels.append(f"{row['activation']}{norm}, {row['init']}")
    panel.axhline(budget["max_epochs"], color="grey", linewidth=0.6, linestyle=":")
    panel.set_xticks(range(len(labels)), labels, rotation=70, fontsize=7, ha="right")
    panel.set_yscale("log")
    panel.set_ylabel(f"epochs to test accuracy {budget['target']:g} (above the line: not reached "
                     f"in {budget['max_epochs']})")
    panel.set_title(f"{experiment}: one dot per seed, bar = median")
    panel.grid(True, axis="y", alpha=0.3)


def _depth_panels(panels, found):
    variance_panel, mean_panel = panels
    depth = found["settings"]["depth"]
    layers = np.arange(1, depth + 1)
    for index, (key, entry) in enumerate(found["summary"].items()):
        if key == "fixed_point":
            continue
        color = f"C{index}"
        for panel, quantity in ((variance_panel, "variance"), (mean_panel, "mean")):
            measured = entry["measured"][quantity]
            panel.plot(layers, [m["median"] for m in measured], color=color,
                       label=f"{entry['name']}: measured (median, interval)")
            panel.fill_between(layers, [m["low"] for m in measured],
                               [m["high"] for m in measured], color=color, alpha=0.2)
            panel.plot(layers, entry["predicted"][quantity], color=color, linestyle="--",
                       label=f"{entry['name']}: predicted")
    variance_panel.set_yscale("log")
    variance_panel.set_title(f"variance of each layer's output at initialisation "
                             f"(width {found['settings']['width']})")
    mean_panel.set_title("mean of each layer's output at initialisation")
    for panel in panels:
        panel.set_xlabel("layer")
        panel.grid(True, alpha=0.3)
        panel.axhline(1.0 if panel is variance_panel else 0.0, color="grey", linewidth=0.6)
    variance_panel.legend(fontsize=7)
