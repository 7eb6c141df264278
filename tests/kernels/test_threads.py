"""Fork safety and thread safety of the parallel kernels on every threading layer installable
here (TBB from the `tbb` extra, GNU OpenMP, Numba's workqueue), each in a fresh interpreter
because Numba picks its layer once per process."""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from helpers import ROOT
from elunumba.kernels import threads

LAYERS = ("tbb", "omp", "workqueue")

# The parent goes parallel first; then a fork Pool whose workers go parallel too (under GNU
# OpenMP each of them used to die and Pool.map to hang), then 16 threads x 30 calls at once
# (under workqueue the process used to abort). Every result must be the parent's, bit for bit.
SCRIPT = textwrap.dedent("""
    import json, multiprocessing, threading
    import numpy as np
    import elunumba

    x = np.linspace(-8, 4, 2**16, dtype=np.float32)
    expected = elunumba.elu_value_and_grad(x, 1.7, target="parallel")

    def same(_):
        got = elunumba.elu_value_and_grad(x, 1.7, target="parallel")
        return all(g.tobytes() == e.tobytes() for g, e in zip(got, expected))

    with multiprocessing.get_context("fork").Pool(2) as pool:
        forked = pool.map_async(same, range(4)).get(timeout=240)
    results = []
    def hammer():
        results.extend(same(None) for _ in range(30))
    threads = [threading.Thread(target=hammer) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({"layer": elunumba.threading_layer(), "forked": forked,
                      "threaded": results.count(True), "calls": len(results)}))
""")


def run_script(layer):
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_THREADING_LAYER"}
    if layer != "default":
        env["NUMBA_THREADING_LAYER"] = layer
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    done = subprocess.run([sys.executable, "-W", "error", "-c", SCRIPT], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=400)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("layer", LAYERS)
def test_fork_pool_and_threads_after_a_parallel_call(layer):
    report = run_script(layer)
    assert report == {"layer": layer, "forked": [True] * 4, "threaded": 16 * 30,
                      "calls": 16 * 30}


def test_the_default_layer_is_tbb():
    """The `tbb` extra's library sits where the loader does not look; elunumba loads it."""
    assert run_script("default")["layer"] == "tbb"


class Recorder:
    def __init__(self):
        self.calls = []

    def kernel(self, name):
        return lambda *args: self.calls.append((name, args))


def test_a_concurrent_call_under_workqueue_runs_on_one_thread(monkeypatch):
    monkeypatch.setattr(threads, "_layer", "workqueue")
    recorder = Recorder()
    parallel, serial = recorder.kernel("parallel"), recorder.kernel("serial")
    threads.run(parallel, serial, (1,))
    with threads._workqueue_lock:  # as if another thread were inside a parallel kernel
        threads.run(parallel, serial, (2,))
    threads.run(parallel, serial, (3,))
    assert recorder.calls == [("parallel", (1,)), ("serial", (2,)), ("parallel", (3,))]


@pytest.mark.parametrize("inherited, expected", [("omp", "serial"), ("tbb", "parallel"),
                                                 ("workqueue", "parallel"), (None, "parallel")])
def test_a_child_forked_from_an_openmp_parent_runs_on_one_thread(inherited, expected,
                                                                 monkeypatch):
    import numba

    def threading_layer():
        if inherited is None:
            raise ValueError("Threading layer is not initialized.")
        return inherited

    monkeypatch.setattr(numba, "threading_layer", threading_layer)
    monkeypatch.setattr(threads, "_forked_from_unsafe_layer", False)
    monkeypatch.setattr(threads, "_layer", "tbb")
    threads._after_fork_in_child()
    recorder = Recorder()
    threads.run(recorder.kernel("parallel"), recorder.kernel("serial"), ())
    assert recorder.calls == [(expected, ())]


def test_serial_and_parallel_give_the_same_bits_so_the_fallback_is_invisible():
    import elunumba

    x = np.linspace(-30, 5, 2**15 + 3, dtype=np.float32)
    for op in (elunumba.elu, elunumba.elu_value_and_grad):
        one, many = op(x, 1.3, target="cpu"), op(x, 1.3, target="parallel")
        assert np.asarray(one).tobytes() == np.asarray(many).tobytes()


@pytest.mark.parametrize("grad_out", [np.ones(2**15, np.float32), 1.0],
                         ids=["array", "scalar"])
def test_auto_takes_all_threads_from_the_threshold_whatever_the_grad_out(grad_out,
                                                                         monkeypatch):
    import elunumba
    from elunumba.kernels import cpu

    y = np.linspace(-1, 1, cpu.PARALLEL_THRESHOLD, dtype=np.float32)
    parallel_runs = []
    run = threads.run
    monkeypatch.setattr(threads, "run", lambda *a: parallel_runs.append(1) or run(*a))
    elunumba.elu_backward(grad_out, y)
    elunumba.elu_backward(grad_out if np.ndim(grad_out) == 0 else grad_out[:-1], y[:-1])
    assert parallel_runs == [1]
