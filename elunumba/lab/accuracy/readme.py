"""The README's accuracy section, generated from committed results (never edited by hand)."""

import shlex

from .. import markdown
from . import fmt, machine
from .report import worst_by

MARKERS = ("<!-- accuracy-table:start -->", "<!-- accuracy-table:end -->")


def exhaustive_section(result):
    headers, rows = fmt.exhaustive_table(result, code=_code)
    return (f"{fmt.exhaustive_title(result)} on {_machine(result)} (`{_command(result)}`):\n\n"
            + markdown.table(headers, rows))


def band_section(report, dtype, quantity):
    headers, rows = fmt.band_table(report["records"], dtype, quantity, code=_code)
    return (f"{dtype}, {quantity}, {fmt.parameters(report['alpha'], report.get('scale', 1.0))}: "
            f"max ULP error / % correctly rounded, {report['per_band']:,} random inputs per "
            f"band, on {_machine(report)} (`{_command(report)}`):\n\n"
            + markdown.table(headers, rows))


def _code(text):
    return f"`{text}`"


def _machine(result):
    return machine.line(result.get("machine"))


def _command(result):
    """The command that measured ``result``, less its --json FILE (where it was written)."""
    if "command" not in result:
        return "command not recorded"
    words = shlex.split(result["command"])
    if "--json" in words:
        del words[words.index("--json"):words.index("--json") + 2]
    return shlex.join(words)


def rewrite(text, body):
    """``text`` with the block between MARKERS replaced by ``body``."""
    return markdown.replace_between(text, MARKERS, body)


BOUNDS_TITLES = {
    "forward": "Forward error bounds",
    "grad from x": "Error bounds of the gradient from the input (`elu_grad`) against the true "
                   "derivative",
}


def bounds_section(runs, quantity="forward"):
    """One row per committed run and dtype: the worst error of ``quantity`` ("forward" or
    "grad from x") of the default kernels and of the correctly rounded set. ``runs``: [(file
    name, loaded result)], exhaustive runs or band reports; runs without ``quantity`` are left
    out."""
    rows = []
    for name, result in runs:
        for dtype, parameters, inputs, worst in _worst_of(result, quantity):
            rows.append([dtype, parameters, inputs, _worst_cell(worst["elunumba[parallel]"]),
                         _worst_cell(worst["elunumba.correctly_rounded"]), _machine(result),
                         f"[{name}](bench_results/{name})"])
    headers = ("dtype", "parameters", "inputs", "default kernels: max ULP (at x)",
               "`correctly_rounded`: max ULP", "machine", "run")
    return (f"{BOUNDS_TITLES[quantity]}, each the worst seen in a committed run (its command is "
            "in the file):\n\n" + markdown.table(headers, rows))


def _worst_of(result, quantity):
    """(dtype, parameters, inputs, {variant: worst record}) per dtype of ``result``."""
    if "results" in result:  # an exhaustive run
        worst = {r["variant"]: r for r in result["results"] if r["quantity"] == quantity}
        if worst:
            inputs = f"all {result['inputs_checked']:,} from {' to '.join(result['range'])}"
            yield result["dtype"], fmt.parameters(result["alpha"]), inputs, worst
        return
    chosen = [r for r in result["records"] if r["quantity"] == quantity]
    bands = ", ".join(result["bands"]) if "bands" in result else "every band"
    for dtype in dict.fromkeys(r["dtype"] for r in chosen):
        records = [r for r in chosen if r["dtype"] == dtype]
        worst = {variant: record for (variant,), record in worst_by(records, ("variant",)).items()}
        sampled = sum(r["n"] for r in records if r["variant"] == "elunumba[parallel]")
        yield (dtype, fmt.parameters(result["alpha"], result.get("scale", 1.0)),
               f"{sampled:,} sampled in {bands}", worst)


def _worst_cell(record):
    if record["worst_input"] is None or record["max_ulp"] <= 0.5:
        return f"{record['max_ulp']:.3f}"
    return f"{record['max_ulp']:.3f} ({record['worst_input']:.9g})"
