"""`elunumba`: the command group. Each subcommand lives in its own module, imported only when
that command runs (or shows its help): `elunumba --help` imports none of them, so no part of the
package, and a command loads only the machinery it uses (`info` no benchmark kernels)."""

import importlib

import click

# name -> (module, the command's attribute, the start of its help: what `elunumba --help` lists)
COMMANDS = {
    "accuracy": ("accuracy", "accuracy",
                 "Error report of elunumba's kernels against naive exp(x)-1, NumPy and PyTorch."),
    "bench": ("bench", "bench",
              "Time each ELU kernel over sizes, dtypes, ops and targets, against peers and a "
              "copy."),
    "check": ("accuracy", "check",
              "CI gate: max ULP errors on a fixed sample against the kept thresholds."),
    "info": ("info", "info",
             "What this machine can run: versions, CPU and threads, CUDA, targets and peers."),
    "plot": ("plot", "plot",
             "Draw ELU (several alpha), ReLU and LeakyReLU and their derivatives to PNG"),
    "stats": ("stats", "stats", "Compare activations for X ~ N(MU, SIGMA²), in closed form."),
    "train": ("train", "train",
              "Train a small perceptron on two spirals (ELU, SELU, ReLU, LeakyReLU by "
              "elunumba's kernels; LayerNorm off and on; two initialisations)"),
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
        limit = formatter.width - 6 - max(map(len, COMMANDS))
        with formatter.section("Commands"):
            formatter.write_dl([(name, click.Command(name, help=COMMANDS[name][2])
                                 .get_short_help_str(limit))
                                for name in self.list_commands(ctx)])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="elunumba")
def cli():
    """ELU kernels: benchmark them, check their accuracy, see what this machine can run."""


if __name__ == "__main__":  # python -m elunumba_cli.main, where the script is not installed
    cli(prog_name="elunumba")
