"""Timing: warm-up, then repeated samples, reduced to a median and quartiles.

A *sampler* runs a callable ``inner`` times back to back and returns the seconds that took: on the
host by ``time.perf_counter``, on a GPU by CUDA events (see gpu.py). ``measure`` calls it once
untimed (compilation, first touch of the output pages), calibrates ``inner`` so that one sample
lasts at least ``min_sample_s`` (tiny calls are timed in batches), warms up, then takes samples
until it has ``repeats`` of them, or at least ``min_repeats`` and ``budget_s`` has passed. An
optional ``flush`` runs between samples, outside the timed region, and forces ``inner = 1``, so
that every sample starts from cold caches.

A sweep spreads each cell's samples over ``rounds`` passes through all its cells
(``Settings.for_round``): the machine's speed changes from one second to the next (on the 2-core
AVX2 reference machine the medians of five back-to-back runs differed 2-5 times more than the
spread of the samples inside one run predicted, because each cell's samples were taken within a
fraction of a second), so a slow spell now falls on a few samples of many cells rather than on
every sample of one.
"""

import dataclasses
import math
import os
import time

import numpy as np

MAX_INNER = 1_000_000
DEFAULT_LLC_BYTES = 32 * 2**20


@dataclasses.dataclass(frozen=True)
class Settings:
    """How hard to measure each cell."""

    repeats: int = 20
    min_repeats: int = 5
    budget_s: float = 1.0
    min_sample_s: float = 0.005
    warmup_s: float = 0.05
    cold: bool = False
    rounds: int = 5  # passes through the sweep; repeats and budget_s are shared among them

    def __post_init__(self):
        if self.repeats < 1 or self.min_repeats < 1:
            raise ValueError("repeats must be at least 1")
        if not 1 <= self.rounds <= self.repeats:
            raise ValueError(f"rounds must be from 1 to repeats ({self.repeats}): each round "
                             f"takes at least one sample, not {self.rounds}")
        if min(self.budget_s, self.min_sample_s, self.warmup_s) < 0:
            raise ValueError("times must not be negative")

    def for_round(self):
        """How hard to measure a cell in one of the rounds: its share of the samples and of
        the budget (at least one sample a round)."""
        return dataclasses.replace(self, repeats=-(-self.repeats // self.rounds),
                                   min_repeats=-(-self.min_repeats // self.rounds),
                                   budget_s=self.budget_s / self.rounds, rounds=1)


# every quick cell gets 3 samples in each of 7 rounds. `bench compare` tests per-round values:
# with 3 rounds the smallest p-value a rank test can reach is 0.05, so it could never call a
# cell slower at 99% confidence; with 7, 1/3432. A round's value is the median of its 3
# samples, so that one sample cut short by another process (seen: 5x at 2^18 with the load
# average at 3.6 on 2 cores) does not decide it.
QUICK = Settings(repeats=21, min_repeats=21, budget_s=0.15, min_sample_s=0.001,
                 warmup_s=0.01, rounds=7)


@dataclasses.dataclass(frozen=True)
class Timing:
    """Seconds per call, one entry a sample, and how many calls each sample ran."""

    samples: tuple
    calls_per_sample: int

    def stats(self):
        q1, median, q3 = np.percentile(self.samples, [25, 50, 75])
        return {"median_s": float(median), "q1_s": float(q1), "q3_s": float(q3),
                "iqr_s": float(q3 - q1), "min_s": float(min(self.samples)),
                "max_s": float(max(self.samples)), "repeats": len(self.samples),
                "calls_per_sample": self.calls_per_sample}


def host_sampler(fn):
    def run_sample(inner):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        return time.perf_counter() - start

    return run_sample


def measure(run_sample, settings, flush=None):
    return measure_alternating([run_sample], settings, flush)[0]


def measure_alternating(run_samples, settings, flush=None, inners=None):
    """``measure`` for several samplers at once, taking one sample of each in turn, so that a
    slow spell of the machine (this VM's speed drifts by tens of percent from minute to minute)
    falls on all of them alike; returns one Timing per sampler. ``inners`` (calls per sample,
    from an earlier round) keeps the samples of later rounds comparable with the first's."""
    # a later round skips the calibration but warms up for at least one pass: new arrays to
    # fault in, and the caches and sleeping threads other cells left
    must_warm = inners is not None
    if inners is None:
        inners = [_calibrated_inner(run_sample, settings, flush) for run_sample in run_samples]
    warm_until = time.perf_counter() + settings.warmup_s
    while must_warm or time.perf_counter() < warm_until:
        must_warm = False
        for run_sample, inner in zip(run_samples, inners):
            run_sample(inner)
    samples = [[] for _ in run_samples]
    started = time.perf_counter()
    while len(samples[0]) < settings.repeats:
        for run_sample, inner, taken in zip(run_samples, inners, samples):
            if flush is not None:
                flush()
            taken.append(run_sample(inner) / inner)
        if (len(samples[0]) >= settings.min_repeats
                and time.perf_counter() - started > settings.budget_s):
            break
    return [Timing(tuple(taken), inner) for taken, inner in zip(samples, inners)]


def _calibrated_inner(run_sample, settings, flush):
    """Calls per sample: enough for ``min_sample_s``, or 1 where caches are flushed between."""
    run_sample(1)  # compiles, loads, faults pages in: never part of a sample
    once = run_sample(1)
    if flush:
        return 1
    return max(1, min(MAX_INNER, math.ceil(settings.min_sample_s / max(once, 1e-9))))


def host_cache_flusher():
    """Writes a buffer twice the size of the last-level cache, evicting what a cell left there."""
    buffer = np.empty(2 * last_level_cache_bytes(), np.uint8)

    def flush():
        buffer.fill(1)

    return flush


def last_level_cache_bytes():
    base = "/sys/devices/system/cpu/cpu0/cache"
    try:
        sizes = []
        for index in os.listdir(base):
            with open(os.path.join(base, index, "size")) as f:
                text = f.read().strip()
            units = {"K": 2**10, "M": 2**20, "G": 2**30}
            sizes.append(int(text[:-1]) * units[text[-1]] if text[-1] in units else int(text))
        return max(sizes)
    except (OSError, ValueError, KeyError):
        return DEFAULT_LLC_BYTES
