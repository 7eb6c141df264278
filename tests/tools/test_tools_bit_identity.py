"""The A/B tools in tools/: loading a reference copy of the package and comparing bit patterns."""

import pathlib
import subprocess
import sys

import numpy as np
import pytest

import elunumba

TOOLS = pathlib.Path(__file__).resolve().parents[2] / "tools"
sys.path.insert(0, str(TOOLS))

import check_bit_identity  # noqa: E402
import reference_kernels  # noqa: E402


def test_a_directory_without_the_package_is_refused(tmp_path):
    with pytest.raises(ValueError, match="no elunumba/__init__.py"):
        reference_kernels.load(tmp_path)


@pytest.mark.parametrize("tool", ["check_bit_identity.py", "ab_kernels.py", "kernel_asm.py"])
def test_the_tools_exit_2_naming_a_bad_reference(tool, tmp_path):
    run = subprocess.run([sys.executable, str(TOOLS / tool), "--reference", str(tmp_path)],
                         capture_output=True, text=True, cwd=TOOLS)
    assert run.returncode == 2
    assert "no elunumba/__init__.py" in run.stderr
    assert "Traceback" not in run.stderr


def test_the_package_itself_as_reference_matches_bit_for_bit(capsys):
    here = pathlib.Path(elunumba.__file__).resolve().parent.parent
    reference = reference_kernels.load(here)
    assert reference.__name__ == reference_kernels.NAME
    x = np.linspace(-20, 5, 4097, dtype=np.float32)
    run = check_bit_identity.forward(1.7)
    mismatches = check_bit_identity.compare("small", [x], lambda x: run(elunumba, x),
                                            lambda x: run(reference, x))
    assert mismatches == 0
    assert "4,097 inputs, 0 mismatches" in capsys.readouterr().out


def test_compare_counts_differing_bits_including_the_sign_of_zero(capsys):
    x = np.array([0.0, 1.0, 2.0], np.float32)
    theirs = np.array([-0.0, 1.0, 3.0], np.float32)
    mismatches = check_bit_identity.compare("zeros", [x], lambda x: (x,), lambda x: (theirs,))
    assert mismatches == 2
    assert "first mismatch at x = np.float32(0.0)" in capsys.readouterr().out


def test_float64_samples_are_negative_or_special_and_as_many_as_asked():
    chunks = list(check_bit_identity.float64_samples(1000))
    special, samples = chunks[0], np.concatenate(chunks[1:])
    assert samples.size == 1000
    assert np.all(np.signbit(samples))
    assert np.isnan(special).any() and np.isinf(special).any()
