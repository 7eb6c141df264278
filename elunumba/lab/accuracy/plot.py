"""The picture that explains the problem: ULP error of naive exp(x)-1 against expm1 along x."""


import numpy as np

from ..files import FIGURE_SUFFIXES, atomic_output, output_format
from . import fmt, reference, variants
from .ulp import ulp_error

PLOTTED = ("naive exp(x)-1", "numpy expm1", "elunumba[parallel]")


def error_curves(dtype, alpha=1.0, scale=1.0, points=20_000):
    """{variant: (x, ulp error)} for negative x of ``dtype`` from -20 to its smallest magnitude
    above 1e-10 (log-spaced), for the plotted variants that take ``dtype``."""
    finfo = np.finfo(dtype)
    smallest = max(1e-10, float(finfo.smallest_subnormal))
    x = -np.logspace(np.log10(smallest), np.log10(20), points).astype(dtype)
    exact = reference.elu_forward(x, alpha, scale)
    by_name = {v.name: v for v in variants.all_variants(["parallel"])}
    return {name: (x, ulp_error(by_name[name].forward(x, alpha, scale), exact, dtype))
            for name in PLOTTED if np.dtype(dtype).name in by_name[name].dtypes}


def draw(path, dtypes=("float32",), alpha=1.0, scale=1.0, points=20_000):
    """One panel per dtype; the title names the parameters. Needs matplotlib (the command line
    checks for it before measuring anything)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, panels = plt.subplots(len(dtypes), 1, figsize=(9, 4 * len(dtypes)), squeeze=False)
    for axes, dtype in zip(panels[:, 0], dtypes):
        for name, (x, errors) in error_curves(dtype, alpha, scale, points).items():
            axes.plot(x, np.maximum(errors, 1e-3), ".", markersize=1.5, label=name)
        axes.set_xscale("symlog", linthresh=1e-10)
        axes.set_yscale("log")
        axes.set_xlabel(f"x ({dtype}, symlog)")
        axes.set_ylabel(f"error in {dtype} ULPs (floored at 1e-3)")
        axes.set_title(f"ELU's negative branch, {dtype}, {fmt.parameters(alpha, scale)}")
        axes.axhline(0.5, color="grey", linewidth=0.8, linestyle="--")
        axes.legend(markerscale=8)
    figure.tight_layout()
    with atomic_output(path, "wb") as file:
        figure.savefig(file, dpi=120, format=output_format(path, FIGURE_SUFFIXES))
    plt.close(figure)
