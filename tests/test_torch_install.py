"""The README's Install section gets PyTorch's CPU build before the torch extra (an unpinned
torch from PyPI is the CUDA build, several GB), in the form that works from a checkout."""

import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
CPU_INDEX = "pip install torch --index-url https://download.pytorch.org/whl/cpu"


def install_commands():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Install\n", 1)[1].split("\n## ", 1)[0]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    return [line.split("#", 1)[0].strip() for line in block.splitlines()]


def test_the_cpu_build_comes_before_the_torch_extra_installed_from_the_checkout():
    commands = install_commands()
    assert "pip install 'elunumba[torch]'" not in commands  # not on PyPI: fails from a checkout
    assert commands.index(CPU_INDEX) < commands.index("pip install '.[torch]'")
