"""From runs to the README's numbers: medians per setting, the paired comparisons (a run that
never reached its target counted at the cap + 1), and the tables' wording, on made-up runs whose
answers are known."""

import pytest

from elunumba.lab.train import convergence, readme, summary

BUDGET = convergence.Budget(target=0.9, max_epochs=50, area_epochs=2)


def _run(key, seed, epochs_to_target, layernorm=False, init="gain", dead=0.0, mean=0.5):
    return {"experiment": "spirals", "activation": key.upper(), "key": key, "init": init,
            "layernorm": layernorm, "seed": seed, "epochs_to_target": epochs_to_target,
            "cpu_seconds_to_target": None if epochs_to_target is None else 0.01,
            "loss_area": 1.0 + seed / 100, "dead_fraction": [[dead, dead], [0.0, dead]],
            "mean_activation": [[mean, mean], [mean, mean + 0.1]],
            "mean_activation_at_init": [mean, mean]}


def _design(elu_lag_without, elu_lag_with):
    runs = []
    for seed in range(10):
        for layernorm, lag in ((False, elu_lag_without), (True, elu_lag_with)):
            runs.append(_run("relu", seed, 10 + seed, layernorm, dead=0.25, mean=0.6))
            runs.append(_run("elu", seed, 10 + seed + lag, layernorm, mean=0.2))
    return runs


def test_medians_count_the_runs_that_reached_the_target():
    runs = [_run("elu", seed, None if seed < 6 else 7) for seed in range(10)]
    row, = summary.summarize(runs, BUDGET)
    assert row["reached"] == 4 and row["seeds"] == 10
    assert row["epochs_to_target"]["median"] == float("inf")
    assert row["dead_max"]["median"] == 0.0
    assert row["mean_activation_final"]["median"] == pytest.approx(0.55)
    assert (row["epochs_to_target"]["low"], row["epochs_to_target"]["high"]) == (7.0,
                                                                                   float("inf"))
    # in the result file infinities are None, which the tables call "not reached"
    assert readme.interval({"median": None, "low": 7.0, "high": None}) == \
        "not reached [7–not reached]"
    assert readme.interval({"median": None, "low": None, "high": None}) == "not reached"


def test_a_lag_on_every_seed_is_significant_and_layernorm_changing_it_too():
    rows = summary.compare("spirals", _design(elu_lag_without=2, elu_lag_with=12), BUDGET)
    epochs = {(r["layernorm"], r["pair"]): r for r in rows if r["measure"] == "epochs_to_target"}
    assert set(epochs) == {(False, "elu - relu"), (True, "elu - relu"), ("off - on",
                                                                        "(elu - relu)")}
    without, with_norm, change = (epochs[False, "elu - relu"], epochs[True, "elu - relu"],
                                  epochs["off - on", "(elu - relu)"])
    assert without["difference"]["median"] == 2 and with_norm["difference"]["median"] == 12
    assert change["difference"]["median"] == -10
    # ten differences of one sign: p = 2/1024, times 3 by Holm in a family of three
    for row in (without, with_norm, change):
        assert row["p"] == 2 / 1024 and row["p_holm"] == pytest.approx(3 * 2 / 1024)
        assert row["significant"]
    dead = [r for r in rows if r["measure"] == "dead_max" and r["layernorm"] is False]
    assert dead[0]["difference"]["median"] == -0.25 and dead[0]["significant"]


def test_no_difference_is_not_significant():
    rows = summary.compare("spirals", _design(0, 0), BUDGET)
    epochs = [r for r in rows if r["measure"] == "epochs_to_target"]
    assert all(r["p"] == 1.0 and not r["significant"] for r in epochs)


def test_a_run_that_never_reached_counts_at_the_cap_plus_one():
    runs = []
    for seed in range(6):
        runs += [_run("relu", seed, 10), _run("elu", seed, None)]
    row = next(r for r in summary.compare("spirals", runs, BUDGET)
               if r["measure"] == "epochs_to_target")
    assert row["difference"]["median"] == BUDGET.max_epochs + 1 - 10


def test_runs_of_other_seeds_are_not_paired():
    runs = [_run("relu", 0, 10), _run("elu", 1, 10)]
    with pytest.raises(ValueError, match="do not have the same seeds"):
        summary.compare("spirals", runs, BUDGET)
