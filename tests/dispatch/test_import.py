"""Import cost and the disk cache, each in a fresh interpreter with its own NUMBA_CACHE_DIR.

* ``import elunumba`` compiles no kernel and does not import numba.cuda;
* the first elu on float32 compiles exactly one kernel: the forward for the target "auto" picks
  (one thread below the parallel threshold, all threads from it on);
* a second interpreter with the cache warm loads those kernels from disk instead of compiling.
"""

import json
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]

PROBE = textwrap.dedent("""
    import json, sys
    import elunumba
    from elunumba.kernels.cpu import KERNELS
    from elunumba.kernels import cpu

    def name(key):
        op, target, kind = key
        return f"{op}/{target}/{kind}"

    def state():
        return {
            "signatures": {name(key): len(d.signatures) for key, d in KERNELS.items()},
            "hits": {name(key): sum(d.stats.cache_hits.values()) for key, d in KERNELS.items()},
            "misses": {name(key): sum(d.stats.cache_misses.values())
                       for key, d in KERNELS.items()},
            "numba.cuda": "numba.cuda" in sys.modules,
            "elunumba.kernels.gpu": "elunumba.kernels.gpu" in sys.modules,
        }

    import numpy as np
    report = {"after_import": state(), "kernels": sorted(name(key) for key in KERNELS)}
    small = np.linspace(-3, 3, 11, dtype=np.float32)
    y = elunumba.elu(small)
    report["small_ok"] = bool(np.allclose(y, np.where(small > 0, small, np.expm1(small))))
    report["after_small"] = state()
    big = np.linspace(-3, 3, cpu.PARALLEL_THRESHOLD, dtype=np.float32)
    elunumba.elu(big)
    report["after_big"] = state()
    print(json.dumps(report))
""")


def run_probe(cache_dir):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_")}
    env["NUMBA_CACHE_DIR"] = str(cache_dir)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + ([env["PYTHONPATH"]]
                                                       if env.get("PYTHONPATH") else []))
    done = subprocess.run([sys.executable, "-W", "error", "-c", PROBE], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def probes(tmp_path_factory):
    cache_dir = tmp_path_factory.mktemp("numba_cache")
    cold = run_probe(cache_dir)
    warm = run_probe(cache_dir)
    return cold, warm, cache_dir


def only(counts, *names):
    """The entries of ``counts`` that are nonzero are exactly ``names``, each 1."""
    return {k: v for k, v in counts.items() if v} == {n: 1 for n in names}


def test_import_compiles_nothing_and_leaves_cuda_alone(probes):
    cold, warm, _ = probes
    for report in (cold, warm):
        after = report["after_import"]
        assert set(report["kernels"]) == {f"{op}/{t}/{kind}"
                                          for op in ("forward", "backward", "fused",
                                                     "grad_from_input", "fused_from_input")
                                          for t in ("cpu", "parallel")
                                          for kind in ("unit", "exact", "scaled")}
        assert all(n == 0 for n in after["signatures"].values()), after["signatures"]
        assert not after["numba.cuda"]
        assert not after["elunumba.kernels.gpu"]


def test_first_call_compiles_only_the_forward_for_the_chosen_target(probes):
    cold, _, _ = probes
    assert cold["small_ok"]
    # below the threshold "auto" runs on one thread: forward/cpu/unit only (alpha = 1),
    # compiled (a cache miss)
    assert only(cold["after_small"]["signatures"], "forward/cpu/unit")
    assert only(cold["after_small"]["misses"], "forward/cpu/unit")
    assert not any(cold["after_small"]["hits"].values())
    # at the threshold, all threads: forward/parallel/unit is added, nothing else
    assert only(cold["after_big"]["signatures"], "forward/cpu/unit", "forward/parallel/unit")
    assert only(cold["after_big"]["misses"], "forward/cpu/unit", "forward/parallel/unit")
    assert not cold["after_big"]["numba.cuda"]


def test_second_process_loads_from_the_disk_cache(probes):
    _, warm, cache_dir = probes
    assert warm["small_ok"]
    assert only(warm["after_small"]["hits"], "forward/cpu/unit")
    assert not any(warm["after_small"]["misses"].values())
    assert only(warm["after_big"]["hits"], "forward/cpu/unit", "forward/parallel/unit")
    assert not any(warm["after_big"]["misses"].values())
    assert any(pathlib.Path(cache_dir).rglob("*.nbi")), "the cache lives in NUMBA_CACHE_DIR"
