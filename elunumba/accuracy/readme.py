"""The README's accuracy tables, generated from committed results (never edited by hand)."""

from ..bench.fmt import markdown_table
from ..bench.readme import replace_between
from .bands import BAND_NAMES

MARKERS = ("<!-- accuracy-table:start -->", "<!-- accuracy-table:end -->")


def exhaustive_table(result):
    rows = []
    for row in result["results"]:
        histogram = " / ".join(f"{n:,}" for n in row["ulp_histogram"].values())
        worst = "—" if row["worst_input"] is None else (
            f"{row['worst_input']:.9g} (`{row['worst_input_bits']}`)")
        rows.append([f"`{row['variant']}`", row["quantity"],
                     f"{100 * row['correctly_rounded']:.4f}%", f"{row['misrounded']:,}",
                     f"{row['max_ulp']:.3f}", worst, histogram])
    headers = ("variant", "quantity", "correctly rounded", "misrounded", "max ULP",
               "worst input", "ULP distance 0 / 1 / 2 / ≥3")
    return (f"All {result['inputs_checked']:,} float32 inputs, alpha = 1 "
            f"(`elunumba accuracy --exhaustive`, {result['seconds']:.0f} s here):\n\n"
            + markdown_table(headers, rows))


def band_table(report, dtype, quantity):
    records = [r for r in report["records"] if r["dtype"] == dtype and r["quantity"] == quantity]
    names = list(dict.fromkeys(r["variant"] for r in records))
    cells = {(r["band"], r["variant"]): r for r in records}
    rows = [[band, *(_cell(cells.get((band, name))) for name in names)] for band in BAND_NAMES]
    return (f"{dtype}, {quantity}: max ULP error / % correctly rounded, "
            f"{report['per_band']:,} random inputs per band:\n\n"
            + markdown_table(("input band", *(f"`{n}`" for n in names)), rows))


def _cell(record):
    if record is None:
        return "—"
    return f"{record['max_ulp']:.3g} / {100 * record['correctly_rounded']:.2f}%"


def tables(exhaustive, report):
    parts = [exhaustive_table(exhaustive)]
    for dtype, quantity in (("float32", "forward"), ("float32", "grad vs true"),
                            ("float64", "forward")):
        parts.append(band_table(report, dtype, quantity))
    return "\n\n".join(parts)


def rewrite(text, exhaustive, report):
    if not all(marker in text for marker in MARKERS):
        raise ValueError(f"the README has no {MARKERS[0]} ... {MARKERS[1]} block")
    return replace_between(text, MARKERS, tables(exhaustive, report))
