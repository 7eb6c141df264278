"""Imports flow one way: public faces -> dispatch -> kernels, and the measurement code (lab) sits
beside the faces. Nothing in the kernels imports the dispatch layer, the faces or lab; nothing in
the dispatch layer imports the faces or lab. Every import statement counts, those inside
functions too."""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[2] / "elunumba"
FACES = ("elunumba.api", "elunumba.jit", "elunumba.stats", "elunumba.torch", "elunumba.interop")
FORBIDDEN = {
    "kernels": ("elunumba.dispatch", "elunumba.lab") + FACES,
    "dispatch": ("elunumba.lab",) + FACES,
}


def module_name(path, package_dir):
    parts = path.relative_to(package_dir.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path, package_dir):
    """Absolute names of everything ``path`` imports (for ``from X import y``: X and X.y)."""
    name = module_name(path, package_dir)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)


def violations(layer, package_dir=PACKAGE):
    found = []
    for path in sorted((package_dir / layer).rglob("*.py")):
        for name in imported_modules(path, package_dir):
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[layer]):
                found.append(f"{module_name(path, package_dir)} imports {name}")
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_imports_flow_one_way(layer):
    assert violations(layer) == []


def test_the_check_sees_a_violation(tmp_path):
    """The check itself can fail: a kernels module importing the dispatch layer is reported."""
    fake = tmp_path / "elunumba"
    (fake / "kernels").mkdir(parents=True)
    (fake / "kernels" / "bad.py").write_text("def f():\n    from ..dispatch import host\n")
    assert violations("kernels", fake) == ["elunumba.kernels.bad imports elunumba.dispatch",
                                     "elunumba.kernels.bad imports elunumba.dispatch.host"]
