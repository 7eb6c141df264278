"""The installed package is the whole package: every folder of elunumba/ with an __init__.py is
listed in pyproject.toml's packages (listed by hand because the CLI's folder is mapped)."""

import pathlib
import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_every_package_folder_is_installed():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(init.parent.relative_to(ROOT).parts)
             for init in (ROOT / "elunumba").rglob("__init__.py")}
    assert found | {"elunumba_cli"} == listed


def test_the_public_surface_is_declared_once():
    """``__all__`` is the public surface: dir() shows it and nothing else, and each name exists."""
    import elunumba

    assert dir(elunumba) == sorted(elunumba.__all__)
    assert all(hasattr(elunumba, name) for name in elunumba.__all__)
