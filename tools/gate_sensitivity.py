"""Does `elunumba check` notice a slightly wrong float32 polynomial? For each coefficient of the
float32 expm1 (elunumba.kernels.expm1.F32_C3 .. F32_C7), run the gate in a fresh process with that
one coefficient multiplied by (1 + 2^-18), and report its exit status and the lines it failed on;
the unchanged kernels must pass.

The six runs go side by side, each compiling anew into its own empty Numba cache (the disk cache
tells kernels apart by their source files, which the change does not touch). Prints a Markdown
report; exit status 0 when the unchanged kernels passed and every changed one failed (exit 1), 1
otherwise.

    python -m tools.gate_sensitivity > bench_results/accuracy/gate-sensitivity.md
"""

import argparse
import os
import subprocess
import sys
import tempfile

import numba
import numpy as np

from elunumba.kernels import expm1 as _expm1
from elunumba.lab.machine import one_line as machine_line

COEFFICIENTS = ("F32_C3", "F32_C4", "F32_C5", "F32_C6", "F32_C7")
FACTOR = 1 + 2.0**-18
# runs the gate with the coefficient named by argv[1] (or none) changed
GATE = """
import sys
import numpy as np
from elunumba.kernels import expm1 as _expm1
if sys.argv[1]:
    setattr(_expm1, sys.argv[1], np.float32(getattr(_expm1, sys.argv[1]) * {factor!r}))
from elunumba_cli.main import cli
cli(["check"], prog_name="elunumba")
"""


def start_gate(coefficient, cache):
    """The gate as a running process, with ``coefficient`` changed ("" for none)."""
    env = dict(os.environ, NUMBA_CACHE_DIR=cache)
    return subprocess.Popen([sys.executable, "-c", GATE.format(factor=FACTOR), coefficient],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def outcome(process):
    """(exit status, the gate's FAIL lines, or the last line of an unexpected error)."""
    _, stderr = process.communicate()
    if process.returncode not in (0, 1):
        return process.returncode, [stderr.strip().splitlines()[-1] if stderr.strip()
                                    else "no output"]
    return process.returncode, [line.removeprefix("FAIL ") for line in stderr.splitlines()
                                if line.startswith("FAIL ")]


def main():
    load = os.getloadavg()[0]
    print("# `elunumba check` against float32 polynomial coefficients changed by 2^-18\n")
    print(f"{machine_line()}, numba {numba.__version__}; load average {load:.2f} at the start. "
          "Command: `python -m tools.gate_sensitivity`.\n")
    print("| coefficient | value | changed to | exit status | what the gate reported |")
    print("|---|---|---|---|---|")
    all_caught = True
    # the runs are independent: side by side, they take the time of one where cores are free
    with tempfile.TemporaryDirectory() as caches:
        runs = {coefficient: start_gate(coefficient, os.path.join(caches, coefficient or "none"))
                for coefficient in ("", *COEFFICIENTS)}
        for coefficient, process in runs.items():
            status, failed = outcome(process)
            if coefficient:
                value = getattr(_expm1, coefficient)
                changed = np.float32(value * FACTOR)
                cells = [f"`{coefficient}`", f"{float(value)!r}", f"{float(changed)!r}"]
                all_caught &= status == 1
            else:
                cells = ["none (the kernels as they are)", "", ""]
                all_caught &= status == 0
            reported = "<br>".join(failed) if failed else "passed"
            print(f"| {' | '.join(cells)} | {status} | {reported} |", flush=True)
    print(f"\n{'Every' if all_caught else 'Not every'} change made the gate exit 1"
          f"{' and the unchanged kernels passed' if all_caught else ''}.")
    return 0 if all_caught else 1


if __name__ == "__main__":
    argparse.ArgumentParser(prog="python -m tools.gate_sensitivity",
                            description=__doc__.split("\n\n")[0]).parse_args()
    sys.exit(main())
