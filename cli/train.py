"""`elunumba train`: the NumPy perceptron experiment (activations × LayerNorm × seeds)."""

import importlib.util
import time

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .numbers import finite_number
from .outfiles import output_path, write_json, write_output
from .terminal import stdout_console

ACTIVATION_KEYS = ("elu", "selu", "relu", "leaky_relu")
LAYERNORM_CHOICES = {"both": (False, True), "off": (False,), "on": (True,)}


def _activations(ctx, param, text):
    chosen = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [name for name in chosen if name not in ACTIVATION_KEYS]
    if unknown or not chosen or len(set(chosen)) != len(chosen):
        raise click.BadParameter(f"{text!r}: give distinct names from "
                                 f"{', '.join(ACTIVATION_KEYS)}, comma-separated")
    return tuple(chosen)


@click.command()
@click.option("--epochs", default=30, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--seeds", default=3, show_default=True, type=click.IntRange(1, 100),
              help="Runs per setting, seeds 0..SEEDS-1 (data, weights and batch order).")
@click.option("--activations", default=",".join(ACTIVATION_KEYS), show_default=True,
              callback=_activations)
@click.option("--layernorm", default="both", show_default=True,
              type=click.Choice(tuple(LAYERNORM_CHOICES)),
              help="Train without LayerNorm, with it before each activation, or both.")
@click.option("--learning-rate", default=0.01, show_default=True, type=float,
              callback=finite_number(0.0, highest=1.0), help="Adam's step size.")
@click.option("--json", "json_path", callback=output_path((".json",)), help="Write the settings, every run and the summary.")
@click.option("--plot", "plot_path", callback=output_path((".png",)), help="Draw loss, dead units and mean activation (PNG).")
def train(epochs, seeds, activations, layernorm, learning_rate, json_path, plot_path):
    """Train the same small perceptron on two spirals with ELU, SELU, ReLU and LeakyReLU (from
    elunumba's kernels, in place), with and without LayerNorm, and measure loss, accuracy, dead
    units and the mean activation of each layer."""
    if plot_path and importlib.util.find_spec("matplotlib") is None:
        raise click.ClickException("--plot needs matplotlib: pip install 'elunumba[plot]'")
    from elunumba.lab.train import experiment

    settings = experiment.Settings(activations=activations,
                                   layernorm=LAYERNORM_CHOICES[layernorm],
                                   seeds=tuple(range(seeds)), epochs=epochs,
                                   learning_rate=learning_rate)
    console = stdout_console(min_width=120)
    records = []
    started, cpu_started = time.perf_counter(), time.process_time()
    with Progress(TextColumn("{task.description:<34}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console) as progress:
        for activation, with_norm, seed in settings.runs():
            task = progress.add_task(f"{activation}{' + layernorm' if with_norm else ''} "
                                     f"seed {seed}", total=epochs)
            records.append(experiment.train_one(
                settings, activation, with_norm, seed,
                on_epoch=lambda done, task=task: progress.update(task, completed=done)))
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    summary = experiment.summarize(records)
    console.print(_table(summary))
    console.print(f"{len(records)} runs in {seconds:.1f} s ({cpu_seconds:.1f} s of CPU)")
    if json_path:
        write_json(json_path, {"settings": _settings_json(settings), "summary": summary,
                               "runs": records, "seconds": seconds,
                               "cpu_seconds": cpu_seconds})
        console.print(f"wrote {json_path}")
    if plot_path:
        from elunumba.lab.train import figure

        write_output(plot_path, lambda out: figure.draw(out, records))
        console.print(f"wrote {plot_path}")


def _settings_json(settings):
    from dataclasses import asdict

    return {key: list(value) if isinstance(value, tuple) else value
            for key, value in asdict(settings).items()}


def _table(summary):
    table = Table(title="two spirals: mean over seeds (min–max)")
    for heading in ("activation", "LayerNorm", "test accuracy", "final loss", "mean loss",
                    "dead units", "mean activation"):
        table.add_column(heading, justify="left" if heading == "activation" else "right")
    for row in summary:
        table.add_row(row["activation"], "yes" if row["layernorm"] else "no",
                      *(_spread(row[field]) for field in (
                          "test_accuracy", "final_loss", "mean_loss", "dead_fraction_final",
                          "mean_activation_final")))
    return table


def _spread(values):
    return f"{values['mean']:.3f} ({values['min']:.3f}–{values['max']:.3f})"
