"""The accuracy tables as a title, headers and rows of text: written once, drawn by the command
line (rich) and by the README generator (markdown). ``code`` marks up names and bit patterns
(backticks in markdown, nothing in a terminal)."""

BAND_NOTE = ("cells: max ULP error / % correctly rounded. 'grad from y' judges the gradient as "
             "the function of the stored y it is; 'grad vs true' compares it with alpha*e^x, "
             "which y + alpha cannot deliver for x << 0 (cancellation; PyTorch's is_result path "
             "has the same property).")
EXHAUSTIVE_HEADERS = ("variant", "quantity", "correctly rounded", "misrounded", "max ULP",
                      "worst input", "ULP distance 0 / 1 / 2 / ≥3")


def _plain(text):
    return text


def parameters(alpha, scale=1.0):
    """'alpha = 1.7', or 'alpha = 1.67326, scale = 1.0507' when scale is not 1 (SELU's
    constants, which the references take exactly)."""
    if float(scale) == 1:
        return f"alpha = {float(alpha):g}"
    return f"alpha = {float(alpha):g}, scale = {float(scale):g}"


def band_table(records, dtype, quantity, code=_plain):
    """(headers, rows): one row per band with a sample, one column per variant."""
    chosen = [r for r in records if r["dtype"] == dtype and r["quantity"] == quantity]
    names = list(dict.fromkeys(r["variant"] for r in chosen))
    cells = {(r["band"], r["variant"]): r for r in chosen}
    sampled = dict.fromkeys(r["band"] for r in chosen)  # in the order measured
    rows = [[band, *(_band_cell(cells.get((band, name))) for name in names)] for band in sampled]
    return ("input band", *(code(name) for name in names)), rows


def _band_cell(record):
    if record is None:
        return "—"
    return f"{record['max_ulp']:.3g} / {100 * record['correctly_rounded']:.2f}%"


def exhaustive_title(result):
    covered = f"{result['inputs_checked']:,} float32 inputs"
    if result["range"]:
        covered += f" ({result['range'][0]} to {result['range'][1]})"
    interrupted = ", interrupted" if result["interrupted"] else ""
    return f"{covered}, {parameters(result['alpha'])}{interrupted}, {result['seconds']:.0f} s"


def exhaustive_table(result, code=_plain):
    """(headers, rows): one row per (variant, quantity)."""
    rows = []
    for row in result["results"]:
        histogram = " / ".join(f"{n:,}" for n in row["ulp_histogram"].values())
        worst = "—" if row["worst_input"] is None else (
            f"{row['worst_input']:.9g} ({code(row['worst_input_bits'])})")
        rows.append([code(row["variant"]), row["quantity"],
                     f"{100 * row['correctly_rounded']:.4f}%", f"{row['misrounded']:,}",
                     f"{row['max_ulp']:.3f}", worst, histogram])
    return EXHAUSTIVE_HEADERS, rows
