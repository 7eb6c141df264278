"""Every command against hostile files, found by walking the command tree: each output it
writes against paths that must not be replaced (devices, FIFOs, links, folders, read-only
files, one file named twice), and each file it reads against schema-valid files whose values
lie (zero, negative or non-finite times, huge counts, deep nesting).

Parameters are found by their markers (cli/outfiles.py: an output's callback is an OutputPath,
a file read has an InputFile type), so the next command that writes or reads a file is tested
here without a line added. Every refusal happens while click parses, before anything is
measured: each case takes milliseconds.
"""

import copy
import itertools
import json
import os
import stat
import threading

import click
import pytest
from cli_usage import (
    command_words,
    device_node,
    every_command,
    unmarked_file_parameters,
    valid_file,
    valid_results,
    valid_thresholds,
)
from click.testing import CliRunner
from elunumba_cli.main import cli
from elunumba_cli.outfiles import InputFile, file_parameters, output_path

from elunumba.lab.bench import sweep

COMMANDS = list(every_command())
WRITERS = [(words, command, param) for words, command in COMMANDS
           for param in file_parameters(command)[0]]
READERS = [(words, command, param) for words, command in COMMANDS
           for param in file_parameters(command)[1]]


def case_id(case):
    words, _, param = case
    return f"{' '.join(words)} {param.opts[0]}"


def run(words, args):
    return CliRunner().invoke(cli, [*words, *map(str, args)])


def refused(outcome, *fragments):
    text = " ".join(outcome.output.split())
    assert outcome.exit_code == 2, outcome.output
    assert "Traceback" not in outcome.output
    for fragment in fragments:
        assert fragment in text, (fragment, outcome.output)


def snapshot(folder):
    return {path: (path.read_bytes() if path.is_file() and not path.is_symlink() else None)
            for path in sorted(folder.rglob("*"))}


def suffix(param):
    marker = param.callback
    return ".md" if marker.rewrite else (marker.suffixes or (".out",))[0]


def test_the_walk_finds_every_command_that_reads_or_writes_files():
    """Guards the walk itself: the writers and readers known today are all found."""
    writers = {(" ".join(words), param.name) for words, _, param in WRITERS}
    assert writers >= {
        ("bench", "json_path"), ("bench", "csv_path"), ("bench", "markdown_path"),
        ("bench", "plot_path"), ("bench dask", "json_path"), ("bench table", "page"),
        ("accuracy", "json_path"), ("accuracy", "plot_path"), ("check", "json_path"),
        ("plot", "figure_path"), ("plot", "json_path"), ("plot", "html_path"),
        ("stats", "json_path"), ("train", "json_path"), ("train", "plot_path")}
    readers = {(" ".join(words), param.name) for words, _, param in READERS}
    assert readers >= {("bench compare", "old"), ("bench compare", "new"),
                       ("bench table", "results"), ("check", "thresholds")}


@pytest.mark.parametrize("words, command", COMMANDS, ids=[" ".join(w) for w, _ in COMMANDS])
def test_every_file_parameter_carries_its_marker(words, command):
    """An option named like a file, or typed as a path, is an output or an input file: else the
    tests below would not see it."""
    assert unmarked_file_parameters(command) == [], \
        f"{' '.join(words)}: use callback=output_path(...) or type=InputFile(kind)"


def test_a_command_added_later_is_covered_by_construction():
    """What the walk and the marker check make of a command they have never seen."""
    @click.group(invoke_without_command=True)
    def group():
        pass

    @group.command("new")
    @click.argument("source", type=InputFile("bench results"))
    @click.option("--out", callback=output_path((".json",)))
    @click.option("--csv")  # named like an output, but unmarked
    def new(source, out, csv):
        pass

    found = dict(every_command(group))
    assert set(found) == {("new",)}
    outputs, inputs = file_parameters(new)
    assert [p.name for p in outputs] == ["out"] and [p.name for p in inputs] == ["source"]
    assert [p.name for p in unmarked_file_parameters(new)] == ["csv"]


# --- outputs --------------------------------------------------------------------------------

def _folder(folder, name):
    path = folder / name
    path.mkdir()
    return path


def _read_only(folder, name):
    path = folder / name
    path.write_text("kept")
    path.chmod(0o444)
    return path


def _in_unwritable_folder(folder, name):
    locked = folder / "locked"
    locked.mkdir()
    (locked / name).write_text("kept")
    locked.chmod(0o555)
    return locked / name


def _socket(folder, name):
    import socket

    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / name))
    server.close()  # the socket file stays
    return folder / name


def _block_device(folder, name):
    if os.geteuid() != 0:
        pytest.skip("making a block device node needs root")
    os.mknod(folder / name, stat.S_IFBLK | 0o600, os.makedev(7, 0))
    return folder / name


REFUSED_OUTPUTS = {
    "a folder": (_folder, ("is a folder", "is a directory")),
    "a read-only file": (_read_only, ("is read-only",)),
    "an unwritable folder": (_in_unwritable_folder, ("is not writable",)),
    "a missing folder": (lambda folder, name: folder / "missing" / name, ("does not exist",)),
    "a socket": (_socket, ("is a socket",)),
    "a block device": (_block_device, ("is a block device",)),
}


@pytest.mark.parametrize("case", WRITERS, ids=case_id)
@pytest.mark.parametrize("hostile", REFUSED_OUTPUTS)
def test_outputs_that_cannot_be_written_are_refused_before_any_work(tmp_path, case, hostile):
    words, command, param = case
    make, messages = REFUSED_OUTPUTS[hostile]
    path = make(tmp_path, f"out{suffix(param)}")
    words_given = command_words(command, tmp_path, {param: path})
    before = snapshot(tmp_path)
    try:
        outcome = run(words, words_given)
        refused(outcome)
        assert any(message in outcome.output for message in messages), outcome.output
    finally:
        (tmp_path / "locked").exists() and (tmp_path / "locked").chmod(0o755)
    assert snapshot(tmp_path) == before


def _fifo(folder):
    os.mkfifo(folder / "pipe")
    return folder / "pipe"


def _link_to_file(folder):
    (folder / "target.txt").write_text("old")
    (folder / "link").symlink_to(folder / "target.txt")
    return folder / "link"


def _dangling_link(folder):
    (folder / "link").symlink_to(folder / "not-yet")
    return folder / "link"


STREAMS = {"a character device": lambda folder: device_node(folder, "null"), "a FIFO": _fifo}
LINKS = {"a link to a file": _link_to_file, "a link to nothing yet": _dangling_link}


def parses(command, words):
    """Whether click accepts ``words`` for ``command`` (the checks run; the command does not)."""
    try:
        with command.make_context(command.name, list(map(str, words))):
            return True
    except click.UsageError as error:
        return error


@pytest.mark.parametrize("case", WRITERS, ids=case_id)
@pytest.mark.parametrize("kind", [*STREAMS, *LINKS])
def test_devices_fifos_and_links_are_accepted_whatever_their_name(tmp_path, case, kind):
    """Written in place (devices, FIFOs) or to the link's target: see the end-to-end tests
    below and tests/lab/test_files.py. A file read and written back must be a regular one."""
    _, command, param = case
    path = {**STREAMS, **LINKS}[kind](tmp_path)
    if kind in LINKS:
        path = path.rename(path.with_suffix(suffix(param)))
    outcome = parses(command, command_words(command, tmp_path, {param: path}))
    if param.callback.rewrite and kind in STREAMS:
        assert "must be an existing regular file" in str(outcome)
    elif param.callback.rewrite and kind == "a link to nothing yet":
        assert "does not exist" in str(outcome)
    else:
        assert outcome is True, outcome


def _common_suffixes(first, second):
    """The names both outputs accept (None: any)."""
    return set(first.callback.suffixes or [suffix(second)]) & set(
        second.callback.suffixes or [suffix(first)])


# pairs whose suffixes exclude each other (plot's PNG and --json) cannot name one file
PAIRS = [(words, command, first, second) for words, command in COMMANDS
         for first, second in itertools.permutations(file_parameters(command)[0], 2)
         if _common_suffixes(first, second)]


@pytest.mark.parametrize("words, command, first, second", PAIRS,
                         ids=[f"{' '.join(w)} {a.opts[0]} {b.opts[0]}" for w, _, a, b in PAIRS])
@pytest.mark.parametrize("through_a_link", [False, True])
def test_one_file_given_to_two_outputs_is_refused(tmp_path, words, command, first, second,
                                                  through_a_link):
    """`bench --json x --csv x` wrote the JSON, then replaced it with the CSV."""
    path = tmp_path / f"same{min(_common_suffixes(first, second))}"
    other = path
    if through_a_link:
        other = tmp_path / f"alias{path.suffix}"
        other.symlink_to(path)
    outcome = run(words, command_words(command, tmp_path, {first: path, second: other}))
    refused(outcome, "is also given to", "the second write would replace the first")
    assert not path.exists()


OUTPUT_AND_INPUT = [(words, command, output, read) for words, command in COMMANDS
                    for output in file_parameters(command)[0]
                    for read in file_parameters(command)[1]]


@pytest.mark.parametrize("words, command, output, read", OUTPUT_AND_INPUT,
                         ids=[f"{' '.join(w)} {o.opts[0]} {r.opts[0]}"
                              for w, _, o, r in OUTPUT_AND_INPUT])
def test_an_output_that_names_a_file_read_is_refused(tmp_path, words, command, output, read):
    """`check --thresholds t.json --json t.json` replaced the thresholds with the report."""
    path = valid_file(tmp_path, read.type.kind, f"read{suffix(output)}")
    kept = path.read_text()
    outcome = run(words, command_words(command, tmp_path, {read: path, output: path}))
    refused(outcome, "is also given to", "would replace the file read")
    assert path.read_text() == kept


def test_the_file_read_is_checked_against_an_output_given_before_it(tmp_path):
    readme = valid_file(tmp_path, "bench results", "README.md")
    refused(run(["bench", "table"], ["--readme", readme, readme]),
            "is also given to '--page' / '--readme'", "would replace the file read")


# --- what the writes do, end to end, on the quickest commands --------------------------------

STATS = ["stats", "--json"]


def test_json_to_a_device_leaves_the_device(tmp_path):
    node = device_node(tmp_path, "null")
    outcome = run(STATS, [node])
    assert outcome.exit_code == 0, outcome.output
    assert stat.S_ISCHR(os.stat(node).st_mode)


def test_a_full_device_is_an_error_after_the_work_not_a_traceback(tmp_path):
    """The work is done and its file cannot be written: exit 1 (as a failed write in bench
    always did), with the reason; nothing about the command line was wrong."""
    outcome = run(STATS, [device_node(tmp_path, "full")])
    assert outcome.exit_code == 1 and "Traceback" not in outcome.output
    assert "cannot write" in outcome.output and "No space left on device" in outcome.output


def test_json_into_a_fifo_reaches_its_reader(tmp_path):
    fifo = _fifo(tmp_path)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    outcome = run(STATS, [fifo])
    reader.join(timeout=30)
    assert outcome.exit_code == 0, outcome.output
    assert json.loads(received[0])["activations"] and stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_json_through_a_link_replaces_its_target_and_keeps_the_link(tmp_path):
    link = _link_to_file(tmp_path).rename(tmp_path / "latest.json")
    outcome = run(["plot", "--json"], [link])
    assert outcome.exit_code == 0, outcome.output
    assert link.is_symlink() and json.loads((tmp_path / "target.txt").read_text())


def test_bench_writes_every_output_to_one_device(monkeypatch, tmp_path):
    """The same character device for several outputs is fine: written in turn, nothing is lost
    (`--json /dev/null --csv /dev/null`)."""
    monkeypatch.setattr(sweep.Runner, "run", lambda self, step: None)  # nothing to measure
    node = device_node(tmp_path, "null")
    outcome = run(["bench"], ["--sizes", "256", "--json", node, "--csv", node, "--markdown",
                              node])
    assert outcome.exit_code == 0, outcome.output
    assert stat.S_ISCHR(os.stat(node).st_mode)


# --- files read: schema-valid, values that lie ------------------------------------------------

def _cell(field, value, index=0):
    def change(content):
        content["cells"][index][field] = value
    return change


def _set(*keys_and_value):
    *keys, value = keys_and_value

    def change(content):
        target = content
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value
    return change


DEEP = "[" * 100_000 + "]" * 100_000
HUGE = 10**400  # parses as a Python int; overflows every float computation
NAN, INF = float("nan"), float("inf")

HOSTILE_VALUES = {
    "bench results": [
        ("a zero time", _cell("median_s", 0), "'cells[0].median_s'"),
        ("a negative time", _cell("samples_s", [1e-6] * 8 + [-1e-6]), "'cells[0].samples_s'"),
        ("NaN samples", _cell("samples_s", [NAN] * 9), "'cells[0].samples_s'"),
        ("Infinity samples", _cell("samples_s", [INF] * 9), "'cells[0].samples_s'"),
        ("zero copy samples", _cell("copy_samples_s", [0.0] * 9, 1),
         "'cells[1].copy_samples_s'"),
        ("a huge time", _cell("median_s", 1e300), "'cells[0].median_s'"),
        ("a huge size", _cell("size", HUGE), "'cells[0].size'"),
        ("zero bytes", _cell("bytes", 0), "'cells[0].bytes'"),
        ("a negative round", _cell("sample_rounds", [-1] + list(range(1, 9))),
         "'cells[0].sample_rounds'"),
        ("unpaired copy samples", _cell("copy_samples_s", [5e-7] * 3),
         "'cells[0].copy_samples_s'"),
        ("an ok cell without a time", _cell("median_s", None), "'cells[0].median_s'"),
        ("an unknown kind", _cell("kind", "other"), "'cells[0].kind'"),
        ("a list for the machine", _set("environment", "machine", []),
         "'environment.machine'"),
        ("a number for a summary entry", _set("summary", "entries", [5]),
         "'summary.entries[0]'"),
        ("zero cores", _set("environment", "usable_cores", 0), "'environment.usable_cores'"),
        ("an infinite alpha", _set("settings", "alpha", INF), "'settings.alpha'"),
        ("deep nesting", DEEP, "nested too deeply"),
    ],
    "thresholds": [
        ("a NaN threshold", _set("forward", "float32", "cpu", NAN), "forward float32 cpu"),
        ("an infinite threshold", _set("forward", "float32", "cpu", INF),
         "forward float32 cpu"),
        ("a huge threshold", _set("forward", "float32", "cpu", HUGE), "forward float32 cpu"),
        ("a negative threshold", _set("forward", "float32", "cpu", -1), "forward float32 cpu"),
        ("a deep threshold", _set("forward", "float32", "cpu", json.loads("[" * 20 + "]" * 20)),
         "forward float32 cpu"),
        ("deep nesting", DEEP, "nested too deeply"),
    ],
}
VALID = {"bench results": valid_results, "thresholds": valid_thresholds}


def test_every_kind_of_file_read_has_hostile_values():
    kinds = {param.type.kind for _, _, param in READERS}
    assert kinds <= set(HOSTILE_VALUES), f"add hostile values for {kinds - set(HOSTILE_VALUES)}"


READ_CASES = [(case, hostile) for case in READERS
              for hostile in HOSTILE_VALUES[case[2].type.kind]]


@pytest.mark.parametrize("case, hostile", READ_CASES,
                         ids=[f"{case_id(c)}: {h[0]}" for c, h in READ_CASES])
def test_files_that_parse_but_lie_are_usage_errors_naming_file_and_field(tmp_path, case,
                                                                          hostile):
    words, command, param = case
    _, change, field = hostile
    if isinstance(change, str):
        text = change
    else:
        content = copy.deepcopy(VALID[param.type.kind]())
        change(content)
        text = json.dumps(content)
    path = tmp_path / "hostile.json"
    path.write_text(text)
    refused(run(words, command_words(command, tmp_path, {param: path})), str(path), field)


@pytest.mark.parametrize("words, command", sorted(
    {(tuple(w), c) for w, c, _ in READERS if c.name != "check"}, key=str))
def test_the_valid_files_pass(tmp_path, words, command):
    """The control for the cases above: unchanged, the same files are read and judged."""
    outcome = run(words, command_words(command, tmp_path))
    assert outcome.exit_code == 0, outcome.output
