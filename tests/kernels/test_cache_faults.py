"""Numba's disk cache, where it fails or goes stale: a package folder with no writable cache
folder anywhere, damaged cache files, and edits to the formula files that the kernels inline.
Each case runs in a fresh interpreter on a copy of the package in a temporary folder."""

import ast
import json
import os
import pathlib
import shutil
import subprocess
import sys
import textwrap

import pytest

from helpers import ROOT

# Warnings are recorded, not raised, so that the script can report them: the test checks there
# is exactly the one expected.
SCRIPT = textwrap.dedent("""
    import json, warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import numpy as np
        import elunumba
        y = elunumba.elu(np.array([-1.0, 2.0], np.float32))
    print(json.dumps({"y": y.tolist(),
                      "warnings": [[w.category.__name__, str(w.message)] for w in caught]}))
""")


def copy_package(tmp_path):
    target = tmp_path / "site"
    shutil.copytree(ROOT / "elunumba", target / "elunumba",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return target


def run(site, **env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NUMBA_", "PYTHON"))}
    env.update(PYTHONPATH=str(site), PYTHONDONTWRITEBYTECODE="1", **env_overrides)
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, cwd=site,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def cache_warnings(report):
    return [message for category, message in report["warnings"] if category == "CacheWarning"]


def test_no_writable_cache_folder_compiles_in_memory_with_one_warning(tmp_path):
    """A system-wide install: the package's __pycache__ cannot be made (here a file stands in
    its place, since root may write anywhere) and neither can the user cache folder."""
    site = copy_package(tmp_path)
    (site / "elunumba" / "kernels" / "__pycache__").write_text("not a folder")
    blocked = tmp_path / "blocked"
    blocked.write_text("not a folder")
    report = run(site, HOME=str(blocked / "home"), XDG_CACHE_HOME=str(blocked / "cache"))
    assert report["y"] == [pytest.approx(-0.6321205588), 2.0]
    [message] = cache_warnings(report)
    assert "no locator available" in message and "NUMBA_CACHE_DIR" in message
    assert report["warnings"] == [["CacheWarning", message]]


def test_damaged_cache_files_compile_in_memory_with_one_warning(tmp_path):
    site = copy_package(tmp_path)
    cache = tmp_path / "cache"
    first = run(site, NUMBA_CACHE_DIR=str(cache))
    assert first["warnings"] == []
    files = [p for p in cache.rglob("*") if p.suffix in (".nbi", ".nbc")]
    assert files
    for path in files:
        path.write_bytes(b"\x80\x04damaged")
    for _ in range(2):  # and again: the damaged files never stop a call
        report = run(site, NUMBA_CACHE_DIR=str(cache))
        assert report["y"] == first["y"]
        [message] = cache_warnings(report)
        assert "cannot read the cached kernels" in message and "NUMBA_CACHE_DIR" in message
        assert len(report["warnings"]) == 1


@pytest.mark.parametrize("module, edit", [
    ("formulas.py", ("return x * poscoef if not x < 0", "return x * poscoef * 2 if not x < 0")),
    ("storage.py", ("return lambda value, out: storage(value)",
                     "return lambda value, out: storage(value * 2)")),
])
def test_an_edit_to_a_formula_file_reaches_the_cached_kernels(tmp_path, module, edit):
    """Numba checks only the file that defines a kernel (cpu.py) for edits; the kernels' names
    carry the formula files' hash, so the edited formula runs without clearing any cache."""
    site = copy_package(tmp_path)
    cache = str(tmp_path / "cache")
    before = run(site, NUMBA_CACHE_DIR=cache)
    assert before["y"][1] == 2.0
    path = site / "elunumba" / "kernels" / module
    source = path.read_text()
    assert edit[0] in source
    path.write_text(source.replace(*edit))
    after = run(site, NUMBA_CACHE_DIR=cache)
    assert after["y"][1] == 4.0


def test_every_formula_module_is_in_the_hash():
    """The modules that the kernel loops take their formulas from (formulas and storage,
    imported by cpu.py and gpu.py), every kernels module those import in turn, and compiler,
    which sets how the CPU kernels compile, are hashed."""
    from elunumba.kernels import formulas

    folder = pathlib.Path(formulas.__file__).parent
    found, todo = set(), ["formulas", "storage"]
    while todo:
        module = todo.pop()
        found.add(module)
        tree = ast.parse((folder / f"{module}.py").read_text())
        todo += [node.module for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module
                 and node.module not in found]
    assert found | {"compiler"} == set(formulas.FORMULA_MODULES)
