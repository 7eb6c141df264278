"""Results files: the JSON schema, CSV, markdown, the tables of docs/benchmarks.md, the plot, and
`bench compare`
verdicts and exit codes. One tiny real sweep feeds them all."""

import copy
import csv
import json
import pathlib

import numpy as np
import pytest
from click.testing import CliRunner

from elunumba.lab.bench import compare, doc_tables, plot, records, sweep, timing
from elunumba_cli.main import cli

REQUIRED_FIELDS = ("op", "dtype", "target", "size", "median_s", "gbps", "gelems",
                "fraction_of_copy", "speedup_vs_numpy")
TIMES = ("median_s", "q1_s", "q3_s", "min_s", "max_s")
FAST_SAMPLES = timing.Settings(repeats=9, min_repeats=9, budget_s=0.0, min_sample_s=1e-4,
                               warmup_s=0.0, rounds=9)


@pytest.fixture(scope="module")
def result():
    plan = sweep.make_plan([256, 1024], ["float32"], ["forward", "backward"],
                           ["cpu", "parallel"], ["numpy-naive", "numpy-expm1"],
                           settings=FAST_SAMPLES)
    plan.skipped.append({"name": "cupy", "device": "cuda", "reason": "pretend [not] installed"})
    return sweep.finish(plan, sweep.Runner(plan).run_all(), command="elunumba bench --test")


@pytest.fixture
def saved(result, tmp_path):
    path = tmp_path / "old.json"
    records.write_json(steady(result), path)
    return path


def steady(result):
    """A copy of ``result`` whose samples spread by 5% around each median (this shared machine's
    own noise would make the verdicts below a matter of luck)."""
    calm = copy.deepcopy(result)
    for cell in calm["cells"]:
        spread = [1.0, 1.05, 0.95, 1.02, 0.98, 1.04, 0.96, 1.01, 0.99]
        cell["samples_s"] = [cell["median_s"] * f for f in spread]
        cell["copy_samples_s"] = [cell["median_s"] * f for f in reversed(spread)]
        cell["sample_rounds"] = list(range(len(spread)))
    return calm


def scaled(result, factor, where=lambda cell: True):
    """A steady copy of ``result`` whose matching cells took ``factor`` times as long, spread
    included."""
    changed = steady(result)
    for cell in changed["cells"]:
        if where(cell):
            cell.update({k: cell[k] * factor for k in TIMES})
            cell["samples_s"] = [t * factor for t in cell["samples_s"]]
    return changed


def test_json_round_trip_and_schema(result, tmp_path):
    saved = tmp_path / "r.json"
    records.write_json(result, saved)
    loaded = records.load_json(saved)
    assert loaded == json.loads(json.dumps(result))
    assert loaded["schema"] == "elunumba-bench/2" and loaded["interrupted"] is False
    assert len(loaded["cells"]) == 2 * 2 * 4
    for cell in loaded["cells"]:
        assert list(cell) == list(records.CELL_FIELDS)
        assert cell["status"] == "ok" and cell["reason"] is None
        assert all(cell[field] is not None for field in REQUIRED_FIELDS)
        assert cell["kind"] in ("target", "peer") and cell["device"] == "host"
    targets = [c for c in loaded["cells"] if c["kind"] == "target"]
    assert all(c["best_peer"] in ("numpy-naive", "numpy-expm1") for c in targets)
    assert {c["bytes"] for c in loaded["copies"]} == {2048, 8192, 3072, 12288}


def test_environment_is_recorded(result):
    env = result["environment"]
    assert env["command"] == "elunumba bench --test"
    for key in ("cpu", "logical_cores", "usable_cores", "numba_threads", "threading_layer",
                "git_commit", "git_dirty", "platform", "memory_total_bytes"):
        assert env[key] not in (None, ""), key
    assert {"python", "numpy", "numba", "llvmlite", "elunumba"} <= set(env["versions"])
    assert env["gpu"] is None
    assert env["threading_layer"] in ("tbb", "omp", "workqueue")


def test_summary_is_stored(result):
    entries = result["summary"]["entries"]
    assert [e["name"] for e in entries][:3] == [
        f"float32 {op}, parallel: fraction of copy" for op in ("forward", "backward", "fused")]
    forward = entries[0]
    assert forward["size"] == 1024 and forward["value"] is not None
    assert entries[2]["value"] is None  # no fused cells in this sweep
    assert result["summary"]["small_call"]["ratio"] > 0


@pytest.mark.parametrize("content, words", [
    ("not json", "cannot read"),
    ('{"schema": "other/1", "cells": []}', "not an elunumba bench results file"),
    ('{"schema": "elunumba-bench/2", "cells": [{"op": "forward"}]}', "'created' is missing"),
    ("[1, 2]", "not an elunumba bench results file"),
])
def test_unreadable_results_files(tmp_path, content, words):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(records.ResultsFileError, match=words) as caught:
        records.load_json(path)
    assert "\n" not in str(caught.value)
    with pytest.raises(records.ResultsFileError, match="cannot read"):
        records.load_json(tmp_path / "missing.json")


def test_csv(result, tmp_path):
    path = tmp_path / "cells.csv"
    records.write_csv(result, path)
    text = path.read_text()
    assert "#" not in text  # no comment lines: any CSV reader takes it as it is
    rows = list(csv.DictReader(text.splitlines()))
    assert list(rows[0]) == records.CSV_FIELDS and len(rows) == len(result["cells"])
    assert "samples_s" not in records.CSV_FIELDS and "fraction_of_copy_iqr" in records.CSV_FIELDS
    assert float(rows[0]["median_s"]) == result["cells"][0]["median_s"]


def test_markdown(result, tmp_path):
    path = tmp_path / "results.md"
    records.write_markdown(result, path)
    text = path.read_text()
    for heading in ("# elunumba bench", "## Environment", "## Summary", "## forward float32",
                    "## backward float32", "## Copy baseline", "## Skipped"):
        assert f"\n{heading}\n" in f"\n{text}"
    assert "`elunumba bench --test`" in text and "threading layer" in text
    assert "| 2^10 | parallel |" in text and "- cupy on cuda: pretend [not] installed" in text


def test_markdown_shows_failed_cells_and_interruption(result):
    broken = copy.deepcopy(result)
    broken["interrupted"] = True
    broken["cells"][0].update(status="failed", reason="MemoryError: too big | really",
                              median_s=None)
    text = records.markdown(broken)
    assert "**interrupted**" in text
    assert "failed: MemoryError: too big \\| really" in text


def test_page_rewrite_is_generated_and_idempotent(result):
    start, end = doc_tables.TABLE_MARKERS
    text = f"# Title\n\nbefore\n{start}\nold numbers\n{end}\nafter\n"
    sources = [("one.json", result)]
    once = doc_tables.rewrite(text, sources)
    assert once.startswith("# Title\n\nbefore\n" + start) and once.endswith(end + "\nafter\n")
    assert "old numbers" not in once and doc_tables.rewrite(once, sources) == once
    assert "measured by `elunumba bench --test`" in once and "(`one.json`)" in once
    assert "CPU, 2^10 elements (1,024)" in once and "| forward | float32 | parallel |" in once
    isa = result["environment"]["machine"]["isa"]
    assert f"### {records.cpu_name(result['environment'])}, {isa}" in once
    assert "Goals set for AVX-512" in once


def test_page_has_one_section_per_results_file_and_old_files_say_not_recorded(result):
    old = copy.deepcopy(result)
    del old["environment"]["machine"]
    text = "\n".join(doc_tables.TABLE_MARKERS)
    both = doc_tables.rewrite(text, [("old.json", old), ("new.json", result)])
    assert both.count("### ") == 2 and "vector ISA not recorded" in both


@pytest.mark.parametrize("text, words", [
    ("no markers here", "once each"),
    ("<!-- bench-table:end -->\n<!-- bench-table:start -->", "put the start marker first"),
    ("<!-- bench-table:start -->\n<!-- bench-table:start -->\n<!-- bench-table:end -->",
     "found 2 and 1"),
])
def test_page_markers_missing_repeated_or_out_of_order(result, text, words):
    with pytest.raises(doc_tables.MarkerError, match=words):
        doc_tables.rewrite(text, [("r.json", result)])


def test_page_schema_block_lists_every_field(result):
    text = "\n".join((*doc_tables.TABLE_MARKERS, *doc_tables.SCHEMA_MARKERS))
    rewritten = doc_tables.rewrite(text, [("r.json", result)])
    for field in records.CELL_FIELDS:
        assert f"| `{field}` |" in rewritten


def test_plot_writes_a_png(result, tmp_path):
    path = tmp_path / "throughput.png"
    plot.plot(result, path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_colours_are_fixed_per_implementation_and_formats_follow_the_suffix(result,
                                                                                  tmp_path):
    from elunumba.lab.bench import impls

    assert set(impls.TARGETS) | set(impls.PEERS) <= set(plot.COLOURS)
    assert len(set(plot.COLOURS.values())) == len(plot.COLOURS)
    plot.plot(result, tmp_path / "throughput.svg")
    assert [p.name for p in tmp_path.iterdir()] == ["throughput.svg"]
    assert "<svg" in (tmp_path / "throughput.svg").read_text()[:500]


def test_plot_of_an_interrupted_sweep_without_cells(result, tmp_path):
    empty = dict(result, cells=[], interrupted=True)
    plot.plot(empty, tmp_path / "empty.png")
    assert (tmp_path / "empty.png").stat().st_size > 0


def test_plot_without_matplotlib_says_how_to_install(monkeypatch):
    monkeypatch.setattr(plot.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(plot.PlotUnavailableError, match=r"pip install 'elunumba\[plot\]'"):
        plot.check_available()


def _sampled(cell_s, copy_s=None, status="ok", rounds=None):
    """A cell record with these samples, each its own round unless ``rounds`` says."""
    return records.new_cell(status=status, bytes=1024,
                            median_s=float(np.median(cell_s)) if cell_s else None,
                            samples_s=list(cell_s), copy_samples_s=copy_s and list(copy_s),
                            sample_rounds=list(range(len(cell_s))) if rounds is None else rounds)


NOISE = [1.0, 1.1, 0.9, 1.05, 0.95, 1.02, 0.98]


@pytest.mark.parametrize("old, new, verdict", [
    (_sampled(NOISE, NOISE), _sampled(NOISE[::-1], NOISE), "same"),
    (_sampled(NOISE, NOISE), _sampled([1.3 * t for t in NOISE], NOISE), "slower"),
    (_sampled(NOISE, NOISE), _sampled([0.5 * t for t in NOISE], NOISE), "faster"),
    # 3% slower beyond doubt, but under the 5% minimum effect
    (_sampled(NOISE, NOISE), _sampled([1.03 * t for t in NOISE], NOISE), "same"),
    # the machine got 30% slower at everything, copy included: not the code
    (_sampled(NOISE, NOISE), _sampled([1.3 * t for t in NOISE], [1.3 * t for t in NOISE]),
     "same"),
    (_sampled(NOISE, NOISE), _sampled([], status="failed"), "failed"),
    (_sampled([], status="failed"), _sampled(NOISE, NOISE), "no baseline"),
    (records.new_cell(status="ok", bytes=1024, median_s=1.0), _sampled(NOISE, NOISE),
     "untested"),
    # samples from an older version, which recorded no rounds
    (_sampled(NOISE, NOISE, rounds=[]), _sampled([2 * t for t in NOISE], NOISE), "untested"),
])
def test_verdicts(old, new, verdict):
    assert compare.judge(old, new)[0] == verdict


def test_absolute_comparison_sees_the_machine_slow_down():
    old, new = _sampled(NOISE, NOISE), _sampled([1.3 * t for t in NOISE], NOISE)
    verdict, change, p_value = compare.judge(old, new, compare.Gate(absolute=True))
    assert verdict == "slower" and change == pytest.approx(30) and p_value < 0.01


def test_too_few_rounds_are_never_judged():
    """Three rounds each cannot reach 99% confidence (smallest p-value 1/20), however many
    samples they hold: the gate says it cannot judge."""
    rounds = [0, 1, 2] * 7
    old = _sampled(NOISE * 3, NOISE * 3, rounds=rounds)
    new = _sampled([2 * t for t in NOISE * 3], NOISE * 3, rounds=rounds)
    assert compare.judge(old, new)[0] == "untested"
    assert compare.judge(old, new, compare.Gate(confidence=0.9))[0] == "slower"
    assert not compare.can_decide(4, 4, 0.99) and compare.can_decide(5, 5, 0.99)
    assert compare.can_decide(3, 3, 0.9) and not compare.can_decide(3, 3, 0.99)


def test_a_round_counts_once_however_many_samples_it_holds():
    """Samples of one round share the machine's moment: seven rounds whose three samples
    agree are seven values, not twenty-one. Here each run has one slow round (a burst on the
    machine); the medians of rounds show it for what it is."""
    old_rounds = [1.0, 1.02, 0.98, 1.01, 0.99, 1.03, 1.6]
    new_rounds = [1.6, 1.0, 1.02, 0.98, 1.01, 0.99, 1.03]
    rounds = [r for r in range(7) for _ in range(3)]

    def cell(values):
        samples = [v * f for v in values for f in (0.999, 1.0, 1.001)]
        return _sampled(samples, [1.0] * 21, rounds=rounds)

    assert compare.round_costs(cell(old_rounds)) == pytest.approx(
        [v * 1024 / compare.copy.moved_bytes(1024) for v in old_rounds])
    assert compare.judge(cell(old_rounds), cell(new_rounds))[0] == "same"


def _runs(rng, pairs, shift=1.0):
    """Pairs of runs of 7 rounds x 3 samples, rounds spread by 10% around their run's level."""
    rounds = [r for r in range(7) for _ in range(3)]

    def run(level):
        values = level * np.exp(rng.normal(0, 0.1, 7))
        samples = [v * f for v in values for f in rng.normal(1, 0.02, 3)]
        return _sampled(samples, [1.0] * 21, rounds=rounds)

    return [(run(1.0), run(shift)) for _ in range(pairs)]


def test_identical_distributions_are_seldom_called_slower():
    """The confidence is what it says: of 300 pairs drawn from one distribution, about 1% may
    come out "slower" (binomial: 8 or more has a chance under 0.5% at 1%)."""
    verdicts = [compare.judge(old, new)[0] for old, new in _runs(np.random.default_rng(1), 300)]
    assert verdicts.count("slower") < 8


def test_a_clear_slowdown_is_caught():
    verdicts = [compare.judge(old, new)[0]
                for old, new in _runs(np.random.default_rng(2), 100, shift=1.3)]
    assert verdicts.count("slower") >= 90


def test_compare_rows_and_regressions(result):
    slower = scaled(result, 2.0, lambda c: c["target"] == "parallel")
    del slower["cells"][0]
    rows, only_old, only_new = compare.compare(steady(result), slower)
    assert len(rows) == len(result["cells"]) - 1 and len(only_old) == 1 and only_new == []
    verdicts = {(r["target"], r["verdict"]) for r in rows}
    assert ("parallel", "slower") in verdicts and ("numpy-naive", "same") in verdicts
    parallel = [r for r in rows if r["target"] == "parallel"]
    assert all(r["change_pct"] == pytest.approx(100) for r in parallel)
    assert compare.regressions(rows, 50) == parallel
    assert compare.regressions(rows, 150) == []


def test_the_confidence_holds_for_all_of_elunumbas_cells_together(result):
    """A 3% shift of one target cell is significant alone (p < 1%) but not as one of the eight
    target cells the gate looks at; the same shift in all eight is."""
    gate = compare.Gate(min_effect_pct=2)

    def is_cpu_forward_256(cell):
        return (cell["target"], cell["op"], cell["size"]) == ("cpu", "forward", 256)

    one = scaled(result, 1.03, is_cpu_forward_256)
    alone = [compare.judge(old, new, gate) for old, new in
             zip(steady(result)["cells"], one["cells"]) if is_cpu_forward_256(old)]
    assert alone[0][0] == "slower" and alone[0][2] < 0.01
    rows, _, _ = compare.compare(steady(result), one, gate)
    row = next(r for r in rows if is_cpu_forward_256(r))
    targets = sum(r["kind"] == "target" for r in rows)
    assert targets == 8 and row["verdict"] == "same"
    assert row["p_value"] == pytest.approx(targets * alone[0][2])
    everywhere = scaled(result, 1.03, lambda cell: cell["kind"] == "target")
    rows, _, _ = compare.compare(steady(result), everywhere, gate)
    assert {r["verdict"] for r in rows if r["kind"] == "target"} == {"slower"}
    assert {r["verdict"] for r in rows if r["kind"] == "peer"} == {"same"}


def test_a_slower_peer_is_shown_but_never_gated(result):
    slower = scaled(result, 2.0, lambda c: c["kind"] == "peer")
    rows, _, _ = compare.compare(steady(result), slower)
    assert {r["verdict"] for r in rows if r["kind"] == "peer"} == {"slower"}
    assert compare.regressions(rows, 10) == []


def test_machines_that_differ_are_named_and_absolute_times_refused(result):
    other = copy.deepcopy(result)
    # the other class is chosen from the host's own, so the test means the same on every host
    host_isa = result["environment"]["machine"]["isa"]
    other_isa, bits = ("AVX2", 256) if host_isa == "AVX-512" else ("AVX-512", 512)
    other["environment"]["machine"].update(isa=other_isa, vector_bits=bits,
                                           float32_lanes=bits // 32)
    same, text = compare.machines(result, other)
    assert not same and "the machines differ" in text and other_isa in text
    with pytest.raises(compare.CompareError, match="--force"):
        compare.compare(result, other, compare.Gate(absolute=True))
    assert compare.compare(result, other, compare.Gate(absolute=True), force=True)[0]
    assert compare.compare(result, other)[0]  # fractions of copy: machine-independent
    del other["environment"]["machine"]
    assert compare.machines(result, other) == (
        False, "the vector ISA is not recorded in both files: treat the machines as different")


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_compare_cli_same_files_exit_0(saved):
    outcome = invoke("bench", "compare", saved, saved, "--fail-above", 0)
    assert outcome.exit_code == 0, outcome.output
    assert f"{16} same" in outcome.output and "commit" in outcome.output
    assert "same machine class" in outcome.output and "Mann-Whitney" in outcome.output


def test_compare_cli_fails_above_the_threshold(result, saved, tmp_path):
    new = tmp_path / "new.json"
    records.write_json(scaled(result, 1.5, lambda c: c["target"] == "cpu"), new)
    outcome = invoke("bench", "compare", saved, new, "--fail-above", 10)
    assert outcome.exit_code == 1
    assert "4 slower" in outcome.output and "4 cells slower by more than 10%" in outcome.output
    assert invoke("bench", "compare", saved, new, "--fail-above", 60).exit_code == 0
    assert invoke("bench", "compare", saved, new).exit_code == 0
    assert invoke("bench", "compare", new, saved, "--fail-above", 10).exit_code == 0  # faster


def test_compare_cli_says_why_files_of_older_versions_are_untested(result, saved, tmp_path):
    old = steady(result)
    for cell in old["cells"]:
        del cell["sample_rounds"]  # as files written before rounds were recorded
    path = tmp_path / "older.json"
    records.write_json(old, path)
    outcome = invoke("bench", "compare", path, saved)
    assert outcome.exit_code == 0, outcome.output
    text = " ".join(outcome.output.split())
    assert "old no rounds recorded, new 9 rounds" in text and "16 untested" in text
    assert "16 cells untested: a file holds no per-round samples" in text


def without_copy_samples(result):
    """``result`` as a run whose copy baseline failed: no cell holds the copy's samples."""
    broken = steady(result)
    for cell in broken["cells"]:
        for field in ("copy_samples_s", "copy_gbps", "fraction_of_copy", "fraction_of_copy_iqr"):
            cell.pop(field, None)
    return broken


@pytest.mark.parametrize("new_file", [
    without_copy_samples,
    lambda result: dict(steady(result), cells=[c for c in steady(result)["cells"]
                                                if c["kind"] == "peer"]),
], ids=["no copy baseline", "no target cells in common"])
def test_a_gate_that_tested_nothing_fails_with_exit_2(result, saved, tmp_path, new_file):
    """Every target cell untested (here: the new run lost its copy baseline) or none in
    common: the gate used to pass (exit 0) without having judged a single cell."""
    new = tmp_path / "new.json"
    records.write_json(new_file(result), new)
    outcome = invoke("bench", "compare", saved, new, "--fail-above", 10)
    assert outcome.exit_code == 2, outcome.output
    text = " ".join(outcome.output.split())
    assert "the gate tested nothing, so it cannot pass" in text
    assert ("none of elunumba's 8 cells in common could be tested (8 untested" in text
            or "none of elunumba's cells in common" in text)
    assert invoke("bench", "compare", saved, new).exit_code == 0  # no gate asked: a report


def test_one_tested_cell_is_enough_for_the_gate(result, saved, tmp_path):
    partly = without_copy_samples(result)
    partly["cells"][0] = steady(result)["cells"][0]
    assert partly["cells"][0]["kind"] == "target"
    new = tmp_path / "new.json"
    records.write_json(partly, new)
    outcome = invoke("bench", "compare", saved, new, "--fail-above", 10)
    assert outcome.exit_code == 0, outcome.output
    assert "1 same, 15 untested" in outcome.output
    assert compare.nothing_tested(compare.compare(steady(result), partly)[0]) is None


def test_compare_cli_counts_a_new_failure_as_a_regression(result, saved, tmp_path):
    broken = copy.deepcopy(result)
    broken["cells"][0].update(status="failed", reason="CudaAPIError: out of memory")
    new = tmp_path / "new.json"
    records.write_json(broken, new)
    outcome = invoke("bench", "compare", saved, new, "--fail-above", 1000)
    assert outcome.exit_code == 1 and "1 failed" in outcome.output


@pytest.mark.parametrize("args", [
    ("--fail-above", -1),
    ("--fail-above", "lots"),
    ("--fail-above", "nan"),
    ("--confidence", 1),
    ("--min-effect", "inf"),
])
def test_compare_cli_bad_threshold(saved, args):
    assert invoke("bench", "compare", saved, saved, *args).exit_code == 2


def test_compare_cli_bad_files(saved, tmp_path):
    missing = invoke("bench", "compare", saved, tmp_path / "missing.json")
    assert missing.exit_code == 2 and "does not exist" in missing.output
    junk = tmp_path / "junk.json"
    junk.write_text("{}")
    outcome = invoke("bench", "compare", junk, saved)
    assert outcome.exit_code == 2 and "not an elunumba bench results file" in outcome.output
    assert "Traceback" not in outcome.output


@pytest.mark.parametrize("change, words", [
    (lambda r: r["cells"][0].pop("median_s"), "cells[0] lacks median_s"),
    (lambda r: r["cells"][1].update(median_s="fast"), "'cells[1].median_s' must be a number"),
    (lambda r: r["cells"][0].update(size=1.5), "'cells[0].size' must be a whole number"),
    (lambda r: r["cells"][0].update(samples_s=["a"]), "must be a list of numbers"),
    (lambda r: r["environment"].pop("cpu"), "'environment.cpu' is missing"),
    (lambda r: r.update(cells={}), "'cells' must be a list"),
    (lambda r: r["summary"].update(entries=None), "'summary.entries' must be a list"),
    (lambda r: r.update(interrupted=0), "'interrupted' must be true or false"),
])
def test_schema_tagged_files_with_missing_or_mistyped_fields(result, tmp_path, change, words):
    broken = copy.deepcopy(result)
    change(broken)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))
    for args in (("compare", path, path), ("table", path)):
        outcome = invoke("bench", *args)
        assert outcome.exit_code == 2, outcome.output
        assert words in outcome.output and "Traceback" not in outcome.output


def test_compare_without_scipy_says_how_to_install(saved, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "scipy" else real(name, *a))
    outcome = invoke("bench", "compare", saved, saved)
    assert outcome.exit_code == 2 and "pip install 'elunumba[bench]'" in outcome.output


def test_table_cli_prints_and_rewrites_the_page(saved, tmp_path):
    printed = invoke("bench", "table", saved, saved)
    assert printed.exit_code == 0 and "| op | dtype | implementation |" in printed.output
    assert printed.output.count("### ") == 2
    page = tmp_path / "benchmarks.md"
    page.write_text("intro\n<!-- bench-table:start -->\n<!-- bench-table:end -->\nend\n")
    assert invoke("bench", "table", saved, "--page", page).exit_code == 0
    assert "| forward | float32 | cpu |" in page.read_text()
    page.write_text("no markers")
    outcome = invoke("bench", "table", saved, "--page", page)
    assert outcome.exit_code == 2 and "bench-table:start" in outcome.output
    # --readme, the option's name before the tables moved to docs/, still names the file
    page.write_text("<!-- bench-table:start -->\n<!-- bench-table:end -->\n")
    assert invoke("bench", "table", saved, "--readme", page).exit_code == 0
    assert "| forward | float32 | cpu |" in page.read_text()


def test_the_committed_benchmark_page_is_generated_from_the_committed_results():
    root = pathlib.Path(__file__).resolve().parents[2]
    sources = [f"bench_results/benchmarks/{name}" for name in ("bench-avx512.json",
                                                             "bench-avx2.json")]
    page = (root / "docs" / "benchmarks.md").read_text()
    loaded = [(name, records.load_json(root / name)) for name in sources]
    assert doc_tables.rewrite(page, loaded) == page


def test_table_cli_refuses_a_read_only_page_and_keeps_it(saved, tmp_path):
    page = tmp_path / "benchmarks.md"
    original = "<!-- bench-table:start -->\n<!-- bench-table:end -->\n"
    page.write_text(original)
    page.chmod(0o444)
    outcome = invoke("bench", "table", saved, "--page", page)
    assert outcome.exit_code == 2 and "read-only" in outcome.output
    assert page.read_text() == original


def test_table_cli_markers_out_of_order_leave_the_page_alone(saved, tmp_path):
    page = tmp_path / "benchmarks.md"
    original = "<!-- bench-table:end -->\n<!-- bench-table:start -->\n"
    page.write_text(original)
    outcome = invoke("bench", "table", saved, "--page", page)
    assert outcome.exit_code == 2 and "put the start marker first" in outcome.output
    assert page.read_text() == original
