"""`elunumba accuracy` (the error report, --exhaustive) and `elunumba check` (the CI gate).

The measuring, references and table contents live in elunumba.lab.accuracy; this module parses and
checks every option and output path before any measuring (bad input: exit 2), shows progress and
tables with rich, and writes files atomically. A failed gate exits 1, Ctrl-C 130.
"""

import contextlib
import importlib.util
import math
import shlex
import time

import click
import numpy as np
from rich.console import Console
from rich.markup import escape
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn)
from rich.table import Table

from elunumba.kernels import threads
from elunumba.lab.files import FIGURE_SUFFIXES
from elunumba.lab.memory import memory_bytes
from elunumba.lab import machine
from elunumba.lab.accuracy import bands, exhaustive, fmt, gate, reference, report, variants

from .numbers import FiniteFloat, WrittenInteger
from .names import name_list
from .outfiles import InputFile, output_path, write_json, write_output
from .terminal import EXIT_INTERRUPTED, stdout_console

DTYPES = ("float16", "float32", "float64")
PLOT_SUFFIXES = FIGURE_SUFFIXES
console = stdout_console()
err = Console(stderr=True)
# inputs a second per thread in the full run recorded in
# bench_results/accuracy/accuracy-float32-exhaustive.json (2^32 inputs, alpha 1, 9996 s with 2
# Numba threads on a 2-core AMD EPYC, AVX-512 code): the basis of --exhaustive's estimate
EXHAUSTIVE_INPUTS_PER_THREAD_S = 2**32 / 9996 / 2


def _bands(ctx, param, value):
    chosen = [name.strip() for name in value.split(",") if name.strip()]
    if not chosen:
        raise click.BadParameter(f"choose from {', '.join(bands.BAND_NAMES)}", ctx, param)
    for name in chosen:
        if name not in bands.BAND_NAMES:
            try:
                bands.custom_band(name)
            except ValueError as error:
                raise click.BadParameter(str(error), ctx, param) from None
    return chosen


def _bits(text):
    """A float32 bit pattern bound, 0..2^32, written in decimal or hex (0x...)."""
    try:
        bits = int(text, 0)
    except ValueError:
        raise ValueError(f"{text!r} is not an integer (decimal or 0x...)") from None
    if not 0 <= bits <= exhaustive.ALL_INPUTS:
        raise ValueError(f"{text} is outside 0..2^32")
    return bits


def _provenance(ctx):
    """What every JSON result records about how and where it was made: the command (the
    options given, as parsed) and the machine."""
    words = ["elunumba", ctx.info_name]
    for param in ctx.command.params:
        if ctx.get_parameter_source(param.name) != click.core.ParameterSource.COMMANDLINE:
            continue
        value = ctx.params[param.name]
        words += [param.opts[0]] if param.is_flag else [
            param.opts[0], ",".join(value) if isinstance(value, list) else str(value)]
    return {"command": shlex.join(words), "machine": machine.record()}


@click.command(short_help="Error report in ULPs against exp(x)-1, NumPy and PyTorch.")
@click.option("--dtypes", default="float32,float64", show_default=True, callback=name_list(DTYPES),
              metavar="LIST", help=f"Comma-separated, of {', '.join(DTYPES)}.")
@click.option("--per-band", default=200_000, show_default=True, type=click.IntRange(min=1),
              help="Random inputs per band.")
@click.option("--bands", "band_names", default=",".join(bands.BAND_NAMES), show_default=True,
              callback=_bands, metavar="LIST",
              help="Comma-separated input bands to sample: their names, or magnitudes of "
                   "negative x as low..high (e.g. 0.3..0.4).")
@click.option("--alpha", default=1.0, show_default=True, type=float,
              help="ELU's alpha: a finite number from 0 to the largest every chosen dtype can "
                   "hold.")
@click.option("--selu", is_flag=True,
              help="SELU's alpha and scale, judged against the exact constants.")
@click.option("--json", "json_path", callback=output_path(), metavar="PATH",
              help="Write every record to this JSON file.")
@click.option("--plot", "plot_path", callback=output_path(PLOT_SUFFIXES), metavar="PATH",
              help="Draw ULP error against x, per chosen dtype, for this alpha (naive exp(x)-1, "
                   "NumPy's expm1, elunumba) to this .png, .svg or .pdf (needs matplotlib).")
@click.option("--exhaustive", "run_exhaustive", is_flag=True,
              help="Check every float32 input (all 2^32 bit patterns), forward and gradient: "
                   "hours on a 2-core machine (it says how many before it starts).")
@click.option("--start", default="0", show_default=True, type=WrittenInteger(_bits),
              help="With --exhaustive: the first bit pattern, in decimal or hex (0xbf000000).")
@click.option("--stop", default=str(exhaustive.ALL_INPUTS), show_default="2^32",
              type=WrittenInteger(_bits),
              help="With --exhaustive: one past the last bit pattern.")
@click.pass_context
def accuracy(ctx, dtypes, per_band, band_names, alpha, selu, json_path, plot_path, run_exhaustive,
             start, stop):
    """Error report of elunumba's kernels against naive exp(x)-1, NumPy and PyTorch.

    Errors are in ULPs of each dtype against a more precise reference, per band of inputs.
    Progress goes to stderr, the tables to stdout.

    Examples:

    \b
      elunumba accuracy
      elunumba accuracy --dtypes float32 --alpha 1.7 --json report.json --plot errors.svg
      elunumba accuracy --exhaustive --start 0xbf000000 --stop 0xbf800000
    """
    given = {p.opts[0] for p in ctx.command.params
             if ctx.get_parameter_source(p.name) == click.core.ParameterSource.COMMANDLINE}
    if run_exhaustive:
        _check_exhaustive_options(given, start, stop, alpha)
        _run_exhaustive(ctx, start, stop, json_path, alpha)
        return
    if given & {"--start", "--stop"}:
        raise click.UsageError("--start and --stop choose the bit patterns of --exhaustive; "
                               "add --exhaustive or leave them out")
    scale = 1.0
    if selu:
        if "--alpha" in given:
            raise click.UsageError("--selu sets alpha (and scale) itself; leave out --alpha")
        alpha, scale = reference.SELU_ALPHA, reference.SELU_SCALE
    _check_alpha(alpha, dtypes)
    _check_memory(per_band)
    if plot_path and importlib.util.find_spec("matplotlib") is None:
        raise click.BadParameter("needs matplotlib: pip install 'elunumba[plot]'",
                                 param_hint="--plot")
    measured = variants.all_variants(variants.available_targets())
    try:
        with err.status("measuring…"):
            records = report.measure(measured, dtypes, per_band, alpha, scale,
                                     chosen_bands=band_names)
    except KeyboardInterrupt:
        err.print("[yellow]interrupted: nothing written[/yellow]")
        ctx.exit(EXIT_INTERRUPTED)
    console.print(f"{fmt.parameters(alpha, scale)}, {per_band:,} random inputs per band "
                  f"({machine.line(machine.record())})")
    for dtype in dtypes:
        for quantity in report.QUANTITIES:
            headers, rows = fmt.band_table(records, dtype, quantity)
            console.print(_rich_table(f"{dtype} — {quantity} — max ULP error / % correctly "
                                      "rounded", headers, rows))
    console.print(f"[dim]{escape(fmt.BAND_NOTE)}[/dim]")
    if json_path:
        write_json(json_path, {**_provenance(ctx), "alpha": alpha, "scale": scale,
                                "per_band": per_band, "bands": band_names, "records": records})
    if plot_path:
        from elunumba.lab.accuracy import plot

        write_output(plot_path, lambda out: plot.draw(out, dtypes, alpha, scale))


def _check_exhaustive_options(given, start, stop, alpha):
    ignored = sorted(given & {"--dtypes", "--per-band", "--bands", "--selu", "--plot"})
    if ignored:
        raise click.UsageError(f"--exhaustive checks float32 ELU over bit patterns; "
                               f"{', '.join(ignored)} do not apply to it")
    if stop <= start:
        raise click.BadParameter("--stop must be greater than --start", param_hint="--stop")
    _check_alpha(alpha, ["float32"])


def _check_alpha(alpha, dtypes):
    """alpha must be finite, >= 0 and, times scale, within every chosen dtype's range."""
    value = float(alpha)
    largest = min(float(np.finfo(dtype).max) for dtype in dtypes)
    if not (math.isfinite(value) and 0 <= value <= largest):
        raise click.BadParameter(f"{alpha!r}: use a finite number from 0 to {largest:g} "
                                 f"(the largest {', '.join(dtypes)} can hold)",
                                 param_hint="--alpha")


# Peak memory per --per-band input: 226 bytes measured with tracemalloc on report.measure for
# float64 and every variant (the whole sample, extended-precision references and statistics;
# tests/cli/test_accuracy_cli.py keeps it honest), plus torch's untraced outputs.
BYTES_PER_INPUT = 300


def _check_memory(per_band):
    needed = BYTES_PER_INPUT * per_band
    _, available = memory_bytes()
    if needed > available:
        largest = available // BYTES_PER_INPUT
        raise click.BadParameter(
            f"{per_band:,} inputs per band need about {needed / 2**30:.1f} GiB, "
            f"{available / 2**30:.1f} GiB is available: use at most {largest:,}",
            param_hint="--per-band")


def _rich_table(title, headers, rows):
    table = Table(title=title)
    for i, header in enumerate(headers):
        table.add_column(escape(header), justify="left" if i == 0 else "right")
    for row in rows:
        table.add_row(*(escape(cell) for cell in row))
    return table


def _run_exhaustive(ctx, start, stop, json_path, alpha):
    import elunumba

    checked = {"elunumba[parallel]": (elunumba, "parallel"),
               "elunumba.correctly_rounded": (elunumba.correctly_rounded, "parallel")}
    if "cuda" in variants.available_targets():
        checked["elunumba[cuda]"] = (elunumba, "cuda")
    columns = (TextColumn("{task.description}"), BarColumn(),
               TextColumn("{task.percentage:>5.1f}%"),
               TimeElapsedColumn(), TimeRemainingColumn())
    err.print(exhaustive_estimate(stop - start, threads.count()), markup=False,
              highlight=False)
    with Progress(*columns, console=err) as progress:
        task = progress.add_task("float32 inputs", total=stop - start)
        result = exhaustive.run(checked, start, stop,
                                progress=lambda n: progress.advance(task, n), alpha=alpha)
    if result["interrupted"]:
        covered = " to ".join(result["range"]) or "nothing"
        err.print(f"[yellow]interrupted: covered {result['inputs_checked']:,} inputs "
                      f"({covered})[/yellow]")
    console.print(_rich_table(fmt.exhaustive_title(result), *fmt.exhaustive_table(result)))
    if json_path:
        write_json(json_path, {**_provenance(ctx), **result})
    if result["interrupted"]:
        ctx.exit(EXIT_INTERRUPTED)


def exhaustive_estimate(inputs, threads):
    """The warning --exhaustive prints before it starts: how long ``inputs`` will take on
    ``threads`` threads, estimated from the recorded full run."""
    seconds = inputs / (EXHAUSTIVE_INPUTS_PER_THREAD_S * threads)
    if seconds < 90:
        duration = f"{seconds:.0f} seconds"
    elif seconds < 90 * 60:
        duration = f"{seconds / 60:.0f} minutes"
    else:
        duration = f"{seconds / 3600:.1f} hours"
    return (f"checking {inputs:,} float32 inputs: about {duration} on {threads} "
            f"thread{'s' if threads > 1 else ''} (an estimate from a recorded full run, "
            f"{EXHAUSTIVE_INPUTS_PER_THREAD_S * 2:,.0f} inputs/s on a 2-core AMD EPYC with "
            f"AVX-512; other CPUs and alphas differ). Ctrl-C stops it "
            f"and reports what was checked; --start and --stop check a part.")


def _thresholds(ctx, param, value):
    """The thresholds file, read and checked before anything is measured (its name is kept
    in ``ctx.meta["thresholds_path"]``, None for the package's)."""
    ctx.meta["thresholds_path"] = value
    try:
        return gate.load_thresholds(value)
    except ValueError as error:  # files.InputFileError, naming the file
        raise click.BadParameter(str(error), ctx, param) from None


@click.command(short_help="CI gate: max ULP errors against the kept thresholds.")
@click.option("--max-ulp", type=FiniteFloat(0.0),
              help="Use this threshold for every op, dtype and target instead of the file's.")
@click.option("--thresholds", "thresholds", type=InputFile("thresholds", exists=False),
              callback=_thresholds, metavar="PATH", show_default="the package's own",
              help="A thresholds JSON file in the format of the package's own.")
@click.option("--json", "json_path", callback=output_path(), metavar="PATH",
              help="Write the measured figures and any violations to this JSON file.")
@click.option("--implementation", type=click.Choice(["elunumba", "naive"]), default="elunumba",
              show_default=True,
              help="'naive' measures exp(x)-1 in place of the kernels: the gate must then fail.")
@click.pass_context
def check(ctx, max_ulp, thresholds, json_path, implementation):
    """CI gate: max ULP errors on a fixed sample against the kept thresholds.

    Exit 0 when every check passes, 1 when one fails (a FAIL line each, on stderr) or the
    platform cannot compute the references (no 80-bit long double), 2 on a usage error, 130
    on Ctrl-C. Progress goes to stderr: a bar on a terminal, a line a step
    otherwise; the last line of stdout counts the checks passed and failed.

    Examples:

    \b
      elunumba check
      elunumba check --json accuracy-gate.json
      elunumba check --max-ulp 2 --implementation naive
    """
    try:
        reference.require_extended_precision()
    except RuntimeError as error:  # no 80-bit long double: the references cannot be computed
        raise click.ClickException(f"cannot check here: {error}") from None
    limits = (f"--max-ulp {max_ulp:g}" if max_ulp is not None
              else ctx.meta["thresholds_path"] or f"the package's {gate.THRESHOLDS_FILE}")
    err.print(f"elunumba check: max ULP error on {gate.sample_size():,} inputs per dtype and "
              f"parameter set, in {len(gate.steps())} steps, against {limits}",
              markup=False, highlight=False)
    try:
        with _gate_progress(err) as progress:
            figures = gate.measure(implementation, progress=progress)
    except KeyboardInterrupt:
        click.echo("interrupted: nothing checked", err=True)
        ctx.exit(EXIT_INTERRUPTED)
    problems = gate.violations(figures, thresholds, max_ulp)
    checks = gate.tally(figures, problems)
    if json_path:
        write_json(json_path, {**_provenance(ctx), "implementation": implementation,
                                "max_ulp_override": max_ulp, "passed": not problems,
                                "checks": checks, "figures": figures, "violations": problems})
    for line in problems:
        click.echo(f"FAIL {line}", err=True)
    click.echo(f"{checks['total']} checks: {checks['passed']} passed, {checks['failed']} "
               f"failed: the accuracy gate {'failed' if problems else 'passed'}")
    if problems:
        ctx.exit(1)


@contextlib.contextmanager
def _gate_progress(err):
    """gate.measure's progress callback: a bar on ``err`` where it is a terminal, else one
    plain line a step (CI logs keep every line; a bar would leave none or hundreds)."""
    started = time.monotonic()
    if not err.is_terminal:
        def line(done, total, label):
            if label is not None:
                err.print(f"[{done + 1}/{total}] {label} ({time.monotonic() - started:.0f} s "
                          f"so far)", markup=False, highlight=False)

        yield line
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("starting", total=None)

        def advance(done, total, label):
            bar.update(task, completed=done, total=total, description=label or "done",
                       refresh=True)

        yield advance
