"""The picture that explains the problem: ULP error of naive exp(x)-1 against expm1, float32."""

import numpy as np

from . import reference, variants
from .ulp import ulp_error

PLOTTED = ("naive exp(x)-1", "numpy expm1", "elunumba[parallel]")


def error_curves(points=20_000):
    """{variant: (x, ulp error)} for negative float32 x from -20 to -1e-10 (log-spaced)."""
    x = -np.logspace(-10, np.log10(20), points).astype(np.float32)
    exact = reference.elu_forward(x)
    by_name = {v.name: v for v in variants.all_variants(["parallel"])}
    return {name: (x, ulp_error(by_name[name].forward(x, 1.0, 1.0), exact, np.float32))
            for name in PLOTTED}


def draw(path, points=20_000):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise RuntimeError("--plot needs matplotlib: pip install 'elunumba[plot]'") from None
    figure, axes = plt.subplots(figsize=(9, 5))
    for name, (x, errors) in error_curves(points).items():
        axes.plot(x, np.maximum(errors, 1e-3), ".", markersize=1.5, label=name)
    axes.set_xscale("symlog", linthresh=1e-10)
    axes.set_yscale("log")
    axes.set_xlabel("x (float32, symlog)")
    axes.set_ylabel("error of ELU(x) in float32 ULPs (floored at 1e-3)")
    axes.set_title("ELU's negative branch: exp(x) - 1 against expm1")
    axes.axhline(0.5, color="grey", linewidth=0.8, linestyle="--")
    axes.legend(markerscale=8)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
