"""`elunumba info`: versions, CPU, threads, whether CUDA works (and why not), targets, peers.

The threading layer is the one elunumba's parallel kernels run on (started as elunumba starts
it), with the reason where it is not TBB."""

import json

import click
from rich.markup import escape
from rich.table import Table

from elunumba.dispatch import gpu_setup
from elunumba.kernels import threads
from elunumba.lab.bench import env, impls, records

from .terminal import stdout_console


def availability():
    """{"targets": [...], "peers": [...]}: each {name, device, available, reason}."""
    def entry(impl, device):
        reason = impls.unavailable(impl, device)
        return {"name": impl.name, "device": device, "available": reason is None,
                "reason": reason}

    return {"targets": [entry(t, t.devices[0]) for t in impls.TARGETS.values()],
            "peers": [entry(p, d) for p in impls.PEERS.values() for d in p.devices]}


@click.command(short_help="What this machine can run: versions, CPU, CUDA, targets.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def info(as_json):
    """What this machine can run: versions, CPU and threads, CUDA, targets and peers.

    Examples:

    \b
      elunumba info
      elunumba info --json
    """
    usable, detail, simulated = impls.cuda_status()
    facts = gpu_setup.collect()
    report = {"environment": env.collect(command=None, gpu=usable),
              "threading": {"layer": threads.layer(), "why_not_tbb": threads.why_not_tbb()},
              "cuda": {"usable": usable, "detail": detail, "simulated": simulated},
              "cuda_install": gpu_setup.diagnose(facts),
              **availability()}
    if as_json:
        click.echo(json.dumps(report, indent=1))
        return
    table = Table(show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    for label, text in records.environment_lines(report["environment"]):
        table.add_row(label, escape(text))
    if report["threading"]["why_not_tbb"]:
        table.add_row("not TBB", escape(f"{report['threading']['why_not_tbb']} (see "
                                        f"docs/threads.md)"))
    no_driver = facts["driver_cuda"] is None
    table.add_row("CUDA", _cuda_line(usable, detail, no_driver))
    if not no_driver:  # else the CUDA line said what the install lacks
        table.add_row("CUDA install", _install_lines(report["cuda_install"]))
    for kind in ("targets", "peers"):
        table.add_row(kind, "\n".join(_availability_line(e, usable) for e in report[kind]))
    stdout_console().print(table, highlight=False)


def _cuda_line(usable, detail, no_driver):
    """One line: the device, or why CUDA cannot run here, said once (the targets and peers on
    the GPU refer to it)."""
    if usable:
        return f"[green]✓[/] works: {escape(detail)}"
    if no_driver:
        words = _cuda_failure()
        return ("[red]✗[/] no NVIDIA driver found" + (f" ({escape(words)})" if words else "")
                + ": CUDA kernels need an NVIDIA GPU and its driver, which pip cannot install; "
                  "the CPU targets work without them")
    return f"[red]✗[/] unavailable: {escape(detail)}"


def _cuda_failure():
    """numba's words for why CUDA does not initialise ('' where it gives none)."""
    try:
        from elunumba.kernels import gpu
    except ImportError as error:
        return f"numba's CUDA support failed to import: {error}"
    return gpu.failure()


def _availability_line(entry, cuda_usable):
    where = " (cuda)" if entry["device"] == "cuda" and entry["name"] != "cuda" else ""
    if entry["available"]:
        return f"[green]✓[/] {entry['name']}{where}"
    if entry["device"] == "cuda" and not cuda_usable:
        return f"[red]✗[/] {entry['name']}{where}: no CUDA here (see CUDA)"
    return f"[red]✗[/] {entry['name']}{where}: {escape(entry['reason'])}"


def _install_lines(diagnosis):
    if diagnosis["ok"]:
        return f"[green]✓[/] complete ({escape(diagnosis['driver'])} driver)"
    lines = [f"[red]✗[/] {escape(problem)}" for problem in diagnosis["problems"]]
    if diagnosis["fix"]:
        lines.append(f"fix: [bold]{escape(diagnosis['fix'])}[/]")
    return "\n".join(lines)
