"""Numba's disk cache, where it fails or goes stale: a package folder with no writable cache
folder anywhere, damaged cache files (the kernels' and the benchmark's copies'), and edits to the
formula files that the kernels inline; the `elunumba` command on a read-only install. Each case
runs in a fresh interpreter on a copy of the package (and of the command) in a temporary
folder."""

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
    """The package and the command (elunumba_cli) copied into ``tmp_path/site``."""
    target = tmp_path / "site"
    for source, name in ((ROOT / "elunumba", "elunumba"), (ROOT / "cli", "elunumba_cli")):
        shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def make_read_only(site, tmp_path):
    """The environment of a system-wide install: no package folder can hold a __pycache__ (here
    a file stands in its place, since root may write anywhere) and no user cache folder can be
    made either."""
    for folder in [site / "elunumba", *(site / "elunumba").rglob("*")]:
        if folder.is_dir() and folder.name != "__pycache__":
            (folder / "__pycache__").write_text("not a folder")
    blocked = tmp_path / "blocked"
    blocked.write_text("not a folder")
    return dict(HOME=str(blocked / "home"), XDG_CACHE_HOME=str(blocked / "cache"))


def environment(site, **env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NUMBA_", "PYTHON"))}
    env.update(PYTHONPATH=str(site), PYTHONDONTWRITEBYTECODE="1", **env_overrides)
    return env


def run(site, **env_overrides):
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=environment(site, **env_overrides),
                          cwd=site, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def cache_warnings(report):
    return [message for category, message in report["warnings"] if category == "CacheWarning"]


def test_no_writable_cache_folder_compiles_in_memory_with_one_warning(tmp_path):
    """A system-wide install (see make_read_only)."""
    site = copy_package(tmp_path)
    report = run(site, **make_read_only(site, tmp_path))
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


# A sweep small enough for a test, with the copy baseline (every host method) in every round
TINY_BENCH = ("bench", "--sizes", "2048", "--dtypes", "float32", "--ops", "forward",
              "--targets", "cpu", "--peers", "none", "--repeats", "4", "--rounds", "2",
              "--budget", "0")


def elunumba_command(site, *args, **env_overrides):
    """`elunumba ARGS` run from the copied site: (exit status, stdout, stderr)."""
    done = subprocess.run([sys.executable, "-m", "elunumba_cli.main", *map(str, args)],
                          env=environment(site, **env_overrides), cwd=site, capture_output=True,
                          text=True, timeout=600)
    return done.returncode, done.stdout, done.stderr


def bench_copies(site, tmp_path, **env_overrides):
    """A tiny sweep's copy records and whether each cell holds the copy's samples, and the
    sweep's stderr."""
    path = tmp_path / "bench.json"
    status, _, err = elunumba_command(site, *TINY_BENCH, "--json", path, **env_overrides)
    assert status == 0, err[-3000:]
    result = json.loads(path.read_text())
    return ([(c["status"], c["reason"]) for c in result["copies"]],
            [bool(c.get("copy_samples_s")) for c in result["cells"]], err)


def test_damaged_cache_files_of_the_benchmark_copies_keep_the_baseline(tmp_path):
    """With Numba's own cache=True these files failed every copy of every later run: the cells
    lost their fraction of copy and `bench compare` its test, without a word."""
    site = copy_package(tmp_path)
    cache = tmp_path / "cache"
    copies, with_copy, _ = bench_copies(site, tmp_path, NUMBA_CACHE_DIR=str(cache))
    assert copies == [("ok", None)] and all(with_copy)
    files = [p for p in cache.rglob("copy.*") if p.suffix in (".nbi", ".nbc")]
    assert len(files) >= 4  # index and code of both Numba copies
    for path in files:
        path.write_bytes(b"\x80\x04damaged")
    copies, with_copy, err = bench_copies(site, tmp_path, NUMBA_CACHE_DIR=str(cache))
    assert copies == [("ok", None)] and all(with_copy)
    assert "CacheWarning" in err and "cannot read the cached kernels" in err
    assert str(cache) in err.split("cannot read the cached kernels", 1)[1]


def test_the_command_on_a_read_only_install(tmp_path):
    """`--help` used to end in a traceback ("cannot cache function ... no locator available")
    raised by the copies' decorator at import; now it imports no part of the package, and a
    sweep compiles everything in memory with one warning."""
    site = copy_package(tmp_path)
    read_only = make_read_only(site, tmp_path)
    status, out, err = elunumba_command(site, "--help", **read_only)
    assert (status, err) == (0, "") and "bench" in out and "info" in out
    copies, with_copy, err = bench_copies(site, tmp_path, **read_only)
    assert copies == [("ok", None)] and all(with_copy)
    assert err.count("CacheWarning") == 1 and "no locator available" in err
    assert "Traceback" not in err


IMPORTED = textwrap.dedent("""
    import contextlib, io, json, sys
    from elunumba_cli.main import cli
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            cli(sys.argv[1:], prog_name="elunumba")
        except SystemExit as exit:
            assert exit.code in (0, None), exit.code
    print(json.dumps(sorted(sys.modules)))
""")


@pytest.mark.parametrize("args", [["--help"], ["info", "--json"]])
def test_help_and_info_import_no_benchmark_machinery(args, tmp_path):
    """`--help` imports nothing of the package; `info` none of the sweep, comparison or copy
    modules (nor their compiled copies)."""
    done = subprocess.run([sys.executable, "-c", IMPORTED, *args],
                          env=environment(ROOT, NUMBA_CACHE_DIR=str(tmp_path / "cache")),
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    modules = json.loads(done.stdout.strip().splitlines()[-1])
    ours = [m for m in modules if m.startswith("elunumba.")]
    if args == ["--help"]:
        assert ours == [] and "numba" not in modules
    else:
        assert "elunumba.lab.bench.env" in ours
        assert not {"elunumba.lab.bench.copy", "elunumba.lab.bench.sweep",
                    "elunumba.lab.bench.compare", "elunumba_cli.bench"} & set(modules)


JIT_DECORATORS = {"njit", "jit", "vectorize", "guvectorize", "cfunc"}


def jit_uses(tree):
    """(line, text) of each Numba decorator in ``tree`` that sets up its own disk cache or is
    applied bare (its options, cache included, out of compiler's hands)."""
    def name(node):
        return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", None)

    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and name(node.func) in JIT_DECORATORS and any(
                keyword.arg == "cache" for keyword in node.keywords):
            yield node.lineno, ast.unparse(node)
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                if name(decorator) in JIT_DECORATORS:
                    yield decorator.lineno, ast.unparse(decorator)


def test_every_compiled_function_uses_the_fallback_cache():
    """Numba's own cache (cache=True), anywhere in the package, brings back the failures above:
    jitted code goes through elunumba.kernels.compiler, or compiles in memory uncached (the
    machine probe, whose assembly is read)."""
    offenders = [f"{path.relative_to(ROOT)}:{line}: {text}"
                 for path in sorted((ROOT / "elunumba").rglob("*.py"))
                 for line, text in jit_uses(ast.parse(path.read_text()))]
    assert offenders == []
    planted = ast.parse("@njit(parallel=True, cache=True)\ndef f(): pass\n"
                        "@numba.njit\ndef g(): pass\nh = numba.jit(cache=False)(f)")
    assert sorted(line for line, _ in jit_uses(planted)) == [1, 3, 5]


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
