"""Load an older copy of the elunumba package beside the current one, to compare the two in one
process (tools/check_bit_identity.py, tools/ab_kernels.py).

The reference is a directory holding an ``elunumba`` package, for example the one at commit C:

    mkdir /tmp/ref && git archive C elunumba | tar -x -C /tmp/ref     # then --reference /tmp/ref

It is imported as the package ``elunumba_reference``; its modules import each other relatively,
so it runs its own kernels, cached on disk beside its own files.
"""

import importlib.util
import pathlib
import sys

NAME = "elunumba_reference"


def load(directory):
    """The reference package in ``directory``/elunumba, imported as ``elunumba_reference``."""
    init = pathlib.Path(directory) / "elunumba" / "__init__.py"
    if not init.is_file():
        raise ValueError(f"--reference {directory}: no elunumba/__init__.py there "
                         "(expected a directory holding an elunumba package)")
    spec = importlib.util.spec_from_file_location(NAME, init,
                                                  submodule_search_locations=[str(init.parent)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[NAME] = module
    spec.loader.exec_module(module)
    return module
