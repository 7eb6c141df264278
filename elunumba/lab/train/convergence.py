"""Training until a target test accuracy or a cap, and what that measures about convergence.

Every run trains at least ``area_epochs`` epochs, so that the area under its training-loss curve
over those epochs compares across runs; then it stops at the first epoch whose test accuracy
reached ``target``, or at ``max_epochs``. A run that never reached the target has
``epochs_to_target`` None (it counts as +inf in medians and tests).
"""

import dataclasses
import time


@dataclasses.dataclass(frozen=True)
class Budget:
    target: float
    max_epochs: int
    area_epochs: int

    def __post_init__(self):
        if not 0.0 < self.target <= 1.0:
            raise ValueError(f"target must be a test accuracy in (0, 1], got {self.target!r}")
        if not 1 <= self.area_epochs <= self.max_epochs:
            raise ValueError(f"need 1 <= area_epochs ({self.area_epochs}) <= max_epochs "
                             f"({self.max_epochs})")


def train_until(budget, run_epoch, on_epoch=None):
    """Call ``run_epoch()`` (one epoch of training, then a test) until ``budget`` says stop.

    ``run_epoch`` returns a dict with at least "loss" (mean training loss of the epoch) and
    "test_accuracy" (after the epoch); every key becomes a per-epoch list in the result, beside
    the times and the convergence measures. ``on_epoch(epoch, measured)`` is told of each epoch.
    """
    curves = {}
    wall, cpu = [], []
    started, cpu_started = time.perf_counter(), time.process_time()
    reached = None
    for epoch in range(1, budget.max_epochs + 1):
        measured = run_epoch()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        for key, value in measured.items():
            curves.setdefault(key, []).append(_rounded(value))
        if reached is None and measured["test_accuracy"] >= budget.target:
            reached = epoch
        if on_epoch is not None:
            on_epoch(epoch, measured)
        if reached is not None and epoch >= budget.area_epochs:
            break
    return {
        **curves,
        "epochs": len(curves["loss"]),
        "epochs_to_target": reached,
        "seconds_to_target": None if reached is None else wall[reached - 1],
        "cpu_seconds_to_target": None if reached is None else cpu[reached - 1],
        "seconds": wall[-1], "cpu_seconds": cpu[-1],
        # the area under the training-loss curve over the first area_epochs epochs (loss x epochs)
        "loss_area": float(sum(curves["loss"][:budget.area_epochs])),
    }


def _rounded(value):
    """Six significant digits (of a number or a list of them): far finer than the differences
    between runs, and a results file a fifth the size."""
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return float(f"{value:.6g}")
