"""`elunumba`: the command group. Each subcommand lives in its own module."""

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="elunumba")
def cli():
    """ELU kernels: benchmark them, check their accuracy, see what this machine can run."""
