"""`elunumba stats`: closed-form mean, variance, mean gradient and init gain of activations
under N(mu, sigma^2)."""

import math

import click
from rich.markup import escape
from rich.table import Table

from .numbers import FiniteFloat
from .outfiles import output_path, write_json
from .terminal import stdout_console

# E[f(X)^2] grows like (slope*mu)^2, (slope*sigma)^2, alpha^2 ... and must stay a normal float64
# for the table and the init gain to be numbers: a product of two options squared stays within
# 1e-300..1e300 when each option is within 1e-75..1e75
LIMIT, SMALLEST = 1e75, 1e-75
# why --alpha must be > 0: the table's CELU row, CELU(x) = max(0, x) + min(0, alpha*(exp(x/alpha)
# - 1)), is undefined at alpha = 0 (PyTorch's celu refuses it too); its limit is ReLU
ALPHA_ZERO = ("CELU(x) = max(0, x) + min(0, alpha*(exp(x/alpha) - 1)) divides by alpha; ELU "
              "with alpha 0 is ReLU, whose row the table always has")
FIELDS = (("mean", "E[f(X)]"), ("second_moment", "E[f(X)²]"), ("variance", "Var[f(X)]"),
          ("mean_grad", "E[f'(X)]"), ("init_gain", "init gain"))


@click.command(short_help="Mean, variance and gain of activations for X ~ N(MU, SIGMA²).")
@click.option("--mu", default=0.0, show_default=True, type=FiniteFloat(-LIMIT, highest=LIMIT),
              help="Mean of the normal input X.")
@click.option("--sigma", default=1.0, show_default=True,
              type=FiniteFloat(SMALLEST, highest=LIMIT), help="Standard deviation of X.")
@click.option("--alpha", default=1.0, show_default=True,
              type=FiniteFloat(0.0, strict=True, highest=LIMIT, why=ALPHA_ZERO),
              help="ELU's and CELU's alpha. Not 0: CELU divides by it, and ELU with alpha 0 is "
                   "ReLU, which the table always holds.")
@click.option("--slope", default=0.01, show_default=True, type=FiniteFloat(0.0, highest=LIMIT),
              help="LeakyReLU's negative slope.")
@click.option("--json", "json_path", callback=output_path((".json",)), metavar="PATH",
              help="Also write the table and the zero-mean alpha as JSON.")
def stats(mu, sigma, alpha, slope, json_path):
    """Compare activations for X ~ N(MU, SIGMA²), in closed form.

    The init gain g keeps the next layer's pre-activation variance at SIGMA² for weights drawn
    from N(0, g²/fan_in).

    Examples:

    \b
      elunumba stats
      elunumba stats --mu 0.5 --sigma 2 --alpha 1.5 --json moments.json
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
