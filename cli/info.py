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


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def info(as_json):
    """What this machine can run: versions, CPU and threads, CUDA, targets and peers."""
    usable, detail, simulated = impls.cuda_status()
    report = {"environment": env.collect(command=None, gpu=usable),
              "threading": {"layer": threads.layer(), "why_not_tbb": threads.why_not_tbb()},
              "cuda": {"usable": usable, "detail": detail, "simulated": simulated},
              "cuda_install": gpu_setup.diagnose(gpu_setup.collect()),
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
    table.add_row("CUDA", escape(("works: " if usable else "unavailable: ") + detail))
    table.add_row("CUDA install", _install_lines(report["cuda_install"]))
    for kind in ("targets", "peers"):
        table.add_row(kind, "\n".join(_availability_line(e) for e in report[kind]))
    stdout_console().print(table, highlight=False)


def _availability_line(entry):
    where = " (cuda)" if entry["device"] == "cuda" and entry["name"] != "cuda" else ""
    if entry["available"]:
        return f"[green]✓[/] {entry['name']}{where}"
    return f"[red]✗[/] {entry['name']}{where}: {escape(entry['reason'])}"


def _install_lines(diagnosis):
    if diagnosis["ok"]:
        return f"[green]✓[/] complete ({escape(diagnosis['driver'])} driver)"
    lines = [f"[red]✗[/] {escape(problem)}" for problem in diagnosis["problems"]]
    if diagnosis["fix"]:
        lines.append(f"fix: [bold]{escape(diagnosis['fix'])}[/]")
    return "\n".join(lines)
