"""Medians with distribution-free intervals and an exact paired test, in NumPy alone.

The interval for a median comes from order statistics: for n samples, the population median lies
between the k-th smallest and the k-th largest with probability 1 - 2 P(B < k), B ~ Binomial(n,
1/2), whatever the distribution; k is the largest with that coverage at least ``confidence``. It
needs no resampling and copes with values that are infinite (a run that never reached its target).

The paired test is Wilcoxon's signed-rank test with its exact null distribution (every sign
pattern of the ranked differences equally likely), counted by convolution so that ties and zeros
are handled exactly: zero differences are dropped, tied magnitudes share their mean rank.
"""

import math

import numpy as np


def median_interval(values, confidence=0.95):
    """{"median", "low", "high", "coverage", "n"}: the sample median and the order-statistic
    interval for the population median. Where no interval reaches ``confidence`` (n < 6 at 95%)
    the interval is the whole sample and ``coverage`` says how much it covers."""
    values = np.sort(np.asarray(values, dtype=np.float64))
    n = len(values)
    if n == 0:
        raise ValueError("median_interval needs at least one value")
    k, coverage = 1, _coverage(n, 1)
    while k + 1 <= n // 2 and _coverage(n, k + 1) >= confidence:
        k += 1
        coverage = _coverage(n, k)
    middle = values[(n - 1) // 2], values[n // 2]
    median = middle[0] if middle[0] == middle[1] else (middle[0] + middle[1]) / 2
    return {"median": float(median), "low": float(values[k - 1]), "high": float(values[n - k]),
            "coverage": coverage, "n": n}


def _coverage(n, k):
    """P(x_(k) <= median <= x_(n+1-k)) = 1 - 2 P(Binomial(n, 1/2) < k)."""
    below = sum(math.comb(n, i) for i in range(k)) / 2.0 ** n
    return 1.0 - 2.0 * below


def signed_rank_test(first, second):
    """Two-sided exact Wilcoxon signed-rank test of the paired differences first - second:
    {"p", "n_nonzero", "positive_rank_sum", "median_difference"}. Pairs where both are +inf (neither
    run reached its target) count as ties; one infinite value is a difference larger than every
    finite one."""
    first, second = (np.asarray(v, dtype=np.float64) for v in (first, second))
    if first.shape != second.shape or first.ndim != 1:
        raise ValueError(f"signed_rank_test needs two 1-d samples of one length, got shapes "
                         f"{first.shape} and {second.shape}")
    with np.errstate(invalid="ignore"):
        differences = first - second
    differences = np.where(np.isnan(differences) & (first == second), 0.0, differences)
    if np.isnan(differences).any():
        raise ValueError("signed_rank_test got NaN values")
    nonzero = differences[differences != 0]
    median_difference = float(np.median(differences)) if len(differences) else math.nan
    if len(nonzero) == 0:
        return {"p": 1.0, "n_nonzero": 0, "positive_rank_sum": 0.0,
                "median_difference": median_difference}
    doubled_ranks = _doubled_average_ranks(np.abs(nonzero))
    observed = int(doubled_ranks[nonzero > 0].sum())
    # the null distribution of the doubled positive rank sum: each rank in or out with prob 1/2
    counts = np.zeros(int(doubled_ranks.sum()) + 1)
    counts[0] = 1.0
    for rank in doubled_ranks:
        counts[rank:] = counts[rank:] + counts[:-rank].copy()
    probabilities = counts / counts.sum()
    centre = doubled_ranks.sum() / 2.0
    sums = np.arange(len(counts))
    extreme = np.abs(sums - centre) >= abs(observed - centre) - 1e-9
    return {"p": float(min(1.0, probabilities[extreme].sum())), "n_nonzero": len(nonzero),
            "positive_rank_sum": observed / 2.0, "median_difference": median_difference}


def _doubled_average_ranks(magnitudes):
    """Twice the average ranks (1-based) of ``magnitudes``: integers, ties sharing their mean."""
    order = np.argsort(magnitudes, kind="stable")
    sorted_values = magnitudes[order]
    doubled = np.empty(len(magnitudes), dtype=np.int64)
    start = 0
    while start < len(sorted_values):
        end = start
        while end + 1 < len(sorted_values) and sorted_values[end + 1] == sorted_values[start]:
            end += 1
        doubled[order[start:end + 1]] = start + end + 2  # (start+1 + end+1) / 2, doubled
        start = end + 1
    return doubled


def holm(p_values):
    """Holm's step-down adjusted p-values (family-wise error control), in the given order."""
    p_values = np.asarray(p_values, dtype=np.float64)
    order = np.argsort(p_values, kind="stable")
    m = len(p_values)
    adjusted = np.empty(m)
    running = 0.0
    for position, index in enumerate(order):
        running = max(running, min(1.0, (m - position) * p_values[index]))
        adjusted[index] = running
    return adjusted
