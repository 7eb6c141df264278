"""The summary block: the product's speed goals, read off the sweep, each judged only where it
applies.

The goals were set on one class of machine (GOAL_MACHINE: a 2-core AMD EPYC with AVX-512, where
a float32 ELU is memory-bound) for 2^26-element arrays (GOAL_SIZE) and alpha 1. An entry is
judged (``met`` true or false) only on a machine whose kernels are compiled for that ISA, at that
size or larger, with alpha 1; elsewhere ``met`` is None and ``note`` says why. On a machine with
narrower vectors the kernel is compute-bound, so for the fraction-of-copy goals the note gives
that machine's own limit instead: the best rate the target reached at any size, as a fraction of
the copy at the entry's size.

Each entry uses the largest host size where the cells it needs were measured:

- float32 forward / backward / fused on "parallel", as a fraction of the copy baseline (>= 85%)
- float32 forward on "parallel", speedup vs torch (>= 2.5x) and vs numpy-expm1 (>= 10x)
- float64 forward on "parallel", as a fraction of copy (>= 70%)
- float32 forward on "parallel-cr" (correctly rounded), as a fraction of copy (>= 85%)
- the small-call cost: ``elunumba.elu(x)`` (target auto) over ``np.expm1(x)`` on 1,000 float32
  elements (<= 2x), measured after the sweep, the two sampled in turn
"""

import numpy as np

import elunumba
from elunumba.kernels.cpu import KERNELS

from . import timing
from .sizes import format_size

SMALL_CALL_SIZE = 1000


def _fraction(op, dtype, goal, target="parallel"):
    return {"name": f"{dtype} {op}, {target}: fraction of copy", "unit": "fraction",
            "goal": goal, "needs": [(op, dtype, target)],
            "value": lambda cells: cells[0]["fraction_of_copy"]}


def _speedup(peer, goal):
    return {"name": f"float32 forward, parallel: speedup vs {peer}", "unit": "ratio",
            "goal": goal, "needs": [("forward", "float32", "parallel"),
                                    ("forward", "float32", peer)],
            "value": lambda cells: cells[1]["median_s"] / cells[0]["median_s"]}


GOALS = (
    _fraction("forward", "float32", (">=", 0.85)),
    _fraction("backward", "float32", (">=", 0.85)),
    _fraction("fused", "float32", (">=", 0.85)),
    _speedup("torch", (">=", 2.5)),
    _speedup("numpy-expm1", (">=", 10.0)),
    _fraction("forward", "float64", (">=", 0.70)),
    _fraction("forward", "float32", (">=", 0.85), target="parallel-cr"),
)
SMALL_CALL_GOAL = ("<=", 2.0)
GOAL_MACHINE = {"isa": "AVX-512", "text": "AVX-512 (2-core AMD EPYC)"}
GOAL_SIZE = 2**26


def summarize(cells, small_call=None, cpu=None, alpha=1.0):
    """{"entries": [...], "small_call": {...} or None}; an entry's value is None when the sweep
    did not measure what it needs. ``cpu`` is the machine record (machine.cpu_record)."""
    host = {(c["op"], c["dtype"], c["target"], c["size"]): c for c in cells
            if c["device"] == "host" and c["status"] == "ok"}
    sizes = sorted({size for (*_, size) in host}, reverse=True)
    isa = (cpu or {}).get("isa")
    entries = []
    for goal in GOALS:
        size, needed = next(((size, [host[(*need, size)] for need in goal["needs"]])
                             for size in sizes
                             if all((*need, size) in host for need in goal["needs"])),
                            (None, None))
        value = goal["value"](needed) if needed else None
        entry = _entry(goal["name"], size, value, goal["unit"], goal["goal"])
        _judge_where_it_applies(entry, isa, alpha, GOAL_SIZE)
        if entry["unit"] == "fraction" and needed and isa != GOAL_MACHINE["isa"]:
            entry["note"] += "; " + _compute_bound_limit(cells, needed[0], cpu)
        entries.append(entry)
    size = SMALL_CALL_SIZE if small_call else None
    for name, key, goal in (
            (f"small call: elu / np.expm1 on {SMALL_CALL_SIZE} float32", "ratio",
             SMALL_CALL_GOAL),
            ("small call floor: the kernel alone + np.empty / np.expm1", "kernel_ratio", None)):
        entry = _entry(name, size, small_call and small_call[key], "ratio", goal)
        if goal:
            _judge_where_it_applies(entry, isa, alpha, SMALL_CALL_SIZE)
        entries.append(entry)
    return {"entries": entries, "small_call": small_call}


def _judge_where_it_applies(entry, isa, alpha, goal_size):
    """Withdraw the verdict where the goal does not apply, saying why in ``note``."""
    reasons = []
    if isa != GOAL_MACHINE["isa"]:
        reasons.append(f"this machine's kernels use {isa or 'an unrecorded ISA'}")
    if entry["size"] is not None and entry["size"] < goal_size:
        reasons.append(f"measured at {format_size(entry['size'])} elements, the goal is for "
                       f"{format_size(goal_size)}")
    if alpha != 1.0:
        reasons.append(f"alpha {alpha:g}, the goal is for alpha 1")
    entry["set_for"] = f"{GOAL_MACHINE['text']}, {format_size(goal_size)} elements"
    entry["note"] = ("not judged: " + "; ".join(reasons)) if reasons else ""
    if reasons:
        entry["met"] = None


def _compute_bound_limit(cells, cell, cpu):
    """The target's best rate at any size as a fraction of the copy at ``cell``'s size: what a
    compute-bound kernel can reach on this machine."""
    rates = [c["gelems"] for c in cells if c["status"] == "ok" and c["gelems"]
             and (c["op"], c["dtype"], c["target"], c["device"]) ==
             (cell["op"], cell["dtype"], cell["target"], cell["device"])]
    if not rates or not cell["copy_gbps"]:
        return "its compute-bound limit was not measured"
    best = max(rates)
    limit = best * cell["bytes"] / cell["size"] / cell["copy_gbps"]
    lanes = (cpu or {}).get("float32_lanes")
    bound = "compute-bound" if limit < 1 else "memory-bound"
    return (f"its best rate at any size, {best:.2f} Gelem/s, is {100 * limit:.0f}% of the copy "
            f"at this size: {bound} here ({lanes or '?'} float32 lanes)")


def _entry(name, size, value, unit, goal):
    entry = {"name": name, "size": size, "value": value, "unit": unit, "goal": None, "met": None,
             "set_for": None, "note": ""}
    if goal is not None:
        relation, bound = goal
        entry["goal"] = f"{'≥' if relation == '>=' else '≤'} " + (
            f"{100 * bound:.0f}%" if unit == "fraction" else f"{bound:g}×")
        if value is not None:
            entry["met"] = bool(value >= bound if relation == ">=" else value <= bound)
    return entry


def measure_small_call(settings):
    """elunumba.elu(x) and np.expm1(x) on small float32 x, sampled in turn: their median
    seconds, and the median of the ratios of samples taken side by side. Alongside, the floor
    under elu (its kernel called directly on a fresh np.empty output, with no Python around it)
    and the general path that a first call takes (here forced by a NumPy-scalar alpha)."""
    x = np.linspace(-3, 3, SMALL_CALL_SIZE, dtype=np.float32)
    alpha = np.float32(1.0)
    kernel = KERNELS["forward", "cpu", "unit"]
    one = np.float32(1)
    elu, expm1, floor, general = timing.measure_alternating(
        [timing.host_sampler(fn) for fn in (
            lambda: elunumba.elu(x),
            lambda: np.expm1(x),
            lambda: kernel(x, np.empty(x.shape, x.dtype), one, one, one),
            lambda: elunumba.elu(x, alpha))],
        settings)
    return {"size": SMALL_CALL_SIZE, "elu_s": elu.stats()["median_s"],
            "expm1_s": expm1.stats()["median_s"], "ratio": _paired_ratio(elu, expm1),
            "kernel_s": floor.stats()["median_s"], "kernel_ratio": _paired_ratio(floor, expm1),
            "general_s": general.stats()["median_s"],
            "general_ratio": _paired_ratio(general, expm1)}


def _paired_ratio(timing_a, timing_b):
    return float(np.median([a / b for a, b in zip(timing_a.samples, timing_b.samples)]))
