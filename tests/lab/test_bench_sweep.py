"""The sweep on tiny sizes: plans, steps, byte counts, timing, the runner, speedups, summary."""

import dataclasses
import importlib.metadata
import importlib.util
import subprocess
import sys

import numpy as np
import pytest

import elunumba
from elunumba.lab.bench import copy, fmt, impls, ops, records, summary, sweep, timing

FAST = timing.Settings(repeats=3, min_repeats=1, budget_s=0.0, min_sample_s=1e-4, warmup_s=0.0,
                       rounds=1)
NO_CUDA = (False, "target 'cuda' cannot run here: no GPU in this test", False)


@pytest.fixture
def no_cuda(monkeypatch):
    monkeypatch.setattr(impls, "cuda_status", lambda: NO_CUDA)


def plan(**axes):
    axes = {"sizes": [256], "dtypes": ["float32"], "ops": ["forward"], "targets": ["cpu"],
            "peers": ["numpy-naive"], **axes}
    axes.setdefault("settings", FAST)
    return sweep.make_plan(axes.pop("sizes"), axes.pop("dtypes"), axes.pop("ops"),
                           axes.pop("targets"), axes.pop("peers"), **axes)


@pytest.mark.parametrize("op, streams",
                         [("forward", 2), ("backward", 3), ("fused", 3), ("grad", 2)])
@pytest.mark.parametrize("dtype, itemsize", [("float16", 2), ("float32", 4), ("float64", 8)])
def test_bytes_moved_counts_every_stream(op, streams, dtype, itemsize):
    assert ops.bytes_moved(op, dtype, 1000) == streams * itemsize * 1000
    data = ops.OpData(op, dtype, 1000)
    arrays = data.inputs() + data.outputs()
    assert len(arrays) == streams
    assert sum(a.nbytes for a in arrays) == ops.bytes_moved(op, dtype, 1000)
    assert all(a.dtype == np.dtype(dtype) and a.size == 1000 for a in arrays)


def test_op_data_takes_both_branches_and_y_is_elu_of_x():
    data = ops.OpData("backward", "float64", 10_000, alpha=0.5, seed=3)
    grad_out, y = data.inputs()
    assert (y > 0).mean() == pytest.approx(0.5, abs=0.05)
    assert y.min() >= -0.5 and np.abs(grad_out).max() <= 1
    x = ops.OpData("forward", "float64", 10_000, seed=3).inputs()[0]
    np.testing.assert_array_equal(y, elunumba.elu(x, 0.5))


def test_default_plan_lists_unavailable_targets_and_peers_as_skipped(no_cuda, monkeypatch):
    monkeypatch.setattr(impls.importlib.util, "find_spec",
                        lambda name: None if name in ("numexpr", "cupy") else object())
    made = sweep.make_plan(settings=FAST)
    assert made.targets == ["cpu", "parallel", "parallel-cr", "auto-alloc"]
    assert made.dtypes == ["float32", "float64"]
    assert made.ops == ["forward", "backward", "fused", "grad"]
    assert made.sizes == [2**k for k in range(10, 27, 2)]
    assert ("numpy-naive", "host") in made.peers and ("torch", "host") in made.peers
    skipped = {(s["name"], s["device"]): s["reason"] for s in made.skipped}
    assert "no GPU in this test" in skipped["cuda", "cuda"]
    assert "numexpr is not installed" in skipped["numexpr", "host"]
    assert "cupy is not installed" in skipped["cupy", "cuda"]
    assert ("torch", "cuda") not in skipped  # torch runs on the host; nothing to report


@pytest.mark.parametrize("axis, value, words", [
    ("dtypes", ["float8"], "unknown dtype 'float8': valid dtypes are float16, float32, float64"),
    ("ops", ["sideways"], "unknown op 'sideways': valid ops are forward, backward, fused"),
    ("targets", ["gpu"], "unknown target 'gpu': valid targets are cpu, parallel, cuda"),
    ("targets", [], "no targets: name at least one of cpu, parallel, cuda"),
    ("dtypes", [], "no dtypes"),
    ("ops", [], "no ops"),
    ("peers", ["jax"], "unknown peer 'jax': valid peers are numpy-naive"),
    ("targets", ["cuda"], "no GPU in this test"),
    ("peers", ["cupy"], "peer 'cupy' cannot run here"),
])
def test_bad_axes_raise_one_line_errors(no_cuda, axis, value, words):
    with pytest.raises(sweep.BenchInputError, match=words) as caught:
        plan(**{axis: value})
    assert "\n" not in str(caught.value)


def test_explicit_peer_that_is_not_installed_is_an_error_default_is_not(no_cuda, monkeypatch):
    monkeypatch.setattr(impls.importlib.util, "find_spec",
                        lambda name: None if name == "torch" else object())
    with pytest.raises(sweep.BenchInputError, match="torch is not installed"):
        plan(peers=["torch"])
    lenient = plan(peers=["torch", "numpy-naive"], strict_peers=False)
    assert lenient.peers == [("numpy-naive", "host")]
    assert lenient.skipped == [{"name": "torch", "device": "host",
                                "reason": "torch is not installed (pip install torch)"}]


def test_sizes_that_do_not_fit_in_memory_are_refused():
    with pytest.raises(sweep.BenchInputError, match=r"size 2\^20 .* needs about .* GiB .*"
                                                    r"more than the 0.0 GiB"):
        plan(sizes=[2**10, 2**20], memory_available=2**20)
    # a forward float32 cell: 2 streams, 2 copy buffers, 5 peer temporaries
    assert ops.required_bytes("forward", "float32", 1000) == 9 * 4000
    plan(sizes=[1000], memory_available=9 * 4000)


def test_steps_measure_each_copy_once_before_the_cells_that_need_it(no_cuda):
    made = plan(sizes=[64, 128], ops=["forward", "backward", "fused"],
                targets=["cpu", "parallel"], peers=["numpy-naive", "numpy-expm1"])
    steps = made.steps
    groups = [s for s in steps if s.kind == "group"]
    copies = [s for s in steps if s.kind == "copy"]
    assert len(groups) == 2 * 3 and sum(s.cells for s in steps) == 2 * 3 * 4
    # backward and fused move the same bytes: one copy for them per size
    assert [(c.size, c.bytes) for c in copies] == [(64, 512), (64, 768), (128, 1024),
                                                   (128, 1536)]
    seen = set()
    for step in steps:
        if step.kind == "copy":
            seen.add(step.bytes)
        else:
            assert step.bytes in seen
    assert [i.name for i in groups[0].impls] == ["cpu", "parallel", "numpy-naive", "numpy-expm1"]


def test_later_rounds_repeat_every_step_but_the_copy_baselines(no_cuda):
    made = plan(sizes=[64, 128], settings=dataclasses.replace(FAST, rounds=3))
    first = [s for s in made.steps if s.round == 0]
    assert [s.round for s in made.steps] == [0] * 4 + [1] * 2 + [2] * 2
    assert [s.kind for s in first] == ["copy", "group", "copy", "group"]
    assert [dataclasses.replace(s, round=0) for s in made.steps[4:6]] == [first[1], first[3]]
    assert made.steps[-1].label == "round 3: forward float32 2^7: 2 implementations in turn"


def test_each_round_takes_its_share_of_samples_and_budget():
    settings = timing.Settings(repeats=20, min_repeats=5, budget_s=1.0, rounds=5)
    assert settings.for_round() == dataclasses.replace(settings, repeats=4, min_repeats=1,
                                                       budget_s=0.2, rounds=1)
    assert dataclasses.replace(settings, rounds=3).for_round().repeats == 7
    for rounds in (0, 21):
        with pytest.raises(ValueError, match=f"rounds must be from 1 to repeats .20.*{rounds}"):
            dataclasses.replace(settings, rounds=rounds)


def test_samples_are_spread_over_rounds_on_new_arrays(no_cuda, monkeypatch):
    """Every round samples every cell and the copies on arrays allocated for that round, with
    the calls per sample fixed in the first; each sample records its round."""
    made = plan(targets=["cpu", "parallel"], settings=dataclasses.replace(
        FAST, repeats=6, min_repeats=6, rounds=3))
    arrays = []
    original = sweep.OpData

    def recording(*args):
        data = original(*args)
        arrays.append(data.inputs()[0])
        return data

    monkeypatch.setattr(sweep, "OpData", recording)
    runner = sweep.Runner(made).run_all()
    assert len(arrays) == 3 and len({a.ctypes.data for a in arrays}) == 3
    for cell in runner.cells:
        assert cell["status"] == "ok" and cell["repeats"] == 6
        assert cell["sample_rounds"] == [0, 0, 1, 1, 2, 2]
        assert len(cell["samples_s"]) == 6
    for cell in runner.cells[:2]:
        assert len(cell["copy_samples_s"]) == 6
    inners = dict(runner._inners)
    runner.run(dataclasses.replace(made.steps[1], round=3))
    assert runner._inners == inners and runner.cells[0]["sample_rounds"][-2:] == [3, 3]


def test_a_cell_that_fails_in_a_later_round_stays_failed(no_cuda, monkeypatch):
    made = plan(settings=dataclasses.replace(FAST, rounds=3))
    runner = sweep.Runner(made)
    for step in made.steps[:2]:
        runner.run(step)
    cpu, naive = runner.cells
    assert cpu["status"] == "ok" and cpu["sample_rounds"] == [0]
    make = sweep.Runner._make

    def broken(self, impl, step):
        if impl.name == "cpu":
            raise RuntimeError("lost the device")
        return make(self, impl, step)

    monkeypatch.setattr(sweep.Runner, "_make", broken)
    for step in made.steps[2:]:
        runner.run(step)
    assert cpu["status"] == "failed" and cpu["reason"] == "RuntimeError: lost the device"
    assert cpu["sample_rounds"] == [0] and naive["sample_rounds"] == [0, 1, 2]


def test_benchmark_arrays_start_on_a_page():
    for op in ops.OPS:
        data = ops.OpData(op, "float32", 1000)
        for array in data.inputs() + data.outputs():
            assert array.ctypes.data % ops.PAGE == 0 and array.size == 1000
    assert all(a.ctypes.data % ops.PAGE == 0 for a in copy.host_copiers(4096)[
        "np.copyto"].args)
    rounded = ops.aligned_copy(np.array([0.1, 2.0]), np.float16)
    assert rounded.dtype == np.float16 and rounded.tolist() == [np.float16(0.1), 2.0]


def test_default_sizes_with_a_gpu_stop_host_cells_at_2_26(monkeypatch):
    monkeypatch.setattr(impls, "cuda_status", lambda: (True, "a GPU", False))
    made = sweep.make_plan(dtypes=["float32"], ops=["forward"], peers=["numpy-naive"],
                           settings=FAST, memory_available=2**40)
    assert made.targets == ["cpu", "parallel", "parallel-cr", "auto-alloc", "cuda"]
    assert made.sizes[-1] == 2**28
    assert made.host_size_limit == 2**26
    steps = made.steps
    largest = [(s.kind, [i.name for i in s.impls], s.device) for s in steps if s.size == 2**28]
    assert largest == [("copy", [], "cuda"), ("cell", ["cuda"], "cuda")]
    assert sum(s.cells for s in steps if s.size == 2**26) == 6
    explicit = sweep.make_plan([2**28], ["float32"], ["forward"], peers=["numpy-naive"],
                               settings=FAST, memory_available=2**40)
    assert explicit.host_size_limit is None
    assert [(s.kind, s.cells) for s in explicit.steps] == [("copy", 0), ("copy", 0),
                                                          ("group", 5), ("cell", 1)]


def test_measure_batches_tiny_calls_and_respects_repeats():
    calls = []
    settings = timing.Settings(repeats=5, min_repeats=2, budget_s=10, min_sample_s=1e-3,
                               warmup_s=0)

    def sampler(inner):
        calls.append(inner)
        return 1e-5 * inner

    taken = timing.measure(sampler, settings)
    assert calls[:2] == [1, 1]  # untimed first call, then the calibration call
    assert taken.calls_per_sample == 100 and len(taken.samples) == 5
    stats = taken.stats()
    assert stats["median_s"] == pytest.approx(1e-5)
    assert stats["iqr_s"] == pytest.approx(0) and stats["repeats"] == 5


def test_measure_stops_at_the_budget_and_flushes_one_call_per_sample():
    flushes = []
    settings = timing.Settings(repeats=1000, min_repeats=3, budget_s=0.0, min_sample_s=1,
                               warmup_s=0)
    taken = timing.measure(lambda inner: 0.5 * inner, settings,
                           flush=lambda: flushes.append(1))
    assert taken.calls_per_sample == 1
    assert len(taken.samples) == 3 and len(flushes) == 3


def test_cold_sweeps_time_one_call_a_sample(no_cuda):
    cold = dataclasses.replace(FAST, cold=True)
    runner = sweep.Runner(plan(settings=cold)).run_all()
    assert all(c["calls_per_sample"] == 1 for c in runner.cells)
    assert all(c["calls_per_sample"] == 1 for c in runner.copies.values())
    assert timing.last_level_cache_bytes() >= 2**16


def test_timing_statistics():
    stats = timing.Timing((4.0, 1.0, 3.0, 2.0, 100.0), 7).stats()
    assert stats == {"median_s": 3.0, "q1_s": 2.0, "q3_s": 4.0, "iqr_s": 2.0, "min_s": 1.0,
                     "max_s": 100.0, "repeats": 5, "calls_per_sample": 7}


def test_runner_measures_every_cell_with_rates(no_cuda):
    made = plan(sizes=[512], dtypes=["float32", "float16"], ops=["forward", "fused"],
                targets=["cpu", "parallel"], peers=["numpy-naive", "numpy-expm1"])
    runner = sweep.Runner(made).run_all()
    assert len(runner.cells) == 2 * 2 * 4
    assert {c["status"] for c in runner.cells} == {"ok"}
    for cell in runner.cells:
        assert set(cell) == set(records.CELL_FIELDS)
        assert cell["gbps"] == pytest.approx(cell["bytes"] / cell["median_s"] / 1e9)
        assert cell["gelems"] == pytest.approx(512 / cell["median_s"] / 1e9)
        assert cell["copy_gbps"] > 0 and cell["fraction_of_copy"] > 0
        assert cell["q1_s"] <= cell["median_s"] <= cell["q3_s"]
        assert cell["peak_gbps"] is None and cell["with_transfers_s"] is None
    assert {c["method"] for c in runner.copies.values()} <= {"np.copyto", "numba prange",
                                                              "numba blocks"}


@pytest.mark.parametrize("op", ops.OPS)
def test_every_peer_computes_elu(no_cuda, op):
    """What a peer times is the same function: compare its results with elunumba's."""
    data = ops.OpData(op, "float64", 300, alpha=0.7)
    expected = elunumba.elu_value_and_grad(data.inputs()[0], 0.7) if op == "fused" else None
    peers = ["numpy-naive", "numpy-expm1", "numexpr"]
    if importlib.util.find_spec("torch") is not None:  # a peer and oracle, never a dependency
        peers.append("torch")
    for name in peers:
        for out in data.outputs():
            out.fill(np.nan)
        result = impls.PEERS[name].make(op, data, "host")()
        got = data.outputs() if name in ("numexpr", "torch") else result
        if op == "forward":
            np.testing.assert_allclose(np.asarray(got).ravel(),
                                       elunumba.elu(data.inputs()[0], 0.7), rtol=1e-12)
        elif op == "backward":
            np.testing.assert_allclose(np.asarray(got).ravel(),
                                       elunumba.elu_backward(*data.inputs(), 0.7), rtol=1e-12)
        elif op == "grad":
            np.testing.assert_allclose(np.asarray(got).ravel(),
                                       elunumba.elu_grad(data.inputs()[0], 0.7), rtol=1e-12)
        else:
            for part, want in zip(got, expected):
                np.testing.assert_allclose(part, want, rtol=1e-12, atol=1e-15)


def test_a_failing_cell_is_recorded_and_the_sweep_goes_on(no_cuda, monkeypatch):
    def broken(op, data, device):
        raise MemoryError("out of memory (pretend)\nsecond line")

    monkeypatch.setitem(impls.PEERS, "broken", impls.Impl("broken", "peer", ("host",), broken))
    runner = sweep.Runner(plan(peers=["broken", "numpy-naive"])).run_all()
    failed, ok = runner.cells[1], runner.cells[2]
    assert failed["status"] == "failed" and failed["target"] == "broken"
    assert failed["reason"] == "MemoryError: out of memory (pretend)"
    assert failed["median_s"] is None and failed["gbps"] is None
    assert ok["status"] == "ok" and runner.cells[0]["status"] == "ok"


@pytest.mark.parametrize("words", [1, 7, 1001])
@pytest.mark.parametrize("method", ["np.copyto", "numba prange", "numba blocks"])
def test_every_host_copy_method_copies_every_word(method, words):
    src = np.arange(words, dtype=copy.WORD)
    dst = np.zeros_like(src)
    copy.HOST_METHODS[method](src, dst)
    assert np.array_equal(dst, src)
    assert set(copy.host_copiers(16 * words)) == set(copy.HOST_METHODS)


def test_host_cells_are_sampled_in_turn_with_each_other_and_the_baseline_copy(no_cuda,
                                                                             monkeypatch):
    """A slow spell (10x) hits round 2 of every implementation and of the copy: every ratio
    holds, because each is the median of ratios of samples taken in the same round. Cells that
    run on one thread are divided by the one-thread copy (np.copyto), the others by the
    fastest copy of those rounds."""
    calls = []

    def alternating(samplers, settings, flush=None, inners=None):
        calls.append(len(samplers))
        # the i-th implementation takes i + 1 seconds; then the three copies (np.copyto, numba
        # prange, numba blocks), the fastest 0.5 s
        bases = [float(i + 1) for i in range(len(samplers) - 3)] + [0.8, 0.5, 0.9]
        return [timing.Timing((b, 10 * b, b), 1) for b in bases]

    monkeypatch.setattr(sweep.timing, "measure_alternating", alternating)
    made = plan(sizes=[512], dtypes=["float64"], ops=["forward"], targets=["cpu", "parallel"],
                peers=["numpy-naive", "numpy-expm1"])
    runner = sweep.Runner(made).run_all()
    sweep.annotate(runner.cells)
    # the baseline tries its three copy methods alone, then the group is sampled with all
    # three
    assert calls == [1, 1, 1, 7]
    moved = sweep.copy.moved_bytes(512 * 16)
    cpu, parallel, naive, expm1 = runner.cells
    assert [c["target"] for c in runner.cells] == ["cpu", "parallel", "numpy-naive",
                                                   "numpy-expm1"]
    for i, cell in enumerate(runner.cells):
        copy_s = 0.5 if cell is parallel else 0.8
        assert cell["median_s"] == i + 1 and cell["samples_s"] == [i + 1, 10 * (i + 1), i + 1]
        assert cell["copy_samples_s"] == [copy_s, 10 * copy_s, copy_s]
        assert cell["fraction_of_copy"] == pytest.approx(512 * 16 / moved * copy_s / (i + 1))
        assert cell["fraction_of_copy_iqr"] == pytest.approx(0)
    assert cpu["speedup_vs_numpy"] == pytest.approx(3) and cpu["speedup_vs_numpy_iqr"] == 0
    assert cpu["best_peer"] == "numpy-naive" and cpu["speedup_vs_best_peer"] == pytest.approx(3)
    assert expm1["speedup_vs_numpy"] == pytest.approx(3 / 4)


def test_paired_ratios_differ_from_ratios_of_medians():
    """Two implementations whose slow spells fall on different rounds: only pairing sees that
    one is always twice as fast."""
    fast = {"device": "host", "samples_s": [1.0, 5.0, 1.0, 5.0, 1.0], "median_s": 1.0}
    slow = {"device": "host", "samples_s": [2.0, 10.0, 2.0, 10.0, 2.0], "median_s": 2.0}
    assert sweep.speedup(slow, fast) == (2.0, 0.0)
    unpaired = {"device": "cuda", "samples_s": [4.0], "median_s": 4.0}
    assert sweep.speedup(unpaired, fast) == (4.0, None)


def test_a_slowdown_for_testing_the_gate_redoes_part_of_each_target_call(no_cuda):
    made = plan(sizes=[1000], targets=["cpu"], peers=["numpy-naive"])
    slowed = dataclasses.replace(made, extra_work=0.3)
    runner = sweep.Runner(slowed)
    data = runner._data_for(slowed.steps[1])
    assert data.head(0.3).inputs()[0].size == 300
    assert np.shares_memory(data.head(0.3).outputs()[0], data.outputs()[0])
    assert slowed.describe()["extra_work"] == 0.3


def test_a_failing_copy_baseline_leaves_the_cells_without_a_fraction(no_cuda, monkeypatch):
    def no_memory(device, total_bytes, settings):
        raise MemoryError()

    monkeypatch.setattr(sweep.copy, "measure", no_memory)
    runner = sweep.Runner(plan()).run_all()
    assert list(runner.copies.values()) == [
        {"device": "host", "bytes": 2048, "status": "failed", "reason": "MemoryError",
         "method": None, "median_s": None, "gbps": None}]
    assert [c["status"] for c in runner.cells] == ["ok", "ok"]
    assert runner.cells[0]["fraction_of_copy"] is None and runner.cells[0]["gbps"] > 0


def _cell(target, kind, median, size=100, op="forward", device="host", status="ok"):
    return records.new_cell(op=op, dtype="float32", target=target, kind=kind, device=device,
                            size=size, status=status, median_s=median)


def test_annotate_speedups_against_numpy_and_the_best_peer_on_the_same_device():
    cells = [_cell("parallel", "target", 1.0), _cell("numpy-naive", "peer", 20.0),
             _cell("torch", "peer", 4.0), _cell("torch", "peer", 0.1, device="cuda"),
             _cell("cuda", "target", 0.05, device="cuda"),
             _cell("numexpr", "peer", None, status="failed"),
             _cell("parallel", "target", 1.0, size=200)]
    sweep.annotate(cells)
    parallel, naive, torch, torch_gpu, gpu, failed, alone = cells
    assert parallel["speedup_vs_numpy"] == 20.0 and naive["speedup_vs_numpy"] == 1.0
    assert torch["speedup_vs_numpy"] == 5.0
    assert parallel["best_peer"] == "torch" and parallel["speedup_vs_best_peer"] == 4.0
    assert gpu["best_peer"] == "torch" and gpu["speedup_vs_best_peer"] == 2.0
    assert torch["best_peer"] is None and torch["speedup_vs_best_peer"] is None
    assert failed["speedup_vs_numpy"] is None
    assert alone["speedup_vs_numpy"] is None and alone["best_peer"] is None


AVX512 = {"isa": "AVX-512", "float32_lanes": 16}


def test_summary_reads_goals_at_the_largest_size_measured():
    cells = []
    for size, scale in ((2**10, 1.0), (2**26, 1000.0)):
        for op in ("forward", "backward", "fused"):
            cell = _cell("parallel", "target", 1e-6 * scale, size=size, op=op)
            cell["fraction_of_copy"] = 0.9 if op != "fused" else 0.5
            cells.append(cell)
        cells += [_cell("torch", "peer", 3e-6 * scale, size=size),
                  _cell("numpy-expm1", "peer", 5e-6 * scale, size=size)]
    result = summary.summarize(cells, {"ratio": 2.5, "kernel_ratio": 1.5}, AVX512)
    entries = {e["name"]: e for e in result["entries"]}
    forward = entries["float32 forward, parallel: fraction of copy"]
    assert forward["size"] == 2**26 and forward["value"] == 0.9 and forward["met"] is True
    assert forward["note"] == "" and "AVX-512" in forward["set_for"]
    assert forward["goal"] == "≥ 85%"
    assert entries["float32 fused, parallel: fraction of copy"]["met"] is False
    torch = entries["float32 forward, parallel: speedup vs torch"]
    assert torch["value"] == pytest.approx(3.0) and torch["met"] is True
    assert torch["goal"] == "≥ 2.5×"
    assert entries["float32 forward, parallel: speedup vs numpy-expm1"]["met"] is False
    float64 = entries["float64 forward, parallel: fraction of copy"]
    assert float64["value"] is None and float64["met"] is None and float64["goal"] == "≥ 70%"
    small = entries["small call: elu / np.expm1 on 1000 float32"]
    assert small["value"] == 2.5 and small["met"] is False and small["goal"] == "≤ 2×"
    floor = entries["small call floor: the kernel alone + np.empty / np.expm1"]
    assert floor["value"] == 1.5 and floor["goal"] is None and floor["met"] is None
    assert [e["value"] for e in summary.summarize([], None)["entries"][-2:]] == [None, None]


def test_goals_are_not_judged_where_they_do_not_apply():
    """On AVX2, below 2^26 or with alpha != 1 a goal is reported, never failed; on AVX2 the
    fraction-of-copy entries give the kernel's own compute-bound limit instead."""
    cells = []
    for size, gelems in ((2**12, 0.8), (2**22, 0.3)):
        cell = _cell("parallel", "target", size / gelems / 1e9, size=size)
        cell.update(fraction_of_copy=0.3, gelems=gelems, bytes=8 * size, copy_gbps=8.0)
        cells.append(cell)
    avx2 = summary.summarize(cells, {"ratio": 0.4, "kernel_ratio": 0.3},
                             {"isa": "AVX2", "float32_lanes": 8})
    forward = avx2["entries"][0]
    assert forward["value"] == 0.3 and forward["met"] is None
    assert "this machine's kernels use AVX2" in forward["note"]
    assert "measured at 2^22 elements, the goal is for 2^26" in forward["note"]
    # best rate 0.8 Gelem/s x 8 bytes per element over an 8 GB/s copy
    assert "0.80 Gelem/s, is 80% of the copy at this size: compute-bound here (8 float32 " \
        "lanes)" in forward["note"]
    assert avx2["entries"][-2]["met"] is None  # the small call too
    assert fmt.summary_row(forward)[-1] == "n/a"
    alpha = summary.summarize(cells, None, AVX512, alpha=1.7)["entries"][0]
    assert alpha["met"] is None and "alpha 1.7, the goal is for alpha 1" in alpha["note"]


def test_small_call_measurement():
    measured = summary.measure_small_call(FAST)
    assert measured["size"] == 1000
    assert all(measured[k] > 0 for k in ("elu_s", "expm1_s", "ratio", "kernel_s", "kernel_ratio",
                                         "general_s", "general_ratio"))


def test_measure_alternating_takes_one_sample_of_each_in_turn():
    order = []
    settings = timing.Settings(repeats=4, min_repeats=2, budget_s=10, min_sample_s=1e-3,
                               warmup_s=0, rounds=1)

    def sampler(name, seconds):
        def run_sample(inner):
            order.append((name, inner))
            return seconds * inner
        return run_sample

    fast, slow = timing.measure_alternating([sampler("fast", 1e-5), sampler("slow", 1e-4)],
                                            settings)
    calibration = [("fast", 1), ("fast", 1), ("slow", 1), ("slow", 1)]
    assert order == calibration + [("fast", 100), ("slow", 10)] * 4
    assert fast.samples == pytest.approx((1e-5,) * 4) and fast.calls_per_sample == 100
    assert slow.samples == pytest.approx((1e-4,) * 4) and slow.calls_per_sample == 10
    order.clear()  # a later round: the same calls per sample, one warm-up pass
    timing.measure_alternating([sampler("fast", 1e-5), sampler("slow", 1e-4)], settings,
                               inners=[100, 10])
    assert order == [("fast", 100), ("slow", 10)] * 5


def test_small_call_ratio_is_the_median_of_side_by_side_ratios(monkeypatch):
    """Slow spells (10x) in rounds 2 and 3: the ratio of the medians would say 20."""
    elu = timing.Timing((2.0, 20.0, 20.0), 1)
    expm1 = timing.Timing((1.0, 1.0, 10.0), 1)
    kernel = timing.Timing((1.5, 1.5, 15.0), 1)
    general = timing.Timing((9.0, 9.0, 90.0), 1)
    monkeypatch.setattr(timing, "measure_alternating",
                        lambda samplers, settings: [elu, expm1, kernel, general])
    measured = summary.measure_small_call(FAST)
    assert measured == {"size": 1000, "elu_s": 20.0, "expm1_s": 1.0, "ratio": 2.0,
                        "kernel_s": 1.5, "kernel_ratio": 1.5, "general_s": 9.0,
                        "general_ratio": 9.0}


def test_finish_builds_the_results_object(no_cuda):
    made = plan()
    result = sweep.finish(made, sweep.Runner(made).run_all(), command="elunumba bench x",
                          interrupted=True)
    assert result["schema"] == records.SCHEMA and result["interrupted"] is True
    assert result["command"] == result["environment"]["command"] == "elunumba bench x"
    assert result["summary"]["small_call"] is None  # not measured after Ctrl-C
    assert result["settings"]["sizes"] == [256] and result["settings"]["repeats"] == 3
    assert len(result["cells"]) == 2 and len(result["copies"]) == 1


def test_a_host_sweep_imports_no_gpu_code():
    code = ("import sys; from elunumba.lab.bench import sweep, timing;"
            "s = timing.Settings(repeats=1, min_repeats=1, budget_s=0, min_sample_s=0,"
            " warmup_s=0, rounds=1);"
            "p = sweep.make_plan([64], ['float32'], ['forward'], ['cpu', 'parallel'],"
            " ['numpy-naive'], settings=s);"
            "sweep.finish(p, sweep.Runner(p).run_all(), command='x', small_call=False);"
            "print(sorted(m for m in sys.modules if m.startswith(('numba.cuda', 'cupy',"
            " 'elunumba.lab.bench.gpu', 'elunumba.cuda'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


LAYER_PROBE = """
import numba
import numpy as np
from elunumba.lab.bench import copy, sweep
{start}
copy.prange_copy(np.zeros(8), np.zeros(8))
print(numba.threading_layer())
"""


def _tbb_installed():
    try:
        importlib.metadata.distribution("tbb")
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


@pytest.mark.skipif(not _tbb_installed(), reason="needs the tbb extra")
def test_the_benchmark_runs_on_the_threading_layer_users_get():
    """A sweep starts the layer as the library does (TBB where installed) before its own
    parallel copy can start OpenMP instead."""
    def layer(start):
        done = subprocess.run([sys.executable, "-c", LAYER_PROBE.format(start=start)],
                              capture_output=True, text=True, timeout=120, check=True)
        return done.stdout.strip()

    # the copy alone started OpenMP here before importing elunumba loaded TBB (the import
    # above does); the Runner starts elunumba's layer first in any case
    assert layer("sweep.Runner(sweep.make_plan([512], ['float32'], ['forward'], ['cpu'], []))"
                 ) == "tbb"
