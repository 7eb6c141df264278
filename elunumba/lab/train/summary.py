"""From the runs' records to what the README reports: per setting the median of each measure
over seeds with its interval, and the planned paired comparisons with exact p-values.

Runs of one seed share their data and batch order across activations (and, within an init, the
stream their weights are drawn from), so comparisons pair them by seed. A run that never reached
its target counts as +inf epochs in medians, and as max_epochs + 1 in the paired differences.
Holm's correction runs over the comparisons of one measure in one experiment.
"""

import math

import numpy as np

from . import statistics

# (measure, what it means) for each run: the number that the medians and the comparisons use
MEASURES = {
    "epochs_to_target": "epochs until the test accuracy first reached the target",
    "cpu_seconds_to_target": "CPU seconds of the run until then",
    "loss_area": "area under the training-loss curve over the first area_epochs epochs",
    "dead_max": "largest fraction of dead hidden units in any epoch (mean over layers)",
    "mean_activation_at_init": "mean output of the hidden layers before training",
    "mean_activation_final": "mean output of the hidden layers in the last epoch",
}
COMPARED = ("epochs_to_target", "loss_area", "dead_max", "abs_mean_activation_final")
# the pairs compared within one setting: (first, second); the experiment's keys
PAIRS = {
    "spirals": (("elu", "relu"), ("selu", "relu"), ("elu", "leaky_relu")),
    "digits": (("elunumba_elu", "relu"), ("elunumba_selu", "relu"),
               ("elunumba_elu", "leaky_relu"), ("elunumba_elu", "torch_elu")),
}
SIGNIFICANCE = 0.05


def measure(record, name):
    """One number of one run for ``name`` (a key of MEASURES, or "abs_mean_activation_final");
    +inf where the run never reached its target (None in the record)."""
    if name == "dead_max":
        return max(float(np.mean(epoch)) for epoch in record["dead_fraction"])
    if name == "mean_activation_final":
        return float(np.mean(record["mean_activation"][-1]))
    if name == "abs_mean_activation_final":
        return abs(measure(record, "mean_activation_final"))
    if name == "mean_activation_at_init":
        return float(np.mean(record["mean_activation_at_init"]))
    value = record[name]
    return math.inf if value is None else float(value)


def setting_of(record):
    """The setting a run belongs to besides its activation and seed: (init, layernorm)."""
    return record["init"], record.get("layernorm")


def groups(records):
    """{(setting, activation key): [records sorted by seed]} in first-seen order."""
    found = {}
    for record in records:
        found.setdefault((setting_of(record), record["key"]), []).append(record)
    return {key: sorted(runs, key=lambda r: r["seed"]) for key, runs in found.items()}


def summarize(records, budget):
    """One row per (init, layernorm, activation): medians with intervals of every measure, and
    how many seeds reached the target."""
    rows = []
    for ((init, layernorm), key), runs in groups(records).items():
        rows.append({
            "activation": runs[0]["activation"], "key": key, "init": init,
            "layernorm": layernorm, "seeds": len(runs),
            "reached": sum(r["epochs_to_target"] is not None for r in runs),
            **{name: statistics.median_interval([measure(r, name) for r in runs])
               for name in MEASURES},
        })
    return rows


def _paired(first, second, name, max_epochs):
    """The two samples of ``name`` paired by seed, not-reached as max_epochs + 1."""
    if [r["seed"] for r in first] != [r["seed"] for r in second]:
        raise ValueError("the runs compared do not have the same seeds")
    values = [[measure(r, name) for r in runs] for runs in (first, second)]
    return [np.where(np.isinf(v), max_epochs + 1.0, v) for v in values]


def compare(experiment, records, budget):
    """The planned comparisons of ``experiment``: for each setting and pair in PAIRS, and each
    measure in COMPARED, the median paired difference (first - second) with its interval, the
    exact signed-rank p-value and Holm's adjusted p; for the spirals also whether LayerNorm
    changed the difference (the differences without against those with LayerNorm)."""
    found = groups(records)
    settings = list(dict.fromkeys(setting for setting, _ in found))
    rows = []
    for name in COMPARED:
        family = []
        for setting in settings:
            for first, second in PAIRS[experiment]:
                if (setting, first) not in found or (setting, second) not in found:
                    continue
                a, b = _paired(found[setting, first], found[setting, second], name,
                               budget.max_epochs)
                family.append(_row(setting, f"{first} - {second}", name, a, b))
        if experiment == "spirals":
            for init in dict.fromkeys(init for init, _ in settings):
                for first, second in PAIRS[experiment]:
                    keys = [((init, layernorm), key) for layernorm in (False, True)
                            for key in (first, second)]
                    if not all(key in found for key in keys):
                        continue
                    off = np.subtract(*_paired(found[keys[0]], found[keys[1]], name,
                                               budget.max_epochs))
                    on = np.subtract(*_paired(found[keys[2]], found[keys[3]], name,
                                              budget.max_epochs))
                    family.append(_row((init, "off - on"), f"({first} - {second})", name,
                                       off, on))
        for row, adjusted in zip(family, statistics.holm([r["p"] for r in family])):
            row["p_holm"] = float(adjusted)
            row["significant"] = bool(adjusted < SIGNIFICANCE)
        rows += family
    return rows


def _row(setting, pair, name, first, second):
    test = statistics.signed_rank_test(first, second)
    return {"init": setting[0], "layernorm": setting[1], "pair": pair, "measure": name,
            "difference": statistics.median_interval(np.subtract(first, second)),
            "p": test["p"], "n_nonzero": test["n_nonzero"]}
