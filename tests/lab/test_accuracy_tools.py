"""Band statistics, the correctly rounded float32 reference, the exhaustive driver and the gate."""

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import elunumba
from elunumba.lab import markdown
from elunumba.lab import peer_formulas
from elunumba.lab.accuracy import bands, doc_tables, exhaustive, gate, reference, ulp
from elunumba_cli.main import cli
from tools import accuracy_tables, merge_exhaustive


def test_statistics_on_known_answers():
    x = np.array([-1.0, -2.0, -3.0, -4.0], np.float32)
    exact = np.array([1.0, 2.0, 4.0, 8.0], np.longdouble)
    got = np.array([1.0, 2.0 + 2.0**-22, 4.0, 8.0 - 2.0**-20], np.float32)  # 0, 1, 0, 1 ULP
    stats = bands.statistics(x, got, exact, np.float32)
    assert stats["n"] == 4
    assert stats["max_ulp"] == 1.0
    assert stats["correctly_rounded"] == 0.5
    assert stats["max_abs"] == 2.0**-20
    assert stats["mean_abs"] == pytest.approx((2.0**-22 + 2.0**-20) / 4)
    assert stats["max_rel"] == pytest.approx(2.0**-23)
    assert stats["worst_input"] == -2.0  # the first of the two 1-ULP errors


def test_statistics_of_special_values():
    x = np.array([np.nan, np.inf, -np.inf], np.float32)
    exact = np.array([np.nan, np.inf, -1.0], np.longdouble)
    stats = bands.statistics(x, np.array([np.nan, np.inf, -1.0], np.float32), exact, np.float32)
    assert stats["max_ulp"] == 0 and stats["correctly_rounded"] == 1.0
    wrong = bands.statistics(x, np.array([1.0, np.inf, -1.0], np.float32), exact, np.float32)
    assert wrong["max_ulp"] == np.inf and wrong["worst_input"] != wrong["worst_input"]  # NaN in


def test_samples_cover_each_band_with_the_dtype():
    samples = bands.sample(np.dtype(np.float32), 1000)
    assert list(samples) == list(bands.BAND_NAMES)
    for (name, low, high) in bands.NEGATIVE_BANDS:
        magnitudes = -samples[name].astype(np.float64)
        assert samples[name].dtype == np.float32
        assert (magnitudes >= low * 0.999).all() and (magnitudes <= min(high, 3.5e38)).all()


def test_correctly_rounded_reference_fixes_near_midpoint_cases():
    # float32 inputs whose elu lies close to a rounding midpoint: the reference must agree with
    # extended precision everywhere, including those
    x = -np.linspace(1e-3, 17, 200_001).astype(np.float32)
    fast = reference.float32_forward_correctly_rounded(x)
    slow = reference.correctly_rounded(reference.elu_forward(x), np.float32)
    assert np.array_equal(fast, slow)


def test_exhaustive_driver_on_a_reduced_range():
    # [-0.5, -0.25) in float32 bits, every 16th pattern range piece: 2^20 inputs
    start = 0xBE800000
    checked = {"fast": (elunumba, "cpu"), "correct": (elunumba.correctly_rounded, "cpu")}
    result = exhaustive.run(checked, start, start + 2**20, chunk=2**18)
    assert result["inputs_checked"] == 2**20 and not result["interrupted"]
    assert result["range"] == ["0xbe800000", "0xbe8fffff"]
    rows = {(r["variant"], r["quantity"]): r for r in result["results"]}
    assert rows["correct", "forward"]["misrounded"] == 0
    assert rows["correct", "forward"]["ulp_histogram"]["0"] == 2**20
    fast = rows["fast", "forward"]
    assert 0 < fast["misrounded"] < 2**20 // 5  # the fast kernel is within 1 ULP, mostly exact
    assert fast["ulp_histogram"]["1"] == fast["misrounded"]
    assert 0.5 < fast["max_ulp"] < 1.0
    assert rows["fast", "grad from y"]["misrounded"] == 0
    from_x = rows["fast", "grad from x"]
    assert 0 < from_x["misrounded"] < 2**20 // 10 and from_x["max_ulp"] < 1.0
    assert rows["correct", "grad from x"]["misrounded"] == 0


@pytest.mark.parametrize("start", [0x7F7FFF00, 0xFF7FFF00], ids=["positive", "negative"])
def test_exhaustive_driver_over_the_largest_floats_infinities_and_nans(start):
    """The end of each half: the largest finite floats, the infinity, then signalling and quiet
    NaNs. The references see NaN and overflow there (and say nothing of it: warnings are errors
    here); the kernels give NaN for NaN, and 0 or 1 as the derivative."""
    stop = start + 0x100 + 2**22 + 0x100  # past the infinity, the signalling NaNs, quiet ones
    result = exhaustive.run({"fast": (elunumba, "cpu")}, start, stop, chunk=2**20)
    assert result["inputs_checked"] == stop - start
    assert {r["quantity"]: r["max_ulp"] for r in result["results"]} == {
        "forward": 0.5, "grad from y": 0.5, "grad from x": 0.5}


def test_exhaustive_driver_reports_an_interruption():
    calls = []

    def interrupt_after_first_chunk(count):
        calls.append(count)
        raise KeyboardInterrupt

    result = exhaustive.run({"fast": (elunumba, "cpu")}, 0, 2**16, chunk=2**12,
                            progress=interrupt_after_first_chunk)
    assert result["interrupted"] and result["inputs_checked"] == 2**12 and calls == [2**12]


@pytest.fixture
def small_gate(monkeypatch):
    monkeypatch.setattr(gate, "PER_BAND", 20_000)


def test_gate_passes_with_the_kept_thresholds(small_gate, tmp_path):
    out = tmp_path / "gate.json"
    result = CliRunner().invoke(cli, ["check", "--json", str(out)])
    assert result.exit_code == 0, result.output
    recorded = json.loads(out.read_text())
    assert recorded["violations"] == []
    assert recorded["figures"]["forward"]["float32"]["correctly-rounded"]["max_ulp"] <= 0.5


def test_gate_fails_with_an_impossible_threshold(small_gate):
    result = CliRunner().invoke(cli, ["check", "--max-ulp", "0.01"])
    assert result.exit_code == 1
    assert "forward float32 cpu: max error" in result.output


def test_gate_fails_below_a_share_of_correctly_rounded_results(small_gate, tmp_path):
    thresholds = gate.load_thresholds()
    shares = thresholds[gate.SHARE_KEY]
    shares["forward"]["float32"]["cpu"] = 1.0
    path = tmp_path / "t.json"
    path.write_text(json.dumps(thresholds))
    result = CliRunner().invoke(cli, ["check", "--thresholds", str(path)])
    assert result.exit_code == 1
    assert "forward float32 cpu: " in result.output
    assert "% correctly rounded, below 100.0000%" in result.output
    assert "forward float32 parallel" not in result.output


def test_gate_fails_with_the_naive_variant(small_gate):
    result = CliRunner().invoke(cli, ["check", "--implementation", "naive"])
    assert result.exit_code == 1
    assert "forward float32 parallel" in result.output


def test_gate_rejects_a_missing_threshold(small_gate, tmp_path):
    thresholds = tmp_path / "t.json"
    thresholds.write_text(json.dumps({"forward": {}, "backward": {}}))
    result = CliRunner().invoke(cli, ["check", "--thresholds", str(thresholds)])
    assert result.exit_code == 1 and "no threshold" in result.output


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["accuracy", "--dtypes", "float8"], "choose from float16, float32, float64"),
        (["accuracy", "--exhaustive", "--start", "zz"], "is not an integer"),
        (["accuracy", "--exhaustive", "--stop", str(2**33)], "outside 0..2^32"),
        (["accuracy", "--exhaustive", "--start", "10", "--stop", "5"], "greater than --start"),
        (["accuracy", "--per-band", "0"], "0 is not in the range"),
        (["check", "--max-ulp", "-1"], "-1"),
        (["check", "--implementation", "other"], "'elunumba', 'naive'"),
    ],
)
def test_bad_options_are_usage_errors(arguments, message):
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_accuracy_report_writes_json(tmp_path):
    out = tmp_path / "report.json"
    result = CliRunner().invoke(cli, ["accuracy", "--dtypes", "float32", "--per-band", "500",
                                      "--json", str(out)])
    assert result.exit_code == 0, result.output
    records = json.loads(out.read_text())["records"]
    naive = [r for r in records if r["variant"] == "naive exp(x)-1" and r["band"] == "|x| < 1e-6"
             and r["quantity"] == "forward"]
    assert naive[0]["max_rel"] >= 0.99  # exp(x) - 1 loses everything near zero
    mine = [r for r in records if r["variant"] == "elunumba[cpu]" and r["quantity"] == "forward"]
    assert max(r["max_ulp"] for r in mine) <= 1.0


def test_exhaustive_command_on_a_reduced_range(tmp_path):
    out = tmp_path / "ex.json"
    result = CliRunner().invoke(cli, ["accuracy", "--exhaustive", "--start", "0xbf000000",
                                      "--stop", "0xbf010000", "--json", str(out)])
    assert result.exit_code == 0, result.output
    recorded = json.loads(out.read_text())
    assert recorded["inputs_checked"] == 0x10000


def test_correctly_rounded_reference_with_alpha():
    x = -np.linspace(1e-3, 17, 200_001).astype(np.float32)
    fast = reference.float32_forward_correctly_rounded(x, 1.7)
    slow = reference.correctly_rounded(reference.elu_forward(x, 1.7), np.float32)
    assert np.array_equal(fast, slow)


def test_exhaustive_driver_with_alpha():
    start = 0xBEA00000  # x from -0.3125 down: around ln2/2, where the error peaks
    checked = {"fast": (elunumba, "cpu"), "correct": (elunumba.correctly_rounded, "cpu")}
    result = exhaustive.run(checked, start, start + 2**18, alpha=1.7)
    assert result["alpha"] == 1.7
    rows = {(r["variant"], r["quantity"]): r for r in result["results"]}
    assert rows["correct", "forward"]["misrounded"] == 0
    assert 0.5 < rows["fast", "forward"]["max_ulp"] < 1.5
    # float32's y + alpha adds alpha rounded to float32: no longer always correctly rounded
    assert rows["fast", "grad from y"]["misrounded"] > 0


def test_ulp_error_of_an_overflowing_reference():
    exact = np.array([np.finfo(np.float32).max * np.longdouble(1.05), 1.0], np.longdouble)
    errors = ulp.ulp_error(np.array([np.inf, 1.0], np.float32), exact, np.float32)
    assert errors.tolist() == [0.0, 0.0]
    assert ulp.ulp_error(np.float32(3e38), exact[:1], np.float32)[0] == np.inf


def test_custom_bands_sample_their_range_and_do_not_move_the_others():
    alone = bands.sample(np.dtype(np.float64), 1000, chosen=["ln2/2..1"])
    both = bands.sample(np.dtype(np.float64), 1000, chosen=["0.3..0.4", "ln2/2..1"])
    assert np.array_equal(alone["ln2/2..1"], both["ln2/2..1"])
    assert ((both["0.3..0.4"] <= -0.3) & (both["0.3..0.4"] >= -0.4)).all()
    with pytest.raises(ValueError, match="neither a band name"):
        bands.custom_band("0.3-0.4")


@pytest.mark.parametrize("text, message", [
    ("a <!-- s --> b", "found 1 and 0"),
    ("<!-- e --> <!-- s -->", "in the wrong order"),
    ("<!-- s --> <!-- s --> <!-- e -->", "found 2 and 1"),
])
def test_marker_blocks_must_be_whole(text, message):
    with pytest.raises(ValueError, match=message):
        markdown.replace_between(text, ("<!-- s -->", "<!-- e -->"), "new")


def test_marker_block_is_replaced():
    text = "head <!-- s -->old<!-- e --> tail"
    assert (markdown.replace_between(text, ("<!-- s -->", "<!-- e -->"), "new")
            == "head <!-- s -->\nnew\n<!-- e --> tail")


def test_rewrite_block_writes_the_page_or_leaves_it_untouched(tmp_path):
    markers = ("<!-- s -->", "<!-- e -->")
    page = tmp_path / "page.md"
    page.write_text("head\n<!-- s -->\nold\n<!-- e -->\ntail\n")
    markdown.rewrite_block(page, markers, "new")
    assert page.read_text() == "head\n<!-- s -->\nnew\n<!-- e -->\ntail\n"
    page.write_text("no markers\n")
    with pytest.raises(ValueError, match="expected one <!-- s -->"):
        markdown.rewrite_block(page, markers, "new")
    assert page.read_text() == "no markers\n"
    with pytest.raises(ValueError, match=".md"):
        markdown.rewrite_block(tmp_path / "page.txt", markers, "new")


def test_the_accuracy_page_is_generated_from_the_committed_runs():
    text = accuracy_tables.PAGE.read_text()
    assert doc_tables.rewrite(text, accuracy_tables.body(accuracy_tables.load)) == text


def test_the_accuracy_page_links_each_run_relative_to_the_page():
    page = Path(__file__).resolve().parents[2] / "docs" / "accuracy.md"
    assert (accuracy_tables.link("accuracy-report.json", page)
            == "../bench_results/accuracy/accuracy-report.json")


def test_peer_slope_keeps_the_dtype_and_applies_scale():
    y = np.array([-1.0, -0.25, 0.5], np.float32)
    slope = peer_formulas.slope_from_output(np, y, 1.7, 2.0)
    assert slope.dtype == np.float32
    assert slope.tolist() == pytest.approx([-1.0 + 3.4, -0.25 + 3.4, 2.0])


def test_merged_runs_give_what_one_run_over_their_ranges_gives():
    start = 0xBEB40000  # around x = -0.35, where the float32 forward misrounds most
    checked = {"fast": (elunumba, "cpu")}
    whole = exhaustive.run(checked, start, start + 3 * 2**14, chunk=2**12)
    parts = [exhaustive.run(checked, start + i * 2**14, start + (i + 1) * 2**14, chunk=2**12)
             for i in (2, 0, 1)]
    merged = exhaustive.merge(parts)
    assert merged["results"] == whole["results"]
    assert merged["range"] == whole["range"] and merged["inputs_checked"] == 3 * 2**14
    assert not merged["complete"]
    assert any(row["misrounded"] for row in merged["results"])  # the max was carried over
    with pytest.raises(ValueError, match="not adjacent: 0xbeb43fff is followed by 0xbeb48000"):
        exhaustive.merge(parts[:2])
    with pytest.raises(ValueError, match="differ in alpha"):
        exhaustive.merge([parts[1], {**parts[2], "alpha": 1.7}])
    with pytest.raises(ValueError, match="was interrupted"):
        exhaustive.merge([{**parts[1], "interrupted": True}, parts[2]])


def test_merge_tool_writes_the_commands_and_refuses_bad_runs(tmp_path, capsys):
    tool = merge_exhaustive
    checked = {"fast": (elunumba, "cpu")}
    names = []
    for i, (low, high) in enumerate(((0xBF000000, 0xBF001000), (0xBF001000, 0xBF002000))):
        run = {"command": f"elunumba accuracy --json part{i}.json --exhaustive",
               "machine": {"vector_isa": "test"}, **exhaustive.run(checked, low, high)}
        names.append(tmp_path / f"part{i}.json")
        names[-1].write_text(json.dumps(run))
    out = tmp_path / "all.json"
    tool.main([str(out), *map(str, reversed(names))])
    written = json.loads(out.read_text())
    assert written["commands"] == [f"elunumba accuracy --json part{i}.json --exhaustive"
                                   for i in (0, 1)]
    assert written["range"] == ["0xbf000000", "0xbf001fff"]
    assert "--json" not in doc_tables._command(written)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({**json.loads(names[1].read_text()), "machine": {}}))
    with pytest.raises(SystemExit) as stop:
        tool.main([str(tmp_path / "again.json"), str(names[0]), str(other)])
    assert stop.value.code == 2
    assert "different machines" in capsys.readouterr().err
    assert not (tmp_path / "again.json").exists()
    with pytest.raises(SystemExit) as stop:
        tool.main([str(out)])
    assert stop.value.code == 2
