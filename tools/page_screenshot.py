"""Screenshot of the interactive page (`elunumba plot --html`) in headless Chromium.

    python -m tools.page_screenshot [OUT.png] [ALPHA]

writes bench_results/figures/elu-page.png by default, with the slider moved to alpha = 1.65 (the
grid point nearest the zero-mean alpha for N(0, 1)).
"""

import argparse
import sys
import tempfile
from pathlib import Path

from elunumba.lab.files import atomic_output, check_output_path
from elunumba.lab.plot import browser, page

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "bench_results" / "figures" / "elu-page.png"


def main(out=DEFAULT, alpha="1.65"):
    out = check_output_path(out, (".png",))
    missing = browser.missing()
    if missing:
        sys.exit("needs " + " and ".join(missing))
    data = page.page_data()
    row = min(range(len(data["alphas"])), key=lambda i: abs(data["alphas"][i] - float(alpha)))
    with tempfile.TemporaryDirectory() as folder:
        html = Path(folder) / "elu.html"
        page.write(html, data)
        with browser.open_page(html) as (tab, problems, _):
            browser.set_alpha_row(tab, row)
            picture = tab.screenshot(full_page=True)
    if problems:
        sys.exit("the page reported: " + "; ".join(problems))
    with atomic_output(out, "wb") as file:
        file.write(picture)
    print(f"wrote {out} (alpha = {data['alphas'][row]})")


def parse(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tools.page_screenshot",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("out", metavar="OUT.png", nargs="?", default=DEFAULT,
                        help=f"the screenshot to write (default {DEFAULT.relative_to(ROOT)})")
    parser.add_argument("alpha", metavar="ALPHA", nargs="?", default="1.65",
                        help="where to move the slider (default 1.65)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    arguments = parse()
    main(arguments.out, arguments.alpha)
