"""`elunumba accuracy` and `elunumba check` on bad input: exit 2 with a message naming what was
wrong, before anything is measured and without a traceback; Ctrl-C exits 130; outputs are
written whole or not at all."""

import json
import sys
import tracemalloc

import click
import numpy as np
import pytest
from click.testing import CliRunner
from helpers import ROOT

from elunumba.lab.accuracy import exhaustive, gate, plot, reference, report, variants
from elunumba_cli import accuracy as accuracy_cli
from elunumba_cli.main import cli


@pytest.fixture
def nothing_measured(monkeypatch):
    """Fail the test if any measuring starts: usage errors must come first."""
    def refuse(*args, **kwargs):
        raise AssertionError("measured before the arguments were checked")

    monkeypatch.setattr(report, "measure", refuse)
    monkeypatch.setattr(exhaustive, "run", refuse)
    monkeypatch.setattr(gate, "measure", refuse)


def invoke(arguments):
    result = CliRunner().invoke(cli, arguments)
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, AssertionError), result.exception
    return result


def usage_error(arguments, message):
    result = invoke(arguments)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split()), result.output
    return result


@pytest.mark.parametrize("alpha", ["nan", "inf", "-inf", "-1", "1e300"])
def test_alpha_out_of_range_is_a_usage_error(nothing_measured, alpha):
    usage_error(["accuracy", "--alpha", alpha], "use a finite number from 0 to")


def test_alpha_must_fit_every_chosen_dtype(nothing_measured):
    usage_error(["accuracy", "--dtypes", "float16", "--alpha", "1e5"], "from 0 to 65504")
    usage_error(["accuracy", "--exhaustive", "--alpha", "1e39"], "float32 can hold")


@pytest.mark.parametrize("command", [["accuracy"], ["check"], ["accuracy", "--exhaustive",
                                                               "--stop", "16"]])
def test_json_into_a_missing_folder_is_refused_first(nothing_measured, tmp_path, command):
    usage_error([*command, "--json", str(tmp_path / "missing" / "out.json")],
                "does not exist")


def test_json_onto_a_folder_is_refused(nothing_measured, tmp_path):
    usage_error(["accuracy", "--json", str(tmp_path)], "is a folder")


@pytest.mark.parametrize("name, message", [("missing/plot.png", "does not exist"),
                                           ("plot.jpg", "use one of .png, .svg, .pdf"),
                                           ("plot", "unsupported file type '(none)'")])
def test_bad_plot_paths_are_refused_first(nothing_measured, tmp_path, name, message):
    usage_error(["accuracy", "--plot", str(tmp_path / name)], message)


def test_plot_without_matplotlib_is_refused_first(nothing_measured, monkeypatch, tmp_path):
    real = accuracy_cli.importlib.util.find_spec
    monkeypatch.setattr(accuracy_cli.importlib.util, "find_spec",
                        lambda name: None if name == "matplotlib" else real(name))
    usage_error(["accuracy", "--plot", str(tmp_path / "p.png")], "needs matplotlib")


@pytest.mark.parametrize("arguments, message", [
    (["--start", "0x80000000"], "add --exhaustive or leave them out"),
    (["--stop", "16"], "add --exhaustive or leave them out"),
    (["--selu", "--alpha", "2"], "--selu sets alpha"),
    (["--exhaustive", "--dtypes", "float64"], "--dtypes do not apply"),
    (["--exhaustive", "--selu"], "--selu do not apply"),
    (["--bands", "x < 0"], "'x < 0' is neither a band name (|x| < 1e-6,"),
    (["--bands", "0.4..0.3"], "use finite magnitudes with 0 < low < high"),
    (["--bands", ","], "choose from |x| < 1e-6"),
    (["--dtypes", ","], "choose from float16"),
])
def test_options_that_do_not_go_together(nothing_measured, arguments, message):
    usage_error(["accuracy", *arguments], message)


def test_per_band_beyond_memory_is_refused_first(nothing_measured, monkeypatch):
    monkeypatch.setattr(accuracy_cli, "memory_bytes", lambda: (2**30, 2**30))
    usage_error(["accuracy", "--per-band", "10000000"], "is available: use at most 3,579,139")


def test_memory_estimate_covers_the_measured_peak():
    measured = variants.all_variants(["cpu"])
    report.measure(measured, ["float64"], 100, 1.7)  # compile first (alpha 1.7 has its own
    # kernels): compiling is not the sample's memory
    per_band = 20_000
    tracemalloc.start()
    try:
        report.measure(measured, ["float64"], per_band, 1.7)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak / per_band <= accuracy_cli.BYTES_PER_INPUT


@pytest.mark.parametrize("text, message", [
    ("{not json", "Expecting property name"),
    ("[1, 2]", "the file: expected a JSON object ({...}), got list"),
    ('{"forward": 0.5}', "forward: expected a JSON object"),
    ('{"sideways": {}}', "unknown op 'sideways': use 'forward', 'backward'"),
    ('{"forward": {"float8": {}}}', "forward: unknown dtype 'float8'"),
    ('{"forward": {"float32": []}}', "forward float32: expected a JSON object"),
    ('{"forward": {"float32": {"cpu": "1"}}}', "must be a finite number of ULPs >= 0, not '1'"),
    ('{"forward": {"float32": {"cpu": NaN}}}', "not nan"),
    ('{"forward": {"float32": {"cpu": -1}}}', "not -1"),
    ('{"forward": {"float32": {"cpu": true}}}', "not True"),
    ('{"correctly rounded at least": []}', "correctly rounded at least: expected a JSON object"),
    ('{"correctly rounded at least": {"sideways": {}}}',
     "correctly rounded at least: unknown op 'sideways'"),
    ('{"correctly rounded at least": {"forward": {"float32": {"cpu": 1.5}}}}',
     "forward float32 cpu: the threshold must be a finite share of correctly rounded results "
     "from 0 to 1, not 1.5"),
])
def test_bad_thresholds_are_usage_errors(nothing_measured, tmp_path, text, message):
    thresholds = tmp_path / "t.json"
    thresholds.write_text(text)
    usage_error(["check", "--thresholds", str(thresholds)], message)


def test_missing_thresholds_file_is_a_usage_error(nothing_measured, tmp_path):
    usage_error(["check", "--thresholds", str(tmp_path / "none.json")], "cannot read")


def test_kept_thresholds_cover_every_gate_op():
    thresholds = gate.load_thresholds()
    for op in gate.OPS:
        for dtype in gate.GATE_DTYPES:
            assert {"cpu", "parallel", "correctly-rounded"} <= set(thresholds[op][dtype])


def test_ctrl_c_during_exhaustive_exits_130_and_reports_the_range(monkeypatch, tmp_path):
    real = reference.float32_forward_correctly_rounded
    calls = []

    def interrupt_on_second_chunk(x, alpha=1.0):
        calls.append(x.size)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(x, alpha)

    monkeypatch.setattr(exhaustive, "CHUNK", 2**12)
    monkeypatch.setattr(reference, "float32_forward_correctly_rounded", interrupt_on_second_chunk)
    out = tmp_path / "partial.json"
    result = invoke(["accuracy", "--exhaustive", "--start", "0xbf000000", "--stop",
                     "0xbf010000", "--json", str(out)])
    assert result.exit_code == 130
    assert "interrupted: covered 4,096 inputs (0xbf000000 to 0xbf000fff)" in result.output
    recorded = json.loads(out.read_text())
    assert recorded["interrupted"] and recorded["inputs_checked"] == 4096


def test_ctrl_c_during_the_report_exits_130_and_keeps_the_old_file(monkeypatch, tmp_path):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(report, "measure", interrupt)
    out = tmp_path / "report.json"
    out.write_text("kept")
    result = invoke(["accuracy", "--json", str(out)])
    assert result.exit_code == 130 and "interrupted" in result.output
    assert out.read_text() == "kept"


def test_failed_json_write_leaves_the_old_file(monkeypatch, tmp_path):
    out = tmp_path / "report.json"
    out.write_text("kept")
    monkeypatch.setattr("elunumba.lab.files.json.dump", _fail_halfway)
    with pytest.raises(click.ClickException, match=f"cannot write {out}: disk full"):
        accuracy_cli.write_json(out, {"a": 1})
    assert out.read_text() == "kept" and sorted(p.name for p in tmp_path.iterdir()) == [
        "report.json"]


def _fail_halfway(payload, file, **options):
    file.write("{half")
    raise OSError("disk full")


def test_selu_report_records_the_exact_constants(tmp_path):
    out = tmp_path / "selu.json"
    result = invoke(["accuracy", "--dtypes", "float64", "--selu", "--per-band", "300",
                     "--bands", "ln2/2..1", "--json", str(out)])
    assert result.exit_code == 0, result.output
    recorded = json.loads(out.read_text())
    assert (recorded["alpha"], recorded["scale"]) == (reference.SELU_ALPHA, reference.SELU_SCALE)
    assert recorded["command"] == ("elunumba accuracy --dtypes float64 --per-band 300 --bands "
                                   f"ln2/2..1 --selu --json {out}")
    assert recorded["machine"]["isa"] and recorded["machine"]["llvm_cpu"]
    assert {r["band"] for r in recorded["records"]} == {"ln2/2..1"}
    mine = [r for r in recorded["records"]
            if r["variant"] == "elunumba[cpu]" and r["quantity"] == "forward"]
    assert 0.5 < mine[0]["max_ulp"] < 3


def test_plot_follows_dtype_and_alpha(tmp_path):
    curves = plot.error_curves("float64", alpha=1.7, points=500)
    assert set(curves) == set(plot.PLOTTED)
    x, errors = curves["elunumba[parallel]"]
    assert x.dtype == np.float64 and errors.max() < 2
    assert curves["naive exp(x)-1"][1].max() > 1e6  # exp(x) - 1 cancels near 0
    assert "naive exp(x)-1" not in plot.error_curves("float16", points=100)
    out = tmp_path / "errors.png"
    result = invoke(["accuracy", "--dtypes", "float16,float64", "--alpha", "1.7",
                     "--per-band", "50", "--plot", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("value", ["nan", "inf", "-0.5"])
def test_max_ulp_must_be_finite_and_not_negative(nothing_measured, value):
    usage_error(["check", "--max-ulp", value], f"{float(value)!r} is not a finite number >= 0")


@pytest.fixture
def tiny_gate(monkeypatch):
    """The gate on 1,000 inputs per band: its output, not its figures, is under test. The
    thresholds' correctly rounded shares hold for the full sample only (a ratchet on its count
    of misrounded results), so they are left out here."""
    monkeypatch.setattr(gate, "PER_BAND", 1_000)
    load = gate.load_thresholds

    def without_shares(*args, **kwargs):
        thresholds = load(*args, **kwargs)
        thresholds.pop(gate.SHARE_KEY, None)
        return thresholds

    monkeypatch.setattr(gate, "load_thresholds", without_shares)


def test_check_piped_shows_a_line_a_step_and_counts_the_checks(tiny_gate, tmp_path):
    out = tmp_path / "gate.json"
    result = invoke(["check", "--json", str(out)])
    assert result.exit_code == 0, result.output
    steps = gate.steps()
    for number, (_, _, dtype, ops) in enumerate(steps, 1):
        assert f"[{number}/{len(steps)}] {dtype}: {', '.join(ops)} (" in result.stderr
    assert "against the package's thresholds.json" in " ".join(result.stderr.split())
    recorded = json.loads(out.read_text())
    total = gate.count(recorded["figures"])
    assert total == len(gate.OPS) * len(gate.GATE_DTYPES) * 3  # cpu, parallel, correctly-rounded
    assert result.stdout.splitlines()[-1] == (f"{total} checks: {total} passed, 0 failed: the "
                                              "accuracy gate passed")
    assert recorded["passed"] is True
    assert recorded["checks"] == {"total": total, "passed": total, "failed": 0}


def test_check_counts_the_failed_checks(tiny_gate, tmp_path):
    thresholds = gate.load_thresholds()
    thresholds["forward"]["float32"]["cpu"] = 0
    del thresholds["backward"]["float64"]["parallel"]
    path, out = tmp_path / "t.json", tmp_path / "gate.json"
    path.write_text(json.dumps(thresholds))
    result = invoke(["check", "--thresholds", str(path), "--json", str(out)])
    assert result.exit_code == 1, result.output
    fails = [line for line in result.stderr.splitlines() if line.startswith("FAIL ")]
    assert fails == ["FAIL " + line for line in json.loads(out.read_text())["violations"]]
    assert len(fails) == 2 and "no threshold" in fails[1]
    total = len(gate.OPS) * len(gate.GATE_DTYPES) * 3
    assert result.stdout.splitlines()[-1] == (f"{total} checks: {total - 2} passed, 2 failed: "
                                              "the accuracy gate failed")
    assert json.loads(out.read_text())["checks"] == {"total": total, "passed": total - 2,
                                                     "failed": 2}
    assert str(path) in " ".join(result.stderr.split())


def test_check_on_a_terminal_draws_a_bar_instead_of_lines():
    import io

    from rich.console import Console

    file = io.StringIO()
    terminal = Console(file=file, force_terminal=True, width=80)
    with accuracy_cli._gate_progress(terminal) as progress:
        progress(0, 9, "float16: forward, backward, grad from x")
        progress(4, 9, "float32: forward alpha=1.7")
        progress(9, 9, None)
    shown = file.getvalue()
    assert "float16: forward, backward, grad from x" in shown and "4/9" in shown
    assert "[1/9]" not in shown


def test_ctrl_c_during_check_exits_130_and_writes_nothing(monkeypatch, tmp_path):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(report, "measure", interrupt)
    out = tmp_path / "gate.json"
    result = invoke(["check", "--json", str(out)])
    assert result.exit_code == 130 and "interrupted: nothing checked" in result.stderr
    assert not out.exists()


def test_check_without_extended_precision_says_so_and_fails(nothing_measured, monkeypatch):
    """On ARM the references (80-bit long double) are missing: exit 1, never a traceback."""
    def missing():
        raise RuntimeError("the accuracy references need an 80-bit long double (x86-64)")

    monkeypatch.setattr(reference, "require_extended_precision", missing)
    result = invoke(["check"])
    assert result.exit_code == 1
    assert "cannot check here: the accuracy references need an 80-bit long double" in \
        result.output


def test_exhaustive_warns_on_stderr_how_long_it_will_take_before_it_starts(monkeypatch):
    """The estimate scales with the inputs asked for and the threads, and is said before the
    first input is checked."""
    said_before = []

    class Started(Exception):
        pass

    def record_and_stop(variants, start, stop, progress=None, alpha=1.0):
        sys.stderr.flush()
        said_before.append(sys.stderr.buffer.getvalue().decode())
        raise Started

    monkeypatch.setattr(exhaustive, "run", record_and_stop)
    monkeypatch.setattr(accuracy_cli.threads, "count", lambda: 2)
    result = invoke(["accuracy", "--exhaustive"])
    assert isinstance(result.exception, Started)
    (before,) = said_before
    text = " ".join(before.split())
    assert "checking 4,294,967,296 float32 inputs: about 2.8 hours on 2 threads (an estimate " \
           "from a recorded full run" in text
    assert result.stdout == ""
    said_before.clear()
    invoke(["accuracy", "--exhaustive", "--start", "0xbf000000", "--stop", "0xbf800000"])
    assert "checking 8,388,608 float32 inputs: about 20 seconds on 2 threads" in \
        " ".join(said_before[0].split())


def test_the_exhaustive_estimate_is_the_recorded_rate():
    recorded = json.loads((ROOT / "bench_results" / "accuracy" /
                           "accuracy-float32-exhaustive.json").read_text())
    assert recorded["complete"] and recorded["inputs_checked"] == 2**32
    rate = recorded["inputs_checked"] / recorded["seconds"] / 2  # two threads
    assert accuracy_cli.EXHAUSTIVE_INPUTS_PER_THREAD_S == pytest.approx(rate, rel=1e-3)
