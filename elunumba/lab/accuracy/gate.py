"""The CI accuracy gate: measure a fixed seeded sample, compare with thresholds.json."""

import json
import math
from importlib import resources

import numpy as np

from . import reference, report, variants
from .bands import sample

THRESHOLDS_FILE = "thresholds.json"
GATE_DTYPES = ("float16", "float32", "float64")
PER_BAND = 400_000  # 6 bands x 400k + specials per dtype: a few million inputs in all
# the ops in thresholds.json: (quantity measured, alpha, scale). The backward pass is gated for
# alpha = 1 only: where alpha*scale is not exact in the dtype (1.7 in float32, SELU's constants
# in any), y + alpha*scale cancels for x << 0 down to the rounding of alpha*scale itself, an
# error of millions of ULPs of the tiny result (13.4 million measured for float32, alpha = 1.7).
OPS = {"forward": ("forward", 1.0, 1.0),
       "backward": ("grad from y", 1.0, 1.0),
       "grad from x": ("grad from x", 1.0, 1.0),
       "forward alpha=1.7": ("forward", 1.7, 1.0),
       "forward selu": ("forward", reference.SELU_ALPHA, reference.SELU_SCALE)}
# the parameter sets, each measured once per dtype: the gate's steps
PARAMETERS = tuple(dict.fromkeys((alpha, scale) for _, alpha, scale in OPS.values()))


def load_thresholds(path=None):
    """{op: {dtype: {variant key: max ULP}}} from ``path``, or the thresholds kept in the package.

    OSError when the file cannot be read; ValueError (json.JSONDecodeError is one) when it is
    not JSON or not of that shape, naming what is wrong. Keys starting with "_" are comments.
    """
    if path is None:
        text = resources.files(__package__).joinpath(THRESHOLDS_FILE).read_text()
    else:
        with open(path) as file:
            text = file.read()
    thresholds = json.loads(text)
    _check_shape(thresholds)
    return thresholds


def _check_shape(thresholds):
    _expect_object(thresholds, "the file")
    for op, by_dtype in thresholds.items():
        if op.startswith("_"):
            continue
        if op not in OPS:
            raise ValueError(f"unknown op {op!r}: use {', '.join(map(repr, OPS))}")
        _expect_object(by_dtype, op)
        for dtype, by_variant in by_dtype.items():
            if dtype not in GATE_DTYPES:
                raise ValueError(f"{op}: unknown dtype {dtype!r}: use {', '.join(GATE_DTYPES)}")
            _expect_object(by_variant, f"{op} {dtype}")
            for key, limit in by_variant.items():
                if (isinstance(limit, bool) or not isinstance(limit, (int, float))
                        or not math.isfinite(limit) or limit < 0):
                    raise ValueError(f"{op} {dtype} {key}: the threshold must be a finite "
                                     f"number of ULPs >= 0, not {limit!r}")


def _expect_object(value, where):
    if not isinstance(value, dict):
        raise ValueError(f"{where}: expected a JSON object ({{...}}), got "
                         f"{type(value).__name__} {json.dumps(value)[:40]}")


def steps():
    """What ``measure`` does, in order: (alpha, scale, dtype, the ops it measures), one step
    per parameter set and dtype."""
    return [(alpha, scale, dtype,
             [op for op, (_, a, s) in OPS.items() if (a, s) == (alpha, scale)])
            for alpha, scale in PARAMETERS for dtype in GATE_DTYPES]


def measure(implementation="elunumba", progress=None):
    """Max ULP per (op, dtype, variant key) on the gate's sample.

    ``implementation="naive"`` measures the naive exp(x) - 1 variant under every elunumba key
    instead: the way to see the gate fail. ``progress(done, total, label)`` is called before
    each of the ``steps()`` (label: its dtype and ops) and once after the last (label None).
    """
    if implementation == "naive":
        naive = variants.NAIVE
        measured = [variants.Variant(f"naive as elunumba[{t}]", naive.forward, naive.slope,
                                     naive.slope_from_input, naive.dtypes, key=t)
                    for t in variants.available_targets()]
    else:
        measured = variants.elunumba_variants(variants.available_targets())
    keys = {variant.name: variant.key for variant in measured}
    figures = {}
    planned = steps()
    for done, (alpha, scale, dtype, ops) in enumerate(planned):
        if progress:
            progress(done, len(planned), f"{dtype}: {', '.join(ops)}")
        # one dtype at a time draws the same seeded sample as all dtypes at once
        records = report.measure(measured, [dtype], PER_BAND, alpha, scale)
        for (dtype, name, quantity), record in report.worst_by(
                records, ("dtype", "variant", "quantity")).items():
            for op, parameters in OPS.items():
                if parameters == (quantity, alpha, scale):
                    figures.setdefault(op, {}).setdefault(dtype, {})[keys[name]] = {
                        "max_ulp": record["max_ulp"], "worst_input": record["worst_input"]}
    if progress:
        progress(len(planned), len(planned), None)
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


def count(figures):
    return sum(len(by_variant) for by_dtype in figures.values() for by_variant in by_dtype.values())


def tally(figures, problems):
    """{"total", "passed", "failed"}: checks (figures), and how many met their threshold; each
    of ``violations``' lines is one failed figure."""
    total = count(figures)
    return {"total": total, "passed": total - len(problems), "failed": len(problems)}


def sample_size():
    return sum(x.size for x in sample(np.dtype(np.float32), PER_BAND).values())
