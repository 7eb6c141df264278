"""The interactive page in a real headless Chromium: it loads without console errors, and moving
the alpha slider redraws the curves with the kernels' values and the readout with the
closed-form statistics.

Needs a Chromium (found as elunumba.lab.plot.browser says) and playwright's Python package.
Outside CI a missing browser skips this file; in CI (CI=true) it fails, so the check cannot
silently vanish.
"""

import os

import numpy as np
import pytest

import elunumba
from elunumba import stats
from elunumba.lab.plot import browser, page as page_module


def _require_browser():
    missing = browser.missing()
    if missing:
        message = "the browser test needs " + " and ".join(missing)
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def browser_page(tmp_path_factory):
    _require_browser()
    path = tmp_path_factory.mktemp("page") / "elu.html"
    page_module.write(path, page_module.page_data(sigma=1.0))
    with browser.open_page(path) as (tab, problems, requests):
        yield tab, problems, requests, path


def _drawn(tab, element_id):
    """The (x, y) data points of a polyline as the page drew them."""
    text = tab.get_attribute(f"#{element_id}", "points")
    return np.array([[float(v) for v in pair.split(",")] for pair in text.split()])


def test_page_loads_clean_and_asks_for_nothing(browser_page):
    tab, problems, requests, path = browser_page
    assert problems == []
    assert requests == [path.as_uri()]
    assert tab.text_content("#alpha-value") == "1"


@pytest.mark.parametrize("alpha", [0.25, 1.0, 2.5])
def test_slider_redraws_curves_and_readout_with_the_kernels_numbers(browser_page, alpha):
    tab, problems, _, _ = browser_page
    row = int(round(alpha / 0.05)) - 1
    browser.set_alpha_row(tab, row)
    assert float(tab.text_content("#alpha-value")) == alpha
    values, slopes = _drawn(tab, "values-elu"), _drawn(tab, "slopes-elu")
    y, yp = elunumba.elu_value_and_grad(values[:, 0], alpha)
    np.testing.assert_allclose(values[:, 1], y, rtol=5e-6, atol=1e-12)
    np.testing.assert_allclose(slopes[:, 1], yp, rtol=5e-6, atol=1e-12)
    moments = stats.elu_moments(0.0, 1.0, alpha)
    for element, expected in (("#mean", moments.mean), ("#variance", moments.variance),
                              ("#mean-grad", moments.mean_grad)):
        assert float(tab.text_content(element)) == pytest.approx(float(expected), rel=5e-6)
    assert problems == []


def test_moving_the_slider_changes_the_drawing(browser_page):
    tab, _, _, _ = browser_page
    browser.set_alpha_row(tab, 9)
    before = _drawn(tab, "values-elu")
    browser.set_alpha_row(tab, 39)
    after = _drawn(tab, "values-elu")
    negative = before[:, 0] < 0
    assert np.all(after[negative, 1] < before[negative, 1])  # alpha 2 dips below alpha 0.5
    np.testing.assert_array_equal(after[~negative], before[~negative])


@pytest.mark.parametrize("ci, outcome", [("true", pytest.fail.Exception),
                                          (None, pytest.skip.Exception)])
def test_missing_browser_fails_in_ci_and_skips_elsewhere(monkeypatch, tmp_path, ci, outcome):
    monkeypatch.setattr(browser, "CHROMIUM", tmp_path / "no-chromium")
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="no-chromium"):
        _require_browser()


def test_the_browser_is_found_by_environment_then_path(monkeypatch, tmp_path):
    named = tmp_path / "my-chrome"
    monkeypatch.setenv(browser.ENVIRONMENT, str(named))
    assert browser.find_chromium() == named
    assert browser.missing() and str(named) in browser.missing()[0]  # named, and not there
    monkeypatch.delenv(browser.ENVIRONMENT)
    folder = tmp_path / "bin"
    folder.mkdir()
    on_path = folder / "chromium-browser"
    on_path.write_text("#!/bin/sh\n")
    on_path.chmod(0o755)
    monkeypatch.setenv("PATH", str(folder))
    assert browser.find_chromium() == on_path


def test_no_browser_anywhere_names_every_way_to_get_one(monkeypatch, tmp_path):
    monkeypatch.delenv(browser.ENVIRONMENT, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(browser, "_playwrights_chromium", lambda: None)
    [hint, *_] = browser.missing()
    assert browser.ENVIRONMENT in hint and "apt-get install -y chromium" in hint
    assert "python -m playwright install chromium" in hint
