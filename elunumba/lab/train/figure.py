"""One figure of the experiment: loss curves, fraction of dead units and mean activation per
epoch, each the mean over seeds of one (activation, LayerNorm) setting."""

import numpy as np

from ..plot.figure import pyplot, save_png


def draw(path, records):
    plt = pyplot()
    figure, (losses, dead, means) = plt.subplots(1, 3, figsize=(16, 5))
    groups = {}
    for record in records:
        groups.setdefault((record["activation"], record["layernorm"]), []).append(record)
    colors = {}
    for (activation, layernorm), runs in groups.items():
        color = colors.setdefault(activation, f"C{len(colors)}")
        style = dict(color=color, linestyle="--" if layernorm else "-", linewidth=1.6,
                     label=f"{activation}{' + LayerNorm' if layernorm else ''}")
        epochs = np.arange(1, len(runs[0]["loss"]) + 1)
        losses.plot(epochs, np.mean([r["loss"] for r in runs], axis=0), **style)
        dead.plot(epochs, np.mean([np.mean(r["dead_fraction"], axis=1) for r in runs], axis=0),
                  **style)
        means.plot(epochs, np.mean([np.mean(r["mean_activation"], axis=1) for r in runs],
                                   axis=0), **style)
    seeds = len(next(iter(groups.values())))
    losses.set_yscale("log")
    losses.set_title(f"training loss (mean of {seeds} seeds)")
    dead.set_title("dead units: zero gradient on every sample of the epoch")
    dead.set_ylabel("fraction of hidden units")
    means.set_title("mean activation of the hidden layers")
    means.axhline(0, color="grey", linewidth=0.6)
    for axes in (losses, dead, means):
        axes.set_xlabel("epoch")
        axes.grid(True, alpha=0.3)
    losses.legend(fontsize=8)
    save_png(plt, figure, path, dpi=100)
