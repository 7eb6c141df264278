"""`elunumba`: the command group. Each subcommand lives in its own module, imported only when
that command runs (or shows its help): `elunumba --help` imports none of them, so no part of the
package, and a command loads only the machinery it uses (`info` no benchmark kernels)."""

import importlib

import click

# name -> (module, the command's attribute, its short help: what `elunumba --help` lists whole,
# without importing the command; each command's own short_help is the same text)
COMMANDS = {
    "accuracy": ("accuracy", "accuracy",
                 "Error report in ULPs against exp(x)-1, NumPy and PyTorch."),
    "bench": ("bench", "bench", "Time the ELU kernels against NumPy, torch and a copy."),
    "check": ("accuracy", "check", "CI gate: max ULP errors against the kept thresholds."),
    "info": ("info", "info", "What this machine can run: versions, CPU, CUDA, targets."),
    "plot": ("plot", "plot", "Draw ELU, ReLU and LeakyReLU and their derivatives."),
    "stats": ("stats", "stats", "Mean, variance and gain of activations for X ~ N(MU, SIGMA²)."),
    "train": ("train", "train", "Training experiments: ELU and SELU against ReLU and others."),
}


def load(name):
    """The click command ``name`` (a key of COMMANDS), importing its module."""
    module_name, attribute, _ = COMMANDS[name]
    command = getattr(importlib.import_module(f".{module_name}", __package__), attribute)
    if name == "bench" and "dask" not in command.commands:
        from .bench_dask import dask_command

        command.add_command(dask_command)
    return command


class LazyGroup(click.Group):
    """A group whose commands are imported when one is asked for, not to list them."""

    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        return load(name) if name in COMMANDS else None

    def format_commands(self, ctx, formatter):
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name][2]) for name in self.list_commands(ctx)])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="elunumba")
def cli():
    """ELU kernels: benchmark them, check their accuracy, see what this machine can run.

    Each command's results go to stdout, its progress and messages to stderr; exit 2 means a
    usage error, 1 a failed gate, a failed run or a file that could not be written, 130 Ctrl-C.

    Examples:

    \b
      elunumba info
      elunumba bench --quick
      elunumba check --json accuracy-gate.json
      elunumba bench compare --help
    """


if __name__ == "__main__":  # python -m elunumba_cli.main, where the script is not installed
    cli(prog_name="elunumba")
