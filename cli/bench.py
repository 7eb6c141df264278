"""`elunumba bench`: sweep, `bench compare OLD NEW`, `bench table RESULTS`.

The measuring, file formats and verdicts live in elunumba.lab.bench; this module parses options,
shows progress and tables with rich, and turns bad input into usage errors (exit 2).
"""

import dataclasses
import shlex
import sys

import click
import numba
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from elunumba.kernels import threads as elunumba_threads
from elunumba.lab.bench import compare as comparing
from elunumba.lab.bench import doc_tables, fmt, headline, impls, plot, records, stability, sweep
from elunumba.lab.bench import timing
from elunumba.lab.bench.ops import DTYPES, OPS
from elunumba.lab.bench.sizes import QUICK_SIZES, SizeError, parse_sizes

from .numbers import FiniteFloat
from .names import name_list
from .outfiles import InputFile, output_path, write_output, write_text
from .terminal import EXIT_INTERRUPTED, stdout_console

QUICK_TARGETS = ("cpu", "parallel", "auto-alloc")
QUICK_PEERS = ("numpy-naive", "numpy-expm1", "torch")
EXIT_ALL_FAILED = 1
EXIT_UNTESTABLE = 2  # a usage error: files that cannot answer the gate's question
VERDICT_STYLE = {"same": "", "faster": "green", "slower": "red", "failed": "bold red",
                 "no baseline": "dim", "untested": "dim"}


def _sizes(ctx, param, value):
    try:
        return None if value is None else parse_sizes(value)
    except SizeError as error:
        raise click.BadParameter(str(error)) from None


@click.group(invoke_without_command=True,
             short_help="Time the ELU kernels against NumPy, torch and a copy.")
@click.option("--sizes", callback=_sizes, metavar="LIST",
              show_default="2^10:2^26:x4; to 2^28 with a GPU",
              help="Elements per array, comma-separated or a geometric range: '1024,4096', "
                   "'1e6', '2^10:2^24:x4'.")
@click.option("--dtypes", callback=name_list(DTYPES), metavar="LIST",
              show_default="float32,float64",
              help=f"Comma-separated, of {', '.join(DTYPES)}.")
@click.option("--ops", callback=name_list(OPS), metavar="LIST", show_default="all",
              help=f"Comma-separated, of {', '.join(OPS)}.")
@click.option("--targets", callback=name_list(tuple(impls.TARGETS), all_is_default=True),
              metavar="LIST", show_default="every target available here",
              help=f"Comma-separated, of {', '.join(impls.TARGETS)}.")
@click.option("--peers", callback=name_list(tuple(impls.PEERS), all_is_default=True, none=True),
              metavar="LIST",
              show_default="the NumPy ones and each installed peer; those that cannot run are "
                           "listed as skipped",
              help=f"Comma-separated, of {', '.join(impls.PEERS)}, or none.")
@click.option("--quick", is_flag=True,
              help=f"A reduced sweep for CI and first contact: sizes {QUICK_SIZES}, float32, "
                   f"targets {', '.join(QUICK_TARGETS)}, NumPy peers and torch, fewer repeats.")
@click.option("--repeats", type=click.IntRange(1, 10_000),
              show_default=f"{timing.Settings().repeats}; {timing.QUICK.repeats} with --quick",
              help="Samples per cell at most, shared among the rounds.")
@click.option("--rounds", type=click.IntRange(1, 1_000),
              show_default=f"{timing.Settings().rounds}; {timing.QUICK.rounds} with --quick",
              help="Passes through the whole sweep; each takes its share of every cell's "
                   "samples, and `bench compare` tests one value per round.")
@click.option("--budget", type=FiniteFloat(0.0),
              show_default=f"{timing.Settings().budget_s}; with --quick every cell takes its "
                           f"{timing.QUICK.min_repeats} samples",
              help="Seconds: stop sampling a cell after this long, once it has its minimum of "
                   "samples.")
@click.option("--cold", is_flag=True,
              help="Flush the CPU caches between samples (one call a sample). GPU samples are "
                   "always cold.")
@click.option("--json", "json_path", callback=output_path(), metavar="PATH",
              help="Write the results as JSON.")
@click.option("--csv", "csv_path", callback=output_path(), metavar="PATH",
              help="Write the cells as CSV.")
@click.option("--markdown", "markdown_path", callback=output_path(), metavar="PATH",
              help="Write the results as markdown.")
@click.option("--plot", "plot_path", callback=output_path(plot.SUFFIXES), metavar="PATH",
              help=f"Draw throughput against size (needs matplotlib): "
                   f"{', '.join(plot.SUFFIXES)}.")
@click.option("--alpha", type=FiniteFloat(0.0), default=1.0, show_default=True,
              help="ELU's alpha. Where alpha is not 1 the kernels carry alpha's rounding "
                   "(compensated arithmetic) and are slower; the speed goals are for alpha 1.")
@click.option("--threads", type=click.IntRange(1, numba.config.NUMBA_NUM_THREADS),
              show_default=f"all {numba.config.NUMBA_NUM_THREADS}",
              help="Numba threads for the parallel targets, and the peers' threads.")
@click.option("--goals", is_flag=True,
              help="Also show the project's speed goals and whether this run meets them (for "
                   "the maintainers; the JSON and markdown files always hold them).")
@click.option("--slowdown-for-testing", "extra_work", type=FiniteFloat(0.0, highest=10),
              default=0.0, hidden=True,
              help="Test-only: every target call also redoes this fraction of its work (0.3: "
                   "30% slower), to check that `bench compare` catches a regression.")
@click.pass_context
def bench(ctx, sizes, dtypes, ops, targets, peers, quick, repeats, rounds, budget, cold,
          json_path, csv_path, markdown_path, plot_path, alpha, threads, goals, extra_work):
    """Time each ELU kernel over sizes, dtypes, ops and targets, against peers and a copy.

    Per cell: median time and spread, Gelem/s, GB/s over every byte the op moves, the fraction of
    a copy of the same bytes measured in the same run, and speedups against numpy-naive and the
    best peer. Target auto-alloc is `y = elunumba.elu(x)` as usually written, a new result each
    call; the other targets write into preallocated out= arrays. Cells whose samples spread by
    10% or more are marked and warned about; the output ends with plain sentences about this
    machine. Ctrl-C stops the sweep and still writes what was measured. Progress goes to
    stderr, the tables to stdout.

    Examples:

    \b
      elunumba bench --quick
      elunumba bench --sizes 2^16,2^22 --dtypes float32 --ops forward --json now.json
      elunumba bench --targets parallel --peers torch --plot speed.svg
    """
    given = {p.name: p.opts[0] for p in ctx.command.params
             if ctx.get_parameter_source(p.name) == click.core.ParameterSource.COMMANDLINE}
    if ctx.invoked_subcommand is not None:
        if given:
            raise click.UsageError(f"{', '.join(given.values())} belong to the sweep, not to "
                                   f"'bench {ctx.invoked_subcommand}'")
        return
    if plot_path:
        try:
            plot.check_available()
        except plot.PlotUnavailableError as error:
            raise click.UsageError(str(error)) from None
    base = timing.QUICK if quick else timing.Settings()
    changes = {"cold": cold}
    if repeats:
        changes.update(repeats=repeats, min_repeats=min(base.min_repeats, repeats))
    samples = changes.get("repeats", base.repeats)
    if rounds and rounds > samples:
        raise click.UsageError(f"--rounds {rounds} is more than the {samples} samples a cell "
                               f"takes: each round takes at least one (raise --repeats or "
                               f"lower --rounds)")
    # the rounds given, else the default, but never more than the samples to share
    changes["rounds"] = rounds or min(base.rounds, samples)
    if budget is not None:
        changes["budget_s"] = budget
    settings = dataclasses.replace(base, **changes)
    explicit_peers = peers is not None
    if quick:  # the quick axes, where the command line gives none
        sizes = sizes if "sizes" in given else parse_sizes(QUICK_SIZES)
        dtypes = dtypes if "dtypes" in given else ["float32"]
        targets = targets if "targets" in given else list(QUICK_TARGETS)
        peers = peers if "peers" in given else list(QUICK_PEERS)
    try:
        plan = sweep.make_plan(sizes, dtypes, ops, targets, peers, strict_peers=explicit_peers,
                               settings=settings, alpha=alpha, extra_work=extra_work)
    except sweep.BenchInputError as error:
        raise click.UsageError(str(error)) from None
    if threads is not None:
        elunumba_threads.set_count(threads)  # on elunumba's layer, not the first one free
    result = _run(plan)
    _show(result, goals)
    _write(result, json_path, csv_path, markdown_path, plot_path)
    if result["interrupted"]:
        ctx.exit(EXIT_INTERRUPTED)
    if result["cells"] and all(c["status"] != "ok" for c in result["cells"]):
        click.echo(f"every one of the {len(result['cells'])} cells failed", err=True)
        ctx.exit(EXIT_ALL_FAILED)


def _run(plan):
    err = Console(stderr=True)
    steps = plan.steps
    cells = sum(step.cells for step in steps if step.round == 0)
    copies = sum(step.kind == "copy" for step in steps)
    err.print(f"[bold]elunumba bench[/]: {cells} cells over {len(plan.sizes)} sizes, "
              f"{len(plan.dtypes)} dtypes, {len(plan.ops)} ops and {len(plan.entries)} "
              f"implementations, and {copies} copy baselines; "
              f"{plan.settings.rounds} rounds through them all")
    for entry in plan.skipped:
        err.print(f"  skipped {fmt.skipped_line(entry)}", style="dim", markup=False,
                  highlight=False)
    runner = sweep.Runner(plan)
    interrupted = False
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=err)
    try:
        with progress:
            task = progress.add_task("starting", total=len(steps))
            for step in steps:
                progress.update(task, description=step.label)
                runner.run(step)
                progress.advance(task)
    except KeyboardInterrupt:
        interrupted = True
        err.print(f"[yellow]interrupted[/]: keeping the {len(runner.cells)} cells measured")
    command = shlex.join(["elunumba", *sys.argv[1:]])
    return sweep.finish(plan, runner, command=command, interrupted=interrupted)


def sweep_console():
    """The sweep's console on stdout: as wide as the terminal; off a terminal, $COLUMNS or 80,
    as a user's first screen would be (its tables fit 80 columns, sentences wrap)."""
    return Console()


def cell_table(op, dtype, rows):
    """The cells of one (op, dtype), sizes apart; every row on one line in 80 columns."""
    table = Table(title=f"{op} {dtype}", title_justify="left", box=box.SIMPLE_HEAD,
                  pad_edge=False)
    for column in fmt.TERMINAL_COLUMNS:
        table.add_column(column, justify="left" if column == "name" else "right")
    for record, following in zip(rows, rows[1:] + [None]):
        last_of_size = following is not None and following["size"] != record["size"]
        texts = fmt.cell_row(record, reason=False, columns=fmt.TERMINAL_COLUMNS,
                             mark_unstable=True)
        table.add_row(*_plain(texts), end_section=last_of_size,
                      style="bold" if record["kind"] == "target" else None)
    return table


def _show(result, goals=False):
    """The environment, a table per (op, dtype), failures, the goals where asked, what was
    skipped, a warning for unstable cells, and last the plain sentences about this machine."""
    out = sweep_console()
    out.print(f"[bold]{result['command']}[/]", highlight=False)
    for label, text in records.environment_lines(result["environment"]):
        out.print(f"  {label}: {text}", markup=False, highlight=False)
    for (op, dtype), rows in fmt.groups(result["cells"]).items():
        out.print(cell_table(op, dtype, rows))
    for record in result["copies"]:
        if record["status"] != "ok":  # the cells of that size have no fraction of copy
            out.print(f"failed: the copy baseline of {record['bytes']} bytes on "
                      f"{record['device']}: {record['reason']}; its cells have no fraction of "
                      f"copy, and `bench compare` cannot test them", style="red", markup=False,
                      highlight=False)
    for record in result["cells"]:
        if record["status"] != "ok":
            out.print(fmt.failure_line(record), style="red", markup=False, highlight=False)
        elif record["with_transfers_s"] is not None:
            out.print(fmt.transfer_line(record), markup=False, highlight=False)
    if goals:
        _show_goals(out, result["summary"]["entries"])
    for entry in result["skipped"]:
        out.print(f"skipped {fmt.skipped_line(entry)}", style="dim", markup=False,
                  highlight=False)
    for line in stability.warning(result["cells"], fmt.cell_name):
        out.print(line, style="yellow", markup=False, highlight=False)
    sentences = headline.sentences(result)
    if sentences:
        out.print()
        out.print(" ".join(sentences), markup=False, highlight=False)


def _show_goals(out, entries):
    summary = Table(title="Summary: the speed goals", title_justify="left",
                    box=box.SIMPLE_HEAD, pad_edge=False)
    for column in fmt.SUMMARY_COLUMNS:
        summary.add_column(column)
    for entry in entries:
        style = {True: "green", False: "red", None: None}[entry["met"]]
        summary.add_row(*_plain(fmt.summary_row(entry)), style=style)
    out.print(summary)
    for line in fmt.summary_notes(entries):
        out.print(line, style="dim", markup=False, highlight=False)


def _plain(texts):
    """Table cells as rich Text: reasons may hold brackets that are not markup."""
    return [Text(text) for text in texts]


def _write(result, json_path, csv_path, markdown_path, plot_path):
    writers = ((json_path, records.write_json), (csv_path, records.write_csv),
               (markdown_path, records.write_markdown), (plot_path, plot.plot))
    for path, write in writers:
        if path:
            write_output(path, lambda out, write=write: write(result, out))


@bench.command("compare", short_help="Compare two results files (--json) cell by cell.")
@click.argument("old", type=InputFile("bench results"))
@click.argument("new", type=InputFile("bench results"))
@click.option("--fail-above", type=FiniteFloat(0.0),
              help="Percent: exit 1 when one of elunumba's cells (not a peer's) is judged slower "
                   "by more than this, or failed; exit 2 when none of them could be tested.")
@click.option("--confidence", type=click.FloatRange(0.5, 1, max_open=True), default=0.99,
              show_default=True,
              help="Confidence the Mann-Whitney U test needs before calling a cell slower or "
                   "faster.")
@click.option("--min-effect", type=FiniteFloat(0.0), default=5.0, show_default=True,
              help="Percent: the smallest change of the median that counts at all.")
@click.option("--absolute", is_flag=True,
              help="Compare seconds per call instead of the fraction of copy (one machine "
                   "only).")
@click.option("--force", is_flag=True,
              help="Allow --absolute across machines whose CPU or vector ISA differ.")
@click.pass_context
def compare_command(ctx, old, new, fail_above, confidence, min_effect, absolute, force):
    """Compare two results files (--json) cell by cell.

    Each cell's value in each round of the two runs (the median of that round's samples) goes
    through a one-sided Mann-Whitney U test; a cell is "slower" or "faster" only when the test
    is significant at --confidence for all of elunumba's cells together (Benjamini-Hochberg;
    the peers' apart) and the median changed by more than --min-effect. By
    default the quantity compared is the cost relative to the copy baseline sampled in turn with
    the cell, which does not depend on how fast the machine is at the moment; change = new/old
    - 1 of that cost (positive: slower).

    Examples:

    \b
      elunumba bench --quick --json old.json
      elunumba bench --quick --json new.json
      elunumba bench compare old.json new.json --fail-above 10
    """
    try:
        comparing.check_available()
        old_result, new_result = records.load_json(old), records.load_json(new)
        gate = comparing.Gate(confidence, min_effect, absolute)
        rows, only_old, only_new = comparing.compare(old_result, new_result, gate, force)
    except (records.ResultsFileError, comparing.CompareError) as error:
        raise click.UsageError(str(error)) from None
    out = stdout_console()
    for name, result in (("old", old_result), ("new", new_result)):
        env = result["environment"]
        out.print(f"{name}: {result['created']}, commit {records.commit_text(env)}",
                  highlight=False)
    _, machines_line = comparing.machines(old_result, new_result)
    out.print(machines_line, highlight=False, style=None if "same" in machines_line else
              "yellow")
    quantity = "seconds per call" if absolute else "fraction of copy"
    out.print(f"compared: {quantity}, one value per round (old {_rounds(old_result)}, new "
              f"{_rounds(new_result)}); slower/faster at {100 * confidence:g}% "
              f"confidence for elunumba's cells together, and for the peers' (one-sided "
              f"Mann-Whitney U on the rounds, p adjusted by Benjamini-Hochberg), and by more "
              f"than {min_effect:g}%", highlight=False)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("cell", "old", "new", "change", "p", "verdict"):
        table.add_column(column, justify="left" if column in ("cell", "verdict") else "right")
    show = fmt.seconds if absolute else fmt.percent
    for row in rows:
        change = "–" if row["change_pct"] is None else f"{row['change_pct']:+.1f}%"
        p_value = "–" if row["p_value"] is None else f"{row['p_value']:.2g}"
        table.add_row(*_plain([fmt.cell_name(row), show(row["old"]), show(row["new"]), change,
                               p_value, row["verdict"]]), style=VERDICT_STYLE[row["verdict"]])
    out.print(table)
    if counts_untested := sum(r["verdict"] == "untested" for r in rows):
        out.print(f"{counts_untested} cells untested: a file holds no per-round samples (made "
                  f"by an older elunumba, or without rounds), none of the copy baseline (the "
                  f"copy failed: see the run's copy records), or too few rounds to reach "
                  f"{100 * confidence:g}% confidence; measure both again with this version",
                  style="yellow", highlight=False)
    counts = {v: sum(r["verdict"] == v for r in rows) for v in VERDICT_STYLE}
    out.print(", ".join(f"{n} {v}" for v, n in counts.items() if n) or "no cells in common",
              highlight=False)
    if only_old or only_new:
        out.print(f"{len(only_old)} cells only in {old}, {len(only_new)} only in {new}",
                  style="dim", highlight=False)
    if fail_above is not None:
        failing = comparing.regressions(rows, fail_above)
        if failing:
            click.echo(f"{len(failing)} cells slower by more than {fail_above:g}% or failed",
                       err=True)
            ctx.exit(1)
        if reason := comparing.nothing_tested(rows):
            click.echo(f"Error: the gate tested nothing, so it cannot pass: {reason}; "
                       f"measure both again with this version", err=True)
            ctx.exit(EXIT_UNTESTABLE)


def _rounds(result):
    number = comparing.rounds(result)
    return "no rounds recorded" if number is None else f"{number} rounds"


@bench.command("table", hidden=True,
               short_help="(maintainers) The tables of docs/benchmarks.md from results files.")
@click.argument("results", nargs=-1, required=True,
                type=InputFile("bench results"))
@click.option("--page", "--readme", "page", type=click.Path(exists=True, dir_okay=False),
              callback=output_path(rewrite=True), metavar="PATH",
              help="Rewrite this markdown file's block between <!-- bench-table:start --> and "
                   "<!-- bench-table:end --> (docs/benchmarks.md) instead of printing.")
def table_command(results, page):
    """(maintainers) The benchmark tables (markdown), one per results file: name one file per
    machine. Hidden from `elunumba bench --help`: it writes the project's own pages.

    Examples:

    \b
      elunumba bench table bench_results/benchmarks/bench-avx512.json \\
          bench_results/benchmarks/bench-avx2.json --page docs/benchmarks.md
    """
    try:
        loaded = [(path, records.load_json(path)) for path in results]
        if page is None:
            click.echo(doc_tables.tables(loaded))
            return
        with open(page) as f:
            text = doc_tables.rewrite(f.read(), loaded)
    except (ValueError, OSError) as error:  # bad results or markers, an unreadable page
        raise click.UsageError(str(error)) from None
    write_text(page, text, f"rewrote the benchmark tables in {page}")
