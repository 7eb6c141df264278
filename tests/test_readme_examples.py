"""The README's examples run as printed."""

import pathlib
import re

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


def examples():
    text = README.read_text()
    section = text.split("## Examples", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_every_example_runs():
    blocks = examples()
    assert len(blocks) == 2
    for block in blocks:
        namespace = {}
        exec(compile(block, str(README), "exec"), namespace)
    assert namespace["hidden"].dtype.name == "float32"
    assert namespace["hidden"].min() >= -1.0
