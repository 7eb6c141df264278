"""`elunumba bench`: the sweep's command line, its outputs, bad input, Ctrl-C and --quick."""

import json
import os
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from elunumba.lab.bench import impls, plot, sweep
from elunumba_cli.main import cli

TINY = ("--sizes", "256", "--dtypes", "float32", "--ops", "forward", "--targets", "cpu,parallel",
        "--peers", "numpy-naive", "--repeats", "2", "--budget", "0")
NO_CUDA = (False, "target 'cuda' cannot run here: no GPU in this test", False)


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def no_cuda(monkeypatch):
    monkeypatch.setattr(impls, "cuda_status", lambda: NO_CUDA)


def test_tiny_sweep_writes_every_output(tmp_path):
    paths = {kind: tmp_path / f"out.{ext}" for kind, ext in
             (("--json", "json"), ("--csv", "csv"), ("--markdown", "md"), ("--plot", "png"))}
    outcome = invoke("bench", *TINY, "--goals",
                     *(x for kind, path in paths.items() for x in (kind, path)))
    assert outcome.exit_code == 0, outcome.output
    for header in ("forward float32", "name", "of copy", "× best peer",
                   "Summary: the speed goals", "small call", "Goals set for AVX-512",
                   "kernels compiled for", "NumPy SIMD"):
        assert header in outcome.output
    assert all(path.stat().st_size > 0 for path in paths.values())
    result = json.loads(paths["--json"].read_text())
    assert [c["target"] for c in result["cells"]] == ["cpu", "parallel", "numpy-naive"]
    assert result["settings"]["repeats"] == 2 and result["settings"]["budget_s"] == 0


@pytest.mark.parametrize("args, words", [
    (("--dtypes", "float8"), "unknown dtype float8: choose from float16, float32, float64"),
    (("--dtypes", ""), "unknown dtype (none)"),
    (("--ops", "forward,sideways"), "unknown op sideways: choose from forward, backward, fused"),
    (("--targets", "gpu"), "unknown target gpu: choose from cpu, parallel, cuda"),
    (("--peers", "jax"), "unknown peer jax: choose from numpy-naive"),
    (("--sizes", "2^10:x"), "Invalid value for '--sizes': malformed size 'x'"),
    (("--sizes", "1.5"), "not a whole number"),
    (("--sizes", "2^10:2^12:y"), "malformed step"),
    (("--sizes", "2^40"), "needs about"),
    (("--repeats", "0"), "Invalid value for '--repeats'"),
    (("--budget", "-1"), "'--budget': -1.0 is not a finite number >= 0"),
    (("--targets", "cuda"), "no GPU in this test"),
    (("--peers", "cupy"), "peer 'cupy' cannot run here"),
    (("--json", "/nonexistent/folder/out.json"), "folder /nonexistent/folder does not exist"),
    (("--budget", "nan"), "'--budget': nan is not a finite number >= 0"),
    (("--budget", "inf"), "'--budget': inf is not a finite number >= 0"),
    (("--alpha", "-1"), "'--alpha': -1.0 is not a finite number >= 0"),
    (("--alpha", "nan"), "'--alpha': nan is not a finite number >= 0"),
    (("--threads", "0"), "Invalid value for '--threads'"),
    (("--threads", "100000"), "Invalid value for '--threads'"),
    (("--plot", "out.gif"), "unsupported file type '.gif'; use one of .png, .svg, .pdf"),
    (("--plot", "out"), "unsupported file type '(none)'"),
    (("--plot", "/tmp"), "/tmp is a folder; give a file name"),
    (("--csv", "/tmp"), "/tmp is a folder"),
    (("--unknown-option",), "No such option"),
    (("--rounds", "0"), "Invalid value for '--rounds'"),
    (("--rounds", "8", "--repeats", "7"), "--rounds 8 is more than the 7 samples a cell takes"),
    (("--quick", "--rounds", "22"), "--rounds 22 is more than the 21 samples"),
])
def test_bad_input_is_a_usage_error(no_cuda, args, words):
    outcome = invoke("bench", *args)
    assert outcome.exit_code == 2, outcome.output
    assert words in " ".join(outcome.output.split())
    assert "Traceback" not in outcome.output


def test_plot_without_matplotlib_is_refused_before_sweeping(monkeypatch, tmp_path):
    monkeypatch.setattr(plot.importlib.util, "find_spec", lambda name: None)
    monkeypatch.setattr(sweep, "Runner", None)  # would fail if the sweep started
    outcome = invoke("bench", *TINY, "--plot", tmp_path / "p.png")
    assert outcome.exit_code == 2 and "pip install 'elunumba[plot]'" in outcome.output


def test_sweep_options_and_subcommands_coexist(tmp_path):
    helped = invoke("bench", "--help")
    assert helped.exit_code == 0
    assert "compare" in helped.output and "table" in helped.output and "--sizes" in helped.output
    mixed = invoke("bench", "--sizes", "1024", "--quick", "compare", "a.json", "b.json")
    assert mixed.exit_code == 2
    assert "--sizes, --quick belong to the sweep, not to 'bench compare'" in mixed.output
    assert invoke("bench", "compare", "--help").exit_code == 0
    assert invoke("bench", "nonsense").exit_code == 2


def test_a_failed_cell_is_shown_and_the_sweep_goes_on(monkeypatch, tmp_path):
    def out_of_memory(op, data, device):
        raise MemoryError("cannot allocate [pretend]")

    monkeypatch.setitem(impls.TARGETS, "cpu", impls.Impl("cpu", "target", ("host",),
                                                         out_of_memory))
    out = tmp_path / "r.json"
    outcome = invoke("bench", *TINY, "--json", out)
    assert outcome.exit_code == 0, outcome.output
    assert "failed: forward float32 2^8 cpu: MemoryError: cannot allocate [pretend]" in \
        outcome.output
    cells = json.loads(out.read_text())["cells"]
    assert [c["status"] for c in cells] == ["failed", "ok", "ok"]
    assert cells[0]["reason"] == "MemoryError: cannot allocate [pretend]"


def test_ctrl_c_keeps_and_writes_what_was_measured(monkeypatch, tmp_path):
    real_run = sweep.Runner.run
    calls = []

    def run_then_interrupt(self, step):
        calls.append(step)
        if len(calls) == 3:  # copy baseline and group of 2^8, then Ctrl-C in the next copy
            raise KeyboardInterrupt
        return real_run(self, step)

    monkeypatch.setattr(sweep.Runner, "run", run_then_interrupt)
    paths = [tmp_path / "r.json", tmp_path / "r.md"]
    outcome = invoke("bench", *TINY, "--sizes", "256,512", "--json", paths[0], "--markdown",
                     paths[1])
    assert outcome.exit_code == 130
    assert "interrupted" in outcome.output
    result = json.loads(paths[0].read_text())
    assert result["interrupted"] is True
    assert [(c["target"], c["size"]) for c in result["cells"]] == [
        ("cpu", 256), ("parallel", 256), ("numpy-naive", 256)]
    assert "**interrupted**" in paths[1].read_text()


def test_quick_runs_the_reduced_sweep(tmp_path):
    """Its axes and rounds; one sample a round rather than three keeps this test short."""
    out = tmp_path / "quick.json"
    outcome = invoke("bench", "--quick", "--repeats", "7", "--json", out)
    assert outcome.exit_code == 0, outcome.output
    result = json.loads(out.read_text())
    settings = result["settings"]
    assert settings["sizes"] == [2**12, 2**18, 2**22] and settings["dtypes"] == ["float32"]
    assert settings["ops"] == ["forward", "backward", "fused", "grad"]
    assert settings["targets"] == ["cpu", "parallel", "auto-alloc"]
    assert settings["peers"][:2] == ["numpy-naive", "numpy-expm1"]
    assert {c["status"] for c in result["cells"]} == {"ok"}
    assert settings["rounds"] == 7 and "7 rounds through them all" in outcome.output
    assert all(c["sample_rounds"] == list(range(7)) for c in result["cells"])
    entries = {e["name"]: e for e in result["summary"]["entries"]}
    assert entries["float32 forward, parallel: fraction of copy"]["size"] == 2**22


def test_quick_options_can_be_overridden(monkeypatch):
    seen = {}

    def fake_plan(sizes, dtypes, ops, targets, peers, **options):
        seen.update(sizes=sizes, dtypes=dtypes, targets=targets, peers=peers, **options)
        raise sweep.BenchInputError("stop here")

    monkeypatch.setattr(sweep, "make_plan", fake_plan)
    assert invoke("bench", "--quick", "--dtypes", "float64", "--repeats", "2").exit_code == 2
    assert seen["dtypes"] == ["float64"] and seen["sizes"] == [2**12, 2**18, 2**22]
    assert seen["targets"] == ["cpu", "parallel", "auto-alloc"]
    assert seen["peers"] == ["numpy-naive", "numpy-expm1", "torch"]
    assert seen["strict_peers"] is False  # a missing torch is skipped, not an error
    assert seen["settings"].repeats == 2 and seen["settings"].min_repeats == 2
    assert seen["settings"].rounds == 2  # never more rounds than samples
    invoke("bench", "--quick")
    assert seen["settings"] == sweep.timing.QUICK
    invoke("bench", "--rounds", "4")
    assert seen["settings"].rounds == 4 and seen["settings"].repeats == 20
    invoke("bench", "--quick", "--dtypes", "all", "--targets", "all", "--peers", "none")
    assert seen["dtypes"] == ["float16", "float32", "float64"]
    assert seen["targets"] is None  # every target available here
    assert seen["peers"] == [] and seen["strict_peers"] is True


def test_cuda_paths_run_in_the_simulator(tmp_path):
    """The CUDA target's code (events, L2 flush, device copy, transfers, GPU environment) runs
    end to end under NUMBA_ENABLE_CUDASIM=1; its timings are meaningless there."""
    out = tmp_path / "sim.json"
    code = "from elunumba_cli.main import cli; cli()"
    args = ["bench", "--targets", "cuda", "--sizes", "32", "--dtypes", "float32", "--ops",
            "forward", "--peers", "numpy-naive", "--repeats", "1", "--budget", "0",
            "--json", str(out)]
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "with NumPy arrays in and out (transfers included)" in " ".join(done.stdout.split())
    result = json.loads(out.read_text())
    cuda_cell, = [c for c in result["cells"] if c["target"] == "cuda"]
    assert cuda_cell["device"] == "cuda"
    assert cuda_cell["status"] == "ok" and cuda_cell["with_transfers_s"] > 0
    assert result["environment"]["gpu"]["name"] == "the Numba CUDA simulator"
    assert {c["device"] for c in result["copies"]} == {"host", "cuda"}


def test_bad_output_paths_are_refused_before_anything_is_measured(monkeypatch, tmp_path):
    measured = []
    monkeypatch.setattr(sweep.Runner, "run", lambda self, step: measured.append(step))
    kept = tmp_path / "kept.json"
    kept.write_text("{}")
    kept.chmod(0o444)
    for args in (("--plot", tmp_path / "p.bmp"), ("--json", kept),
                 ("--markdown", tmp_path / "missing" / "r.md")):
        outcome = invoke("bench", *TINY, *args)
        assert outcome.exit_code == 2 and "Traceback" not in outcome.output
    assert measured == [] and kept.read_text() == "{}"


def test_a_failed_write_leaves_the_old_file_whole(monkeypatch, tmp_path):
    out = tmp_path / "r.json"
    out.write_text("the old results")

    def broken_dump(*args, **kwargs):
        raise OSError("disk full [pretend]")

    monkeypatch.setattr("elunumba.lab.files.json.dump", broken_dump)
    outcome = invoke("bench", *TINY, "--json", out)
    assert outcome.exit_code == 1 and "cannot write" in outcome.output
    assert out.read_text() == "the old results"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]  # no temporary file left


def test_every_cell_failing_exits_1(monkeypatch, tmp_path):
    def out_of_memory(op, data, device):
        raise MemoryError("cannot allocate [pretend]")

    for name in ("cpu", "parallel"):
        monkeypatch.setitem(impls.TARGETS, name, impls.Impl(name, "target", ("host",),
                                                            out_of_memory))
    monkeypatch.setitem(impls.PEERS, "numpy-naive",
                        impls.Impl("numpy-naive", "peer", ("host",), out_of_memory))
    out = tmp_path / "r.json"
    outcome = invoke("bench", *TINY, "--json", out)
    assert outcome.exit_code == 1, outcome.output
    assert "every one of the 3 cells failed" in outcome.output and out.exists()


def test_alpha_and_threads_reach_the_sweep(tmp_path):
    import numba

    before = numba.get_num_threads()
    out = tmp_path / "r.json"
    try:
        outcome = invoke("bench", *TINY, "--alpha", "1.7", "--threads", "1", "--json", out,
                     "--goals")
        threads = numba.get_num_threads()
    finally:
        numba.set_num_threads(before)
    assert outcome.exit_code == 0, outcome.output
    result = json.loads(out.read_text())
    assert result["settings"]["alpha"] == 1.7 and threads == 1
    assert result["environment"]["numba_threads"] == 1
    assert "alpha 1.7, the goal is for alpha 1" in outcome.output
    assert {c["status"] for c in result["cells"]} == {"ok"}


def test_a_failed_copy_baseline_is_said(tmp_path, monkeypatch):
    """The cells are still measured, but without their fraction of copy, which `bench compare`
    needs: the run says so instead of dropping the baseline silently."""
    from elunumba.lab.bench import copy

    def broken(device, total_bytes, settings):
        raise OSError("pretend the copy failed")

    monkeypatch.setattr(copy, "measure", broken)
    out = tmp_path / "r.json"
    outcome = invoke("bench", *TINY, "--json", out)
    assert outcome.exit_code == 0, outcome.output
    text = " ".join(outcome.output.split())
    assert ("failed: the copy baseline of 2048 bytes on host: OSError: pretend the copy failed; "
            "its cells have no fraction of copy, and `bench compare` cannot test them") in text
    assert not any(c.get("copy_samples_s") for c in json.loads(out.read_text())["cells"])


USERS_RUN = ("--sizes", "256,2^16", "--dtypes", "float32", "--ops", "forward", "--targets",
             "cpu,parallel,auto-alloc", "--peers", "numpy-naive,numpy-expm1", "--repeats", "2",
             "--budget", "0")


def stdout_lines(outcome):
    return outcome.stdout.splitlines()


def test_the_default_output_fits_80_columns_and_keeps_each_row_on_one_line(no_cuda):
    outcome = CliRunner().invoke(cli, ["bench", *USERS_RUN], env={"COLUMNS": "80"})
    assert outcome.exit_code == 0, outcome.output
    lines = stdout_lines(outcome)
    assert max(len(line) for line in lines) <= 80, max(lines, key=len)
    for size in ("2^8", "2^16"):
        for name in ("cpu", "parallel", "auto-alloc", "numpy-naive", "numpy-expm1"):
            row = [line for line in lines if line.split()[:2] == [size, name]]
            assert len(row) == 1 and "×" in row[0] and "%" in row[0], (size, name, lines)


def test_the_goals_table_is_for_maintainers_only(no_cuda):
    default = invoke("bench", *TINY)
    assert default.exit_code == 0, default.output
    assert "speed goals" not in default.stdout and "small call" not in default.stdout
    asked = invoke("bench", *TINY, "--goals")
    assert "Summary: the speed goals" in asked.stdout and "small call" in asked.stdout


def test_the_output_ends_with_plain_sentences_about_this_machine(no_cuda, tmp_path):
    out = tmp_path / "r.json"
    outcome = CliRunner().invoke(cli, ["bench", *USERS_RUN, "--json", str(out)],
                                 env={"COLUMNS": "80"})
    assert outcome.exit_code == 0, outcome.output
    last = outcome.stdout.strip().split("\n\n")[-1]
    said = " ".join(last.split())
    result = json.loads(out.read_text())
    assert said.startswith("On this machine (")
    assert result["environment"]["machine"]["isa"] in said
    assert "at 2^16 float32 elements, y = elunumba.elu(x) took" in said
    assert "as fast as NumPy's expm1 formula" in said
    assert "Writing into a preallocated array instead (elunumba.elu(x, out=y, " \
           "target='parallel'))" in said
    assert re.search(r"faster than NumPy's expm1 formula at every size measured \(2\^8 to "
                     r"2\^16 elements\)|NumPy's expm1 formula was faster (at|than)", said)


def test_unstable_cells_are_marked_and_warned_about(no_cuda, monkeypatch):
    """Every cell made unstable: a sample in four takes five times as long."""
    real = sweep.timing.Timing.stats

    def shaky(self):
        samples = [s * (5 if i % 4 == 0 else 1) for i, s in enumerate(self.samples)]
        return real(sweep.timing.Timing(tuple(samples), self.calls_per_sample))

    monkeypatch.setattr(sweep.timing.Timing, "stats", shaky)
    outcome = CliRunner().invoke(cli, ["bench", *TINY, "--repeats", "8"], env={"COLUMNS": "80"})
    assert outcome.exit_code == 0, outcome.output
    said = " ".join(outcome.stdout.split())
    assert "WARNING: 3 of 3 cells may be unstable" in said
    assert "is 10% or more; the widest is ±" in said
    rows = [line for line in stdout_lines(outcome) if line.split()[:1] == ["2^8"]]
    assert len(rows) == 3 and all("%!" in row for row in rows)


def test_steady_cells_bring_no_warning(no_cuda, monkeypatch):
    real = sweep.timing.Timing.stats

    def steady(self):
        return real(sweep.timing.Timing((self.samples[0],) * len(self.samples),
                                        self.calls_per_sample))

    monkeypatch.setattr(sweep.timing.Timing, "stats", steady)
    outcome = invoke("bench", *TINY)
    assert outcome.exit_code == 0, outcome.output
    assert "WARNING" not in outcome.output and "%!" not in outcome.output
