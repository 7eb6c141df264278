"""tools/loop_anatomy.py: the float32 forward loop with parts of its formula left out, behind
"What bounds the loop" in notes/avx2-kernels.md."""

import os
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
TOOL = ROOT / "tools" / "loop_anatomy.py"


def run(*args, cache_dir):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache_dir))
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, str(TOOL), *args], capture_output=True, text=True,
                          timeout=300, env=env)


def test_too_few_rounds_exit_2(tmp_path):
    done = run("--rounds", "4", cache_dir=tmp_path)
    assert done.returncode == 2
    assert "--rounds must be at least 5" in done.stderr
    assert "Traceback" not in done.stderr


def test_every_loop_gets_a_row_and_the_copy_matches_the_kernel(tmp_path):
    done = run("--rounds", "5", cache_dir=tmp_path)
    # the tool exits with a message, not a table, when its copy of the loop drifts from the kernel
    assert done.returncode == 0, done.stderr
    rows = {line.split("|")[1].strip(): line.split("|")[2:-1]
            for line in done.stdout.splitlines() if re.match(r"\| \D", line)}
    rows.pop("loop")  # the header
    assert list(rows) == [
        "elunumba forward kernel (unit formula)", "the same loop, copied here",
        "without r's rounding error", "without clamp", "without copysign", "without select",
        "without all four", "copy loop"]
    instructions = {label: float(cells[2]) for label, cells in rows.items()}
    # the kernel and its copy compile to the same loop; each part left out takes instructions out
    assert instructions["the same loop, copied here"] == instructions[
        "elunumba forward kernel (unit formula)"]
    assert instructions["without all four"] < min(
        value for label, value in instructions.items() if label.startswith("without ")
        and label != "without all four")
    assert instructions["copy loop"] < instructions["without all four"]
