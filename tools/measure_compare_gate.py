"""How often `elunumba bench compare` raises a false alarm, and whether it catches a real slowdown.

    python tools/measure_compare_gate.py [--runs 5] [--fail-above 10] [--keep FOLDER]
                                         [--json bench_results/compare-gate-avx2.json]
    python tools/measure_compare_gate.py --again FOLDER    # judge kept files again

Runs `elunumba bench --quick` RUNS times back to back on this commit, then once more with the
test-only knob `--slowdown-for-testing 0.3` (every target call also redoes the first 30% of its
work: a kernel 30% slower, peers untouched). Then:

- false alarms: every pair (i < j) of the plain runs compared as `bench compare --fail-above`
  would: the cells it calls regressions (there should be none; only targets are gated);
- detection: every plain run compared with the slowed run: how many of the slowed target cells
  the gate catches, and in how many pairs it exits 1.

Prints both counts with the machine (CPU, vector ISA), its load average before and after, the
gate's settings (rounds, confidence, minimum effect) and how long each run took; ``--json``
also writes them to a file.
"""

import argparse
import itertools
import json
import os
import pathlib
import shlex
import subprocess
import sys
import tempfile
import time

from elunumba.lab import machine
from elunumba.lab.files import atomic_output
from elunumba.lab.bench import compare, records

SLOWDOWN = 0.3


def bench(path, seconds, loads, *extra):
    """Run one quick sweep into ``path``; append its wall time to ``seconds`` and the load
    average after it to ``loads``."""
    command = [sys.executable, "-c", "from elunumba_cli.main import cli; cli()", "bench",
               "--quick", "--json", str(path), *extra]
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    seconds.append(round(time.perf_counter() - started, 1))
    loads.append(round(os.getloadavg()[0], 2))
    return records.load_json(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--fail-above", type=float, default=10.0)
    parser.add_argument("--keep", type=pathlib.Path, help="write the results files here")
    parser.add_argument("--again", type=pathlib.Path, metavar="FOLDER",
                        help="judge the files a run with --keep left in FOLDER again, "
                             "measuring nothing")
    parser.add_argument("--json", type=pathlib.Path, metavar="PATH",
                        help="also write the report here")
    args = parser.parse_args()
    folder = args.again or args.keep or pathlib.Path(tempfile.mkdtemp(prefix="compare-gate-"))
    folder.mkdir(parents=True, exist_ok=True)
    load_before = None if args.again else os.getloadavg()  # no load to report when re-judging
    seconds, loads = [], []  # per run, measured only
    if args.again:
        plain = [records.load_json(folder / f"plain-{i}.json") for i in range(args.runs)]
        slowed = records.load_json(folder / "slowed.json")
    else:
        plain = [bench(folder / f"plain-{i}.json", seconds, loads) for i in range(args.runs)]
        slowed = bench(folder / "slowed.json", seconds, loads, "--slowdown-for-testing",
                       str(SLOWDOWN))
    load_after = None if args.again else os.getloadavg()

    false_alarms, where = [], []
    for i, j in itertools.combinations(range(args.runs), 2):
        rows, _, _ = compare.compare(plain[i], plain[j])
        flagged = compare.regressions(rows, args.fail_above)
        false_alarms.append(len(flagged))
        where += [{"pair": [i, j], "cell": " ".join(str(row[k]) for k in compare.KEY),
                   "change_pct": row["change_pct"], "p_value": row["p_value"]}
                  for row in flagged]
    caught_pairs, caught_cells, target_cells = 0, 0, 0
    for result in plain:
        rows, _, _ = compare.compare(result, slowed)
        targets = [r for r in rows if r["kind"] == "target"]
        flagged = compare.regressions(targets, args.fail_above)
        caught_pairs += bool(compare.regressions(rows, args.fail_above))
        caught_cells += len(flagged)
        target_cells += len(targets)
    env = plain[0]["environment"]
    gate = compare.Gate()
    report = {
        "command": shlex.join(["python", "tools/measure_compare_gate.py", *sys.argv[1:]]),
        "machine": f"{records.cpu_name(env)}; {machine.isa_text(env['machine'])}",
        "load_average_before": load_before, "load_average_after": load_after,
        "seconds_per_run": seconds or None,
        "load_average_after_each_run": loads or None,
        "rounds": compare.rounds(plain[0]), "confidence": gate.confidence,
        "min_effect_pct": gate.min_effect_pct,
        "runs": args.runs, "fail_above_pct": args.fail_above,
        "false_alarm_cells_per_pair": false_alarms,
        "false_alarm_pairs": sum(n > 0 for n in false_alarms),
        "pairs": len(false_alarms),
        "false_alarm_cells": where,
        "slowdown": SLOWDOWN,
        "detected_pairs": caught_pairs, "detection_pairs": args.runs,
        "detected_target_cells": caught_cells, "target_cells": target_cells,
        "files": str(folder),
    }
    print(json.dumps(report, indent=1))
    if args.json:
        with atomic_output(args.json) as f:
            f.write(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
