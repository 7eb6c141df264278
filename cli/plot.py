"""`elunumba plot`: ELU for several alpha beside ReLU and LeakyReLU, as a figure (.png, .svg or
.pdf), as JSON in the export format of the visualize_activation script and as a self-contained
interactive page."""

import importlib.util
import math

import click

from elunumba.lab.files import FIGURE_SUFFIXES

from .numbers import FiniteFloat
from .outfiles import output_path, write_json, write_output

MAX_ALPHAS = 8
# the page's statistics hold sigma^2 and the curves slope*x: both stay finite float64 within this
LIMIT, SMALLEST = 1e150, 1e-150


def _alphas(ctx, param, text):
    try:
        alphas = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        alphas = []
    if not alphas or len(alphas) > MAX_ALPHAS \
            or not all(math.isfinite(a) and a > 0 for a in alphas):
        raise click.BadParameter(f"{text!r}: give 1 to {MAX_ALPHAS} comma-separated finite "
                                 "numbers > 0, e.g. 0.5,1,2")
    return alphas


@click.command(short_help="Draw ELU, ReLU and LeakyReLU and their derivatives.")
@click.argument("figure_path", metavar="[FIGURE]", required=False,
                callback=output_path(FIGURE_SUFFIXES))
@click.option("--json", "json_path", callback=output_path((".json",)), metavar="PATH",
              help="Write x, y and yp per curve, in the export format of the "
                   "visualize_activation script.")
@click.option("--html", "html_path", callback=output_path((".html", ".htm")), metavar="PATH",
              help="Write a self-contained page with an alpha slider.")
@click.option("--alphas", default="0.5,1,2", show_default=True, callback=_alphas,
              metavar="LIST", help="ELU's alphas for the figure and the JSON, comma-separated.")
@click.option("--slope", default=0.1, show_default=True,
              type=FiniteFloat(0.0, highest=LIMIT), help="LeakyReLU's negative slope.")
@click.option("--sigma", default=1.0, show_default=True,
              type=FiniteFloat(SMALLEST, highest=LIMIT),
              help="The page's statistics are for X ~ N(0, SIGMA²).")
def plot(figure_path, json_path, html_path, alphas, slope, sigma):
    """Draw ELU (several alpha), ReLU and LeakyReLU and their derivatives to FIGURE, a .png,
    .svg or .pdf (needs matplotlib), or write them as JSON (--json) or as an interactive page
    (--html).

    Examples:

    \b
      elunumba plot elu.png
      elunumba plot elu.svg --alphas 0.5,1,1.6733 --slope 0.2
      elunumba plot --json curves.json --html elu.html --sigma 2
    """
    if not (figure_path or json_path or html_path):
        raise click.UsageError("nothing to write: give a figure path (.png, .svg or .pdf), "
                               "--json PATH or --html PATH")
    if figure_path and importlib.util.find_spec("matplotlib") is None:
        raise click.ClickException("drawing a figure needs matplotlib: pip install "
                                   "'elunumba[plot]'")
    from elunumba.lab.plot import curves

    found = curves.curves(curves.grid(), alphas, slope)
    if figure_path:
        from elunumba.lab.plot import figure

        write_output(figure_path, lambda out: figure.draw(out, found))
    if json_path:
        write_json(json_path, curves.as_json(found))
    if html_path:
        from elunumba.lab.plot import page

        data = page.page_data(sigma=sigma, slope=slope)
        write_output(html_path, lambda out: page.write(out, data))
