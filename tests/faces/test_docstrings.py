"""Every public function and class documents each of its parameters and carries an example, and
the examples run as printed (doctest), so that ``help(elunumba.elu)`` tells a user what
``elu`` computes, with what, and how to call it.

The public surface: ``__all__`` of elunumba, elunumba.jit, elunumba.stats and elunumba.torch (the
last where PyTorch is installed). A name added to one of them without a docstring that has a
Parameters entry for each parameter and an example fails here.
"""

import doctest
import importlib
import inspect
import pathlib
import pydoc
import re

import numpy as np
import pytest

MODULES = ("elunumba", "elunumba.jit", "elunumba.stats", "elunumba.torch")
# public values that are not functions or classes: documented in docs/api.md and in the
# docstrings of the functions that use them, not by a docstring of their own
CONSTANTS = {"SELU_ALPHA", "SELU_SCALE", "TARGETS", "__version__"}
SECTION = re.compile(r"^(\w[\w ]*)\n-+$", flags=re.M)  # numpydoc: a title underlined by dashes
# "name : type" or "name1, name2 : type", not indented
ENTRY = re.compile(r"^(\w+(?:\s*,\s*\w+)*)\s*:", flags=re.M)


def documented_objects():
    """(qualified name, object) for each public function and class; for an instance (such as
    elunumba.correctly_rounded) its class, whose docstring is what the instance shows."""
    for module_name in MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as missing:
            if missing.name != "torch":
                raise
            yield pytest.param(None, marks=pytest.mark.skip(
                reason=f"{module_name} needs PyTorch, which is not installed"), id=module_name)
            continue
        for name in module.__all__:
            public = getattr(module, name)
            if name in CONSTANTS:
                continue
            documented = public if callable(public) else type(public)
            yield pytest.param(documented, id=f"{module_name}.{name}")


PUBLIC = list(documented_objects())


def documented_parameters(docstring):
    """The names in the docstring's Parameters section."""
    sections = SECTION.split(docstring)  # [before, title, body, title, body, ...]
    bodies = dict(zip(sections[1::2], sections[2::2]))
    return [name.strip() for entry in ENTRY.findall(bodies.get("Parameters", ""))
            for name in entry.split(",")]


def signature_parameters(public):
    """The parameters a caller passes (not self, *args or **kwargs); none for a class whose
    constructor is a builtin one (exceptions and warnings)."""
    try:
        signature = inspect.signature(public)
    except ValueError:
        return []
    return [p.name for p in signature.parameters.values()
            if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


@pytest.mark.parametrize("public", PUBLIC)
def test_docstring_names_every_parameter_and_has_an_example(public):
    docstring = inspect.getdoc(public)
    assert docstring, f"{public!r} has no docstring"
    assert documented_parameters(docstring) == signature_parameters(public), (
        "the Parameters section must list each parameter, in the signature's order")
    assert "\n>>> " in f"\n{docstring}", "no example (a >>> line) in the docstring"


@pytest.mark.parametrize("public", PUBLIC)
def test_help_shows_the_documentation(public):
    """What help() prints: for elunumba.elu, a method of an ELUFunctions instance, the
    method's own docstring, not the class's."""
    shown = pydoc.render_doc(public, renderer=pydoc.plaintext)
    assert "Examples" in shown and ">>> " in shown


@pytest.mark.parametrize("public", PUBLIC)
def test_examples_run_as_printed(public):
    """The examples are self-contained (no names given to them) and print only what is the
    same on every machine: exact values, or values rounded to a few digits."""
    finder = doctest.DocTestFinder(recurse=False)
    tests = [test for test in finder.find(public, public.__qualname__, globs={})
             if test.examples]
    assert tests, "no examples found"
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    report = []
    with np.printoptions(precision=8, floatmode="maxprec", suppress=False, linewidth=75,
                         legacy=False):
        for test in tests:
            runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)


def test_the_shared_parameter_texts_are_all_filled_in():
    """The functions share parameter descriptions through %-substitution: none is left open."""
    import elunumba

    for name in ("elu", "elu_backward", "elu_grad", "elu_value_and_grad", "selu", "celu"):
        docstring = getattr(elunumba, name).__doc__
        assert "%(" not in docstring, name
        assert getattr(elunumba.correctly_rounded, name).__doc__ == docstring


API_REFERENCE = pathlib.Path(__file__).resolve().parents[2] / "docs" / "api.md"


@pytest.mark.parametrize("name", ["elu", "elu_backward", "elu_grad", "elu_value_and_grad",
                                  "selu", "celu"])
def test_the_api_reference_shows_the_signature_and_parameters(name):
    """docs/api.md is written by hand: its signature line and parameter list are the
    function's, so that it cannot drift from the docstrings."""
    import elunumba

    function = getattr(elunumba, name)
    sections = re.split(r"^## ", API_REFERENCE.read_text(), flags=re.M)
    section = next(s for s in sections if s.startswith(f"`elunumba.{name}`"))
    signature = f"elunumba.{name}{inspect.signature(function)}".replace("'", '"')
    assert f"\n{signature}\n" in section
    listed = re.findall(r"^- \*\*(\w+)\*\*", section, flags=re.M)
    listed += re.findall(r"\*\*(\w+)\*\*", section.partition("**Parameters:**")[2].split("\n")[0])
    assert listed == documented_parameters(inspect.getdoc(function))
