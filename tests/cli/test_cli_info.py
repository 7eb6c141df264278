"""`elunumba info`: versions, CPU, threads, CUDA (and why not), targets and peers."""

import json

import pytest
from click.testing import CliRunner

from elunumba.lab.bench import impls
from elunumba_cli.main import cli

REASON = "target 'cuda' cannot run here: no usable CUDA device [pretend]"


@pytest.fixture
def no_cuda(monkeypatch):
    monkeypatch.setattr(impls, "cuda_status", lambda: (False, REASON, False))


def test_info_reports_machine_versions_and_why_cuda_is_unavailable(no_cuda):
    outcome = CliRunner().invoke(cli, ["info"])
    assert outcome.exit_code == 0, outcome.output
    text = outcome.output
    for words in ("CPU", "Numba threads", "threading layer", "numpy", "numba", "llvmlite",
                  "elunumba", "git commit", f"unavailable: {REASON}", "✓ cpu", "✓ parallel",
                  f"✗ cuda: {REASON}", "✓ numpy-naive", "✓ numpy-expm1", "✗ cupy (cuda)"):
        assert words in text, words


def test_info_json(no_cuda, monkeypatch):
    monkeypatch.setattr(impls.importlib.util, "find_spec",
                        lambda name: None if name == "numexpr" else object())
    outcome = CliRunner().invoke(cli, ["info", "--json"])
    assert outcome.exit_code == 0, outcome.output
    report = json.loads(outcome.output)
    assert report["cuda"] == {"usable": False, "detail": REASON, "simulated": False}
    assert report["environment"]["gpu"] is None
    assert report["environment"]["numba_threads"] >= 1
    targets = {t["name"]: t for t in report["targets"]}
    assert targets["parallel"]["available"] and targets["cpu"]["reason"] is None
    assert targets["cuda"] == {"name": "cuda", "device": "cuda", "available": False,
                               "reason": REASON}
    peers = {(p["name"], p["device"]): p for p in report["peers"]}
    assert peers["numpy-naive", "host"]["available"]
    assert peers["numexpr", "host"]["reason"] == \
        "numexpr is not installed (pip install 'elunumba[peers]')"
    assert peers["torch", "cuda"]["reason"] == REASON


def test_info_without_a_gpu_does_not_fail():
    """The real check on this machine: whatever CUDA's state, info explains it."""
    outcome = CliRunner().invoke(cli, ["info"])
    assert outcome.exit_code == 0, outcome.output
    assert "CUDA" in outcome.output and "Traceback" not in outcome.output
