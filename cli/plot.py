"""`elunumba plot`: ELU for several alpha beside ReLU and LeakyReLU, as a PNG, the seed's JSON
export and a self-contained interactive page."""

import importlib.util
import math

import click
from rich.console import Console

from .numbers import finite_number
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


@click.command()
@click.argument("png", required=False, callback=output_path((".png",)))
@click.option("--json", "json_path", callback=output_path((".json",)),
              help="Write x, y and yp per curve (the seed's format).")
@click.option("--html", "html_path", callback=output_path((".html", ".htm")),
              help="Write a self-contained page with an alpha slider.")
@click.option("--alphas", default="0.5,1,2", show_default=True, callback=_alphas,
              help="ELU's alphas for the PNG and the JSON.")
@click.option("--slope", default=0.1, show_default=True, type=float,
              callback=finite_number(0.0, strict=False, highest=LIMIT),
              help=f"LeakyReLU's negative slope (0 to {LIMIT:g}).")
@click.option("--sigma", default=1.0, show_default=True, type=float,
              callback=finite_number(SMALLEST, strict=False, highest=LIMIT),
              help=f"The page's statistics are for X ~ N(0, SIGMA²) ({SMALLEST:g} to {LIMIT:g}).")
def plot(png, json_path, html_path, alphas, slope, sigma):
    """Draw ELU (several alpha), ReLU and LeakyReLU and their derivatives to PNG (needs
    matplotlib), or write them as JSON (--json) or as an interactive page (--html)."""
    if not (png or json_path or html_path):
        raise click.UsageError("nothing to write: give a PNG path, --json PATH or --html PATH")
    if png and importlib.util.find_spec("matplotlib") is None:
        raise click.ClickException("drawing a PNG needs matplotlib: pip install 'elunumba[plot]'")
    from elunumba.lab.plot import curves

    console = Console()
    found = curves.curves(curves.grid(), alphas, slope)
    if png:
        from elunumba.lab.plot import figure

        write_output(png, lambda out: figure.draw(out, found))
        console.print(f"wrote {png}")
    if json_path:
        write_json(json_path, curves.as_json(found))
        console.print(f"wrote {json_path}")
    if html_path:
        from elunumba.lab.plot import page

        data = page.page_data(sigma=sigma, slope=slope)
        write_output(html_path, lambda out: page.write(out, data))
        console.print(f"wrote {html_path}")
