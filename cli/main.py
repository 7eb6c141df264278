"""`elunumba`: the command group. Each subcommand lives in its own module."""

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="elunumba")
def cli():
    """ELU kernels: benchmark them, check their accuracy, see what this machine can run."""


from .accuracy import accuracy, check  # noqa: E402  (commands attach to the group defined above)
from .bench import bench  # noqa: E402
from .info import info  # noqa: E402
from .stats import stats  # noqa: E402
from .plot import plot  # noqa: E402
from .train import train  # noqa: E402

cli.add_command(accuracy)
cli.add_command(check)
cli.add_command(bench)
cli.add_command(info)
cli.add_command(stats)
cli.add_command(plot)
cli.add_command(train)

from .bench_dask import dask_command  # noqa: E402

bench.add_command(dask_command)
