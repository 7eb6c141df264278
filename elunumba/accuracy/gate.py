"""The CI accuracy gate: measure a fixed seeded sample, compare with thresholds.json."""

import json
from importlib import resources

import numpy as np

from . import report, variants
from .bands import sample

THRESHOLDS_FILE = "thresholds.json"
GATE_DTYPES = ("float16", "float32", "float64")
PER_BAND = 400_000  # 6 bands x 400k + specials per dtype: a few million inputs in all
OPS = {"forward": "forward", "backward": "grad from y"}


def load_thresholds(path=None):
    """{op: {dtype: {variant: max ULP}}} from ``path``, or the thresholds kept in the package."""
    if path is None:
        text = resources.files(__package__).joinpath(THRESHOLDS_FILE).read_text()
    else:
        with open(path) as file:
            text = file.read()
    return json.loads(text)


def measure(implementation="elunumba"):
    """Max ULP per (op, dtype, variant key) on the gate's sample.

    ``implementation="naive"`` measures the naive exp(x) - 1 variant under every elunumba key
    instead: the way to see the gate fail.
    """
    if implementation == "naive":
        naive = variants.NAIVE
        measured = [variants.Variant(f"naive as elunumba[{t}]", naive.forward, naive.slope,
                                     naive.dtypes, key=t)
                    for t in variants.available_targets()]
    else:
        measured = variants.elunumba_variants(variants.available_targets())
    records = report.measure(measured, GATE_DTYPES, PER_BAND)
    keys = {variant.name: variant.key for variant in measured}
    figures = {}
    for (dtype, name, quantity), record in report.worst_by(
            records, ("dtype", "variant", "quantity")).items():
        for op, op_quantity in OPS.items():
            if quantity == op_quantity:
                figures.setdefault(op, {}).setdefault(dtype, {})[keys[name]] = {
                    "max_ulp": record["max_ulp"], "worst_input": record["worst_input"]}
    return figures


def violations(figures, thresholds, max_ulp=None):
    """One line per figure above its threshold (``max_ulp`` overrides every threshold)."""
    lines = []
    for op, by_dtype in figures.items():
        for dtype, by_variant in by_dtype.items():
            for key, figure in by_variant.items():
                limit = max_ulp if max_ulp is not None else (
                    thresholds.get(op, {}).get(dtype, {}).get(key))
                if limit is None:
                    lines.append(f"{op} {dtype} {key}: no threshold in the thresholds file")
                elif not figure["max_ulp"] <= limit:
                    lines.append(f"{op} {dtype} {key}: max error {figure['max_ulp']:.4g} ULP "
                                 f"exceeds {limit} (at x = {figure['worst_input']!r})")
    return lines


def sample_size():
    return sum(x.size for x in sample(np.dtype(np.float32), PER_BAND).values())
