"""Every tool with a command line (a tools/*.py that runs as ``python -m tools.NAME``) answers
--help with its usage and exits 0, before doing any of its work."""

import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
TOOLS = sorted(path.stem for path in (ROOT / "tools").glob("*.py")
               if re.search(r'^if __name__ == "__main__":', path.read_text(), re.M))


def test_the_tools_with_a_command_line_are_found():
    assert {"page_screenshot", "merge_exhaustive", "cli_reference", "bench_torch"} <= set(TOOLS)


@pytest.fixture(scope="module")
def answers():
    """{tool: (exit status, stdout, stderr)} of ``python -m tools.TOOL --help``, all started
    at once (each imports NumPy and Numba: one after another would take minutes)."""
    running = {tool: subprocess.Popen([sys.executable, "-m", f"tools.{tool}", "--help"],
                                      cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True)
               for tool in TOOLS}
    return {tool: (process.wait(timeout=300), *process.communicate())
            for tool, process in running.items()}


@pytest.mark.parametrize("tool", TOOLS)
def test_each_tool_answers_help(tool, answers):
    status, out, err = answers[tool]
    assert status == 0, err
    assert out.startswith("usage: "), out
    assert tool in out.splitlines()[0], out
    assert "-h, --help" in out
