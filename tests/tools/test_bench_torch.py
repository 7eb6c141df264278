"""tools/bench_torch.py: its arguments are checked before anything is measured, the pairing of
timings, and one quick run end to end."""

import json

import pytest

pytest.importorskip("torch")
from elunumba.lab import machine  # noqa: E402
from tools import bench_torch  # noqa: E402  (after the skip: it imports torch)


@pytest.fixture
def no_measuring(monkeypatch):
    def refuse(*args):
        raise AssertionError("measured before the arguments were checked")
    monkeypatch.setattr(bench_torch, "measure", refuse)


@pytest.mark.parametrize("argv, message", [
    (["--repeats", "0"], "--repeats must be >= 1, got 0"),
    (["--repeats", "x"], "invalid int value: 'x'"),
    (["--json", "/no/such/folder/t.json"], "folder /no/such/folder does not exist"),
    (["--json", "out.csv"], "unsupported file type '.csv'"),
    (["--frobnicate"], "unrecognized arguments: --frobnicate"),
])
def test_bad_arguments_exit_2_before_measuring(no_measuring, capsys, argv, message):
    with pytest.raises(SystemExit) as stop:
        bench_torch.main(argv)
    assert stop.value.code == 2
    assert message in capsys.readouterr().err


def test_paired_alternates_and_takes_the_median_ratio():
    calls = []
    slow = lambda: calls.append("slow") or sum(range(20_000))  # noqa: E731
    fast = lambda: calls.append("fast")  # noqa: E731
    first_s, second_s, ratio = bench_torch.paired(slow, fast, 4)
    assert calls == ["slow", "fast", "slow", "fast", "fast", "slow", "slow", "fast", "fast",
                     "slow"]
    assert first_s > second_s and ratio > 1


def test_quick_run_writes_the_record(tmp_path, capsys):
    path = tmp_path / "torch.json"
    bench_torch.main(["--quick", "--repeats", "1", "--json", str(path)])
    record = json.loads(path.read_text())
    assert [row["case"] for row in record["rows"]] == [
        "activation forward", "activation forward + backward", "training step, batch 16"]
    assert all(row["torch_s"] > 0 and row["elunumba_s"] > 0 and row["speedup"] > 0
               for row in record["rows"])
    assert record["machine"]["isa"] == machine.compiled_for()["isa"]  # the one machine record
    printed = capsys.readouterr().out
    assert "| training step, batch 16 |" in printed
    assert record["machine"]["model"]["name"] in printed and record["machine"]["isa"] in printed


def test_compile_adds_the_compiled_training_step(tmp_path, monkeypatch):
    """The row's plumbing; that both models compile is tests/faces/test_torch_compile.py's part, so
    torch.compile is replaced by a stand-in that records what it was given."""
    compiled = []
    monkeypatch.setattr(bench_torch.torch, "compile", lambda model: compiled.append(model) or model)
    path = tmp_path / "torch.json"
    bench_torch.main(["--quick", "--repeats", "1", "--compile", "--json", str(path)])
    record = json.loads(path.read_text())
    assert record["rows"][-1]["case"] == "training step, batch 16, torch.compile"
    assert [type(m.features[1]).__module__ for m in compiled] == ["torch.nn.modules.activation",
                                                                  "elunumba.torch"]
    assert record["torch_cpu_capability"]
