"""Comparing two results files cell by cell: a regression gate that knows the runs' own noise.

Cells match on (op, dtype, target, device, size). By default each cell is compared on a quantity
that does not depend on the machine's speed of the moment: its cost relative to the copy of the
same bytes sampled in turn with it (``copy_s / cell_s`` per round, i.e. the fraction of copy, is
the speed; its inverse the cost). ``absolute=True`` compares the raw seconds instead, which is
meaningful only on one machine.

The unit of the test is the round (one pass of the sweep through all its cells, see sweep.py):
a cell's value in a round is the median of that round's sample costs. Samples of one round are
taken within a fraction of a second and share the machine's state of that moment, so they are
not independent: tested one by one, back-to-back runs of one commit often differed
"significantly" (notes/code-figures.md, "The regression gate"). A cell is "slower" only when both
hold:

- a one-sided Mann-Whitney U test (scipy.stats.mannwhitneyu) on the per-round values of the two
  runs says NEW costs more than OLD at the stated ``confidence`` (default 99%) for the cells of
  its kind together: the p-values of elunumba's cells (and, apart, of the peers') are adjusted
  by scipy.stats.false_discovery_control (Benjamini-Hochberg), since the gate asks one
  question of all its cells at once: tested at 1% each, the many unchanged target cells of a
  --quick run would give false alarms often; adjusted, two runs of one commit give one about
  1% of the time, and a slowdown that reaches many cells still stands out (how often, measured
  by tools/measure_compare_gate.py: docs/benchmarks.md, "The regression gate"). And
- the change of the median cost exceeds ``min_effect_pct`` (default 5%);

"faster" likewise the other way, "same" otherwise. A cell measured in OLD that failed in NEW is
"failed"; one that failed in OLD is "no baseline"; one whose files hold no raw samples or no
rounds (files of older versions), or too few rounds for the test ever to reach the confidence,
is "untested". ``change_pct`` is 100 * (new median cost / old median cost - 1), over the
per-round values: positive is slower; ``p_value`` is the adjusted one. ``regressions(rows,
pct)`` lists the rows that gate CI: targets (elunumba's own cells; peers are shown, never
gated) "slower" by more than pct percent, or "failed"; ``nothing_tested(rows)`` says why a gate
that judged none of them cannot pass (files without samples, a copy baseline that failed, no cells
in common): a gate that tested nothing is no evidence of anything.
"""

import dataclasses
import math

import numpy as np

from .. import machine
from . import copy

KEY = ("op", "dtype", "target", "device", "size")
VERDICTS = ("same", "faster", "slower", "failed", "no baseline", "untested")


class CompareError(ValueError):
    """A comparison that cannot be made as asked (message: one line saying what to do)."""


@dataclasses.dataclass(frozen=True)
class Gate:
    confidence: float = 0.99
    min_effect_pct: float = 5.0
    absolute: bool = False


def key(record):
    return tuple(record[k] for k in KEY)


def costs(cell, absolute=False):
    """The cell's per-round costs: seconds (absolute) or seconds per second of copying the same
    bytes in the same round; None when the file holds no such samples."""
    samples = cell.get("samples_s")
    if not samples:
        return None
    if absolute:
        return list(samples)
    copies = cell.get("copy_samples_s")
    if not copies:
        return None
    share = cell["bytes"] / copy.moved_bytes(cell["bytes"])  # what fraction_of_copy scales by
    return [cell_s / (share * copy_s) for cell_s, copy_s in zip(samples, copies)]


def round_costs(cell, absolute=False):
    """The cell's cost in each round it was measured in (the median of that round's sample
    costs); None when the file holds no samples or no rounds."""
    per_sample, rounds = costs(cell, absolute), cell.get("sample_rounds")
    if not per_sample or not rounds:
        return None
    by_round = {}
    for round_number, cost in zip(rounds, per_sample):
        by_round.setdefault(round_number, []).append(cost)
    return [float(np.median(values)) for values in by_round.values()]


def can_decide(old_rounds, new_rounds, confidence):
    """Whether a one-sided rank test on that many rounds can reach ``confidence`` at all: its
    smallest p-value, every NEW value above every OLD one, is 1 / C(old + new, old)."""
    return 1 / math.comb(old_rounds + new_rounds, old_rounds) < 1 - confidence


def rounds(result):
    """How many rounds the file's cells were measured in; None for files without rounds."""
    counts = [len(set(cell["sample_rounds"])) for cell in result["cells"]
              if cell.get("sample_rounds")]
    return max(counts) if counts else None


def judge(old, new, gate=Gate()):
    """(verdict, change_pct, p_value) for one pair of cell records, judged alone."""
    verdict, change, p_value = test(old, new, gate)
    return verdict or decide(change, p_value, gate), change, p_value


def test(old, new, gate=Gate()):
    """(None, change_pct, p_value) of the rank test on one pair of cell records, or (verdict,
    None, None) where there is nothing to test."""
    if old["status"] != "ok":
        return "no baseline", None, None
    if new["status"] != "ok":
        return "failed", None, None
    old_costs, new_costs = round_costs(old, gate.absolute), round_costs(new, gate.absolute)
    if not old_costs or not new_costs or not can_decide(len(old_costs), len(new_costs),
                                                        gate.confidence):
        return "untested", None, None
    from scipy.stats import mannwhitneyu

    change = 100 * (float(np.median(new_costs)) / float(np.median(old_costs)) - 1)
    direction = "greater" if change > 0 else "less"
    return None, change, float(mannwhitneyu(new_costs, old_costs, alternative=direction).pvalue)


def decide(change, p_value, gate):
    if p_value < 1 - gate.confidence and abs(change) > gate.min_effect_pct:
        return "slower" if change > 0 else "faster"
    return "same"


def adjusted(p_values):
    """Benjamini-Hochberg p-values of one family of tests (scipy's routine)."""
    if not p_values:
        return []
    from scipy.stats import false_discovery_control

    return [float(p) for p in false_discovery_control(p_values)]


def check_available():
    """CompareError when scipy, which the test comes from, is not installed."""
    import importlib.util

    if importlib.util.find_spec("scipy") is None:
        raise CompareError("bench compare needs scipy for its statistical test: "
                           "pip install 'elunumba[bench]'")


def machines(old_result, new_result):
    """(same, text): whether the two files come from one class of machine, and a line saying
    what differs (or that a file does not record it)."""
    old_cpu, new_cpu = (r["environment"].get("machine") for r in (old_result, new_result))
    same = machine.same_class(old_cpu, new_cpu)
    if same is None:
        return False, "the vector ISA is not recorded in both files: treat the machines as " \
                      "different"
    if same:
        return True, "same machine class: " + machine.isa_text(new_cpu)
    return False, (f"the machines differ: old {old_cpu['model']['name']} "
                   f"({machine.isa_text(old_cpu)}), new {new_cpu['model']['name']} "
                   f"({machine.isa_text(new_cpu)})")


def compare(old_result, new_result, gate=Gate(), force=False):
    """(rows, only_old, only_new): a row per cell present in both, then the unmatched keys.
    Absolute times across machines of different classes raise CompareError unless ``force``."""
    same, _ = machines(old_result, new_result)
    if gate.absolute and not same and not force:
        raise CompareError("absolute times from different machines say nothing about the "
                           "code: compare the default (fraction of copy), or add --force")
    old = {key(c): c for c in old_result["cells"]}
    new = {key(c): c for c in new_result["cells"]}
    rows = []
    for cell_key, new_cell in new.items():
        old_cell = old.get(cell_key)
        if old_cell is None:
            continue
        verdict, change, p_value = test(old_cell, new_cell, gate)
        rows.append({**dict(zip(KEY, cell_key)), "kind": new_cell["kind"],
                     "old": _typical(old_cell, gate.absolute),
                     "new": _typical(new_cell, gate.absolute),
                     "change_pct": change, "p_value": p_value, "verdict": verdict})
    for kind in ("target", "peer"):
        family = [row for row in rows if row["kind"] == kind and row["verdict"] is None]
        for row, p_value in zip(family, adjusted([row["p_value"] for row in family])):
            row.update(p_value=p_value, verdict=decide(row["change_pct"], p_value, gate))
    only_old = [k for k in old if k not in new]
    only_new = [k for k in new if k not in old]
    return rows, only_old, only_new


def _typical(cell, absolute):
    """What a row shows: median seconds, or the fraction of copy."""
    if cell["status"] != "ok":
        return None
    return cell["median_s"] if absolute else cell.get("fraction_of_copy")


TESTED = ("same", "faster", "slower", "failed")


def nothing_tested(rows):
    """Why none of elunumba's cells (targets) in ``rows`` was judged, in a sentence; None when
    at least one was (same, faster, slower or failed)."""
    targets = [row for row in rows if row["kind"] == "target"]
    if any(row["verdict"] in TESTED for row in targets):
        return None
    if not targets:
        return "the two files have none of elunumba's cells in common"
    counts = {verdict: sum(row["verdict"] == verdict for row in targets)
              for verdict in ("untested", "no baseline")}
    return (f"none of elunumba's {len(targets)} cells in common could be tested ("
            f"{counts['untested']} untested: a file holds no per-round samples of the cell or "
            f"of its copy baseline, or too few rounds; {counts['no baseline']} failed in the "
            f"old file)")


def regressions(rows, fail_above_pct):
    """The product's own cells (targets) that failed or got slower by more than the threshold;
    a peer that got slower is shown but never fails the gate: it is not this code."""
    return [row for row in rows if row["kind"] == "target" and (row["verdict"] == "failed" or (
        row["verdict"] == "slower" and row["change_pct"] > fail_above_pct))]
