"""The band-by-band error report: every variant, forward and gradient, against references."""

import numpy as np

from . import reference
from .bands import BAND_NAMES, sample, statistics

QUANTITIES = ("forward", "grad from y", "grad vs true", "grad from x")


def measure(variants, dtypes, per_band, alpha=1.0, scale=1.0, seed=0, chosen_bands=BAND_NAMES):
    """One record per (dtype, variant, quantity, band); see README "Accuracy" for the fields.

    alpha and scale: numbers, or decimal strings (SELU's constants) that the references take
    exactly and the variants as the nearest float64.

    forward: y against elu(x) in extended precision.
    grad from y: the backward-from-output slope against what it should be for the stored y,
    alpha + y computed exactly (this is what the formula can deliver).
    grad vs true: the same slope against the true derivative alpha*e^x, which y + alpha loses
    for x << 0 because the sum cancels.
    grad from x: the gradient from the input against that true derivative.
    """
    reference.require_extended_precision()
    records = []
    for dtype in dtypes:
        for band, x in sample(np.dtype(dtype), per_band, seed, chosen_bands).items():
            exact_forward = reference.elu_forward(x, alpha, scale)
            exact_true_slope = reference.true_slope(x, alpha, scale)
            for variant in variants:
                if dtype not in variant.dtypes:
                    continue
                y = np.asarray(variant.forward(x, alpha, scale))
                slope = np.asarray(variant.slope(y, alpha, scale))
                exact = {"forward": exact_forward,
                         "grad from y": reference.slope_from_output(y, alpha, scale),
                         "grad vs true": exact_true_slope, "grad from x": exact_true_slope}
                got = {"forward": y, "grad from y": slope, "grad vs true": slope,
                       "grad from x": np.asarray(variant.slope_from_input(x, alpha, scale))}
                for quantity in QUANTITIES:
                    stats = statistics(x, got[quantity], exact[quantity], dtype)
                    records.append({"dtype": dtype, "variant": variant.name,
                                    "quantity": quantity, "band": band, **stats})
    return records


def worst_by(records, keys):
    """Fold band records into one per ``keys`` with the worst (largest) max_ulp."""
    folded = {}
    for record in records:
        key = tuple(record[k] for k in keys)
        if key not in folded or record["max_ulp"] > folded[key]["max_ulp"]:
            folded[key] = record
    return folded
