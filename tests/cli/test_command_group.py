"""The command group: commands are imported when used, and listed from main.COMMANDS."""

from click.testing import CliRunner

from elunumba_cli import main


def test_each_listed_summary_is_the_commands_own_short_help():
    for name, (_, _, summary) in main.COMMANDS.items():
        command = main.load(name)
        assert command.name == name
        assert command.short_help == summary, name


def test_help_lists_every_command_and_each_runs_its_own_help():
    runner = CliRunner()
    listing = runner.invoke(main.cli, ["--help"])
    assert listing.exit_code == 0
    commands = listing.output.split("Commands:")[1].split()
    assert all(name in commands for name in main.COMMANDS)
    for name in main.COMMANDS:
        assert runner.invoke(main.cli, [name, "--help"]).exit_code == 0, name
    assert "dask" in runner.invoke(main.cli, ["bench", "--help"]).output


def test_an_unknown_command_is_a_usage_error():
    outcome = CliRunner().invoke(main.cli, ["benchh"])
    assert outcome.exit_code == 2 and "No such command 'benchh'" in outcome.output
