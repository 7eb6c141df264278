"""The sweep: a plan (the Cartesian product of sizes, dtypes, ops and implementations, checked
against what this machine has) and a runner that measures it one step at a time.

    plan = make_plan(sizes=[2**12], dtypes=["float32"])   # BenchInputError on bad input
    runner = Runner(plan)
    for step in plan.steps:
        runner.run(step)              # a copy baseline or cells; failures become failed records
    result = finish(plan, runner, command="...")

Steps run size by size, dtype by dtype, op by op: first the copy baseline for the op's byte count
on each device in play (once per byte count: it picks the fastest host copy), then one "group"
step measuring every host implementation and the copies in turn, one sample of each at a time (so
that every host ratio is a median of side-by-side ratios), then one "cell" step per GPU
implementation. The whole pass, copy baselines aside, is made ``settings.rounds`` times; each
round takes its share of every cell's samples on newly allocated arrays, and each sample records
its round (``sample_rounds``), the unit `bench compare` tests (see timing.py for why). A cell
that raises is recorded as failed with the reason, leaves the later rounds, and the sweep goes
on; KeyboardInterrupt is left to the caller, who can still ``finish`` with what the runner holds.
"""

import dataclasses
import datetime

import numpy as np

from . import copy, env, impls, records, summary, timing
from .ops import DEFAULT_DTYPES, DTYPES, OPS, OpData, bytes_moved, required_bytes
from .sizes import default_sizes, format_size


# the targets a sweep runs by default on the host (and "cuda" where a GPU can run it)
HOST_TARGETS = ("cpu", "parallel", "parallel-cr", "auto-alloc")


class BenchInputError(ValueError):
    """Bad sweep input; the message is one line naming what is valid."""


@dataclasses.dataclass(frozen=True)
class Step:
    kind: str  # "copy", "group" (host: every implementation in turn) or "cell" (one, on a GPU)
    size: int
    dtype: str
    op: str
    device: str
    impls: tuple = ()
    round: int = 0

    @property
    def bytes(self):
        return bytes_moved(self.op, self.dtype, self.size)

    @property
    def cells(self):
        return len(self.impls)

    @property
    def label(self):
        what = {"copy": "copy", "group": f"{len(self.impls)} implementations in turn"}.get(
            self.kind) or self.impls[0].name
        where = " (cuda)" if self.device == "cuda" else ""
        return (f"round {self.round + 1}: {self.op} {self.dtype} {format_size(self.size)}: "
                f"{what}{where}")


@dataclasses.dataclass
class Plan:
    sizes: list
    dtypes: list
    ops: list
    targets: list  # names
    peers: list  # (name, device)
    skipped: list  # {"name", "device", "reason"}
    settings: timing.Settings = timing.DEFAULT
    alpha: float = 1.0
    seed: int = 0
    host_size_limit: int = None  # host cells stop here (default sizes with a GPU: 2^26)
    extra_work: float = 0.0  # for testing the gate only: targets redo this fraction of a call

    @property
    def devices(self):
        return _devices(self.targets)

    @property
    def entries(self):
        """(Impl, device) in the order each group runs them: targets, then peers."""
        targets = [(impls.TARGETS[t], impls.TARGETS[t].devices[0]) for t in self.targets]
        return targets + [(impls.PEERS[name], device) for name, device in self.peers]

    @property
    def steps(self):
        """Every round's steps in order; the copy baselines only in the first."""
        first = self._round_steps()
        return first + [dataclasses.replace(step, round=number)
                        for number in range(1, self.settings.rounds)
                        for step in first if step.kind != "copy"]

    def _round_steps(self):
        steps, copies = [], set()
        for size in self.sizes:
            entries = [(impl, device) for impl, device in self.entries
                       if device != "host" or size <= (self.host_size_limit or size)]
            for dtype in self.dtypes:
                for op in self.ops:
                    for device in dict.fromkeys(device for _, device in entries):
                        key = (device, bytes_moved(op, dtype, size))
                        if key not in copies:
                            copies.add(key)
                            steps.append(Step("copy", size, dtype, op, device))
                    host = tuple(impl for impl, device in entries if device == "host")
                    if host:
                        steps.append(Step("group", size, dtype, op, "host", host))
                    steps += [Step("cell", size, dtype, op, device, (impl,))
                              for impl, device in entries if device != "host"]
        return steps

    def describe(self):
        return {"sizes": self.sizes, "dtypes": self.dtypes, "ops": self.ops,
                "targets": self.targets, "peers": [f"{n} ({d})" if d != "host" else n
                                                   for n, d in self.peers],
                "host_size_limit": self.host_size_limit, "alpha": self.alpha, "seed": self.seed,
                "extra_work": self.extra_work, **dataclasses.asdict(self.settings)}


def make_plan(sizes=None, dtypes=None, ops=None, targets=None, peers=None, *,
              strict_peers=None, settings=timing.DEFAULT, alpha=1.0, seed=0,
              memory_available=None, extra_work=0.0):
    """A checked plan. None picks the default of an axis; named targets and peers must be able
    to run (unless ``strict_peers=False``), default ones that cannot are listed as skipped.
    """
    skipped = []
    dtypes = _choose("dtype", dtypes, DTYPES, DEFAULT_DTYPES)
    op_names = _choose("op", ops, OPS, OPS)
    target_names = _resolve_targets(targets, skipped)
    devices = _devices(target_names)
    strict = peers is not None if strict_peers is None else strict_peers
    peer_names = _choose("peer", peers, tuple(impls.PEERS), tuple(impls.PEERS), allow_none=True)
    peer_entries = _resolve_peers(peer_names, devices, strict, skipped)
    host_size_limit = None
    if not sizes:
        sizes = default_sizes(gpu="cuda" in devices)
        host_size_limit = max(default_sizes(gpu=False))
    sizes = sorted(set(sizes))
    _check_memory(sizes, dtypes, op_names, bool(peer_entries), memory_available)
    return Plan(sizes, dtypes, op_names, target_names, peer_entries, skipped, settings, alpha,
                seed, host_size_limit, extra_work)


def _devices(targets):
    return ["host", "cuda"] if "cuda" in targets else ["host"]


def _choose(axis, names, valid, default, allow_none=False):
    if names is None:
        return list(default)
    chosen = []
    for name in names:
        if name not in valid:
            raise BenchInputError(f"unknown {axis} {name!r}: valid {axis}s are {', '.join(valid)}")
        if name not in chosen:
            chosen.append(name)
    if not chosen and not allow_none:
        raise BenchInputError(f"no {axis}s: name at least one of {', '.join(valid)}")
    return chosen


def _resolve_targets(targets, skipped):
    """The targets to run. CUDA is looked for (numba.cuda imported) only by default or by name."""
    if targets is None:
        usable, detail, simulated = impls.cuda_status()
        if usable and not simulated:
            return [*HOST_TARGETS, "cuda"]
        skipped.append({"name": "cuda", "device": "cuda", "reason": detail if not usable else
                        "the CUDA simulator is benchmarked only when --targets names cuda"})
        return list(HOST_TARGETS)
    chosen = _choose("target", targets, tuple(impls.TARGETS), ())
    if "cuda" in chosen:
        usable, detail, _ = impls.cuda_status()
        if not usable:
            raise BenchInputError(detail)
    return chosen


def _resolve_peers(names, devices, strict, skipped):
    entries = []
    for name in names:
        peer = impls.PEERS[name]
        reasons = {}
        for device in (d for d in peer.devices if d in devices):
            reasons[device] = impls.unavailable(peer, device)
            if reasons[device] is None:
                entries.append((name, device))
        if not reasons:  # a GPU-only peer in a host sweep
            device = peer.devices[0]
            reasons[device] = (peer.available and peer.available(device)
                               or "runs on a GPU only, and this sweep has no cuda target")
        if strict and all(reasons.values()):
            raise BenchInputError(f"peer {name!r} cannot run here: " + "; ".join(reasons.values()))
        skipped += [{"name": name, "device": d, "reason": r} for d, r in reasons.items() if r]
    return entries


def _check_memory(sizes, dtypes, op_names, with_peers, available):
    if available is None:
        available = env.memory_bytes()[1]
    for size in sizes:
        need, op, dtype = max((required_bytes(o, d, size, with_peers), o, d)
                              for o in op_names for d in dtypes)
        if need > available:
            raise BenchInputError(
                f"size {format_size(size)} ({size} elements) needs about {need / 2**30:.1f} GiB "
                f"for {op} {dtype} (its arrays, the copy baseline's and peer temporaries), more "
                f"than the {available / 2**30:.1f} GiB of memory available")


class Runner:
    """Measures plan steps; holds the copy records and cell records measured so far."""

    def __init__(self, plan):
        self.plan = plan
        env.threading_layer()  # before the first parallel copy starts another layer
        self.copies = {}  # (device, bytes) -> copy record
        self.cells = []
        self._cells = {}  # (op, dtype, size, name, device) -> the cell's record, every round
        self._inners = {}  # (op, dtype, size, name) -> calls per sample, set in the first round
        self._copy_samples = {}  # (op, dtype, size, method) -> host copy samples, every round
        self._group, self._data = None, None
        self._flush = timing.host_cache_flusher() if plan.settings.cold else None

    def run(self, step):
        """Measure one step; returns its records (a copy record, or the cells, which hold the
        samples of every round so far)."""
        if step.kind == "copy":
            self._data = self._group = None  # free the previous arrays first
            record = self._measure_copy(step)
            self.copies[step.device, step.bytes] = record
            return [record]
        return self._measure_group(step) if step.kind == "group" else \
            [self._measure_device_cell(step)]

    def run_all(self):
        for step in self.plan.steps:
            self.run(step)
        return self

    def _measure_copy(self, step):
        record = {"device": step.device, "bytes": step.bytes, "status": "ok", "reason": None,
                  "method": None, "median_s": None, "gbps": None}
        try:
            taken, method = copy.measure(step.device, step.bytes, self.plan.settings)
        except Exception as error:  # the cells are still measured, without a baseline
            record.update(status="failed", reason=_reason(error))
            return record
        stats = taken.stats()
        record.update(method=method, **stats,
                      gbps=_rate(copy.moved_bytes(step.bytes), stats["median_s"]))
        return record

    def _cell(self, step, impl):
        """The record of ``impl``'s cell in this step: new in the first round, then the same."""
        cell_key = (step.op, step.dtype, step.size, impl.name, step.device)
        if cell_key not in self._cells:
            self._cells[cell_key] = records.new_cell(
                op=step.op, dtype=step.dtype, target=impl.name, kind=impl.kind,
                device=step.device, allocates=impl.allocates, size=step.size, bytes=step.bytes,
                samples_s=[], sample_rounds=[])
            self.cells.append(self._cells[cell_key])
        return self._cells[cell_key]

    def _measure_group(self, step):
        """Every host implementation of one (size, dtype, op) and the copy baseline, one sample
        of each in turn, so that every ratio between them is a ratio of samples taken side by
        side (this VM's speed drifts by tens of percent between minutes: ratios of medians
        taken minutes apart had swung as much). An implementation that fails on its first call
        is recorded as failed and left out of this and later rounds."""
        cells, runs = [], []
        for impl in step.impls:
            record = self._cell(step, impl)
            cells.append(record)
            if record["status"] == "failed":
                continue
            try:
                run = self._make(impl, step)
                run()
                runs.append((record, run, impl))
            except Exception as error:  # a failed cell is a result, the sweep goes on
                record.update(status="failed", reason=_reason(error))
        if not runs:
            return cells
        copiers = self._copiers(step.bytes)
        group = (step.op, step.dtype, step.size)
        names = [impl.name for _, _, impl in runs] + list(copiers)
        calls = [run for _, run, _ in runs] + list(copiers.values())
        round_settings = self.plan.settings.for_round()
        settings = dataclasses.replace(round_settings,
                                       budget_s=round_settings.budget_s * len(calls))
        inners = [self._inners.get((*group, name)) for name in names]
        try:
            taken = timing.measure_alternating(
                [timing.host_sampler(c) for c in calls], settings, self._flush,
                None if None in inners else inners)
        except Exception as error:  # raised mid-round: no sample of this group is trusted
            for record, _, _ in runs:
                record.update(status="failed", reason=_reason(error))
            return cells
        copies = {}
        for name, timed in zip(names, taken):
            self._inners[(*group, name)] = timed.calls_per_sample
            if name in copiers:
                samples = self._copy_samples.setdefault((*group, name), [])
                samples += timed.samples
                copies[name] = timing.Timing(tuple(samples), timed.calls_per_sample)
        # the fastest copy over the rounds: a parallel copy that wins when timed alone can
        # lose badly when its threads must wake after other work (notes/code-figures.md,
        # "The copy baseline")
        fastest_copy = min(copies.values(), key=lambda t: t.stats()["median_s"], default=None)
        # one-thread implementations against the one-thread copy (see copy.py)
        one_thread_copy = copies.get(copy.ONE_THREAD_METHOD, fastest_copy)
        for (record, _, impl), timed in zip(runs, taken):
            self._add_samples(record, timed, step.round)
            self._add_rates(record, one_thread_copy if impl.one_thread else fastest_copy)
        return cells

    @staticmethod
    def _add_samples(record, timed, round_number):
        """Append one round's samples to the cell's and restate its statistics over all."""
        record["samples_s"] += timed.samples
        record["sample_rounds"] += [round_number] * len(timed.samples)
        record.update(timing.Timing(tuple(record["samples_s"]), timed.calls_per_sample).stats(),
                      status="ok")

    def _make(self, impl, step):
        data = self._data_for(step)
        run = impl.make(step.op, data, step.device)
        if impl.kind != "target" or not self.plan.extra_work:
            return run
        extra = impl.make(step.op, data.head(self.plan.extra_work), step.device)

        def slowed():
            run()
            extra()

        return slowed

    def _copiers(self, total_bytes):
        """Every host copy method on new arrays; none where the baseline failed."""
        baseline = self.copies.get(("host", total_bytes))
        if not baseline or baseline["status"] != "ok":
            return {}
        return copy.host_copiers(total_bytes)

    def _measure_device_cell(self, step):
        """A cell on a GPU, timed alone by CUDA events; its ratios divide medians."""
        impl = step.impls[0]
        record = self._cell(step, impl)
        if record["status"] == "failed":
            return record
        try:
            data = self._data_for(step)
            from . import gpu

            taken = gpu.measure(self._make(impl, step), self.plan.settings.for_round())
            self._add_samples(record, taken, step.round)
            self._add_rates(record, None)
            if impl.name == "cuda" and step.round == 0:
                host = impls.host_call(step.op, data)
                record["with_transfers_s"] = timing.measure(
                    timing.host_sampler(host), self.plan.settings).stats()["median_s"]
        except Exception as error:  # a failed cell is a result, the sweep goes on
            record.update(status="failed", reason=_reason(error))
        return record

    def _data_for(self, step):
        group = (step.size, step.dtype, step.op, step.round)  # new arrays every round
        if group != self._group:
            self._data = self._group = None  # free the previous arrays before allocating
            self._data = OpData(step.op, step.dtype, step.size, self.plan.alpha, self.plan.seed)
            self._group = group
        return self._data

    def _add_rates(self, record, copy_taken):
        median = record["median_s"]
        record["gelems"] = _rate(record["size"], median)
        record["gbps"] = _rate(record["bytes"], median)
        baseline = self.copies.get((record["device"], record["bytes"]))
        moved = copy.moved_bytes(record["bytes"])
        if copy_taken is not None:
            record["copy_samples_s"] = list(copy_taken.samples)
            record["copy_gbps"] = _rate(moved, copy_taken.stats()["median_s"])
            fractions = paired_ratios(copy_taken.samples, record["samples_s"],
                                      record["bytes"] / moved)
            record["fraction_of_copy"], record["fraction_of_copy_iqr"] = _median_iqr(fractions)
        elif baseline and baseline["gbps"] and record["gbps"] is not None:
            record["copy_gbps"] = baseline["gbps"]
            record["fraction_of_copy"] = record["gbps"] / baseline["gbps"]
        if record["device"] == "cuda":
            from . import gpu

            record["peak_gbps"] = gpu.peak_gbps()
            if record["peak_gbps"] and record["gbps"] is not None:
                record["fraction_of_peak"] = record["gbps"] / record["peak_gbps"]


def paired_ratios(numerator_s, denominator_s, scale=1.0):
    """scale * a / b for the samples a, b taken side by side (the same round)."""
    return [scale * a / b for a, b in zip(numerator_s, denominator_s)]


def _median_iqr(values):
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    return float(median), float(q3 - q1)


def _reason(error):
    """``Type: first line of the message``: one line for a table, JSON and a log."""
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


def _rate(amount, seconds):
    return amount / seconds / 1e9 if seconds and seconds > 0 else None


def annotate(cells):
    """Fill speedup_vs_numpy, best_peer and speedup_vs_best_peer (and their spreads) from each
    cell's group: the median of paired sample ratios where both were sampled in turn, else the
    ratio of medians (GPU cells, timed one at a time)."""
    groups = {}
    for record in cells:
        if record["status"] == "ok" and record["median_s"]:
            groups.setdefault((record["op"], record["dtype"], record["size"]), []).append(record)
    for group in groups.values():
        reference = [r for r in group if r["target"] == impls.REFERENCE_PEER]
        for record in group:
            if reference:
                record["speedup_vs_numpy"], record["speedup_vs_numpy_iqr"] = speedup(
                    reference[0], record)
            peers = [r for r in group if r["kind"] == "peer" and r["device"] == record["device"]]
            if record["kind"] == "target" and peers:
                best = min(peers, key=lambda r: r["median_s"])
                record["best_peer"] = best["target"]
                record["speedup_vs_best_peer"], record["speedup_vs_best_peer_iqr"] = speedup(
                    best, record)
    return cells


def speedup(slower, faster):
    """(median, IQR) of ``slower``'s time over ``faster``'s; IQR None when not paired."""
    if slower["device"] == faster["device"] == "host" and slower.get("samples_s") \
            and faster.get("samples_s"):
        return _median_iqr(paired_ratios(slower["samples_s"], faster["samples_s"]))
    return slower["median_s"] / faster["median_s"], None


def finish(plan, runner, *, command, interrupted=False, small_call=True):
    """The results object (records.py describes it) from what ``runner`` measured."""
    cells = annotate(runner.cells)
    measured = None
    if small_call and not interrupted:
        measured = summary.measure_small_call(plan.settings)
    environment = env.collect(command=command, gpu="cuda" in plan.devices)
    return {
        "schema": records.SCHEMA,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": command,
        "environment": environment,
        "settings": plan.describe(),
        "interrupted": interrupted,
        "skipped": plan.skipped,
        "copies": list(runner.copies.values()),
        "summary": summary.summarize(cells, measured, environment["machine"], plan.alpha),
        "cells": cells,
    }
