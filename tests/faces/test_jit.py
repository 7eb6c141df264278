"""elunumba.jit inside user code compiled by Numba on the CPU: the same results as elunumba's
kernels, the documented accuracy, and expm1 over the whole real line."""

import numba
import numpy as np
import pytest

import elunumba
from elunumba.jit import elu_slope_from_input, elu_slope_from_output, elu_value, expm1
from reference import (assert_ulp, elu_reference, forward_bound, fused_grad_bound,
                       grad_from_input_bound, grad_from_output_reference, grad_from_x_reference,
                       ulp_error)

# (alpha, scale, input_scale): ELU, ELU with alpha != 1, SELU, CELU(alpha=0.7)
PARAMETERS = [(1.0, 1.0, 1.0), (1.3, 1.0, 1.0), (elunumba.SELU_ALPHA, elunumba.SELU_SCALE, 1.0),
              (0.7, 1.0, 1 / 0.7)]
FLOATS = (np.float32, np.float64)


def user_kernel(fastmath):
    """What a user writes: a loop calling elunumba.jit's functions, here with or without the
    contraction elunumba's own kernels are compiled with."""
    @numba.njit(fastmath=fastmath)
    def elu_and_slopes(x, y, slope, slope_x, alpha, scale, input_scale):
        for i in range(x.size):
            y[i] = elu_value(x[i], alpha, scale, input_scale)
            slope[i] = elu_slope_from_output(y[i], alpha, scale, input_scale)
            slope_x[i] = elu_slope_from_input(x[i], alpha, scale, input_scale)
    return elu_and_slopes


CONTRACTED, PLAIN = user_kernel({"contract"}), user_kernel(False)


def sample(dtype, seed=0, n=20_000):
    rng = np.random.default_rng(seed)
    return np.concatenate([-np.exp(rng.uniform(-25, 4, n)), rng.standard_normal(n // 4),
                           [0.0, -0.0, np.inf, -np.inf, np.nan]]).astype(dtype)


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda t: np.dtype(t).name)
@pytest.mark.parametrize("params", PARAMETERS, ids=["elu", "elu-1.3", "selu", "celu-0.7"])
def test_user_kernel_matches_elunumba_bit_for_bit(dtype, params):
    alpha, scale, input_scale = params
    x = sample(dtype)
    y, slope, slope_x = np.empty_like(x), np.empty_like(x), np.empty_like(x)
    CONTRACTED(x, y, slope, slope_x, alpha, scale, input_scale)
    expected_y, expected_slope = elunumba.elu_value_and_grad(x, alpha, scale=scale,
                                                            input_scale=input_scale)
    assert y.tobytes() == expected_y.tobytes()
    assert slope.tobytes() == expected_slope.tobytes()
    expected_slope_x = elunumba.elu_grad(x, alpha, scale=scale, input_scale=input_scale)
    assert slope_x.tobytes() == expected_slope_x.tobytes()


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda t: np.dtype(t).name)
@pytest.mark.parametrize("params", PARAMETERS, ids=["elu", "elu-1.3", "selu", "celu-0.7"])
def test_user_kernel_without_contraction_keeps_the_documented_bound(dtype, params):
    alpha, scale, input_scale = params
    x = sample(dtype, seed=1)
    y, slope, slope_x = np.empty_like(x), np.empty_like(x), np.empty_like(x)
    PLAIN(x, y, slope, slope_x, alpha, scale, input_scale)
    reference = elu_reference(x, alpha, scale, input_scale)
    assert_ulp(y, reference, forward_bound(dtype, alpha, scale, input_scale), inputs=x)
    exact_slope = grad_from_output_reference(np.ones_like(y), y, alpha, scale, input_scale)
    assert_ulp(slope, exact_slope, fused_grad_bound(dtype), inputs=x, what="slope")
    assert_ulp(slope_x, grad_from_x_reference(x, alpha, scale, input_scale),
               grad_from_input_bound(dtype, alpha, scale, input_scale), inputs=x,
               what="slope from x")


def test_results_stay_in_the_precision_of_the_argument():
    @numba.njit
    def types_of(x32, x64):
        return (elu_value(x32, 1.3), elu_slope_from_output(x32, 1.3),
                elu_slope_from_input(x32, 1.3), expm1(x32), elu_value(x64, 1.3))

    types_of.compile((numba.float32, numba.float64))
    (signature,) = types_of.nopython_signatures
    assert list(signature.return_type) == [numba.float32] * 4 + [numba.float64]


def test_integer_arguments_compute_in_float64_as_numpy_promotes_them():
    """An integer x or y used to give the coefficients its type: alpha 2.5 became 2."""
    @numba.njit
    def of_an_integer(v):
        return elu_value(v, 2.5), elu_slope_from_output(v, 2.5), elu_slope_from_input(v, 2.5)

    expected = of_an_integer(-1.0)
    assert of_an_integer(-1) == expected == of_an_integer.py_func(-1)
    assert expected[1] == -1.0 + 2.5


@numba.njit
def expm1_of(x):
    out = np.empty_like(x)
    for i in range(x.size):
        out[i] = expm1(x[i])
    return out


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda t: np.dtype(t).name)
def test_expm1_over_the_real_line_within_one_ulp(dtype):
    rng = np.random.default_rng(2)
    magnitudes = np.exp(rng.uniform(-30, np.log(80.0), 100_000))
    x = np.concatenate([-magnitudes, magnitudes]).astype(dtype)
    # np.expm1 in x87 extended precision (float32: float64 suffices)
    wide = np.float64 if dtype == np.float32 else np.longdouble
    reference = np.expm1(x.astype(wide))
    assert_ulp(expm1_of(x), reference, 1.0, inputs=x, what=f"expm1 {np.dtype(dtype).name}")
    negative = x < 0
    assert ulp_error(expm1_of(x[negative]), reference[negative]).max() <= 0.85


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda t: np.dtype(t).name)
def test_expm1_special_values(dtype):
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -1000.0, 1000.0], dtype)
    got = expm1_of(x)
    assert got[0] == 0 and not np.signbit(got[0])
    assert got[1] == 0 and np.signbit(got[1])
    assert got[2] == np.inf and got[3] == -1 and np.isnan(got[4])
    assert got[5] == -1 and got[6] == np.inf
