"""Open the interactive page in a headless Chromium through playwright (both optional): used by
the page's browser test and by tools/page_screenshot.py.

The browser is found the usual ways, first that answers: $ELUNUMBA_BROWSER (a path), a Chromium
or Chrome on PATH (Debian's and Ubuntu's packages, Google's), playwright's own download
(`python -m playwright install chromium`).
"""

import contextlib
import os
import pathlib
import shutil

ENVIRONMENT = "ELUNUMBA_BROWSER"
NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL = (f"set {ENVIRONMENT} to a Chromium, or install one: apt-get install -y chromium, or "
           "python -m playwright install chromium")
CHROMIUM = None  # None: find_chromium(); a path: that browser and no other
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync"]


def find_chromium():
    """The Chromium to drive (see the module's docstring), or None."""
    if CHROMIUM is not None:
        return pathlib.Path(CHROMIUM)
    if os.environ.get(ENVIRONMENT):
        return pathlib.Path(os.environ[ENVIRONMENT])
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return pathlib.Path(found)
    return _playwrights_chromium()


def _playwrights_chromium():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    with sync_playwright() as driver:
        path = pathlib.Path(driver.chromium.executable_path)
    return path if path.exists() else None


def missing(chromium=None):
    """What is missing to run the browser, as install hints ([] when nothing is)."""
    chromium = chromium or find_chromium()
    found = []
    if chromium is None:
        found.append(f"a headless Chromium ({INSTALL})")
    elif not pathlib.Path(chromium).exists():
        found.append(f"{chromium} ({INSTALL})")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        found.append("playwright (pip install '.[test]')")
    return found


@contextlib.contextmanager
def open_page(path, chromium=None, viewport=(1000, 760)):
    """Yield (tab, problems, requests): the loaded page, its console errors and warnings and
    uncaught exceptions as text, and every URL it requested."""
    from playwright.sync_api import sync_playwright

    problems, requests = [], []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(chromium or find_chromium()),
                                         args=FLAGS)
        try:
            context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
            context.on("request", lambda request: requests.append(request.url))
            tab = context.new_page()
            tab.on("console", lambda message: problems.append(f"{message.type}: {message.text}")
                   if message.type in ("error", "warning") else None)
            tab.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            tab.goto(pathlib.Path(path).resolve().as_uri())
            yield tab, problems, requests
        finally:
            browser.close()


def set_alpha_row(tab, row):
    """Move the slider to grid row ``row`` as a user would (an input event)."""
    tab.eval_on_selector("#alpha", "(slider, row) => { slider.value = row; "
                         "slider.dispatchEvent(new Event('input')); }", row)
