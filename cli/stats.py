"""`elunumba stats`: closed-form mean, variance, mean gradient and init gain of activations
under N(mu, sigma^2)."""

import math

import click
from rich.markup import escape
from rich.table import Table

from .numbers import finite_number
from .outfiles import output_path, write_json
from .terminal import stdout_console

FIELDS = (("mean", "E[f(X)]"), ("second_moment", "E[f(X)²]"), ("variance", "Var[f(X)]"),
          ("mean_grad", "E[f'(X)]"), ("init_gain", "init gain"))


@click.command()
@click.option("--mu", default=0.0, show_default=True, type=float, callback=finite_number(),
              help="Mean of the normal input X.")
@click.option("--sigma", default=1.0, show_default=True, type=float,
              callback=finite_number(0.0), help="Standard deviation of X (> 0).")
@click.option("--alpha", default=1.0, show_default=True, type=float,
              callback=finite_number(0.0), help="ELU's and CELU's alpha (> 0).")
@click.option("--slope", default=0.01, show_default=True, type=float,
              callback=finite_number(0.0, strict=False),
              help="LeakyReLU's negative slope (>= 0).")
@click.option("--json", "json_path", callback=output_path((".json",)), help="Also write the table and the zero-mean alpha as JSON.")
def stats(mu, sigma, alpha, slope, json_path):
    """Compare activations for X ~ N(MU, SIGMA²), in closed form.

    The init gain g keeps the next layer's pre-activation variance at SIGMA² for weights drawn
    from N(0, g²/fan_in).
    """
    from elunumba import stats as closed_form

    rows = closed_form.compare(mu, sigma, alpha, slope)
    zero_mean = float(closed_form.zero_mean_alpha(mu, sigma))
    table = Table(title=f"X ~ N({mu:g}, {sigma:g}²), closed form")
    table.add_column("activation")
    for _, heading in FIELDS:
        table.add_column(escape(heading), justify="right")
    for row in rows:
        table.add_row(row["activation"], *(f"{row[field]:.6g}" for field, _ in FIELDS))
    console = stdout_console(min_width=100)
    console.print(table)
    console.print("alpha with E[ELU_alpha(X)] = 0: "
                  + (f"{zero_mean:.10g}" if math.isfinite(zero_mean)
                     else "none representable (the negative side has no mass in float64)"))
    if json_path:
        write_json(json_path, {"mu": mu, "sigma": sigma, "alpha": alpha, "slope": slope,
                               "zero_mean_alpha": zero_mean if math.isfinite(zero_mean) else None,
                               "activations": rows})
        console.print(f"wrote {json_path}")
