"""Regenerate the accuracy tables of docs/accuracy.md from the committed accuracy results.

    python -m tools.accuracy_tables [PAGE.md]     (default: docs/accuracy.md)

reads the files named below from bench_results/accuracy/ (each records the command that made it)
and links each from the page by a path relative to the page.
"""

import json
import os
from pathlib import Path

from elunumba.lab.accuracy import doc_tables

from . import page_block

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench_results" / "accuracy"
PAGE = ROOT / "docs" / "accuracy.md"
# the negative float32 inputs for alpha = 1.7, in runs side by side (ranges of bit patterns)
ALPHA_17_NEGATIVES = tuple(f"accuracy-float32-alpha1.7-from-{start:#x}.json"
                           for start in (0x80000000, 0x90000000, 0xA0000000, 0xB0000000,
                                         0xC0000000, 0xE0000000))
EXHAUSTIVE = ("accuracy-float32-exhaustive.json", *ALPHA_17_NEGATIVES)
BOUNDS = (*EXHAUSTIVE, "accuracy-float64-1e7.json", "accuracy-float64-alpha1.7-peak.json",
          "accuracy-float64-selu-peak.json")
# the gradient from the input: every float32 input, and samples of both dtypes for alpha 1.7
GRAD_BOUNDS = ("accuracy-float32-exhaustive.json", "accuracy-float64-1e7.json",
               "accuracy-report-alpha1.7.json")
# (file, dtype, quantity)
BANDS = (("accuracy-report.json", "float32", "forward"),
         ("accuracy-report.json", "float32", "grad vs true"),
         ("accuracy-report.json", "float32", "grad from x"),
         ("accuracy-report.json", "float64", "grad from x"),
         ("accuracy-report.json", "float64", "forward"),
         ("accuracy-float64-alpha1.7-peak.json", "float64", "forward"),
         ("accuracy-float64-selu-peak.json", "float64", "forward"))


def body(load, page=PAGE):
    """The generated block; each run linked by its path relative to ``page``."""
    def runs(names):
        return [(link(name, page), load(name)) for name in names]
    parts = [doc_tables.bounds_section(runs(BOUNDS)),
             doc_tables.bounds_section(runs(GRAD_BOUNDS), "grad from x")]
    parts += [doc_tables.exhaustive_section(load(name)) for name in EXHAUSTIVE]
    parts += [doc_tables.band_section(load(name), dtype, quantity)
              for name, dtype, quantity in BANDS]
    return "\n\n".join(parts)


def link(name, page):
    return Path(os.path.relpath(RESULTS / name, Path(page).resolve().parent)).as_posix()


def load(name):
    return json.loads((RESULTS / name).read_text())


if __name__ == "__main__":
    page_block.regenerate("accuracy_tables", __doc__, PAGE, doc_tables.MARKERS,
                          lambda page: body(load, page), "the accuracy tables")
