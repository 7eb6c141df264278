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


# A user program that asks Numba for threads itself, before or after importing elunumba, then
# calls a parallel kernel: which layer runs it, and what elunumba says about it.
USER_PROGRAM = textwrap.dedent("""
    import json, sys, warnings
    import numba
    import numpy as np
    if sys.argv[1] == "before import":
        numba.set_num_threads(1)
    import elunumba
    from elunumba.kernels import threads
    if sys.argv[1] == "after import":
        numba.set_num_threads(1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        elunumba.elu(np.linspace(-3, 3, 2**16, dtype=np.float32), target="parallel")
    print(json.dumps({"layer": elunumba.threading_layer(), "numba": numba.threading_layer(),
                      "threads": numba.get_num_threads(), "why": threads.why_not_tbb(),
                      "warnings": [[w.category.__name__, str(w.message)] for w in caught]}))
""")


def run_user_program(order, **env_overrides):
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_THREADING_LAYER"}
    env.update(PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]),
               **env_overrides)
    done = subprocess.run([sys.executable, "-c", USER_PROGRAM, order], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(threads._tbb_library is None, reason="needs the tbb extra")
def test_a_users_thread_count_after_import_gets_tbb():
    """Importing elunumba loads TBB, so the user's own set_num_threads starts TBB (it used to
    start OpenMP before elunumba's first call could load TBB), and the count holds."""
    report = run_user_program("after import")
    assert report == {"layer": "tbb", "numba": "tbb", "threads": 1, "why": None,
                      "warnings": []}


@pytest.mark.skipif(threads._tbb_library is None, reason="needs the tbb extra")
def test_a_users_thread_count_before_import_keeps_its_layer_and_is_said():
    """Numba keeps the first layer of a process: the kernels run on it, elunumba names it and
    warns once, saying why and what to do."""
    report = run_user_program("before import")
    layer = report["layer"]  # OpenMP where Numba finds it, else workqueue
    assert layer == report["numba"] != "tbb" and report["threads"] == 1
    assert "started before elunumba was imported" in report["why"]
    [(category, message)] = report["warnings"]
    assert category == "ThreadingLayerWarning"
    assert message.startswith(f"elunumba's parallel kernels run on the {layer!r} threading "
                              f"layer, not TBB: Numba's threading layer was started before "
                              f"elunumba was imported")
    assert "import elunumba first" in message


def test_a_layer_chosen_by_the_environment_is_not_warned_about():
    report = run_user_program("before import", NUMBA_THREADING_LAYER="workqueue")
    assert report["layer"] == "workqueue" and report["warnings"] == []
    assert report["why"] == "NUMBA_THREADING_LAYER=workqueue chose it"


def test_elunumbas_own_thread_counts_start_its_layer_first(monkeypatch):
    started = []
    monkeypatch.setattr(threads, "_layer", None)
    monkeypatch.setattr(threads, "_start", lambda: started.append(1) or "tbb")
    calls = []
    monkeypatch.setattr(threads.numba, "get_num_threads", lambda: calls.append("get") or 2)
    monkeypatch.setattr(threads.numba, "set_num_threads", lambda n: calls.append(("set", n)))
    assert threads.count() == 2
    threads.set_count(1)
    assert started == [1, 1] and calls == ["get", ("set", 1)]


def test_no_thread_count_outside_the_threads_module():
    """Every thread count elunumba (and its command) asks for or sets goes through
    threads.count / set_count, which start elunumba's layer first."""
    offenders = [f"{path.relative_to(ROOT)}: {line.strip()}"
                 for folder in ("elunumba", "cli") for path in (ROOT / folder).rglob("*.py")
                 if path.name != "threads.py"
                 for line in path.read_text().splitlines()
                 if "numba.get_num_threads" in line or "numba.set_num_threads" in line
                 or "import get_num_threads" in line or "import set_num_threads" in line]
    assert offenders == []


def run_command(*args):
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_THREADING_LAYER"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    done = subprocess.run([sys.executable, "-m", "elunumba_cli.main", *map(str, args)], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.skipif(threads._tbb_library is None, reason="needs the tbb extra")
def test_info_reports_the_layer_the_kernels_use():
    """`info` said omp: its own thread count had started OpenMP before anything loaded TBB."""
    report = json.loads(run_command("info", "--json"))
    assert report["environment"]["threading_layer"] == "tbb"
    assert report["threading"] == {"layer": "tbb", "why_not_tbb": None}


def test_info_says_why_the_layer_is_not_tbb(monkeypatch):
    from click.testing import CliRunner

    from elunumba_cli.main import cli

    monkeypatch.setattr(threads, "why_not_tbb", lambda: "TBB is not installed [pretend]")
    outcome = CliRunner().invoke(cli, ["info"])
    assert outcome.exit_code == 0, outcome.output
    assert "not TBB" in outcome.output
    said = " ".join(outcome.output.split())
    assert "TBB is not installed [pretend] (see docs/threads.md)" in said


@pytest.mark.skipif(threads._tbb_library is None, reason="needs the tbb extra")
def test_bench_threads_measures_on_the_layer_users_get(tmp_path):
    """`bench --threads N` set the count first, which started OpenMP for the whole sweep."""
    path = tmp_path / "r.json"
    run_command("bench", "--sizes", "256", "--dtypes", "float32", "--ops", "forward",
                "--targets", "parallel", "--peers", "none", "--repeats", "2", "--rounds", "1",
                "--budget", "0", "--threads", "1", "--json", path)
    environment = json.loads(path.read_text())["environment"]
    assert (environment["threading_layer"], environment["numba_threads"]) == ("tbb", 1)
