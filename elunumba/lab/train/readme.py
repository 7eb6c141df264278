"""The README's tables of the training experiments, generated from a result (never by hand)."""

import shlex

from .. import markdown
from . import summary

MARKERS = ("<!-- train-results:start -->", "<!-- train-results:end -->")
DEPTH_LAYERS = (1, 2, 4, 8, 16, 32, 64)
LAYERNORM = {None: "", False: "off", True: "on", "off - on": "off − on"}
COMPARED_HEADINGS = {"epochs_to_target": "epochs to target", "loss_area": "loss area",
                     "dead_max": "dead units, worst epoch",
                     "abs_mean_activation_final": "size of the mean activation, last epoch"}
PAIR_NAMES = {"elunumba_selu": "SELU (elunumba)", "elunumba_elu": "ELU (elunumba)",
              "torch_elu": "ELU (torch)", "leaky_relu": "LeakyReLU", "selu": "SELU",
              "relu": "ReLU", "elu": "ELU"}


def body(result):
    parts = [_provenance(result)]
    experiments = result["experiments"]
    if "spirals" in experiments:
        parts.append(_runs_table("Two spirals", experiments["spirals"], layernorm=True))
    if "digits" in experiments:
        parts.append(_runs_table("Digits", experiments["digits"], layernorm=False))
    for name in ("spirals", "digits"):
        if name in experiments:
            parts.append(_comparisons_table(name, experiments[name]))
    if "depth" in experiments:
        parts.append(_depth_table(experiments["depth"]))
    return "\n\n".join(parts)


def rewrite(text, result):
    """``text`` (the README) with the block between MARKERS replaced by ``body(result)``."""
    return markdown.replace_between(text, MARKERS, body(result))


def _provenance(result):
    load = result["load_average"]
    return (f"`{shlex.join(result['command'])}` on {result['machine']['line']} "
            f"({result['machine']['cores']} cores, {result['jobs']} runs at a time, one thread "
            f"each), started {result['started']}: {result['seconds']:.0f} s wall, "
            f"{result['cpu_seconds']:.0f} s of CPU in the runs; load average "
            f"{load['before']:.1f} before, {load['after']:.1f} after.")


def interval(found, digits=0, percent=False):
    """'12 [10–15]' from a median_interval record; None (a median over runs that never reached
    the target) is 'not reached'."""
    def number(value):
        if value is None:
            return "not reached"
        return f"{100 * value:.{digits}f}%" if percent else f"{value:.{digits}f}"
    if found["median"] is None and found["low"] is None:
        return "not reached"
    return f"{number(found['median'])} [{number(found['low'])}–{number(found['high'])}]"


def _runs_table(title, found, layernorm):
    settings = found["settings"]
    budget = settings["budget"]
    seeds = len(settings["seeds"])
    headers = ["init", *(["LayerNorm"] if layernorm else []), "activation", "reached",
               f"epochs to {budget['target']:g}", "CPU s to target",
               f"loss area, epochs 1–{budget['area_epochs']}", "dead units, worst epoch",
               "mean activation at init", "mean activation, last epoch"]
    rows = []
    for row in found["summary"]:
        rows.append([row["init"], *([LAYERNORM[row["layernorm"]]] if layernorm else []),
                     row["activation"], f"{row['reached']}/{row['seeds']}",
                     interval(row["epochs_to_target"]), interval(row["cpu_seconds_to_target"], 2),
                     interval(row["loss_area"], 2), interval(row["dead_max"], 1, percent=True),
                     interval(row["mean_activation_at_init"], 3),
                     interval(row["mean_activation_final"], 3)])
    coverage = found["summary"][0]["epochs_to_target"]["coverage"]
    return (f"{title}: median over {seeds} seeds [interval for the median, coverage "
            f"{100 * coverage:.1f}%]; training stops at the first epoch from "
            f"{budget['area_epochs']} on with test accuracy ≥ {budget['target']:g}, or at "
            f"{budget['max_epochs']}:\n\n" + markdown.table(headers, rows))


def _comparisons_table(experiment, found):
    by_pair = {}
    for row in found["comparisons"]:
        key = (row["init"], row["layernorm"], row["pair"])
        by_pair.setdefault(key, {})[row["measure"]] = row
    layernorm = experiment == "spirals"
    headers = ["init", *(["LayerNorm"] if layernorm else []), "difference",
               *(COMPARED_HEADINGS[name] for name in summary.COMPARED)]
    rows = []
    for (init, norm, pair), measures in by_pair.items():
        rows.append([init, *([LAYERNORM[norm]] if layernorm else []), _pair_text(pair),
                     *(_comparison_cell(measures[name]) for name in summary.COMPARED)])
    return (f"{experiment}: paired by seed, median of the differences [interval], exact "
            f"signed-rank p after Holm's correction within each column; **bold**: p < "
            f"{summary.SIGNIFICANCE:g}:\n\n" + markdown.table(headers, rows))


def _pair_text(pair):
    """'(elu - relu)' -> '(ELU − ReLU)'."""
    inner = pair.strip("()")
    named = " − ".join(PAIR_NAMES[key] for key in inner.split(" - "))
    return f"({named})" if pair.startswith("(") else named


def _comparison_cell(row):
    percent = row["measure"] == "dead_max"
    digits = {"epochs_to_target": 0, "loss_area": 2}.get(row["measure"], 3)
    shown = interval(row["difference"], 1 if percent else digits, percent)
    text = f"{shown}, p {row['p_holm']:.2g}"
    return f"**{text}**" if row["significant"] else text


def _depth_table(found):
    settings = found["settings"]
    entries = {key: entry for key, entry in found["summary"].items() if key != "fixed_point"}
    layers = [layer for layer in DEPTH_LAYERS if layer <= settings["depth"]]
    headers = ["layer", *(entry["name"] for entry in entries.values())]
    rows = []
    for layer in layers:
        cells = []
        for entry in entries.values():
            measured = {q: entry["measured"][q][layer - 1] for q in ("mean", "variance")}
            predicted = {q: entry["predicted"][q][layer - 1] for q in ("mean", "variance")}
            cells.append(f"{measured['mean']['median']:.3f} / {measured['variance']['median']:.3g}"
                         f" ({predicted['mean']:.3f} / {predicted['variance']:.3g})")
        rows.append([str(layer), *cells])
    fixed = found["summary"]["fixed_point"]
    return (f"Deep perceptrons at initialisation ({settings['depth']} layers of "
            f"{settings['width']} units, {settings['samples']} standard normal inputs, zero "
            f"biases): mean / variance of each layer's output, median over "
            f"{len(settings['seeds'])} seeds (predicted by the mean-field recursion from "
            f"`elunumba.stats`); SELU's fixed point (mean 0, variance 1) is "
            f"`selu_fixed_point()` = (α {fixed['alpha']:.6f}, scale {fixed['scale']:.6f}):\n\n"
            + markdown.table(headers, rows))
