"""The machine named in every benchmark output: CPU model, the ISA and vector width the kernels are
compiled for (with Numba's overrides), NumPy's SIMD level, and the commit only of a real
checkout."""

import json
import shutil
import subprocess
import sys

import pytest

from elunumba.lab import machine
from elunumba.lab.bench import env, records

PROBE = ("import json; from elunumba.lab import machine; "
         "print(json.dumps(machine.compiled_for()))")


def compiled_for_with(**environ):
    import os

    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          env=dict(os.environ, **environ), check=True)
    return json.loads(done.stdout)


def test_the_kernels_isa_and_width_are_read_off_compiled_code():
    compiled = machine.compiled_for()
    assert compiled["isa"] in ("AVX-512", "AVX2", "AVX", "SSE2", "NEON", "SVE")
    assert compiled["vector_bits"] in (128, 256, 512)
    assert compiled["float32_lanes"] == compiled["vector_bits"] // 32
    if compiled["isa"] in ("AVX2", "AVX-512"):
        assert compiled["vector_bits"] >= 256


@pytest.mark.skipif(machine.compiled_for()["isa"] not in ("AVX2", "AVX-512"),
                    reason="needs an x86 machine with AVX2")
def test_numba_cpu_overrides_are_honoured():
    older = compiled_for_with(NUMBA_CPU_NAME="nehalem", NUMBA_CPU_FEATURES="+sse2,+sse4.2")
    assert older == {"llvm_cpu": "nehalem", "isa": "SSE2", "vector_bits": 128,
                     "float32_lanes": 4, "cpu_override": True}
    haswell = compiled_for_with(NUMBA_CPU_NAME="haswell",
                                NUMBA_CPU_FEATURES="+avx,+avx2,+fma,+sse2")
    assert haswell["isa"] == "AVX2" and haswell["vector_bits"] == 256


def test_cpu_record_names_model_simd_and_blas():
    record = machine.cpu_record()
    assert record["model"]["name"] and record["model"]["source"] in ("py-cpuinfo",
                                                                     "/proc/cpuinfo")
    assert isinstance(record["numpy_simd"]["baseline"], list)
    assert "lanes" in machine.isa_text(record)


def test_cpu_model_without_py_cpuinfo_reads_proc(monkeypatch):
    machine.cpu_model.cache_clear()
    monkeypatch.setattr(machine.importlib.util, "find_spec", lambda name: None)
    try:
        model = machine.cpu_model()
    finally:
        machine.cpu_model.cache_clear()
    assert model["source"] == "/proc/cpuinfo" and model["name"]


def test_same_class_compares_model_isa_and_width():
    cpu = machine.cpu_record()
    assert machine.same_class(cpu, cpu) is True
    # the other class is chosen from the host's own, so the test means the same on every host
    other = dict(cpu, isa="AVX2", vector_bits=256) if cpu["isa"] == "AVX-512" else dict(
        cpu, isa="AVX-512", vector_bits=512)
    assert machine.same_class(cpu, other) is False
    assert machine.same_class(cpu, None) is None


def test_commit_only_when_the_package_is_tracked(tmp_path):
    """An installed copy inside some other git repository reports no commit."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "project"
    package = repo / "venv" / "site-packages" / "elunumba"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (repo / "README").write_text("another project\n")
    quiet = dict(cwd=repo, check=True, capture_output=True)
    subprocess.run(["git", "init", "-q"], **quiet)
    subprocess.run(["git", "add", "README"], **quiet)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"],
                   **quiet)
    assert env.git_state(package / "__init__.py") == ("unknown", False)
    subprocess.run(["git", "add", "venv"], **quiet)
    commit, _ = env.git_state(package / "__init__.py")
    assert len(commit) == 40


def test_old_environment_records_read_not_recorded():
    old = {"cpu": "AMD EPYC", "usable_cores": 2, "logical_cores": 2,
           "memory_total_bytes": 2**34, "numba_threads": 2, "threading_layer": "omp",
           "versions": {"numba": "0.61"}, "platform": "Linux", "git_commit": "ae706d3b41b1",
           "git_dirty": False, "gpu": None}
    lines = dict(records.environment_lines(old))
    assert lines["kernels compiled for"] == "not recorded"
    assert lines["NumPy SIMD"] == "not recorded"
    assert "vector ISA not recorded" in records.machine_caption(old)
