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


def test_info_reports_machine_versions_and_why_cuda_is_unavailable(no_cuda, monkeypatch):
    """With a driver that cannot run kernels: the reason once, on the CUDA line."""
    from elunumba.dispatch import gpu_setup

    monkeypatch.setattr(gpu_setup, "driver_cuda_version", lambda: 12080)
    outcome = CliRunner().invoke(cli, ["info"])
    assert outcome.exit_code == 0, outcome.output
    text = outcome.output
    for words in ("CPU", "Numba threads", "threading layer", "numpy", "numba", "llvmlite",
                  "elunumba", "git commit", f"unavailable: {REASON}", "✓ cpu", "✓ parallel",
                  "✗ cuda: no CUDA here (see CUDA)", "CUDA install", "✓ numpy-naive",
                  "✓ numpy-expm1", "✗ cupy (cuda)"):
        assert words in text, words
    assert text.count(REASON) == 1


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


class DriverError(Exception):
    """Stands for numba's CudaSupportError."""


@pytest.fixture
def no_driver(monkeypatch):
    """A machine without an NVIDIA driver, numba's words about it set by the test (the CUDA
    status is cached per process: cleared before and after)."""
    from elunumba.dispatch import gpu_setup
    from elunumba.kernels import gpu

    impls.cuda_status.cache_clear()

    monkeypatch.setattr(gpu_setup, "driver_cuda_version", lambda: None)
    monkeypatch.setattr(gpu.cuda, "is_available", lambda: False)

    def says(message):
        def detect():
            raise DriverError(message)

        monkeypatch.setattr(gpu.cuda, "detect", detect)

    yield says
    impls.cuda_status.cache_clear()


def cuda_lines(output):
    return [line for line in output.splitlines() if "CUDA" in line or "cuda" in line]


@pytest.mark.parametrize("message", ["Error at driver init: ", "Error at driver init: \n:"])
def test_info_without_a_driver_says_so_once_when_numba_gives_no_reason(no_driver, message):
    no_driver(message)
    outcome = CliRunner().invoke(cli, ["info"], terminal_width=200)
    assert outcome.exit_code == 0, outcome.output
    text = outcome.output
    assert "Error at driver init" not in text and "()" not in text
    assert text.count("no NVIDIA driver found") == 1
    assert "CUDA                  ✗ no NVIDIA driver found: CUDA kernels need an NVIDIA GPU" in text
    assert "CUDA install" not in text  # said on the CUDA line
    assert "✗ cuda: no CUDA here (see CUDA)" in text
    assert "✗ cupy (cuda): no CUDA here (see CUDA)" in text


@pytest.mark.parametrize("message, reason", [
    ("Error at driver init: CUDA_ERROR_NO_DEVICE (100)", "CUDA_ERROR_NO_DEVICE (100)"),
    ("Error at driver init: \nCUDA driver library cannot be found.:",
     "CUDA driver library cannot be found."),
])
def test_info_without_a_driver_gives_numbas_reason_once(no_driver, message, reason):
    no_driver(message)
    outcome = CliRunner().invoke(cli, ["info"], terminal_width=200)
    assert outcome.exit_code == 0, outcome.output
    text = outcome.output
    assert f"✗ no NVIDIA driver found ({reason}): CUDA kernels need" in text
    assert text.count(reason) == 1 and "Error at driver init" not in text
    report = json.loads(CliRunner().invoke(cli, ["info", "--json"]).output)
    assert report["cuda"]["detail"].startswith(
        f"target 'cuda' cannot run here: no usable CUDA device ({reason})")
