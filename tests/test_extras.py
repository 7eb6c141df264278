"""The install extras: the CUDA ones bring numba-cuda's compiler libraries and the NumPy cap,
the torch one pins no build, and the README's Install section lists every one of them."""

import pathlib
import re

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXTRAS = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]


def test_cuda_extras_bring_the_compiler_libraries_and_cap_numpy():
    for extra, variant in (("cuda", "cu12"), ("cuda12", "cu12"), ("cuda13", "cu13")):
        assert f"numba-cuda[{variant}]>=0.30" in EXTRAS[extra]
        assert "numpy<2.5" in EXTRAS[extra]


def test_torch_extra_pins_no_build():
    (requirement,) = EXTRAS["torch"]
    assert re.fullmatch(r"torch(>=[\d.]+)?", requirement)


def test_readme_install_section_lists_every_extra():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Install\n", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `([a-z0-9]+)` \|", section, flags=re.MULTILINE))
    assert listed == set(EXTRAS)
