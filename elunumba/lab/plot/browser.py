"""Open the interactive page in Debian's headless Chromium through playwright (both optional):
used by the page's browser test and by tools/page_screenshot.py."""

import contextlib
import pathlib

CHROMIUM = pathlib.Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync"]


def missing(chromium=CHROMIUM):
    """What is missing to run the browser, as install hints ([] when nothing is)."""
    found = []
    if not pathlib.Path(chromium).exists():
        found.append(f"{chromium} (apt-get install -y chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        found.append("playwright (pip install '.[test]')")
    return found


@contextlib.contextmanager
def open_page(path, chromium=CHROMIUM, viewport=(1000, 760)):
    """Yield (tab, problems, requests): the loaded page, its console errors and warnings and
    uncaught exceptions as text, and every URL it requested."""
    from playwright.sync_api import sync_playwright

    problems, requests = [], []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(chromium), args=FLAGS)
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
