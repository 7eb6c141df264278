"""Screenshot of the interactive page (`elunumba plot --html`) in headless Chromium.

    python tools/page_screenshot.py [OUT.png] [ALPHA]

writes bench_results/elu-page.png by default, with the slider moved to alpha = 1.65 (the grid
point nearest the zero-mean alpha for N(0, 1)).
"""

import sys
import tempfile
from pathlib import Path

from elunumba.lab.files import atomic_output, check_output_path
from elunumba.lab.plot import browser, page

DEFAULT = Path(__file__).resolve().parent.parent / "bench_results" / "elu-page.png"


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


if __name__ == "__main__":
    main(*sys.argv[1:])
