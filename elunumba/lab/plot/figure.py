"""The two-panel figure: activations on the left, their derivatives (by the fused kernel) right."""

import io

from ..files import FIGURE_SUFFIXES, atomic_output, output_format


def pyplot():
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise RuntimeError("drawing a figure needs matplotlib: pip install "
                           "'elunumba[plot]'") from None
    return plt


def draw(path, found):
    """Draw ``curves.curves(...)`` output to ``path``, a .png, .svg or .pdf by its suffix
    (written whole or not at all)."""
    plt = pyplot()
    figure, (values, slopes) = plt.subplots(1, 2, figsize=(12, 5))
    for label, curve in found.items():
        dashed = not label.startswith("ELU")
        style = dict(linestyle="--" if dashed else "-", linewidth=1.4 if dashed else 2.0)
        values.plot(curve["x"], curve["y"], label=label, **style)
        slopes.plot(curve["x"], curve["yp"], label=label, **style)
    if "ELU(alpha=1)" in found:
        values.plot([0], [0], "o", color="black", markersize=6)
        slopes.plot([0], [1], "o", color="black", markersize=6)
        slopes.annotate("alpha = 1: f'(0-) = f'(0+) = 1, ELU is C¹ here",
                        xy=(0, 1), xytext=(-2.9, 1.45), arrowprops=dict(arrowstyle="->"))
    values.set_title("ELU for several alpha, ReLU and LeakyReLU")
    values.set_ylabel("f(x)")
    slopes.set_title("Derivatives f'(x) (elunumba.elu_value_and_grad)")
    slopes.set_ylabel("f'(x)")
    for axes in (values, slopes):
        axes.set_xlabel("x")
        axes.axhline(0, color="grey", linewidth=0.6)
        axes.axvline(0, color="grey", linewidth=0.6)
        axes.grid(True, alpha=0.3)
        axes.legend(loc="upper left" if axes is values else "lower right")
    save(plt, figure, path, dpi=110)


def save(plt, figure, path, dpi):
    """Lay out ``figure``, render it to memory in the format ``path``'s suffix names (one of
    FIGURE_SUFFIXES, else PNG) and write it whole or not at all."""
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format=output_format(path, FIGURE_SUFFIXES), dpi=dpi)
    plt.close(figure)
    with atomic_output(path, "wb") as file:
        file.write(buffer.getvalue())
