"""The medians' intervals, the exact signed-rank test and Holm's correction (NumPy only), checked
against binomial counts, scipy where there are no ties, and hand counts where there are."""

import math

import numpy as np
import pytest

from elunumba.lab.train import statistics


def test_median_interval_of_ten_is_second_to_ninth_with_its_exact_coverage():
    found = statistics.median_interval([7, 1, 9, 3, 5, 2, 8, 4, 10, 6])
    assert (found["median"], found["low"], found["high"]) == (5.5, 2.0, 9.0)
    assert found["coverage"] == pytest.approx(1 - 2 * 11 / 1024)  # P(B <= 1), B ~ Bin(10, 1/2)
    assert found["n"] == 10


@pytest.mark.parametrize("n", [6, 10, 20, 41])
def test_median_interval_is_the_narrowest_with_95_percent(n):
    found = statistics.median_interval(np.arange(n, dtype=float))
    k = int(found["low"]) + 1
    assert found["coverage"] >= 0.95
    assert 1 - 2 * sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n < 0.95
    assert found["high"] == n - k


def test_median_interval_of_too_few_is_the_whole_sample_and_says_so():
    found = statistics.median_interval([3.0, 1.0, 2.0])
    assert (found["low"], found["high"]) == (1.0, 3.0)
    assert found["coverage"] == 0.75
    with pytest.raises(ValueError, match="at least one value"):
        statistics.median_interval([])


def test_median_interval_keeps_runs_that_never_reached_their_target():
    found = statistics.median_interval([5, 6, math.inf, math.inf, 7, 8, 9, 10, 11, math.inf])
    assert found["median"] == 9.5 and found["low"] == 6 and found["high"] == math.inf
    assert statistics.median_interval([math.inf] * 4)["median"] == math.inf


@pytest.mark.parametrize("n", [5, 10, 20])
def test_signed_rank_matches_scipy_without_ties(n):
    scipy_stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(n)
    for _ in range(20):
        first, second = rng.normal(size=n), rng.normal(0.4, size=n)
        expected = scipy_stats.wilcoxon(first, second, method="exact").pvalue
        assert statistics.signed_rank_test(first, second)["p"] == pytest.approx(expected,
                                                                                 rel=1e-12)


def test_signed_rank_with_ties_zeros_and_infinities_counted_by_hand():
    # differences 0, -1, 1, 0, 0 (both inf), inf, 1, 0, 7, 0: nonzero -1, 1, inf, 1, 7 with ranks
    # 2, 2, 5, 2, 4; positive sum 13 of 15. Of the 32 sign patterns, 4 give a sum >= 13 and 4 a
    # sum <= 2, so p = 8/32.
    first = np.array([3, 3, 5, 7, np.inf, np.inf, 2, 2, 9, 1.0])
    second = np.array([3, 4, 4, 7, np.inf, 9, 1, 2, 2, 1.0])
    found = statistics.signed_rank_test(first, second)
    assert found == {"p": 0.25, "n_nonzero": 5, "positive_rank_sum": 13.0,
                     "median_difference": 0.0}


def test_signed_rank_extremes():
    assert statistics.signed_rank_test([1, 2, 3], [1, 2, 3])["p"] == 1.0
    # all ten differences positive: the most extreme of 2^10 patterns, both sides
    assert statistics.signed_rank_test(np.arange(10) + 1.0, np.zeros(10))["p"] == 2 / 1024
    with pytest.raises(ValueError, match="two 1-d samples of one length"):
        statistics.signed_rank_test([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="NaN"):
        statistics.signed_rank_test([1, np.nan], [1, 2])


def test_holm_steps_down_and_stays_monotone():
    adjusted = statistics.holm([0.01, 0.04, 0.03, 0.5])
    np.testing.assert_allclose(adjusted, [0.04, 0.09, 0.09, 0.5])
    assert statistics.holm([0.6, 0.4])[0] == 0.8 and statistics.holm([0.9, 0.8])[0] == 1.0
