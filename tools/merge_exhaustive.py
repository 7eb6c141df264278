"""Combine `elunumba accuracy --exhaustive` runs over adjacent ranges of bit patterns into one
result, as if one run had covered them all (elunumba.lab.accuracy.exhaustive.merge): the way to
spread an exhaustive check over several processes.

    python -m tools.merge_exhaustive OUT.json RUN1.json RUN2.json ...

Every run must be complete over its range, of the same dtype and alpha, on the same machine;
OUT.json records each run's command (in "commands") and is written atomically.
"""

import argparse
import json
import sys

from elunumba.lab.files import atomic_output, check_output_path
from elunumba.lab.accuracy import exhaustive


def merged(runs):
    machines = {json.dumps(run.get("machine"), sort_keys=True) for run in runs}
    if len(machines) > 1:
        raise ValueError("the runs were made on different machines: "
                         + " and ".join(sorted(machines)))
    result = exhaustive.merge(runs)
    ordered = sorted(runs, key=lambda run: int(run["range"][0], 16))
    return {"commands": [run["command"] for run in ordered], "machine": runs[0].get("machine"),
            **result}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tools.merge_exhaustive",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("out", metavar="OUT.json", help="the merged result to write")
    parser.add_argument("runs", metavar="RUN.json", nargs="+",
                        help="complete `elunumba accuracy --exhaustive --json` runs over "
                             "adjacent ranges")
    args = parser.parse_args(argv)
    try:
        out = check_output_path(args.out, (".json",))
        runs = []
        for name in args.runs:
            with open(name) as file:
                runs.append(json.load(file))
        result = merged(runs)
    except (OSError, ValueError, KeyError) as error:
        print(f"merge_exhaustive: {error}", file=sys.stderr)
        sys.exit(2)
    with atomic_output(out) as file:
        json.dump(result, file, indent=2)
        file.write("\n")
    print(f"wrote {out}: {result['inputs_checked']:,} inputs from {' to '.join(result['range'])}")


if __name__ == "__main__":
    main()
