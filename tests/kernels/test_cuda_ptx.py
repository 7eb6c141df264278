"""The CUDA kernels compile for a real GPU (sm_90, H100), checked without one.

``numba.cuda.compile_ptx`` runs Numba's CUDA front end and NVVM but needs no driver or device, so
this runs on any machine with numba-cuda, NVRTC and libNVVM (``pip install numba-cuda[cu13]``, or
numba-cuda plus a CUDA toolkit). It is skipped where numba-cuda or those libraries are missing,
and under NUMBA_ENABLE_CUDASIM=1 (the simulator compiles nothing).

One workaround, confined to this file: compile_ptx compiles the kernel for the ``cc`` it is
given, but the register_jitable helpers it calls are compiled as device functions for
``get_current_device().compute_capability``, which needs a driver. Without a GPU that lookup is
stubbed to the target compute capability.

numba-cuda 0.30's import hook (``_numba_cuda_redirector``) treats every module whose name
contains "numba.cuda" as part of numba.cuda and recurses until RecursionError; "elunumba.cuda"
matched, which is why the kernel module is elunumba.kernels.gpu.
``test_cuda_backend_imports_beside_numba_cuda`` keeps that in view.
"""

import inspect
import os
import re
import subprocess
import sys
import types

import pytest

from numba import config

if config.ENABLE_CUDASIM:
    pytest.skip("NUMBA_ENABLE_CUDASIM=1: the simulator does not compile to PTX",
                allow_module_level=True)
pytest.importorskip("numba_cuda", reason="numba-cuda is not installed (pip install elunumba[cuda])")

from numba import cuda  # noqa: E402  (numba-cuda's numba.cuda from here on)
from numba.core import types as nbtypes  # noqa: E402
from numba.cuda import dispatcher as cuda_dispatcher  # noqa: E402
from numba.cuda.cudadrv.error import NvrtcSupportError, NvvmSupportError  # noqa: E402

try:
    from cuda.pathfinder import DynamicLibNotFoundError
except ImportError:  # older cuda-pathfinder layouts
    DynamicLibNotFoundError = NvvmSupportError

from elunumba.kernels import gpu as kernels_module  # noqa: E402
from elunumba.kernels.formulas import FORMULAS, variant  # noqa: E402

pytestmark = pytest.mark.cuda

CC = (9, 0)  # H100
OPS = ("forward", "backward", "fused", "grad_from_input", "fused_from_input")
# (array dtype, coefficient dtype) as the dispatch layer passes them; float32 arrays with float64
# coefficients is the correctly rounded float32 path (resolve.compute_dtype).
DTYPES = {
    "float16": (nbtypes.float16, nbtypes.float32),
    "float32": (nbtypes.float32, nbtypes.float32),
    "float64": (nbtypes.float64, nbtypes.float64),
    "float32-rounded": (nbtypes.float32, nbtypes.float64),
}
MISSING_TOOLCHAIN = (NvvmSupportError, NvrtcSupportError, DynamicLibNotFoundError)


@pytest.fixture(scope="module")
def compile_ptx():
    """compile_ptx for CC, or a skip naming the missing library."""
    with pytest.MonkeyPatch.context() as patch:
        if not cuda.is_available():
            device = types.SimpleNamespace(compute_capability=CC)
            patch.setattr(cuda_dispatcher, "get_current_device", lambda: device)

        def compile_for_cc(pyfunc, signature):
            return cuda.compile_ptx(pyfunc, signature, cc=CC)[0]

        def probe(a):
            a[0] = 1.0

        try:
            compile_for_cc(probe, (nbtypes.float32[::1],))
        except MISSING_TOOLCHAIN as error:
            pytest.skip(f"no CUDA compiler libraries (NVRTC/libNVVM): {error}")
        yield compile_for_cc


def _signature(pyfunc, array_type, coef_type):
    n_arrays = len(inspect.signature(pyfunc).parameters) - 3
    return (nbtypes.Array(array_type, 1, "C"),) * n_arrays + (coef_type,) * 3


def _count(pattern, ptx):
    return len(re.findall(pattern, ptx, flags=re.MULTILINE))


@pytest.mark.parametrize("kind", FORMULAS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", OPS)
def test_kernel_compiles_to_ptx(compile_ptx, op, dtype, kind):
    array_type, coef_type = DTYPES[dtype]
    pyfunc = variant(getattr(kernels_module, "_" + op), "_ptx", kind)
    ptx = compile_ptx(pyfunc, _signature(pyfunc, array_type, coef_type))

    assert re.search(rf"^\.target sm_{CC[0]}{CC[1]}\b", ptx, flags=re.MULTILINE)
    assert _count(r"^\.visible \.entry ", ptx) == 1
    # every helper is inlined; expm1 is elunumba's own arithmetic, not libdevice or an approximation
    assert _count(r"^\s*call", ptx) == 0
    assert "__nv_" not in ptx
    assert _count(r"\b(ex2|lg2|rcp|sqrt|rsqrt|div)\.(approx|rn|full)", ptx) == 0
    assert _count(r"\b(ld|st)\.local\b", ptx) == 0  # no stack frame

    stored = {nbtypes.float16: "u16", nbtypes.float32: "f32", nbtypes.float64: "f64"}[array_type]
    assert _count(rf"\bld\.global\.{stored}\b", ptx) > 0
    assert _count(rf"\bst\.global\.{stored}\b", ptx) > 0
    if coef_type == nbtypes.float32:
        assert _count(r"\.f64\b", ptx) == 0  # float32 stays float32: no stray double constant
    if array_type == nbtypes.float16:
        assert _count(r"\bcvt\.f32\.f16\b", ptx) > 0  # widen on load
        assert _count(r"\bcvt\.rn\.f16\.f32\b", ptx) > 0  # one rounding on store
    if dtype == "float32-rounded":
        assert _count(r"\bcvt\.f64\.f32\b", ptx) > 0
        assert _count(r"\bcvt\.rn\.f32\.f64\b", ptx) > 0
    if op != "backward":  # expm1's polynomial and reductions contract to FMA
        fma = "f64" if coef_type == nbtypes.float64 else "f32"
        assert _count(rf"\bfma\.rn\.{fma}\b", ptx) >= 10


def test_cuda_backend_imports_beside_numba_cuda():
    """target='cuda' must be able to import its kernel module where numba-cuda is installed."""
    code = "import elunumba\nelunumba.available_targets()\n"
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
