"""Helpers for the command tests: a usage error refused before any work, matplotlib hidden,
device nodes to write to, and the command tree walked for the hostile-input tests (every
command, its file parameters, and valid files to start from)."""

import importlib.util
import json
import os
import pathlib
import stat

import click
from click.testing import CliRunner
from elunumba_cli.main import cli
from elunumba_cli.outfiles import file_parameters

from elunumba.lab.accuracy import gate
from elunumba.lab.bench import records


def assert_usage_error(folder, monkeypatch, arguments, message):
    """Run ``elunumba *arguments`` in the empty ``folder``: exit 2, ``message`` in the output, no
    traceback, nothing written."""
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert list(folder.iterdir()) == []


def hide_matplotlib(monkeypatch):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "matplotlib" else real_find_spec(name, *a))


def device_node(folder, name):
    """A character device like /dev/``name`` (null or full) to write to: as root a copy made in
    ``folder`` (a test that went wrong would otherwise replace the system's own), else the
    system's, which a user cannot replace."""
    system = pathlib.Path("/dev") / name
    if os.geteuid() != 0:
        return system
    node = folder / f"dev-{name}"
    device = os.stat(system).st_rdev
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(os.major(device), os.minor(device)))
    return node


def every_command(group=cli, words=()):
    """(words, command) for every command under ``group``: the group itself where it runs on
    its own (``bench``), and every subcommand, however deep."""
    if words and (not isinstance(group, click.Group) or group.invoke_without_command):
        yield words, group
    if isinstance(group, click.Group):
        # through the group's own listing: the top level loads its commands only when asked
        context = click.Context(group)
        for name in sorted(group.list_commands(context)):
            yield from every_command(group.get_command(context, name), (*words, name))


def arguments(param, path):
    """The command-line words giving ``path`` to ``param``."""
    return [str(path)] if isinstance(param, click.Argument) else [param.opts[0], str(path)]


def valid_results():
    """The smallest valid bench results file's content: one target cell and one peer cell on
    this host, with paired samples in nine rounds (enough for `bench compare` to judge)."""
    rounds = list(range(9))
    cells = [records.new_cell(op="forward", dtype="float32", target=target, kind=kind,
                              device="host", size=256, bytes=2048, status="ok",
                              median_s=1e-6, samples_s=[1e-6] * 9, copy_samples_s=[5e-7] * 9,
                              sample_rounds=rounds, fraction_of_copy=0.5, repeats=9)
             for target, kind in (("cpu", "target"), ("numpy-naive", "peer"))]
    machine = {"model": {"name": "a CPU"}, "isa": "AVX2", "llvm_cpu": "znver3",
               "vector_bits": 256, "float32_lanes": 8,
               "numpy_simd": {"baseline": [], "dispatched": []}}
    environment = {"cpu": "a CPU", "usable_cores": 2, "logical_cores": 2,
                   "memory_total_bytes": 2**30, "numba_threads": 2, "threading_layer": "omp",
                   "versions": {"elunumba": "0"}, "platform": "test", "git_commit": "unknown",
                   "git_dirty": False, "machine": machine, "gpu": None}
    return {"schema": records.SCHEMA, "created": "2026-01-01T00:00:00", "command": "test",
            "environment": environment, "settings": {"alpha": 1.0}, "interrupted": False,
            "skipped": [], "copies": [], "summary": {"entries": []}, "cells": cells}


def valid_thresholds():
    """A thresholds file's content: every gate op and dtype, a generous bound."""
    return {op: {dtype: {"cpu": 1.0} for dtype in gate.GATE_DTYPES} for op in gate.OPS}


VALID_CONTENT = {"bench results": valid_results, "thresholds": valid_thresholds}


def valid_file(folder, kind, name=None):
    """A file of ``kind`` (an InputFile's) in ``folder`` that its command accepts."""
    path = folder / (name or f"{kind.replace(' ', '-')}.json")
    path.write_text(json.dumps(VALID_CONTENT[kind]()))
    return path


def command_words(command, folder, given=None):
    """Words running ``command`` with ``given`` ({param: path}) and, for every other required
    parameter, a valid file of its kind; parameters in declared order, so that arguments stand
    in their places. A required parameter of another sort is a new case for the hostile-input
    tests to learn (an AssertionError says which)."""
    given = given or {}
    _, inputs = file_parameters(command)
    words = []
    for param in command.params:
        if param in given:
            words += arguments(param, given[param])
        elif param.required:
            assert param in inputs, f"{command.name}: no test value for required {param.name}"
            words += arguments(param, valid_file(folder, param.type.kind, f"{param.name}.json"))
    return words


# option names that say "a file goes here"; such an option must carry a marker
FILE_OPTIONS = {"--json", "--csv", "--markdown", "--plot", "--html", "--readme", "--out",
                "--output", "--thresholds"}


def unmarked_file_parameters(command):
    """The command's parameters that look like files (named like an output, or typed as a
    path) and are neither an output (callback=output_path) nor an input (type=InputFile): the
    hostile-input tests would not see them."""
    outputs, inputs = file_parameters(command)
    return [param for param in command.params
            if param not in outputs and param not in inputs and (
                isinstance(param.type, click.Path) or isinstance(param, click.Option)
                and not param.is_flag and set(param.opts) & FILE_OPTIONS)]
