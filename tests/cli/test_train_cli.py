"""`elunumba train`: a shortened run of every experiment writes its result, figure and README
tables; the same tables again from the written result alone; one run per process gives the
records one process gives; bad input."""

import json
import shutil

import pytest
from cli_usage import assert_usage_error, hide_matplotlib
from click.testing import CliRunner
from elunumba_cli.main import cli
from helpers import ROOT

from elunumba.lab.train import readme, results, runner

pytest.importorskip("torch")
pytest.importorskip("sklearn")

BLOCK = f"# results\n\n{readme.MARKERS[0]}\nstale table\n{readme.MARKERS[1]}\n\nkept\n"


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("train")
    (folder / "README.md").write_text(BLOCK)
    arguments = ["train", "--quick", "--seeds", "2", "--json", str(folder / "train.json"),
                 "--plot", str(folder / "train.png"), "--readme", str(folder / "README.md")]
    result = CliRunner().invoke(cli, arguments)
    return folder, result


def test_shortened_run_writes_result_figure_and_tables(quick_run):
    folder, result = quick_run
    assert result.exit_code == 0, result.output
    written = json.loads((folder / "train.json").read_text())
    assert written["command"][:2] == ["elunumba", "train"] and "--quick" in written["command"]
    assert written["seconds"] > 0 and written["cpu_seconds"] > 0
    assert written["machine"]["line"] and written["machine"]["cores"] >= 1
    assert set(written["experiments"]) == {"spirals", "digits", "depth"}
    spirals = written["experiments"]["spirals"]
    assert len(spirals["runs"]) == 4 * 2 * 2 * 2  # activations x LayerNorm x inits x seeds
    assert {(r["init"], r["layernorm"]) for r in spirals["summary"]} == \
        {(i, n) for i in ("gain", "torch") for n in (False, True)}
    digits = written["experiments"]["digits"]
    assert len(digits["runs"]) == 5 * 2 * 2
    for run in spirals["runs"] + digits["runs"]:
        assert 1 <= run["epochs"] == len(run["loss"]) == len(run["dead_fraction"])
        assert len(run["mean_activation"][0]) == len(run["mean_activation_at_init"]) in (2, 3)
    depth = written["experiments"]["depth"]["summary"]
    assert len(depth["selu_gain"]["measured"]["variance"]) == 6
    assert (folder / "train.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = (folder / "README.md").read_text()
    assert text.startswith("# results\n") and text.endswith("\n\nkept\n")
    assert "stale table" not in text
    assert "| gain | off | ELU | " in text and "| torch | ELU (elunumba) | " in text
    assert "ELU (elunumba) − ELU (torch)" in text and "SELU, gain init (1)" in text
    assert "ELU (elunumba)" in result.output and "ReLU" in result.output


def test_progress_and_messages_go_to_stderr_and_stdout_holds_the_results(quick_run):
    """As bench does: piped, stdout holds only the tables and the closing line."""
    folder, result = quick_run
    assert "runs, last" in result.stderr and "runs, last" not in result.stdout
    assert f"wrote {folder / 'train.json'}" in result.stderr
    assert "wrote" not in result.stdout and "rewrote" not in result.stdout
    assert "ELU (elunumba)" in result.stdout and " s of CPU, on " in result.stdout


def test_tables_and_figure_regenerate_from_the_result_alone(quick_run, tmp_path):
    folder, _ = quick_run
    (tmp_path / "README.md").write_text(BLOCK)
    result = CliRunner().invoke(cli, ["train", "--from", str(folder / "train.json"), "--readme",
                                      str(tmp_path / "README.md"), "--plot",
                                      str(tmp_path / "again.svg")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "README.md").read_text() == (folder / "README.md").read_text()
    assert (tmp_path / "again.svg").read_bytes().startswith(b"<?xml")


def test_results_rebuild_exactly_from_their_json(quick_run):
    folder, _ = quick_run
    written = json.loads((folder / "train.json").read_text())
    settings, records = results.from_json(written)
    assert results.assemble(settings, records) == written["experiments"]


def test_runs_in_a_pool_of_processes_give_the_records_of_one_process():
    settings = results.designs(2, quick=True)
    settings = {"spirals": settings["spirals"], "depth": settings["depth"]}
    tasks = runner.task_list(settings)[::5]
    alone = runner.run_all(settings, tasks, jobs=1)
    pooled = runner.run_all(settings, tasks, jobs=2)
    timing = ("seconds", "cpu_seconds", "seconds_to_target", "cpu_seconds_to_target")
    for a, b in zip(alone, pooled):
        assert {k: v for k, v in a.items() if k not in timing} == \
            {k: v for k, v in b.items() if k not in timing}


@pytest.mark.parametrize("arguments, message", [
    (["--seeds", "1"], "--seeds"),
    (["--jobs", "0"], "--jobs"),
    (["--experiments", "spirals,mnist"], "distinct names from spirals, digits, depth"),
    (["--experiments", "depth,depth"], "distinct names"),
    (["--json", "train.txt"], "unsupported file type '.txt'"),
    (["--plot", "missing/train.png"], "does not exist"),
    (["--readme", "notes.txt"], "'notes.txt' does not exist"),  # read and written back
    (["--readme", "README.md"], "README.md"),
    (["--from", "missing.json"], "missing.json"),
])
def test_bad_input_exits_2_before_training(tmp_path, monkeypatch, arguments, message):
    assert_usage_error(tmp_path, monkeypatch, ["train", *arguments], message)


def test_a_readme_without_the_markers_is_refused_untouched(tmp_path, monkeypatch):
    path = tmp_path / "README.md"
    path.write_text("# nothing to replace\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["train", "--readme", "README.md"])
    assert result.exit_code == 2
    assert "expected one <!-- train-results:start -->" in result.output
    assert path.read_text() == "# nothing to replace\n" and len(list(tmp_path.iterdir())) == 1


def test_from_a_file_that_is_not_a_result(tmp_path, monkeypatch):
    (tmp_path / "other.json").write_text('{"records": []}')
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["train", "--from", "other.json"])
    assert result.exit_code == 2
    assert "other.json: not a result of elunumba train" in result.output


def test_from_with_quick_is_a_usage_error(quick_run, tmp_path, monkeypatch):
    folder, _ = quick_run
    shutil.copy(folder / "train.json", tmp_path / "train.json")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["train", "--from", "train.json", "--quick"])
    assert result.exit_code == 2 and "--from reads a result and trains nothing" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["train.json"]


def test_a_result_rewritten_from_itself_is_the_same_file(quick_run, tmp_path):
    folder, _ = quick_run
    again = tmp_path / "again.json"
    result = CliRunner().invoke(cli, ["train", "--from", str(folder / "train.json"), "--json",
                                      str(again)])
    assert result.exit_code == 0, result.output
    assert again.read_text() == (folder / "train.json").read_text()
    # one line per run
    lines = again.read_text().splitlines()
    assert sum(line.lstrip().startswith('{"experiment":') for line in lines) == 32 + 20 + 4 * 2


def test_plot_without_matplotlib_is_a_clear_error(tmp_path, monkeypatch):
    hide_matplotlib(monkeypatch)
    result = CliRunner().invoke(cli, ["train", "--plot", str(tmp_path / "train.png")])
    assert result.exit_code == 1
    assert "--plot needs matplotlib" in result.output
    assert list(tmp_path.iterdir()) == []


def test_digits_without_scikit_learn_is_a_clear_error(tmp_path, monkeypatch):
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "sklearn" else real_find_spec(name, *a))
    result = CliRunner().invoke(cli, ["train", "--experiments", "digits", "--json",
                                      str(tmp_path / "train.json")])
    assert result.exit_code == 1
    assert "the digits experiment needs sklearn: pip install 'elunumba[train]'" in result.output
    assert list(tmp_path.iterdir()) == []


def test_interrupted_run_exits_130_and_writes_nothing(tmp_path, monkeypatch):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "run_all", interrupt)
    result = CliRunner().invoke(cli, ["train", "--quick", "--json", str(tmp_path / "t.json")])
    assert result.exit_code == 130 and "interrupted: nothing written" in result.output
    assert list(tmp_path.iterdir()) == []


def test_the_committed_result_is_the_full_design():
    """bench_results/experiments/train.json comes from the full design, not --quick, the
    experiments page's tables are the ones it generates, and its summaries the ones its runs
    give."""
    written = json.loads((ROOT / "bench_results" / "experiments" / "train.json").read_text())
    assert not written["quick"] and "--quick" not in written["command"]
    assert all(len(entry["settings"]["seeds"]) >= 10 for entry in written["experiments"].values())
    page = (ROOT / "docs" / "experiments.md").read_text()
    assert readme.rewrite(page, written) == page
    # and its summaries are what this code computes from its runs
    assert results.assemble(*results.from_json(written)) == written["experiments"]
