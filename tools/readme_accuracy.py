"""Write the README's accuracy section from the committed accuracy results.

    python tools/readme_accuracy.py [README.md]

reads the files named below from bench_results/ (each records the command that made it).
"""

import json
import sys
from pathlib import Path

from elunumba.lab.files import atomic_output, check_output_path
from elunumba.lab.accuracy import readme

RESULTS = Path(__file__).resolve().parent.parent / "bench_results"
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


def body(load):
    parts = [readme.bounds_section([(name, load(name)) for name in BOUNDS]),
             readme.bounds_section([(name, load(name)) for name in GRAD_BOUNDS], "grad from x")]
    parts += [readme.exhaustive_section(load(name)) for name in EXHAUSTIVE]
    parts += [readme.band_section(load(name), dtype, quantity) for name, dtype, quantity in BANDS]
    return "\n\n".join(parts)


def load(name):
    return json.loads((RESULTS / name).read_text())


def main(path="README.md"):
    try:
        path = check_output_path(path, (".md",))
        text = readme.rewrite(path.read_text(), body(load))
    except (OSError, ValueError) as error:
        sys.exit(f"readme_accuracy: {error}")
    with atomic_output(path) as file:
        file.write(text)
    print(f"rewrote the accuracy tables in {path}")


if __name__ == "__main__":
    main(*sys.argv[1:])
