"""The CUDA install diagnosis behind `elunumba info`: what is missing and the command that
fixes it, for each way an install can be incomplete."""

import json

import pytest
from click.testing import CliRunner

from elunumba.dispatch import gpu_setup
from elunumba_cli.main import cli

COMPLETE = {"driver_cuda": 12080, "numba_cuda": "0.30.1", "numpy": "2.4.6",
            "libraries": {"nvvm": True, "nvrtc": True, "nvJitLink": True}}


def facts(**changes):
    return {**COMPLETE, **changes}


def test_a_complete_install_is_ok():
    assert gpu_setup.diagnose(COMPLETE) == {"ok": True, "problems": [], "fix": None,
                                            "driver": "CUDA 12.8"}


def test_missing_nvrtc_names_the_library_and_the_extra_for_the_driver():
    libraries = {"nvvm": True, "nvrtc": False, "nvJitLink": True}
    for driver, extra in ((12080, "cuda12"), (13000, "cuda13")):
        diagnosis = gpu_setup.diagnose(facts(driver_cuda=driver, libraries=libraries))
        assert not diagnosis["ok"]
        assert diagnosis["problems"] == [
            "the CUDA library nvrtc (NVRTC, the runtime compiler) was not found"]
        assert diagnosis["fix"] == f"pip install 'elunumba[{extra}]'"


def test_missing_numba_cuda_and_too_new_numpy():
    diagnosis = gpu_setup.diagnose(facts(numba_cuda=None, numpy="2.5.0"))
    assert diagnosis["problems"] == ["numba-cuda is not installed",
                                     "NumPy 2.5.0 is too new for numba-cuda (needs < 2.5)"]
    assert diagnosis["fix"] == "pip install 'elunumba[cuda12]'"
    assert gpu_setup.diagnose(facts(numpy="2.4.6rc1"))["ok"]
    assert not gpu_setup.diagnose(facts(numpy="3.0.0"))["ok"]


def test_no_driver_is_not_something_pip_fixes():
    diagnosis = gpu_setup.diagnose(facts(driver_cuda=None))
    assert diagnosis["fix"] is None and not diagnosis["ok"]
    assert "no NVIDIA driver" in diagnosis["problems"][0]


def test_an_old_driver_asks_for_a_driver_update():
    diagnosis = gpu_setup.diagnose(facts(driver_cuda=11080))
    assert diagnosis["fix"] is None
    assert diagnosis["problems"] == ["the driver supports CUDA 11.x; numba-cuda needs a driver "
                                     "for CUDA 12 or newer: update the NVIDIA driver"]


def test_collect_reads_this_machine():
    found = gpu_setup.collect()
    assert set(found) == {"driver_cuda", "numba_cuda", "numpy", "libraries"}
    assert set(found["libraries"]) == set(gpu_setup.LIBRARIES)
    assert found["numpy"] is not None
    gpu_setup.diagnose(found)  # whatever this machine has, it can be diagnosed


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_info_reports_the_problems_and_the_fix(monkeypatch, as_json):
    monkeypatch.setattr(gpu_setup, "collect", lambda: facts(numba_cuda=None, driver_cuda=13020))
    outcome = CliRunner().invoke(cli, ["info"] + (["--json"] if as_json else []))
    assert outcome.exit_code == 0, outcome.output
    if as_json:
        assert json.loads(outcome.output)["cuda_install"] == {
            "ok": False, "problems": ["numba-cuda is not installed"],
            "fix": "pip install 'elunumba[cuda13]'", "driver": "CUDA 13.2"}
    else:
        assert "✗ numba-cuda is not installed" in outcome.output
        assert "fix: pip install 'elunumba[cuda13]'" in outcome.output


def test_info_says_a_complete_install_is_complete(monkeypatch):
    monkeypatch.setattr(gpu_setup, "collect", lambda: COMPLETE)
    outcome = CliRunner().invoke(cli, ["info"])
    assert outcome.exit_code == 0 and "✓ complete (CUDA 12.8 driver)" in outcome.output
