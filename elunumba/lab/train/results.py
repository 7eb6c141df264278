"""The experiments' designs, and the one result they write: settings, every run, the summaries
computed from those runs, the machine and the time it took. ``from_json`` rebuilds the same
result from a written one, so tables and figures regenerate from the committed file alone."""

import dataclasses
import json
import math

from . import convergence, depth, digits, spirals, summary

SETTINGS = {"spirals": spirals.Settings, "digits": digits.Settings, "depth": depth.Settings}


def designs(seeds, quick=False):
    """{experiment: Settings} with seeds 0..seeds-1; ``quick``: a design cut to seconds for a
    smoke test (tiny networks, a few epochs), whose numbers mean nothing."""
    seeds = tuple(range(seeds))
    if not quick:
        return {name: make(seeds=seeds) for name, make in SETTINGS.items()}
    return {
        "spirals": spirals.Settings(seeds=seeds, hidden=(8, 8), train_size=128, test_size=128,
                                    budget=convergence.Budget(0.9, 4, 2)),
        "digits": digits.Settings(seeds=seeds, budget=convergence.Budget(0.9, 2, 1)),
        "depth": depth.Settings(seeds=seeds, depth=6, width=32, samples=64),
    }


def assemble(settings, records):
    """{experiment: {"settings", "summary", ["comparisons"], "runs"}} from {experiment:
    Settings} and the records of every run."""
    found = {}
    for experiment, chosen in settings.items():
        runs = [r for r in records if r["experiment"] == experiment]
        entry = {"settings": _settings_json(chosen)}
        if experiment == "depth":
            entry["summary"] = depth.summarize(chosen, runs)
        else:
            entry["summary"] = summary.summarize(runs, chosen.budget)
            entry["comparisons"] = summary.compare(experiment, runs, chosen.budget)
        entry["runs"] = runs
        found[experiment] = _json_safe(entry)
    return found


def _json_safe(value):
    """``value`` with every infinite float (a median over runs that never reached their target)
    as None, which JSON can hold."""
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_safe(item) for item in value]
    if isinstance(value, float) and math.isinf(value):
        return None
    return value


def dumps(result):
    """``result`` as JSON text: indented, but each run on one line (the runs are most of the
    file, and one line each keeps it a few times smaller and still readable by line)."""
    placeholders = {}
    shown = {**result, "experiments": {}}
    for name, entry in result["experiments"].items():
        runs = []
        for index, run in enumerate(entry["runs"]):
            key = f"@run {name} {index}@"
            placeholders[json.dumps(key)] = json.dumps(run, separators=(",", ":"))
            runs.append(key)
        shown["experiments"][name] = {**entry, "runs": runs}
    text = json.dumps(shown, indent=2)
    for key, run in placeholders.items():
        text = text.replace(key, run, 1)
    return text + "\n"


def from_json(payload):
    """(settings, records) from a result ``payload`` written by ``elunumba train --json``;
    ValueError naming what is missing."""
    try:
        experiments = payload["experiments"]
        settings = {name: _settings_from_json(name, entry["settings"])
                    for name, entry in experiments.items()}
        records = [run for entry in experiments.values() for run in entry["runs"]]
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"not a result of elunumba train ({type(error).__name__}: {error})") \
            from None
    return settings, records


def _settings_json(settings):
    return {key: list(value) if isinstance(value, tuple) else value
            for key, value in dataclasses.asdict(settings).items()}


def _settings_from_json(name, found):
    if name not in SETTINGS:
        raise ValueError(f"unknown experiment {name!r}")
    values = {key: tuple(value) if isinstance(value, list) else value
              for key, value in found.items()}
    if "budget" in values:
        values["budget"] = convergence.Budget(**values["budget"])
    return SETTINGS[name](**values)
