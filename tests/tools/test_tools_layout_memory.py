"""tools/layout_memory.py: its arguments are checked, and a small run prints one row a layout."""

import pytest

from tools import layout_memory


def test_a_small_run_prints_every_layout(capsys):
    layout_memory.main(["--mib", "1", "--repeats", "3"])
    printed = capsys.readouterr().out
    for name in ("contiguous (NCHW)", "channels last", "transposed", "every other W"):
        assert f"| {name}" in printed
    assert "time / contiguous" in printed


@pytest.mark.parametrize("arguments", [["--mib", "0"], ["--repeats", "1"]])
def test_bad_arguments_exit_2(arguments):
    with pytest.raises(SystemExit) as stop:
        layout_memory.main(arguments)
    assert stop.value.code == 2
