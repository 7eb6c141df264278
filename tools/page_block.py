"""The command line shared by the tools that regenerate one marked block of a docs page
(tools/accuracy_tables.py, tools/cli_reference.py): `python -m tools.NAME [PAGE.md]`."""

import argparse
import sys
from pathlib import Path

from elunumba.lab import markdown

ROOT = Path(__file__).resolve().parent.parent


def regenerate(tool, doc, default_page, markers, body, what):
    """Parse the optional PAGE.md argument, rewrite the page's block between ``markers`` with
    ``body(page)`` and say so; exit naming ``tool`` and the reason where the page cannot be
    read, has no such block, or cannot be written."""
    parser = argparse.ArgumentParser(prog=f"python -m tools.{tool}",
                                     description=doc.split("\n\n")[0])
    parser.add_argument("page", metavar="PAGE.md", nargs="?", default=default_page,
                        help=f"the page to rewrite (default {default_page.relative_to(ROOT)})")
    page = parser.parse_args().page
    try:
        markdown.rewrite_block(page, markers, body(page))
    except (OSError, ValueError) as error:
        sys.exit(f"{tool}: {error}")
    print(f"rewrote {what} in {page}")
