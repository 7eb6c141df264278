"""`elunumba bench dask`: what going distributed costs. The same float32 data through the
in-process kernels and through dask.distributed LocalClusters of 1, 2, ... worker processes
(one thread each), timed alternately; the measuring lives in elunumba.lab.bench.distributed."""

import shlex
import sys

import click
from rich.console import Console
from rich.table import Table

from elunumba.lab.memory import memory_bytes
from elunumba.lab.bench.sizes import format_size, parse_size

from .numbers import WrittenInteger
from .outfiles import output_path, write_json
from .terminal import stdout_console

# arrays of `size` float32 alive at the peak: x, grad_out and y in this process and on each
# cluster, and one op's two results in one place
ARRAYS_AT_PEAK_PER_PLACE = 3
RESULT_ARRAYS = 2


def _workers(ctx, param, value):
    try:
        counts = sorted({int(item) for item in value.split(",")})
    except ValueError:
        raise click.BadParameter(f"{value!r}: expected worker counts such as 1,2") from None
    if not counts or counts[0] < 1:
        raise click.BadParameter(f"{value!r}: worker counts must be at least 1")
    return counts


@click.command("dask", short_help="Throughput through dask.distributed clusters.")
@click.option("--size", default="2^26", show_default=True, type=WrittenInteger(parse_size),
              help="float32 elements per array (as 67108864, 2^26 or 6.7e7).")
@click.option("--chunk", default="2^22", show_default=True, type=WrittenInteger(parse_size),
              help="Elements per dask chunk.")
@click.option("--workers", default="1,2", show_default=True, callback=_workers, metavar="LIST",
              help="Cluster sizes, comma-separated (worker processes, one thread each).")
@click.option("--repeats", default=5, show_default=True, type=click.IntRange(1, 1000),
              help="Timed rounds after one warm-up round.")
@click.option("--json", "json_path", callback=output_path((".json",)), metavar="PATH",
              help="Write the results as JSON.")
def dask_command(size, chunk, workers, repeats, json_path):
    """Throughput through dask.distributed LocalClusters against the in-process kernels.

    Each round times, on the same data, a copy, forward, backward and fused: in this process
    (all Numba threads) and on each cluster (results persisted on the workers, nothing
    gathered). Ratios are medians of per-round paired ratios.

    Examples:

    \b
      elunumba bench dask
      elunumba bench dask --size 2^24 --workers 1,2,4 --json dask.json
    """
    if chunk > size:
        raise click.UsageError(f"--chunk {chunk} is larger than --size {size}")
    needed = size * 4 * (ARRAYS_AT_PEAK_PER_PLACE * (1 + len(workers)) + RESULT_ARRAYS)
    available = memory_bytes()[1]
    if needed > available:
        raise click.UsageError(f"--size {size} needs about {needed / 2**30:.1f} GiB, "
                               f"{available / 2**30:.1f} GiB is available: give a smaller --size")
    try:
        from elunumba.lab.bench import distributed as on_cluster
    except ImportError as error:
        raise click.UsageError(str(error)) from None
    from elunumba.lab.bench import env

    err = Console(stderr=True)
    command = shlex.join(["elunumba", *sys.argv[1:]])
    machine = on_cluster.machine()
    err.print(f"starting clusters of {', '.join(map(str, workers))} workers")
    started = [on_cluster.start_cluster(n) for n in workers]
    try:
        on_cluster.warm_disk_cache()
        for _, client in started:
            client.run(on_cluster.warm_disk_cache)
        err.print(f"timing {format_size(size)} float32 in chunks of {format_size(chunk)}, "
                  f"{repeats} rounds")
        record = on_cluster.throughput(dict(zip(workers, (c for _, c in started))), size, chunk,
                                       repeats)
    finally:
        for cluster, client in started:
            client.close()
            cluster.close()
    record.update(command=command, machine=machine,
                  load_average_after=on_cluster.machine()["load_average"],
                  environment=env.collect(command=command))
    _show(record, workers)
    if json_path is not None:
        write_json(json_path, record, indent=1)


def _show(record, workers):
    out = stdout_console()
    machine = record["machine"]
    out.print(f"[bold]{record['command']}[/]", highlight=False)
    out.print(f"  {machine['model']['name']} ({machine['isa']}), load average "
              f"{machine['load_average'][0]:.1f} before, {record['load_average_after'][0]:.1f} "
              "after", markup=False, highlight=False)
    table = Table(title=f"{format_size(record['size'])} float32, chunks of "
                        f"{format_size(record['chunk'])}: Gelem/s (x in-process)",
                  title_justify="left")
    table.add_column("op", justify="left")
    table.add_column("in-process", justify="right")
    for n in workers:
        table.add_column(f"{n} worker{'s' if n > 1 else ''}", justify="right")
    for op, summary in record["ops"].items():
        cells = [f"{summary['in_process']['gelem_per_s']:.3f}"]
        for n in workers:
            cluster = summary[f"cluster_{n}_workers"]
            cells.append(f"{cluster['gelem_per_s']:.3f} ({cluster['vs_in_process']:.2f}x)")
        table.add_row(op, *cells)
    out.print(table)
