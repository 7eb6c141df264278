"""One CLI style, checked on every command and option found by walking the command tree (the
lazily loaded commands and every subcommand, hidden ones included):

* every option has help text; a file is PATH, a comma-separated list LIST, a number click's own
  INTEGER, FLOAT, INTEGER RANGE or FLOAT RANGE (bounds in click's bracket, not in the text),
  a choice click's [a|b]; any other kind of option is a new case to decide here;
* defaults show in one style, click's "[default: ...]" (show_default, a text for the computed
  ones), never written into the help text;
* every command has a short help that its group lists whole on one line at 80 columns, and an
  "Examples:" section whose command lines the parser accepts: every option named exists, takes
  the values given, and the arguments fit.
"""

import re
import shlex

import click
import pytest
from cli_usage import FILE_OPTIONS
from click.testing import CliRunner
from elunumba_cli import main
from elunumba_cli.outfiles import InputFile, OutputPath

from tools import cli_reference

NO_DEFAULT = getattr(click.core, "UNSET", None)  # click >= 8.3 marks "no default" so
NUMBER_METAVARS = {"INTEGER", "FLOAT", "INTEGER RANGE", "FLOAT RANGE"}
# bounds or defaults written into the help text instead of click's bracket
WRITTEN_DEFAULT = re.compile(r"\[[^\]]*\]|\(default|default:", re.I)
WRITTEN_BOUNDS = re.compile(r"\(\s*[<>]=?\s*-?\d|\(\s*-?[\d.e+-]+ to [\d.e+-]+\s*\)|"
                            r"\(\|\w+\| *<=")


COMMANDS = list(cli_reference.commands())
OPTIONS = [(words, command, param) for words, command in COMMANDS for param in command.params
           if isinstance(param, click.Option) and not param.hidden]


def command_id(case):
    return " ".join(case[0])


def option_id(case):
    return f"{' '.join(case[0])} {case[2].opts[0]}"


def is_file(param):
    return (isinstance(param.callback, OutputPath) or isinstance(param.type, click.Path)
            or bool(set(param.opts) & (FILE_OPTIONS | {"--from", "--page"})))


def metavar(command, param):
    return param.make_metavar(click.Context(command))


def option_style_problems(command, param):
    """What is wrong with one option's help record, as a list of sentences (empty: none)."""
    problems = []
    text = " ".join((param.help or "").split())
    if not text:
        problems.append("has no help text")
    if WRITTEN_DEFAULT.search(text):
        problems.append("writes its default into the help text: use show_default")
    if WRITTEN_BOUNDS.search(text):
        problems.append("writes its bounds into the help text: use a range type")
    if param.is_flag:
        if param.show_default:
            problems.append("is a flag with a shown default")
        return problems
    if param.default not in (None, NO_DEFAULT) and not param.show_default:
        problems.append(f"has the default {param.default!r} but does not show it")
    shown = metavar(command, param)
    if is_file(param):
        if shown != "PATH":
            problems.append(f"names a file with metavar {shown}, not PATH")
    elif "comma-separated" in text.lower() or shown == "LIST":
        if shown != "LIST" or "comma-separated" not in text.lower():
            problems.append(f"is a list (metavar {shown}) whose help does not say "
                            f"comma-separated, or says it under another metavar")
    elif isinstance(param.type, click.Choice):
        if param.metavar is not None:
            problems.append("is a choice with a metavar of its own")
    elif param.type.name.upper() in NUMBER_METAVARS:
        if param.metavar is not None or shown not in NUMBER_METAVARS:
            problems.append(f"is a number with a metavar of its own, {param.metavar}")
    else:
        problems.append(f"has metavar {shown}: neither PATH, LIST, a number nor a choice")
    return problems


@pytest.mark.parametrize("case", OPTIONS, ids=option_id)
def test_every_option_follows_the_style(case):
    _, command, param = case
    assert option_style_problems(command, param) == []


def test_the_walk_reaches_the_lazy_commands_and_the_subcommands():
    names = {command_id(case) for case in COMMANDS}
    assert names >= {f"elunumba {name}" for name in main.COMMANDS} | {
        "elunumba bench compare", "elunumba bench dask", "elunumba bench table"}


@pytest.mark.parametrize("broken, problem", [
    (dict(help=None), "has no help text"),
    (dict(help="Samples per cell [20; quick 21]."), "writes its default"),
    (dict(help="Samples per cell (default: 20)."), "writes its default"),
    (dict(default=20), "does not show it"),
    (dict(metavar="N"), "metavar of its own"),
    (dict(help="ELU's alpha (>= 0)."), "bounds"),
    (dict(help="LeakyReLU's slope (0 to 1e+150)."), "bounds"),
])
def test_the_check_catches_one_broken_option(broken, problem):
    """The style check itself: --repeats of `bench`, correct today, broken one way at a time."""
    bench = main.load("bench")
    (param,) = [p for p in bench.params if p.name == "repeats"]
    assert option_style_problems(bench, param) == []
    settings = {"help": param.help, "type": param.type, "show_default": param.show_default,
                "default": None, "metavar": None, **broken}
    if broken.get("default") is not None:
        settings["show_default"] = None
    copy = click.Option(param.opts, **settings)
    assert any(problem in found for found in option_style_problems(bench, copy))


def test_the_check_catches_files_and_lists_under_other_metavars():
    bench = main.load("bench")
    json_option = click.Option(["--json"], callback=OutputPath(), metavar="FILE", help="x.")
    assert any("not PATH" in p for p in option_style_problems(bench, json_option))
    listed = click.Option(["--ops"], metavar="TEXT", help="Comma-separated ops.")
    assert any("comma-separated" in p for p in option_style_problems(bench, listed))
    unnamed = click.Option(["--label"], help="A label.")
    assert any("neither PATH" in p for p in option_style_problems(bench, unnamed))


def listing(words):
    """{name: description} from the Commands section of ``words --help`` at 80 columns; a
    description wrapped onto a second line shows as a row without a name."""
    result = CliRunner().invoke(main.cli, [*words[1:], "--help"], terminal_width=80)
    assert result.exit_code == 0, result.output
    section = result.output.split("Commands:\n", 1)[1]
    rows = {}
    for line in section.splitlines():
        if not line.strip():
            break
        name, _, description = line.strip().partition(" ")
        rows[name if line.startswith("  ") and not line.startswith("    ") else line] = \
            description.strip()
    return rows


GROUPS = [case for case in COMMANDS if isinstance(case[1], click.Group)]


@pytest.mark.parametrize("case", GROUPS, ids=command_id)
def test_each_group_lists_every_visible_command_whole_on_one_line(case):
    words, group = case
    context = click.Context(group)
    shown = listing(words)
    visible = {name: group.get_command(context, name)
               for name in group.list_commands(context)
               if not group.get_command(context, name).hidden}
    assert set(shown) == set(visible), shown
    for name, command in visible.items():
        assert command.short_help, f"{name} has no short_help"
        assert shown[name] == command.short_help, (name, shown[name])
        assert "..." not in shown[name]


def test_maintainer_commands_are_hidden_and_say_so():
    hidden = [(words, command) for words, command in COMMANDS if command.hidden]
    assert [" ".join(words) for words, _ in hidden] == ["elunumba bench table"]
    for _, command in hidden:
        assert command.short_help.startswith("(maintainers)")
        assert command.help.startswith("(maintainers)")


def examples(command):
    """The command lines of the help's "Examples:" section (its \\b blocks, lines joined
    where they end in a backslash)."""
    text = command.help or ""
    assert "Examples:" in text, "no Examples: section"
    block = text.split("Examples:", 1)[1].lstrip()
    assert block.startswith("\b"), "the examples are not a verbatim (\\b) block"
    joined = re.sub(r"\\\n\s*", " ", block[1:].split("\n\n")[0])
    found = [shlex.split(line) for line in joined.splitlines() if line.strip()]
    assert found and all(words[0] == "elunumba" for words in found), found
    return found


def parse_example(argv):
    """Check one example's argv against the parser: the command it names, every option it
    gives (a known one, with its values converted and checked as the command would, files
    apart: those are checked when written), its arguments, nothing left over. An error raises
    click's own exception."""
    command, words, args = main.cli, ["elunumba"], list(argv[1:])
    while isinstance(command, click.Group) and args and not args[0].startswith("-"):
        context = click.Context(command)
        found = command.get_command(context, args[0])
        if found is None:
            raise click.UsageError(f"no command {args[0]!r} under {' '.join(words)}")
        command, words, args = found, [*words, args.pop(0)], args
    if "--help" in args or "-h" in args:
        return command
    context = click.Context(command, info_name=words[-1])
    values, leftover, _ = command.make_parser(context).parse_args(args)
    if leftover:
        raise click.UsageError(f"unexpected arguments {leftover}")
    for param in command.params:
        if param.required and values.get(param.name) in (None, NO_DEFAULT):
            raise click.UsageError(f"missing {param.name}")
        elif param.name in values and not (isinstance(param, click.Option) and is_file(param)) \
                and not isinstance(param.type, InputFile) \
                and not isinstance(param.callback, OutputPath):
            param.process_value(context, values[param.name])
    return command


@pytest.mark.parametrize("case", COMMANDS, ids=command_id)
def test_every_command_has_examples_the_parser_accepts(case):
    words, command = case
    for argv in examples(command):
        try:
            parse_example(argv)
        except click.ClickException as error:
            pytest.fail(f"{shlex.join(argv)}: {error.format_message()}")


@pytest.mark.parametrize("example, message", [
    ("elunumba bench --quik", "No such option"),
    ("elunumba bench --sizes", "requires an argument"),
    ("elunumba bench --alpha -1", "is not a finite number"),
    ("elunumba bench --dtypes float8", "unknown dtype"),
    ("elunumba bench compare old.json", "missing new"),
    ("elunumba plot a.png b.png", "unexpected arguments"),
    ("elunumba benchh --quick", "no command"),
])
def test_the_example_check_refuses_what_the_command_refuses(example, message):
    with pytest.raises(click.ClickException, match=message):
        parse_example(shlex.split(example))
