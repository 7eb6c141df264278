"""The plain sentences that end `elunumba bench`, the warning for unstable cells, and the
allocating call users write: from made-up cells whose figures are known."""

import json

import numpy as np
import pytest
from rich.console import Console

from elunumba.lab.bench import fmt, headline, impls, ops, records, stability, sweep
from elunumba_cli.bench import cell_table

ENVIRONMENT = {"cpu": "AMD EPYC", "machine": {"isa": "AVX-512", "model": None},
               "numba_threads": 2}


def cell(target, size, seconds, spread=0.02, op="forward", dtype="float32"):
    """A host cell whose three samples all took ``seconds`` (None: a failed cell): paired
    ratios are exact."""
    impl = impls.TARGETS.get(target) or impls.PEERS[target]
    made = records.new_cell(op=op, dtype=dtype, target=target, kind=impl.kind, device="host",
                            size=size, bytes=8 * size, status="ok", allocates=impl.allocates)
    if seconds is None:
        made.update(status="failed", reason="MemoryError: pretend")
    else:
        made.update(median_s=seconds, iqr_s=spread * seconds, samples_s=[seconds] * 3)
    return made


def result(cells, alpha=1.0):
    return {"cells": cells, "environment": ENVIRONMENT, "settings": {"alpha": alpha}}


def said(cells, **options):
    return " ".join(headline.sentences(result(cells, **options)))


def test_the_users_call_against_numpy_and_torch_at_the_largest_size():
    cells = [cell("auto-alloc", 2**22, 2e-3), cell("parallel", 2**22, 1e-3),
             cell("numpy-expm1", 2**22, 40e-3), cell("torch", 2**22, 10e-3),
             cell("auto-alloc", 2**12, 5e-6), cell("numpy-expm1", 2**12, 10e-6)]
    text = said(cells)
    assert text.startswith("On this machine (AMD EPYC, AVX-512, 2 threads), at 2^22 float32 "
                           "elements, y = elunumba.elu(x) took 2 ms: 20× as fast as NumPy's "
                           "expm1 formula and 5× as fast as torch.")
    assert ("Writing into a preallocated array instead (elunumba.elu(x, out=y, "
            "target='parallel')), it was 40× as fast as NumPy's expm1 formula and 10× as fast "
            "as torch: the difference is the new result array each call.") in text
    assert text.endswith("y = elunumba.elu(x) was faster than NumPy's expm1 formula at every "
                         "size measured (2^12 to 2^22 elements).")
    assert "rough" not in text


def test_where_numpy_is_faster_the_sizes_say_so():
    sizes = [2**10, 2**12, 2**14, 2**16]
    numpy = {2**10: 1e-6, 2**12: 3e-6, 2**14: 30e-6, 2**16: 100e-6}
    cells = [cell("auto-alloc", s, 5e-6 if s <= 2**12 else 10e-6) for s in sizes]
    cells += [cell("numpy-expm1", s, numpy[s]) for s in sizes]
    text = said(cells)
    assert text.endswith("NumPy's expm1 formula was faster at 2^10 to 2^12 elements; "
                         "y = elunumba.elu(x) at 2^14 to 2^16 elements.")
    assert "0.2× as fast as" not in text and "10× as fast as NumPy's expm1 formula" in text


def test_a_slower_call_is_said_to_be_slower():
    text = said([cell("auto-alloc", 2**10, 4e-6), cell("numpy-expm1", 2**10, 2e-6)])
    assert "0.5× as fast as NumPy's expm1 formula (slower)" in text
    assert text.endswith("NumPy's expm1 formula was faster than y = elunumba.elu(x) at every "
                         "size measured (2^10 elements).")


def test_other_ops_dtypes_targets_and_alpha_are_named_as_called():
    cells = [cell("parallel", 2**20, 1e-3, op="backward", dtype="float64"),
             cell("numpy-naive", 2**20, 9e-3, op="backward", dtype="float64")]
    text = said(cells, alpha=1.7)
    assert text.startswith("On this machine (AMD EPYC, AVX-512, 2 threads), at 2^20 float64 "
                           "elements (alpha 1.7), elunumba.elu_backward(g, y, out=dx, "
                           "target='parallel') took 1 ms: 9× as fast as NumPy's exp(x) - 1 "
                           "formula.")
    assert "Writing into" not in text


def test_no_sentence_without_an_elunumba_call_beside_a_peer():
    assert headline.sentences(result([cell("parallel", 2**10, 1e-6)])) == []
    assert headline.sentences(result([cell("torch", 2**10, 1e-6)])) == []
    failed = cell("numpy-expm1", 2**10, None)
    assert headline.sentences(result([cell("cpu", 2**10, 1e-6), failed])) == []


def test_sentences_on_unstable_cells_say_so():
    cells = [cell("auto-alloc", 2**12, 5e-6, spread=0.37), cell("numpy-expm1", 2**12, 10e-6)]
    assert said(cells).endswith("The cells behind these sentences spread by up to ±37% (see "
                                "the warning above): take them as rough.")


def test_the_warning_names_the_threshold_and_the_widest_spread():
    cells = [cell("cpu", 2**12, 1e-6, spread=0.05), cell("parallel", 2**12, 1e-6, spread=0.12),
             cell("numpy-naive", 2**18, 1e-3, spread=3.78),
             cell("torch", 2**18, None)]
    lines = stability.warning(cells, fmt.cell_name)
    assert lines[0].startswith("WARNING: 2 of 3 cells may be unstable: the spread of their "
                               "samples (interquartile range over the median")
    assert "is 10% or more; the widest is ±378% (forward float32 2^18 numpy-naive)." in lines[0]
    assert stability.warning(cells[:1], fmt.cell_name) == []
    assert [stability.is_unstable(c) for c in cells] == [False, True, True, False]


def test_the_terminal_table_fits_80_columns_with_the_longest_names_and_marks():
    rows = [cell(name, 2**22, 1.23e-3, spread=3.78) for name in
            ("parallel-cr", "auto-alloc", "numpy-expm1", "numpy-naive")]
    for row in rows:
        row.update(fraction_of_copy=1.13, speedup_vs_numpy=0.0786, best_peer="numpy-expm1",
                   speedup_vs_best_peer=0.668)
    console = Console(width=80, record=True, color_system=None)
    console.print(cell_table("backward", "float32", rows))
    lines = console.export_text().splitlines()
    assert console.measure(cell_table("backward", "float32", rows)).maximum <= 80
    assert sum("1.23 ms ±378%!" in line and "0.668× numpy-expm1" in line for line in lines) == 4


def test_the_allocating_target_returns_a_new_array_each_call():
    data = ops.OpData("forward", "float32", 1000)
    call = impls.TARGETS["auto-alloc"].make("forward", data, "host")
    first, second = call(), call()
    assert first is not second and not np.shares_memory(first, data.outputs()[0])
    np.testing.assert_array_equal(first, impls.TARGETS["parallel"].make(
        "forward", data, "host")())
    assert impls.TARGETS["auto-alloc"].allocates and not impls.TARGETS["parallel"].allocates
    assert impls.PEERS["numpy-expm1"].allocates and not impls.PEERS["torch"].allocates


def test_the_sweep_records_which_cells_allocate_and_the_schema_version(tmp_path):
    settings = sweep.timing.Settings(repeats=1, min_repeats=1, budget_s=0, min_sample_s=0,
                                     warmup_s=0, rounds=1)
    plan = sweep.make_plan([64], ["float32"], ["fused"], ["cpu", "auto-alloc"], ["numpy-naive"],
                           settings=settings)
    done = sweep.finish(plan, sweep.Runner(plan).run_all(), command="test", small_call=False)
    assert [(c["target"], c["allocates"], c["status"]) for c in done["cells"]] == [
        ("cpu", False, "ok"), ("auto-alloc", True, "ok"), ("numpy-naive", True, "ok")]
    assert done["schema"] == records.SCHEMA == "elunumba-bench/2"
    path = tmp_path / "r.json"
    records.write_json(done, path)
    assert records.load_json(path)["cells"][1]["allocates"] is True


def test_files_of_schema_version_1_still_load(tmp_path):
    """Version 1 lacked ``allocates``: it reads as null."""
    settings = sweep.timing.Settings(repeats=1, min_repeats=1, budget_s=0, min_sample_s=0,
                                     warmup_s=0, rounds=1)
    plan = sweep.make_plan([64], ["float32"], ["forward"], ["cpu"], [], settings=settings)
    done = sweep.finish(plan, sweep.Runner(plan).run_all(), command="test", small_call=False)
    done["schema"] = "elunumba-bench/1"
    for c in done["cells"]:
        del c["allocates"]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(done))
    assert records.load_json(path)["cells"][0]["allocates"] is None
    done["schema"] = "elunumba-bench/3"
    path.write_text(json.dumps(done))
    with pytest.raises(records.ResultsFileError, match="not an elunumba bench results file"):
        records.load_json(path)
