"""Helpers for the command tests: a usage error refused before any work, and matplotlib hidden."""

import importlib.util

from click.testing import CliRunner

from elunumba_cli.main import cli


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
