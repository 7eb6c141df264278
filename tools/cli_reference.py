"""Regenerate docs/cli.md's reference block from the commands' own --help (never edited by hand).

    python -m tools.cli_reference [PAGE.md]      (default: docs/cli.md)

Every command and subcommand of `elunumba` gets a section with its --help text at a width of
100 columns (the defaults some options show are this machine's, such as its thread count);
tests/tools/test_cli_reference.py fails when a command or an option is missing from the page.
"""

from pathlib import Path

import click
from click.testing import CliRunner

from elunumba_cli.main import cli

from . import page_block

PAGE = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
MARKERS = ("<!-- cli-reference:start -->", "<!-- cli-reference:end -->")


def commands(group=cli, path=("elunumba",)):
    """(words, command) for the group and every command under it (hidden ones included), depth
    first, by name: through each group's own listing, since the top level imports its commands
    only when asked for one."""
    yield path, group
    if isinstance(group, click.Group):
        context = click.Context(group)
        for name in sorted(group.list_commands(context)):
            yield from commands(group.get_command(context, name), (*path, name))


def body():
    sections = []
    for path, _ in commands():
        result = CliRunner().invoke(cli, [*path[1:], "--help"], prog_name="elunumba",
                                    terminal_width=100)
        if result.exit_code != 0:
            raise RuntimeError(f"{' '.join(path)} --help exited {result.exit_code}")
        sections.append(f"## `{' '.join(path)}`\n\n```text\n{result.output.rstrip()}\n```")
    return "\n\n".join(sections)


if __name__ == "__main__":
    page_block.regenerate("cli_reference", __doc__, PAGE, MARKERS, lambda page: body(),
                          "the CLI reference")
