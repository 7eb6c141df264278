"""tools/fma_throughput.py: the clock and FMA throughput behind the compute bounds in
notes/avx2-kernels.md."""

import pathlib
import re
import subprocess
import sys

import pytest

TOOL = pathlib.Path(__file__).resolve().parents[2] / "tools" / "fma_throughput.py"


def run(*args):
    return subprocess.run([sys.executable, str(TOOL), *args], capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("args", [["--chains", "1"], ["--fma-latency", "0"]])
def test_bad_arguments_exit_2_naming_the_bounds(args):
    done = run(*args)
    assert done.returncode == 2
    assert "--fma-latency must be at least 1 and --chains at least 2" in done.stderr
    assert "Traceback" not in done.stderr


def test_reports_a_clock_and_a_throughput():
    done = run("--chains", "2")
    assert done.returncode == 0, done.stderr
    clock = float(re.search(r"clock (\d+\.\d+) GHz", done.stdout).group(1))
    per_cycle = float(re.search(r"(\d+\.\d+) FMAs per cycle", done.stdout).group(1))
    assert 0.1 < clock < 10
    # two chains are latency-bound, as the one chain that gives the clock: two FMAs per latency
    # period of four cycles, whatever the core
    assert 0.35 < per_cycle < 0.65
