"""The Python examples of README.md and of every page in docs/ run as printed (each block in a
fresh namespace). A block that cannot run here says so in its first line, "# not run by the
tests: WHY"; blocks that use PyTorch run where it is installed."""

import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
NOT_RUN = "# not run by the tests:"


def examples():
    for page in PAGES:
        blocks = re.findall(r"^```python\n(.*?)^```", page.read_text(), flags=re.S | re.M)
        for number, block in enumerate(blocks, 1):
            yield pytest.param(page, block, id=f"{page.relative_to(ROOT)}:{number}")


@pytest.mark.parametrize("page, block", list(examples()))
def test_example_runs(page, block):
    if block.startswith(NOT_RUN):
        pytest.skip(block.splitlines()[0].removeprefix("# ").strip())
    if re.search(r"^\s*(import|from) torch\b|elunumba\.torch", block, flags=re.M):
        pytest.importorskip("torch")
    namespace = {}
    exec(compile(block, str(page), "exec"), namespace)
    if "hidden" in namespace:  # the out= pipeline: its buffers kept their dtype and were used
        assert namespace["hidden"].dtype.name == "float32"
        assert namespace["hidden"].min() >= -1.0


def test_the_readme_and_every_page_have_examples():
    counted = {page.name: sum(1 for param in examples() if param.values[0] == page)
               for page in PAGES}
    assert counted["README.md"] >= 3 and counted["api.md"] >= 6, counted
