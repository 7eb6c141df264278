"""`elunumba plot`: curves from the kernels against formulas written out here, the seed's JSON
format, the PNG, and bad input refused before anything is computed or written."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from elunumba.lab.plot import curves, page
from elunumba_cli.main import cli

from cli_usage import assert_usage_error, hide_matplotlib


def _reference(x, label):
    """y and y' written from the definitions with NumPy (x > 0 decides the branch)."""
    if label == "ReLU":
        return np.where(x > 0, x, 0.0), np.where(x > 0, 1.0, 0.0)
    if label.startswith("LeakyReLU"):
        return np.where(x > 0, x, 0.1 * x), np.where(x > 0, 1.0, 0.1)
    alpha = float(label[len("ELU(alpha="):-1])
    return (np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))),
            np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0))))


def test_curves_match_the_definitions_and_include_zero():
    x = curves.grid()
    assert 0.0 in x and x[0] == -3.0 and x[-1] == 3.0
    found = curves.curves(x, (0.5, 1.0, 2.0), 0.1)
    assert list(found) == ["ELU(alpha=0.5)", "ELU(alpha=1)", "ELU(alpha=2)", "ReLU",
                           "LeakyReLU(slope=0.1)"]
    for label, curve in found.items():
        y, yp = _reference(x, label)
        np.testing.assert_allclose(curve["y"], y, rtol=4e-16, atol=0, err_msg=label)
        # y' comes from y + alpha (the gradient the output determines): absolute error ~ alpha*eps
        np.testing.assert_allclose(curve["yp"], yp, rtol=4e-16, atol=1e-15, err_msg=label)
    # the C1 point: at alpha = 1 the derivative is 1 on both sides of 0
    elu1 = found["ELU(alpha=1)"]
    zero = int(np.flatnonzero(x == 0.0)[0])
    assert elu1["yp"][zero] == 1.0 and elu1["yp"][zero + 1] == 1.0
    assert found["ELU(alpha=2)"]["yp"][zero] == 2.0


def test_cli_writes_png_json_and_html(tmp_path):
    png, data, html = tmp_path / "elu.png", tmp_path / "elu.json", tmp_path / "elu.html"
    result = CliRunner().invoke(cli, ["plot", str(png), "--json", str(data), "--html", str(html),
                                      "--alphas", "0.5,1.5"])
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    written = json.loads(data.read_text())
    assert list(written) == ["ELU(alpha=0.5)", "ELU(alpha=1.5)", "ReLU", "LeakyReLU(slope=0.1)"]
    for label, curve in written.items():
        assert list(curve) == ["x", "y", "yp"]  # the seed's visualize_activation format
        y, yp = _reference(np.array(curve["x"]), label)
        np.testing.assert_allclose(curve["y"], y, rtol=4e-16)
        np.testing.assert_allclose(curve["yp"], yp, rtol=4e-16, atol=1e-15)
    text = html.read_text()
    assert "<script" in text and "http://" not in text and "https://" not in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elu.html", "elu.json", "elu.png"]


@pytest.mark.parametrize("name, start", [("elu.svg", b"<?xml"), ("elu.pdf", b"%PDF"),
                                         ("ELU.PNG", b"\x89PNG")])
def test_the_figure_is_written_in_the_format_its_suffix_names(tmp_path, name, start):
    """The figure formats of bench --plot and accuracy --plot: .png, .svg and .pdf."""
    result = CliRunner().invoke(cli, ["plot", str(tmp_path / name), "--alphas", "1"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / name).read_bytes().startswith(start)
    assert result.stdout == "" and f"wrote {tmp_path / name}" in result.stderr


def test_page_data_holds_the_kernels_values_and_closed_form_statistics():
    from elunumba import stats

    data = page.page_data(alphas=(0.5, 1.0), sigma=2.0)
    x = np.array(data["x"])
    for row, alpha in enumerate(data["alphas"]):
        y, yp = _reference(x, f"ELU(alpha={alpha:g})")
        np.testing.assert_allclose(data["y"][row], y, rtol=5e-6, atol=1e-12)
        np.testing.assert_allclose(data["yp"][row], yp, rtol=5e-6, atol=1e-12)
        assert data["mean"][row] == float(stats.elu_moments(0.0, 2.0, alpha).mean)
    assert data["zero_mean_alpha"] == float(stats.zero_mean_alpha(0.0, 2.0))


@pytest.mark.parametrize("arguments, message", [
    ([], "nothing to write"),
    (["--alphas", "x"], "comma-separated finite numbers > 0"),
    (["--alphas", "0,1"], "'0,1'"),
    (["--alphas", "nan"], "'nan'"),
    (["--alphas", ",".join(["1"] * 9)], "1 to 8"),
    (["--slope", "-1"], "--slope"),
    (["--sigma", "0"], "--sigma"),
    (["plot.gif"], "unsupported file type '.gif'; use one of .png, .svg, .pdf"),
    (["--json", "out.txt"], "unsupported file type '.txt'"),
    (["--html", "missing/out.html"], "does not exist"),
    (["ok.png", "--html", "missing/out.html"], "does not exist"),
])
def test_bad_input_exits_2_and_writes_nothing(tmp_path, monkeypatch, arguments, message):
    assert_usage_error(tmp_path, monkeypatch, ["plot", *arguments], message)


def test_png_without_matplotlib_is_a_clear_error(tmp_path, monkeypatch):
    hide_matplotlib(monkeypatch)
    result = CliRunner().invoke(cli, ["plot", str(tmp_path / "elu.png")])
    assert result.exit_code == 1
    assert "needs matplotlib: pip install 'elunumba[plot]'" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("arguments, message", [
    (["--html", "page.html", "--sigma", "1e308"],
     "'--sigma': 1e+308 is not a finite number >= 1e-150 and <= 1e+150"),
    (["--html", "page.html", "--sigma", "1e-300"], "'--sigma': 1e-300 is not a finite number"),
    (["--json", "curves.json", "--slope", "1e308"],
     "'--slope': 1e+308 is not a finite number >= 0 and <= 1e+150"),
])
def test_values_float64_cannot_hold_are_refused(tmp_path, monkeypatch, arguments, message):
    assert_usage_error(tmp_path, monkeypatch, ["plot", *arguments], message)


@pytest.mark.parametrize("sigma", ["1e-150", "1e150"])
def test_page_and_json_hold_only_numbers_at_the_range_ends(tmp_path, sigma):
    html, data = tmp_path / "page.html", tmp_path / "curves.json"
    result = CliRunner().invoke(cli, ["plot", "--html", str(html), "--json", str(data),
                                      "--sigma", sigma, "--slope", "1e150"])
    assert result.exit_code == 0, result.output
    embedded = html.read_text().split('type="application/json">')[1].split("</script>")[0]
    for text in (embedded, data.read_text()):
        assert "NaN" not in text and "Infinity" not in text
    numbers = json.loads(embedded)
    assert all(np.isfinite(numbers[key]).all() for key in ("mean", "variance", "mean_grad"))
    assert all(v > 0 for v in numbers["variance"])


def test_leaky_curve_is_exact_for_a_huge_slope():
    x = curves.grid()
    y, yp = curves.leaky_relu_curve(x, 1e150)
    np.testing.assert_array_equal(y, np.where(x > 0, x, 1e150 * x))
    np.testing.assert_array_equal(yp, np.where(x > 0, 1.0, 1e150))
