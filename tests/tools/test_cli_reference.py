"""docs/cli.md: generated from the commands' --help by tools/cli_reference.py, with a section
for every command and every option of each in it (the help text itself may show this machine's
defaults, so the page is compared by what it covers, not byte for byte)."""

import re

from tools import cli_reference


def sections():
    text = cli_reference.PAGE.read_text()
    parts = re.split(r"^## `([^`]+)`$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_command_and_option_is_on_the_page():
    on_page = sections()
    for words, command in cli_reference.commands():
        name = " ".join(words)
        assert name in on_page, f"{name} missing from docs/cli.md: python -m tools.cli_reference"
        for parameter in command.params:
            if parameter.param_type_name != "option" or parameter.hidden:
                continue  # hidden options (test-only) are left out of --help
            for option in parameter.opts:
                assert option in on_page[name], f"{name} {option} missing from docs/cli.md"


def test_the_page_has_every_command_the_lazy_group_loads():
    listed = {" ".join(words) for words, _ in cli_reference.commands()}
    assert {"elunumba bench", "elunumba bench compare", "elunumba bench dask", "elunumba check",
            "elunumba train"} <= listed
    assert listed <= set(sections())


def test_the_generator_writes_the_same_commands_as_the_page():
    generated = re.findall(r"^## `([^`]+)`$", cli_reference.body(), flags=re.M)
    assert generated == list(sections())
