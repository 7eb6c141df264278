"""The CI accuracy gate: measure a fixed seeded sample, compare with thresholds.json.

Two kinds of limit: the max ULP error of every (op, dtype, variant key), and, under
SHARE_KEY, the smallest share of correctly rounded results for the ones listed there. The max
alone misses a kernel that got worse without reaching its worst case; the share sees
it.
"""

import json
import math
from importlib import resources

import numpy as np

from elunumba.lab import files, schema

from . import reference, report, variants
from .bands import sample

THRESHOLDS_FILE = "thresholds.json"
SHARE_KEY = "correctly rounded at least"
GATE_DTYPES = ("float16", "float32", "float64")
ULPS = schema.Number(lowest=0)
PER_BAND = 400_000  # 6 bands x 400k + specials per dtype: a few million inputs in all
# the ops in thresholds.json: (quantity measured, alpha, scale). The backward pass is gated for
# alpha = 1 only: where alpha*scale is not exact in the dtype (1.7 in float32, SELU's constants
# in any), y + alpha*scale cancels for x << 0 down to the rounding of alpha*scale itself, an
# error of millions of ULPs of the tiny result (docs/accuracy.md, the alpha = 1.7 tables).
OPS = {"forward": ("forward", 1.0, 1.0),
       "backward": ("grad from y", 1.0, 1.0),
       "grad from x": ("grad from x", 1.0, 1.0),
       "forward alpha=1.7": ("forward", 1.7, 1.0),
       "forward selu": ("forward", reference.SELU_ALPHA, reference.SELU_SCALE)}
# the parameter sets, each measured once per dtype: the gate's steps
PARAMETERS = tuple(dict.fromkeys((alpha, scale) for _, alpha, scale in OPS.values()))


def load_thresholds(path=None):
    """{op: {dtype: {variant key: max ULP}}} from ``path``, or the thresholds kept in the package.

    InputFileError (a ValueError) naming the file and what is wrong when it cannot be read, is
    not JSON (or too large or deep to be a thresholds file) or is not of that shape. Keys
    starting with "_" are comments.
    """
    if path is None:
        thresholds = json.loads(resources.files(__package__).joinpath(THRESHOLDS_FILE)
                                .read_text())
    else:
        thresholds = files.read_json(path)
    try:
        _check_shape(thresholds)
    except ValueError as error:
        raise files.InputFileError(f"{path or 'the kept thresholds'}: {error}") from None
    return thresholds


def _check_shape(thresholds):
    _expect_object(thresholds, "the file")
    for op, by_dtype in thresholds.items():
        if op.startswith("_"):
            continue
        if op == SHARE_KEY:
            _expect_object(by_dtype, op)
            for share_op, shares in by_dtype.items():
                _check_limits(share_op, shares, f"{op}: ", "share of correctly rounded "
                              "results from 0 to 1", 1)
            continue
        _check_limits(op, by_dtype, "", "number of ULPs >= 0", math.inf)


def _check_limits(op, by_dtype, prefix, what, largest):
    if op not in OPS:
        raise ValueError(f"{prefix}unknown op {op!r}: use {', '.join(map(repr, OPS))}")
    _expect_object(by_dtype, prefix + op)
    for dtype, by_variant in by_dtype.items():
        if dtype not in GATE_DTYPES:
            raise ValueError(f"{prefix}{op}: unknown dtype {dtype!r}: use "
                             f"{', '.join(GATE_DTYPES)}")
        _expect_object(by_variant, f"{prefix}{op} {dtype}")
        for key, limit in by_variant.items():
            # ints are compared, never converted: float(10**400) would raise OverflowError
            if (isinstance(limit, bool) or not isinstance(limit, (int, float))
                    or isinstance(limit, float) and not math.isfinite(limit)
                    or not 0 <= limit <= min(largest, 2**53)):
                raise ValueError(f"{prefix}{op} {dtype} {key}: the threshold must be a finite "
                                 f"{what}, not {schema.shown(limit)}")


def _expect_object(value, where):
    if not isinstance(value, dict):
        raise ValueError(f"{where}: expected a JSON object ({{...}}), got "
                         f"{schema.shown(value)}")


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
                        "max_ulp": record["max_ulp"], "worst_input": record["worst_input"],
                        "correctly_rounded": _share(records, dtype, name, quantity)}
    if progress:
        progress(len(planned), len(planned), None)
    return figures


def _share(records, dtype, name, quantity):
    """The share of correctly rounded results over every band of the sample."""
    chosen = [r for r in records
              if (r["dtype"], r["variant"], r["quantity"]) == (dtype, name, quantity)]
    exact = sum(round(r["n"] * r["correctly_rounded"]) for r in chosen)
    return exact / sum(r["n"] for r in chosen)


def violations(figures, thresholds, max_ulp=None):
    """One line per figure above its max ULP threshold (``max_ulp`` overrides every one) or
    below its share of correctly rounded results."""
    lines = []
    shares = thresholds.get(SHARE_KEY, {})
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
                least = shares.get(op, {}).get(dtype, {}).get(key)
                if least is not None and not figure["correctly_rounded"] >= least:
                    lines.append(f"{op} {dtype} {key}: {figure['correctly_rounded']:.4%} "
                                 f"correctly rounded, below {least:.4%}")
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
