"""With NUMBA_DISABLE_JIT=1 (how Numba code is debugged) the kernels run as Python on NumPy
scalars, through the pure-Python forms of the storage helpers. A small suite runs that way in a
subprocess and is compared with the compiled kernels here: the same results, up to the one
rounding that LLVM's fused multiply-adds save (1 ULP), and with y given, the same gradient bits.
"""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import elunumba
from helpers import ROOT
from reference import assert_bits_equal, assert_ulp

SCRIPT = textwrap.dedent("""
    import sys
    import numpy as np
    import numba, elunumba

    assert numba.config.DISABLE_JIT
    given = np.load(sys.argv[1])
    results = {}
    for name in ("float16", "float32", "float64"):
        x, y, g = (given[f"{what}_{name}"] for what in ("x", "y", "g"))
        for alpha in (1.0, 1.7):
            key = f"{name}_{alpha}"
            results["forward_" + key] = elunumba.elu(x, alpha)
            results["backward_" + key] = elunumba.elu_backward(g, y, alpha)
            results["fused_y_" + key], results["fused_grad_" + key] = (
                elunumba.elu_value_and_grad(x, alpha))
            results["fused_backward_" + key] = elunumba.elu_backward(
                np.ones_like(x), results["fused_y_" + key], alpha)
    np.savez(sys.argv[2], **results)
""")

SPECIAL = [-np.inf, -1e4, -20.0, -1.0, -0.5, -1e-8, -0.0, 0.0, 1e-8, 0.5, 3.0, np.inf, np.nan]


@pytest.fixture(scope="module")
def without_jit(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nojit")
    rng = np.random.default_rng(7)
    given = {}
    for dtype in (np.float16, np.float32, np.float64):
        name = np.dtype(dtype).name
        x = np.concatenate([SPECIAL, rng.standard_normal(200) * 6]).astype(dtype)
        given[f"x_{name}"] = x
        given[f"y_{name}"] = elunumba.elu(x, 1.7)
        given[f"g_{name}"] = rng.standard_normal(x.size).astype(dtype)
    np.savez(folder / "given.npz", **given)
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    done = subprocess.run([sys.executable, "-W", "error", "-c", SCRIPT, str(folder / "given.npz"),
                           str(folder / "results.npz")], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    with np.load(folder / "results.npz") as results:
        return given, dict(results)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("alpha", [1.0, 1.7])
def test_without_jit_gives_the_compiled_results(without_jit, dtype, alpha):
    given, results = without_jit
    x, y, g = (given[f"{what}_{dtype}"] for what in ("x", "y", "g"))
    key = f"{dtype}_{alpha}"
    forward = elunumba.elu(x, alpha)
    assert results["forward_" + key].dtype == forward.dtype
    assert_ulp(results["forward_" + key], forward, 1.0, inputs=x, what="forward")
    assert_ulp(results["fused_y_" + key], forward, 1.0, inputs=x, what="fused value")
    assert_bits_equal(results["backward_" + key], elunumba.elu_backward(g, y, alpha), "backward")
    # the fused gradient is the backward of its own y, with the JIT off as with it on
    assert_bits_equal(results["fused_grad_" + key], results["fused_backward_" + key], "fused")
