"""Every float32 input (or a range of them): forward and both gradients of elunumba's kernels.

Inputs are visited as bit patterns in chunks (bounded memory). Each chunk is judged against the
correctly rounded result (reference.float32_forward_correctly_rounded); the gradient from the
output against the correctly rounded y + alpha of the stored y
(reference.float32_slope_correctly_rounded); the gradient from the input against the correctly
rounded derivative alpha*exp(x) (reference.float32_true_slope_correctly_rounded).
A KeyboardInterrupt ends the run early; the result says how much was covered.
"""

import time
from dataclasses import dataclass, field

import numpy as np

from . import reference
from .ulp import ulp_distance, ulp_error

ALL_INPUTS = 2**32
CHUNK = 2**22
HISTOGRAM_BINS = ("0", "1", "2", ">=3")  # ULP distance from the correctly rounded result
QUANTITIES = ("forward", "grad from y", "grad from x")


@dataclass
class Tally:
    """Running results for one (variant, quantity)."""

    histogram: list = field(default_factory=lambda: [0] * len(HISTOGRAM_BINS))
    worst_ulp: float = 0.0
    worst_input: float | None = None
    worst_bits: int | None = None

    def add(self, x, got, rounded, exact_of):
        distance = ulp_distance(got, rounded)
        for i, count in enumerate(np.bincount(np.minimum(distance, 3), minlength=4)):
            self.histogram[i] += int(count)
        wrong = np.flatnonzero(distance)
        if wrong.size:  # only misrounded results can exceed 0.5 ULP; measure them exactly
            errors = ulp_error(got[wrong], exact_of(wrong), np.float32)
            i = int(np.argmax(errors))
            if errors[i] > self.worst_ulp:
                self.worst_ulp = float(errors[i])
                self.worst_input = float(x[wrong[i]])
                self.worst_bits = int(x[wrong[i]:wrong[i] + 1].view(np.uint32)[0])

    def summary(self):
        covered = sum(self.histogram)
        exact = self.histogram[0]
        return {
            "inputs": covered,
            "correctly_rounded": exact / covered if covered else None,
            "misrounded": covered - exact,
            # a correctly rounded result is within 0.5 ULP; a misrounded one was measured
            "max_ulp": self.worst_ulp if covered > exact else 0.5,
            "worst_input": self.worst_input,
            "worst_input_bits": None if self.worst_bits is None else f"0x{self.worst_bits:08x}",
            "ulp_histogram": dict(zip(HISTOGRAM_BINS, self.histogram)),
        }


def run(variants, start=0, stop=ALL_INPUTS, chunk=None, progress=None, alpha=1.0):
    """Check ``variants`` ({name: (kernels with elu_value_and_grad, target)}) with ``alpha`` on
    the bit patterns [start, stop).

    Returns a dict with the per-variant forward and gradient summaries, the covered range, the
    time taken and whether the run was interrupted.
    """
    reference.require_extended_precision()
    chunk = chunk or CHUNK
    tallies = {(name, q): Tally() for name in variants for q in QUANTITIES}
    began, covered_to, interrupted = time.perf_counter(), start, False
    try:
        for low in range(start, stop, chunk):
            high = min(low + chunk, stop)
            x = np.arange(low, high, dtype=np.uint64).astype(np.uint32).view(np.float32)
            rounded = reference.float32_forward_correctly_rounded(x, alpha)
            true_slope = reference.float32_true_slope_correctly_rounded(x, alpha)
            for name, (kernels, target) in variants.items():
                y, slope = kernels.elu_value_and_grad(x, alpha, target=target)
                tallies[name, "forward"].add(
                    x, y, rounded, lambda i: reference.elu_forward(x[i], alpha))
                tallies[name, "grad from y"].add(
                    x, slope, reference.float32_slope_correctly_rounded(y, alpha),
                    lambda i: reference.slope_from_output(y[i], alpha))
                tallies[name, "grad from x"].add(
                    x, kernels.elu_grad(x, alpha, target=target), true_slope,
                    lambda i: reference.true_slope(x[i], alpha))
            covered_to = high
            if progress:
                progress(high - low)
    except KeyboardInterrupt:
        interrupted = True
    return {
        "dtype": "float32",
        "alpha": alpha,
        "range": [f"0x{start:08x}", f"0x{covered_to - 1:08x}"] if covered_to > start else [],
        "inputs_checked": covered_to - start,
        "complete": covered_to - start == ALL_INPUTS,
        "interrupted": interrupted,
        "seconds": round(time.perf_counter() - began, 1),
        "results": [{"variant": name, "quantity": q, **tally.summary()}
                    for (name, q), tally in tallies.items()],
    }
