"""Results files: the JSON schema, CSV, markdown, the README table, the plot, and `bench compare`
verdicts and exit codes. One tiny real sweep feeds them all."""

import copy
import csv
import json

import pytest
from click.testing import CliRunner

from elunumba.bench import compare, plot, readme, records, sweep, timing
from elunumba_cli.main import cli

FAST = timing.Settings(repeats=3, min_repeats=1, budget_s=0.0, min_sample_s=1e-4, warmup_s=0.0)
ISSUE_FIELDS = ("op", "dtype", "target", "size", "median_s", "gbps", "gelems",
                "fraction_of_copy", "speedup_vs_numpy")
TIMES = ("median_s", "q1_s", "q3_s", "min_s", "max_s")


@pytest.fixture(scope="module")
def result():
    plan = sweep.make_plan([256, 1024], ["float32"], ["forward", "backward"],
                           ["cpu", "parallel"], ["numpy-naive", "numpy-expm1"], settings=FAST)
    plan.skipped.append({"name": "cupy", "device": "cuda", "reason": "pretend [not] installed"})
    return sweep.finish(plan, sweep.Runner(plan).run_all(), command="elunumba bench --test")


@pytest.fixture
def saved(result, tmp_path):
    path = tmp_path / "old.json"
    records.write_json(result, path)
    return path


def scaled(result, factor, where=lambda cell: True):
    """A copy of ``result`` whose matching cells took ``factor`` times as long, spread included."""
    changed = copy.deepcopy(result)
    for cell in changed["cells"]:
        if where(cell):
            cell.update({k: cell[k] * factor for k in TIMES})
    return changed


def test_json_round_trip_and_schema(result, saved):
    loaded = records.load_json(saved)
    assert loaded == json.loads(json.dumps(result))
    assert loaded["schema"] == "elunumba-bench/1" and loaded["interrupted"] is False
    assert len(loaded["cells"]) == 2 * 2 * 4
    for cell in loaded["cells"]:
        assert list(cell) == list(records.CELL_FIELDS)
        assert cell["status"] == "ok" and cell["reason"] is None
        assert all(cell[field] is not None for field in ISSUE_FIELDS)
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
    ('{"schema": "elunumba-bench/1", "cells": [{"op": "forward"}]}', "must be a list of"),
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


def test_readme_rewrite_is_generated_and_idempotent(result):
    start, end = readme.TABLE_MARKERS
    text = f"# Title\n\nbefore\n{start}\nold numbers\n{end}\nafter\n"
    once = readme.rewrite(text, result)
    assert once.startswith("# Title\n\nbefore\n" + start) and once.endswith(end + "\nafter\n")
    assert "old numbers" not in once and readme.rewrite(once, result) == once
    assert "Measured by `elunumba bench --test`" in once
    assert "CPU, 2^10 elements (1,024):" in once and "| forward | float32 | parallel |" in once
    with pytest.raises(readme.MarkerError, match="bench-table:start"):
        readme.rewrite("no markers here", result)


def test_readme_schema_block_lists_every_field(result):
    text = "\n".join((*readme.TABLE_MARKERS, *readme.SCHEMA_MARKERS))
    rewritten = readme.rewrite(text, result)
    for field in records.CELL_FIELDS:
        assert f"| `{field}` |" in rewritten


def test_plot_writes_a_png(result, tmp_path):
    path = tmp_path / "throughput.png"
    plot.plot(result, path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_of_an_interrupted_sweep_without_cells(result, tmp_path):
    empty = dict(result, cells=[], interrupted=True)
    plot.plot(empty, tmp_path / "empty.png")
    assert (tmp_path / "empty.png").stat().st_size > 0


def test_plot_without_matplotlib_says_how_to_install(monkeypatch):
    monkeypatch.setattr(plot.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(plot.PlotUnavailableError, match=r"pip install 'elunumba\[plot\]'"):
        plot.check_available()


def _timed(median, q1, q3, status="ok"):
    return records.new_cell(status=status, median_s=median, q1_s=q1, q3_s=q3)


@pytest.mark.parametrize("old, new, verdict", [
    (_timed(1.0, 0.9, 1.1), _timed(1.05, 1.0, 1.2), "same"),  # spreads overlap
    (_timed(1.0, 0.9, 1.1), _timed(1.3, 1.2, 1.4), "slower"),
    (_timed(1.0, 0.99, 1.01), _timed(1.03, 1.02, 1.04), "slower"),  # tight runs: 3% is real
    (_timed(1.0, 0.9, 1.1), _timed(0.5, 0.45, 0.55), "faster"),
    (_timed(1.0, 0.9, 1.1), _timed(None, None, None, "failed"), "failed"),
    (_timed(None, None, None, "failed"), _timed(1.0, 0.9, 1.1), "no baseline"),
])
def test_verdicts(old, new, verdict):
    assert compare.verdict(old, new) == verdict


def test_compare_rows_and_regressions(result):
    slower = scaled(result, 2.0, lambda c: c["target"] == "parallel")
    del slower["cells"][0]
    rows, only_old, only_new = compare.compare(result, slower)
    assert len(rows) == len(result["cells"]) - 1 and len(only_old) == 1 and only_new == []
    verdicts = {(r["target"], r["verdict"]) for r in rows}
    assert ("parallel", "slower") in verdicts and ("numpy-naive", "same") in verdicts
    parallel = [r for r in rows if r["target"] == "parallel"]
    assert all(r["ratio"] == pytest.approx(2.0) and r["change_pct"] == pytest.approx(100)
               for r in parallel)
    assert compare.regressions(rows, 50) == parallel
    assert compare.regressions(rows, 150) == []


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_compare_cli_same_files_exit_0(saved):
    outcome = invoke("bench", "compare", saved, saved, "--fail-above", 0)
    assert outcome.exit_code == 0, outcome.output
    assert f"{16} same" in outcome.output and "commit" in outcome.output


def test_compare_cli_fails_above_the_threshold(result, saved, tmp_path):
    new = tmp_path / "new.json"
    records.write_json(scaled(result, 1.5, lambda c: c["target"] == "cpu"), new)
    outcome = invoke("bench", "compare", saved, new, "--fail-above", 10)
    assert outcome.exit_code == 1
    assert "4 slower" in outcome.output and "4 cells slower by more than 10%" in outcome.output
    assert invoke("bench", "compare", saved, new, "--fail-above", 60).exit_code == 0
    assert invoke("bench", "compare", saved, new).exit_code == 0
    assert invoke("bench", "compare", new, saved, "--fail-above", 10).exit_code == 0  # faster


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


def test_table_cli_prints_and_rewrites_the_readme(saved, tmp_path):
    printed = invoke("bench", "table", saved)
    assert printed.exit_code == 0 and "| op | dtype | implementation |" in printed.output
    page = tmp_path / "README.md"
    page.write_text("intro\n<!-- bench-table:start -->\n<!-- bench-table:end -->\nend\n")
    assert invoke("bench", "table", saved, "--readme", page).exit_code == 0
    assert "| forward | float32 | cpu |" in page.read_text()
    page.write_text("no markers")
    outcome = invoke("bench", "table", saved, "--readme", page)
    assert outcome.exit_code == 2 and "bench-table:start" in outcome.output
