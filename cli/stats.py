"""`elunumba stats`: closed-form mean, variance, mean gradient and init gain of activations
under N(mu, sigma^2)."""

import math

import click
from rich.markup import escape
from rich.table import Table

from .numbers import finite_number
from .outfiles import output_path, write_json
from .terminal import stdout_console

# E[f(X)^2] grows like (slope*mu)^2, (slope*sigma)^2, alpha^2 ... and must stay a normal float64
# for the table and the init gain to be numbers: a product of two options squared stays within
# 1e-300..1e300 when each option is within 1e-75..1e75
LIMIT, SMALLEST = 1e75, 1e-75
FIELDS = (("mean", "E[f(X)]"), ("second_moment", "E[f(X)²]"), ("variance", "Var[f(X)]"),
          ("mean_grad", "E[f'(X)]"), ("init_gain", "init gain"))


@click.command()
@click.option("--mu", default=0.0, show_default=True, type=float,
              callback=finite_number(-LIMIT, strict=False, highest=LIMIT),
              help=f"Mean of the normal input X (|mu| <= {LIMIT:g}).")
@click.option("--sigma", default=1.0, show_default=True, type=float,
              callback=finite_number(SMALLEST, strict=False, highest=LIMIT),
              help=f"Standard deviation of X ({SMALLEST:g} to {LIMIT:g}).")
@click.option("--alpha", default=1.0, show_default=True, type=float,
              callback=finite_number(0.0, highest=LIMIT),
              help=f"ELU's and CELU's alpha (> 0, <= {LIMIT:g}).")
@click.option("--slope", default=0.01, show_default=True, type=float,
              callback=finite_number(0.0, strict=False, highest=LIMIT),
              help=f"LeakyReLU's negative slope (0 to {LIMIT:g}).")
@click.option("--json", "json_path", callback=output_path((".json",)),
              help="Also write the table and the zero-mean alpha as JSON.")
def stats(mu, sigma, alpha, slope, json_path):
    """Compare activations for X ~ N(MU, SIGMA²), in closed form.

    The init gain g keeps the next layer's pre-activation variance at SIGMA² for weights drawn
    from N(0, g²/fan_in).
    """
    from elunumba import stats as closed_form

    rows = closed_form.compare(mu, sigma, alpha, slope)
    zero_mean = float(closed_form.zero_mean_alpha(mu, sigma))
    for row in rows:
        unrepresentable = [field for field, _ in FIELDS if not math.isfinite(row[field])]
        if unrepresentable:
            raise click.UsageError(
                f"--mu {mu:g} with --sigma {sigma:g}: {row['activation']}'s "
                f"{', '.join(unrepresentable)} is not representable in float64 (E[f(X)²] "
                "underflows or overflows); bring mu/sigma closer to 0 (|mu|/sigma <= 20 always "
                "works)")
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
                     else "none representable in float64 (X <= 0 is too improbable: the alpha "
                     "would exceed 1.8e308)"))
    if json_path:
        write_json(json_path, {"mu": mu, "sigma": sigma, "alpha": alpha, "slope": slope,
                               "zero_mean_alpha": zero_mean if math.isfinite(zero_mean) else None,
                               "activations": rows})
        console.print(f"wrote {json_path}")
