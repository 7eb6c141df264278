"""`elunumba train`: the training experiments (two spirals, digits, deep networks at
initialisation), their result file, figure and README tables."""

import datetime
import importlib.util
import json
import os
import resource
import sys
import time

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from elunumba.lab.files import FIGURE_SUFFIXES

from .outfiles import output_path, write_output, write_text
from .terminal import EXIT_INTERRUPTED, stdout_console

EXPERIMENTS = ("spirals", "digits", "depth")
# what each experiment needs beyond the core install, and where to get it
NEEDS = {"digits": (("torch", "sklearn"), "pip install 'elunumba[train]'")}


def _experiments(ctx, param, text):
    chosen = [part.strip() for part in text.split(",") if part.strip()]
    if not chosen or any(name not in EXPERIMENTS for name in chosen) or \
            len(set(chosen)) != len(chosen):
        raise click.BadParameter(f"{text!r}: give distinct names from {', '.join(EXPERIMENTS)}, "
                                 "comma-separated")
    return tuple(chosen)


def _check_markers(readme_path):
    """--readme's training-table markers, checked before anything runs."""
    from elunumba.lab import markdown
    from elunumba.lab.train import readme

    try:
        markdown.replace_between(readme_path.read_text(), readme.MARKERS, "")
    except (OSError, ValueError) as error:
        raise click.BadParameter(str(error), param_hint="--readme") from None


def _result_file(ctx, param, path):
    if path is None:
        return None
    from elunumba.lab.train import results

    try:
        with open(path) as file:
            payload = json.load(file)
        results.from_json(payload)
    except (OSError, ValueError) as error:
        raise click.BadParameter(f"{path}: {error}", param_hint="--from") from None
    return payload


@click.command(short_help="Training experiments: ELU and SELU against ReLU and others.")
@click.option("--experiments", default=",".join(EXPERIMENTS), show_default=True,
              callback=_experiments, metavar="LIST",
              help="Which experiments to run, comma-separated.")
@click.option("--seeds", default=20, show_default=True, type=click.IntRange(2, 100),
              help="Runs per setting, seeds 0..SEEDS-1 (data, weights and batch order).")
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Runs at a time, each in its own process on one thread.")
@click.option("--quick", is_flag=True,
              help="A design cut to seconds (tiny networks, a few epochs) to check that "
                   "everything runs; its numbers mean nothing.")
@click.option("--json", "json_path", callback=output_path((".json",)), metavar="PATH",
              help="Write the settings, every run, the summaries, the machine and the time it "
                   "took.")
@click.option("--plot", "plot_path", callback=output_path(FIGURE_SUFFIXES), metavar="PATH",
              help="Draw epochs to target and the deep networks' layers: .png, .svg, .pdf.")
@click.option("--readme", "readme_path", type=click.Path(exists=True, dir_okay=False),
              callback=output_path((".md",), rewrite=True), metavar="PATH",
              help="(maintainers) Rewrite the training tables of this Markdown file (between "
                   "its markers).")
@click.option("--from", "loaded", callback=_result_file, metavar="PATH",
              help="Train nothing: take this result of an earlier --json (its summaries "
                   "recomputed from its runs) for --json, --plot and --readme.")
def train(experiments, seeds, jobs, quick, json_path, plot_path, readme_path, loaded):
    """Train a small perceptron on two spirals (ELU, SELU, ReLU, LeakyReLU by elunumba's
    kernels; LayerNorm off and on; two initialisations) and a small ConvNet on scikit-learn's
    digits (elunumba.torch's ELU and SELU against torch's ELU, ReLU, LeakyReLU), each until a
    target test accuracy or a cap, and measure deep networks at initialisation; report medians
    over seeds with intervals and paired exact tests.

    Progress goes to stderr, the tables to stdout.

    Examples:

    \b
      elunumba train --quick
      elunumba train --experiments spirals --seeds 10 --jobs 2 --json spirals.json
      elunumba train --from spirals.json --plot spirals.svg
    """
    if readme_path:
        _check_markers(readme_path)
    if loaded is not None and quick:
        raise click.UsageError("--from reads a result and trains nothing: it takes --json, "
                               "--plot and --readme, not --quick")
    if plot_path and importlib.util.find_spec("matplotlib") is None:
        raise click.ClickException("--plot needs matplotlib: pip install 'elunumba[plot]'")
    console = stdout_console(min_width=120)
    err = Console(stderr=True)
    if loaded is None:
        for experiment in experiments:
            modules, install = NEEDS.get(experiment, ((), ""))
            missing = [m for m in modules if importlib.util.find_spec(m) is None]
            if missing:
                raise click.ClickException(f"the {experiment} experiment needs "
                                           f"{' and '.join(missing)}: {install}")
        try:
            command = ["elunumba", "train", "--experiments", ",".join(experiments), "--seeds",
                       str(seeds), "--jobs", str(jobs), *(["--quick"] if quick else [])]
            for option, path in (("--json", json_path), ("--plot", plot_path),
                                 ("--readme", readme_path)):
                command += [option, str(path)] if path else []
            result = _run(command, experiments, seeds, jobs, quick, err)
        except KeyboardInterrupt:
            err.print("[yellow]interrupted: nothing written[/yellow]")
            sys.exit(EXIT_INTERRUPTED)
    else:
        from elunumba.lab.train import results

        settings, records = results.from_json(loaded)
        result = {**loaded, "experiments": results.assemble(settings, records)}
    _show(console, result)
    if json_path:
        from elunumba.lab.train import results

        write_text(json_path, results.dumps(result))
    if plot_path:
        from elunumba.lab.train import figure

        write_output(plot_path, lambda out: figure.draw(out, result))
    if readme_path:
        from elunumba.lab.train import readme

        write_text(readme_path, readme.rewrite(readme_path.read_text(), result),
                   f"rewrote the training tables in {readme_path}")


def _run(command, experiments, seeds, jobs, quick, console):
    """The runs, with a progress bar (or, off a terminal, a line every twentieth of the runs) on
    ``console``, stderr, so that stdout holds only the results."""
    from elunumba.lab import machine
    from elunumba.lab.train import results, runner

    designs = results.designs(seeds, quick)
    settings = {name: designs[name] for name in experiments}
    tasks = runner.task_list(settings)
    load_before = os.getloadavg()[0]
    started = datetime.datetime.now(datetime.timezone.utc)
    wall, cpu = time.perf_counter(), _cpu_seconds()
    with Progress(TextColumn("{task.description:<44}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console) as progress:
        bar = progress.add_task("starting", total=len(tasks))

        finished = []

        def done(index, record):
            experiment, arguments = tasks[index]
            description = f"{experiment} " + " ".join(f"{value}" for value in arguments.values())
            progress.update(bar, advance=1, description=description)
            finished.append(index)
            # a log file sees no progress bar: a line every twentieth of the runs instead
            if not console.is_terminal and len(finished) % max(1, len(tasks) // 20) == 0:
                console.print(f"{len(finished)}/{len(tasks)} runs, last {description}, "
                              f"{time.perf_counter() - wall:.0f} s")

        records = runner.run_all(settings, tasks, jobs, done)
    import numba
    import numpy

    versions = {"numpy": numpy.__version__, "numba": numba.__version__}
    for module in ("torch", "sklearn"):
        if importlib.util.find_spec(module) is not None:
            versions[module] = __import__(module).__version__
    return {
        "command": command,
        "machine": {"line": machine.one_line(), "cores": os.cpu_count(),
                    "cpu": machine.record()},
        "versions": versions, "jobs": jobs, "quick": quick,
        "started": started.strftime("%Y-%m-%d %H:%M UTC"),
        "seconds": time.perf_counter() - wall, "cpu_seconds": _cpu_seconds() - cpu,
        "load_average": {"before": load_before, "after": os.getloadavg()[0]},
        "experiments": results.assemble(settings, records),
    }


def _cpu_seconds():
    """CPU time of this process and of its finished children (the pool's processes)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _show(console, result):
    from elunumba.lab.train import readme

    for name, found in result["experiments"].items():
        if name == "depth":
            continue
        table = Table(title=f"{name}: median [interval] over seeds")
        for heading in ("init", "LayerNorm", "activation", "reached", "epochs to target",
                        "loss area", "dead units", "mean activation, last epoch"):
            table.add_column(heading, justify="left" if heading == "activation" else "right")
        for row in found["summary"]:
            table.add_row(row["init"], readme.LAYERNORM[row["layernorm"]], row["activation"],
                          f"{row['reached']}/{row['seeds']}",
                          readme.interval(row["epochs_to_target"]),
                          readme.interval(row["loss_area"], 2),
                          readme.interval(row["dead_max"], 1, percent=True),
                          readme.interval(row["mean_activation_final"], 3))
        console.print(table)
    console.print(f"{result['seconds']:.1f} s, {result['cpu_seconds']:.1f} s of CPU, on "
                  f"{result['machine']['line']}")
