"""`elunumba accuracy` (the error report, --exhaustive) and `elunumba check` (the CI gate)."""

import json
import shutil
import sys

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from elunumba.accuracy import bands, exhaustive, gate, reference, report, variants

DTYPES = ("float16", "float32", "float64")
# wide tables: give them room when the output is not a terminal (CI logs, files)
WIDTH_OFF_TERMINAL = 150
console = Console(width=None if sys.stdout.isatty()
                  else max(shutil.get_terminal_size().columns, WIDTH_OFF_TERMINAL))


def _write_json(path, payload):
    with open(path, "w") as file:
        json.dump(payload, file, indent=2)
        file.write("\n")
    console.print(f"wrote {path}")


@click.command()
@click.option("--dtypes", default="float32,float64", show_default=True,
              help="Comma-separated: float16, float32, float64.")
@click.option("--per-band", default=200_000, show_default=True, type=click.IntRange(min=1),
              help="Random inputs per band.")
@click.option("--bands", "band_names", default=",".join(bands.BAND_NAMES), show_default=True,
              help="Comma-separated input bands to sample.")
@click.option("--alpha", default=1.0, show_default=True, type=float)
@click.option("--selu", is_flag=True,
              help="SELU's alpha and scale, judged against the exact constants.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, writable=True),
              help="Write every record to this JSON file.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False, writable=True),
              help="Draw ULP error against x (naive vs expm1) to this PNG (needs matplotlib).")
@click.option("--exhaustive", "run_exhaustive", is_flag=True,
              help="Check every float32 input (all 2^32 bit patterns), forward and gradient.")
@click.option("--start", default="0", show_default=True,
              help="With --exhaustive: first bit pattern (e.g. 0xbf000000).")
@click.option("--stop", default=str(exhaustive.ALL_INPUTS), show_default=True,
              help="With --exhaustive: one past the last bit pattern.")
def accuracy(dtypes, per_band, band_names, alpha, selu, json_path, plot_path, run_exhaustive, start, stop):
    """Error report of elunumba's kernels against naive exp(x)-1, NumPy and PyTorch."""
    if run_exhaustive:
        _run_exhaustive(_parse_bits(start, "--start"), _parse_bits(stop, "--stop"), json_path,
                        alpha)
        return
    chosen = _parse_dtypes(dtypes)
    measured = variants.all_variants(variants.available_targets())
    with console.status("measuring…"):
        scale = 1.0
        if selu:
            alpha, scale = reference.SELU_ALPHA, reference.SELU_SCALE
        chosen_bands = _parse_bands(band_names)
        records = report.measure(measured, chosen, per_band, alpha, scale,
                                 chosen_bands=chosen_bands)
    for dtype in chosen:
        for quantity in report.QUANTITIES:
            console.print(_band_table(records, dtype, quantity))
    console.print("[dim]cells: max ULP error / % correctly rounded. 'grad from y' judges "
                  "the gradient as the function of the stored y it is; 'grad vs true' compares "
                  "it with alpha*e^x, which y + alpha cannot deliver for x << 0 (cancellation; "
                  "PyTorch's is_result path has the same property).[/dim]")
    if json_path:
        _write_json(json_path, {"alpha": alpha, "scale": scale, "per_band": per_band, "bands": chosen_bands, "records": records})
    if plot_path:
        from elunumba.accuracy import plot

        try:
            plot.draw(plot_path)
        except RuntimeError as error:
            raise click.ClickException(str(error)) from None
        console.print(f"wrote {plot_path}")


def _parse_dtypes(text):
    chosen = [d.strip() for d in text.split(",") if d.strip()]
    unknown = [d for d in chosen if d not in DTYPES]
    if unknown or not chosen:
        raise click.BadParameter(f"{', '.join(unknown) or text!r}: choose from "
                                 f"{', '.join(DTYPES)}", param_hint="--dtypes")
    return chosen


def _parse_bands(text):
    chosen = [b.strip() for b in text.split(",") if b.strip()]
    unknown = [b for b in chosen if b not in bands.BAND_NAMES]
    if unknown or not chosen:
        raise click.BadParameter(f"{', '.join(unknown) or text!r}: choose from "
                                 f"{', '.join(bands.BAND_NAMES)}", param_hint="--bands")
    return chosen


def _parse_bits(text, name):
    try:
        value = int(text, 0)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an integer (decimal or 0x...)",
                                 param_hint=name) from None
    if not 0 <= value <= exhaustive.ALL_INPUTS:
        raise click.BadParameter(f"{text} is outside 0..2^32", param_hint=name)
    return value


def _band_table(records, dtype, quantity):
    rows = [r for r in records if r["dtype"] == dtype and r["quantity"] == quantity]
    names = list(dict.fromkeys(r["variant"] for r in rows))
    cells = {(r["band"], r["variant"]): r for r in rows}
    table = Table(title=f"{dtype} — {quantity} — max ULP error / % correctly rounded")
    table.add_column("input band")
    for name in names:
        table.add_column(escape(name), justify="right")
    for band in bands.BAND_NAMES:
        table.add_row(band, *(_cell(cells.get((band, name))) for name in names))
    return table


def _cell(record):
    if record is None:
        return "—"
    return f"{record['max_ulp']:.3g} / {100 * record['correctly_rounded']:.2f}%"


def _run_exhaustive(start, stop, json_path, alpha):
    if stop <= start:
        raise click.BadParameter("--stop must be greater than --start", param_hint="--stop")
    import elunumba

    checked = {"elunumba[parallel]": (elunumba, "parallel"),
               "elunumba.correctly_rounded": (elunumba.correctly_rounded, "parallel")}
    if "cuda" in variants.available_targets():
        checked["elunumba[cuda]"] = (elunumba, "cuda")
    columns = (TextColumn("{task.description}"), BarColumn(),
               TextColumn("{task.percentage:>5.1f}%"),
               TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("all float32 inputs", total=stop - start)
        result = exhaustive.run(checked, start, stop,
                                progress=lambda n: progress.advance(task, n), alpha=alpha)
    if result["interrupted"]:
        console.print(f"[yellow]interrupted: covered {result['inputs_checked']:,} inputs "
                      f"{' to '.join(result['range'])}[/yellow]")
    table = Table(title=f"float32, alpha = {alpha:g}: {result['inputs_checked']:,} inputs in "
                        f"{result['seconds']} s")
    for column in ("variant", "quantity", "correctly rounded", "max ULP", "worst input",
                   "ULP histogram (0/1/2/>=3)"):
        table.add_column(column)
    for row in result["results"]:
        histogram = "/".join(f"{n:,}" for n in row["ulp_histogram"].values())
        worst = "—" if row["worst_input"] is None else (
            f"{row['worst_input']!r} ({row['worst_input_bits']})")
        table.add_row(escape(row["variant"]), row["quantity"],
                      f"{100 * row['correctly_rounded']:.6f}%",
                      f"{row['max_ulp']:.4g}", worst, histogram)
    console.print(table)
    if json_path:
        _write_json(json_path, result)


@click.command()
@click.option("--max-ulp", type=click.FloatRange(min=0), default=None,
              help="Use this threshold for every op, dtype and target instead of the file's.")
@click.option("--thresholds", "thresholds_path", type=click.Path(exists=True, dir_okay=False),
              default=None, help="Thresholds JSON (default: the one kept in the package).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, writable=True),
              help="Write the measured figures and any violations to this JSON file.")
@click.option("--implementation", type=click.Choice(["elunumba", "naive"]), default="elunumba",
              show_default=True,
              help="'naive' measures exp(x)-1 in place of the kernels: the gate must then fail.")
def check(max_ulp, thresholds_path, json_path, implementation):
    """CI gate: max ULP errors on a fixed sample against the kept thresholds (exit 1 if over)."""
    try:
        thresholds = gate.load_thresholds(thresholds_path)
    except (OSError, json.JSONDecodeError) as error:
        raise click.ClickException(f"cannot read thresholds: {error}") from None
    with console.status(f"measuring {gate.sample_size():,} inputs per dtype…"):
        figures = gate.measure(implementation)
    problems = gate.violations(figures, thresholds, max_ulp)
    if json_path:
        _write_json(json_path, {"implementation": implementation, "max_ulp_override": max_ulp,
                                "figures": figures, "violations": problems})
    for line in problems:
        click.echo(f"FAIL {line}", err=True)
    if problems:
        sys.exit(1)
    checked = sum(len(v) for by_dtype in figures.values() for v in by_dtype.values())
    click.echo(f"accuracy gate passed: {checked} figures within their thresholds")
