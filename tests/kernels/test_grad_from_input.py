"""``elu_grad(x)`` and ``elu_value_and_grad(x, grad_from="input")``: the derivative from the input.

Judged against the derivative in high precision (grad_from_x_reference, with the coefficients
rounded as the kernels get them); the exhaustive float32 check is `elunumba accuracy
--exhaustive` (README "Accuracy").
"""

import numpy as np
import pytest

import elunumba
from reference import (assert_bits_equal, assert_ulp, grad_from_input_bound,
                       grad_from_x_reference)

# (alpha, scale, input_scale): ELU, alpha != 1, SELU, CELU(1.7), a non-power-of-two input_scale,
# and signs the gradient from the output refuses
PARAMETERS = {
    "elu": (1.0, 1.0, 1.0), "alpha-1.7": (1.7, 1.0, 1.0),
    "selu": (elunumba.SELU_ALPHA, elunumba.SELU_SCALE, 1.0), "celu-1.7": (1.7, 1.0, 1 / 1.7),
    "input-scale-3": (1.0, 1.0, 3.0), "negative-alpha": (-0.5, 1.0, 1.0),
    "negative-scale": (1.0, -2.0, 1.0),
}


def sample(dtype, n=50_000, seed=0):
    """Negative inputs over the whole range where the derivative is not 0, down into the
    subnormal results, and positives."""
    rng = np.random.default_rng(seed)
    lowest = {np.float16: 18.0, np.float32: 110.0, np.float64: 760.0}[np.dtype(dtype).type]
    return np.concatenate([-np.exp(rng.uniform(-20, np.log(lowest), n)),
                           -rng.uniform(0, lowest, n // 4), rng.uniform(0, 5, n // 8)]).astype(dtype)


@pytest.mark.parametrize("params", PARAMETERS.values(), ids=PARAMETERS)
def test_within_the_bound_of_the_true_derivative(dtype, host_target, params):
    x = sample(dtype)
    got = elunumba.elu_grad(x, params[0], scale=params[1], input_scale=params[2],
                            target=host_target)
    assert got.dtype == x.dtype and got.shape == x.shape
    assert_ulp(got, grad_from_x_reference(x, *params), grad_from_input_bound(dtype, *params),
               inputs=x)


@pytest.mark.parametrize("params", PARAMETERS.values(), ids=PARAMETERS)
def test_correctly_rounded_float32_through_float64(params):
    x = sample(np.float32, seed=1)
    got = elunumba.correctly_rounded.elu_grad(x, params[0], scale=params[1],
                                              input_scale=params[2])
    reference = grad_from_x_reference(x, *params, correctly_rounded=True)
    assert_ulp(got, reference, 0.5 + 2.0**-20, inputs=x)


def test_special_values(dtype):
    x = np.array([np.nan, 0.0, -0.0, np.inf, -np.inf, 3.0, -1e4], dtype)
    got = elunumba.elu_grad(x, 1.5, scale=2.0)
    assert np.isnan(got[0])
    # ±0: the derivative from the left, alpha*scale*input_scale, as PyTorch's
    assert got[1] == got[2] == 3.0
    assert got[3] == got[5] == 2.0  # scale where x > 0
    assert got[4] == got[6] == 0 and not np.signbit(got[4]) and not np.signbit(got[6])


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_subnormal_derivatives_are_kept(dtype):
    """exp(x) far below the smallest normal number: the result is the nearest subnormal."""
    tiny = np.finfo(dtype).tiny
    x = np.log(np.array([tiny / 2, tiny / 1000, tiny * 2.0**-20], np.float64)).astype(dtype)
    got = elunumba.elu_grad(x)
    assert np.all(got > 0) and np.all(got < tiny)
    assert_ulp(got, grad_from_x_reference(x), 1.0, inputs=x)


def test_keeps_the_accuracy_the_gradient_from_the_output_loses():
    """At x = -17.5 float32 y rounds to -1, so y + alpha is 0; from x, exp(x) is kept."""
    x = np.array([-17.5, -10.0, -30.0], np.float32)
    from_output = elunumba.elu_backward(np.ones_like(x), elunumba.elu(x))
    from_input = elunumba.elu_grad(x)
    assert from_output[0] == 0 and from_output[2] == 0
    assert np.all(from_input > 0)
    assert_ulp(from_input, grad_from_x_reference(x), 1.0, inputs=x)


@pytest.mark.parametrize("params", PARAMETERS.values(), ids=PARAMETERS)
def test_fused_from_input_gives_the_bits_of_the_two_calls(dtype, host_target, params):
    x = sample(dtype, n=3000, seed=2)
    options = dict(scale=params[1], input_scale=params[2], target=host_target)
    y, dydx = elunumba.elu_value_and_grad(x, params[0], grad_from="input", **options)
    assert_bits_equal(y, elunumba.elu(x, params[0], **options), "value")
    assert_bits_equal(dydx, elunumba.elu_grad(x, params[0], **options), "gradient")


def test_fused_default_stays_the_gradient_from_the_output(dtype):
    x = sample(dtype, n=3000, seed=3)
    y, dydx = elunumba.elu_value_and_grad(x, 1.3, grad_from="output")
    assert_bits_equal(dydx, elunumba.elu_backward(np.ones_like(y), y, 1.3))
    y_default, dydx_default = elunumba.elu_value_and_grad(x, 1.3)
    assert_bits_equal(y_default, y)
    assert_bits_equal(dydx_default, dydx)


def test_out_in_place_and_layouts():
    x = sample(np.float32, n=2000, seed=4)
    expected = elunumba.elu_grad(x)
    out = np.empty_like(x)
    assert elunumba.elu_grad(x, out=out) is out
    assert_bits_equal(out, expected)
    in_place = x.copy()
    assert elunumba.elu_grad(in_place, out=in_place) is in_place
    assert_bits_equal(in_place, expected)
    assert_bits_equal(elunumba.elu_grad(x[::-3]), expected[::-3])
    square = x[:1600].reshape(40, 40)
    assert_bits_equal(elunumba.elu_grad(square.T), expected[:1600].reshape(40, 40).T)
    buffers = (np.empty_like(x), np.empty_like(x))
    assert elunumba.elu_value_and_grad(x, out=buffers, grad_from="input") is buffers
    assert_bits_equal(buffers[1], expected)


def test_repeat_calls_give_the_first_call_s_bits():
    """The second call goes through the kept plan (plans.py), the first through the general
    path: the same kernel either way."""
    x = sample(np.float64, n=5000, seed=5)
    first = elunumba.elu_grad(x, 1.25)
    assert_bits_equal(elunumba.elu_grad(x, 1.25), first)
    value, grad = elunumba.elu_value_and_grad(x, 1.25, grad_from="input")
    assert_bits_equal(elunumba.elu_value_and_grad(x, 1.25, grad_from="input")[1], grad)
    assert_bits_equal(grad, first)


def test_scalars_and_promotion():
    assert elunumba.elu_grad(-1.0) == pytest.approx(np.exp(-1.0), rel=2**-52)
    assert type(elunumba.elu_grad(np.float32(-1.0))) is np.float32
    assert elunumba.elu_grad(np.arange(-3, 3, dtype=np.int16)).dtype == np.float32


@pytest.mark.parametrize("grad_from", ["x", "Input", "", None, 1, b"input"])
def test_grad_from_must_name_output_or_input(grad_from):
    x = np.linspace(-2, 2, 7, dtype=np.float32)
    out = (np.full_like(x, 7), np.full_like(x, 8))
    with pytest.raises(ValueError, match=r"^grad_from must be 'output' or 'input', got "):
        elunumba.elu_value_and_grad(x, out=out, grad_from=grad_from)
    assert np.all(out[0] == 7) and np.all(out[1] == 8)


@pytest.mark.parametrize("params", [{"alpha": 2.0**50}, {"alpha": 2.0**30, "scale": -2.0**21},
                                    {"alpha": 1e10, "input_scale": 1e10}])
def test_a_coefficient_too_large_for_the_exponential_is_refused(params):
    x = np.linspace(-2, 2, 7, dtype=np.float32)
    out = np.full_like(x, 7)
    with pytest.raises(ValueError, match=r"from the input needs \|alpha\*scale\*input_scale\| "
                                         r"< 2\*\*50, got "):
        elunumba.elu_grad(x, out=out, **params)
    assert np.all(out == 7)
    with pytest.raises(ValueError, match=r"from the input needs"):
        elunumba.elu_value_and_grad(x, grad_from="input", **params)


def test_the_largest_coefficient_accepted_is_computed_right():
    """Just under the limit: the clamp of the exponential stays invisible (every x below it
    gives 0) and nothing overflows at x = 0."""
    alpha = 2.0**49.9
    for dtype in (np.float32, np.float64):
        x = np.array([0.0, -1.0, -100.0, -138.0, -140.0, -1e4, -np.inf], dtype)
        got = elunumba.elu_grad(x, alpha)
        assert np.all(np.isfinite(got))
        assert_ulp(got, grad_from_x_reference(x, alpha), 1.5, inputs=x)
