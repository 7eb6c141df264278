"""elunumba.jit inside a user's own @cuda.jit kernel: on a GPU, or under Numba's simulator
(NUMBA_ENABLE_CUDASIM=1, as CI runs the `cuda` tests). Skipped where CUDA kernels cannot run.

    NUMBA_ENABLE_CUDASIM=1 python -m pytest -q tests/faces/test_jit_cuda.py
"""

import numpy as np
import pytest

from helpers import cuda_available, cuda_simulated
from reference import assert_ulp, backward_bound, elu_reference, forward_bound
from reference import grad_from_input_bound, grad_from_output_reference, grad_from_x_reference

if not cuda_available():
    pytest.skip("CUDA kernels cannot run here (no GPU; set NUMBA_ENABLE_CUDASIM=1 for the "
                "simulator)", allow_module_level=True)

from numba import cuda  # noqa: E402

from elunumba.jit import elu_slope_from_input, elu_slope_from_output, elu_value, expm1  # noqa: E402,E501
from test_jit import PARAMETERS, PLAIN  # noqa: E402

pytestmark = pytest.mark.cuda


@cuda.jit
def elu_and_slopes(x, y, slope, slope_x, alpha, scale, input_scale):
    i = cuda.grid(1)
    if i < x.size:
        y[i] = elu_value(x[i], alpha, scale, input_scale)
        slope[i] = elu_slope_from_output(y[i], alpha, scale, input_scale)
        slope_x[i] = elu_slope_from_input(x[i], alpha, scale, input_scale)


@cuda.jit
def expm1_kernel(x, out):
    i = cuda.grid(1)
    if i < x.size:
        out[i] = expm1(x[i])


def sample(dtype, n=300):
    """Small: the simulator runs every thread in Python."""
    rng = np.random.default_rng(3)
    return np.concatenate([-np.exp(rng.uniform(-25, 4, n)), rng.standard_normal(n // 3),
                           [0.0, -0.0, np.inf, -np.inf, np.nan]]).astype(dtype)


def run(kernel, x, n_outputs, *args):
    outputs = [cuda.device_array_like(x) for _ in range(n_outputs)]
    kernel[(x.size + 127) // 128, 128](cuda.to_device(x), *outputs, *args)
    return [o.copy_to_host() for o in outputs]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("params", PARAMETERS, ids=["elu", "elu-1.3", "selu", "celu-0.7"])
def test_user_cuda_kernel(dtype, params):
    x = sample(dtype)
    y, slope, slope_x = run(elu_and_slopes, x, 3, *params)
    assert_ulp(y, elu_reference(x, *params), forward_bound(dtype, *params), inputs=x)
    assert_ulp(slope, grad_from_output_reference(np.ones_like(y), y, *params),
               backward_bound(dtype), inputs=x)
    assert_ulp(slope_x, grad_from_x_reference(x, *params),
               grad_from_input_bound(dtype, *params), inputs=x)
    if cuda_simulated():
        # the simulator does each operation separately, as the CPU does without contraction
        # (and elunumba's explicit FMAs exactly, as the CPU does)
        cpu = [np.empty_like(x) for _ in range(3)]
        PLAIN(x, *cpu, *params)
        assert [o.tobytes() for o in (y, slope, slope_x)] == [o.tobytes() for o in cpu]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_user_cuda_kernel_expm1(dtype):
    x = np.concatenate([sample(dtype), -sample(dtype)])
    (got,) = run(expm1_kernel, x, 1)
    wide = np.float64 if dtype == np.float32 else np.longdouble
    assert_ulp(got, np.expm1(x.astype(wide)), 1.0, inputs=x)
