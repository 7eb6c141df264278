"""Write the README's accuracy tables from the committed accuracy results.

    python tools/readme_accuracy.py [README.md]

reads bench_results/accuracy-float32-exhaustive.json and bench_results/accuracy-report.json.
"""

import json
import sys
from pathlib import Path

from elunumba.accuracy.readme import rewrite

RESULTS = Path(__file__).resolve().parent.parent / "bench_results"


def main(readme="README.md"):
    exhaustive = json.loads((RESULTS / "accuracy-float32-exhaustive.json").read_text())
    report = json.loads((RESULTS / "accuracy-report.json").read_text())
    path = Path(readme)
    path.write_text(rewrite(path.read_text(), exhaustive, report))
    print(f"rewrote the accuracy tables in {path}")


if __name__ == "__main__":
    main(*sys.argv[1:])
