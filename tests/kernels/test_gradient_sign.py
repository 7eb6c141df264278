"""ELU's slope is never negative. Where alpha*scale is not exact in the storage dtype, the stored
y can lie just below -alpha*scale (x = -inf, x << 0), and input_scale*(y + alpha*scale) then came
out negative; the kernels clamp it to 0, and the fused gradient stays the bits of
elu_backward(ones, y)."""

import numpy as np
import pytest

import elunumba
from reference import assert_bits_equal

ALL_FLOAT16 = np.arange(2**16, dtype=np.uint16).view(np.float16)


def alphas(count, seed):
    """Random alphas over four decades, most of which are not exact in float16 or float32."""
    return 10.0 ** np.random.default_rng(seed).uniform(-2, 2, count)


def assert_never_negative(grad, x, alpha, what):
    negative = grad < 0
    assert not negative.any(), (f"{what}, alpha={alpha!r}: negative slope {grad[negative][:3]} "
                                f"at x={x[negative][:3]}")


@pytest.mark.parametrize("scale", [1.0, 0.7, elunumba.SELU_SCALE])
def test_every_float16_input_over_many_alphas(scale):
    ones = np.ones_like(ALL_FLOAT16)
    for alpha in alphas(60, seed=int(scale * 1000)):
        y, grad = elunumba.elu_value_and_grad(ALL_FLOAT16, alpha, scale=scale)
        assert_never_negative(grad, ALL_FLOAT16, alpha, f"float16, scale={scale}")
        assert_bits_equal(grad, elunumba.elu_backward(ones, y, alpha, scale=scale),
                          "fused vs backward")
        nan = np.isnan(ALL_FLOAT16)
        assert np.isnan(grad[nan]).all() and not np.isnan(grad[~nan]).any()


@pytest.mark.parametrize("kernels", [elunumba, elunumba.correctly_rounded],
                         ids=["default", "correctly_rounded"])
def test_float32_very_negative_inputs_over_many_alphas(kernels):
    x = np.concatenate([[-np.inf, -np.finfo(np.float32).max],
                        -np.geomspace(1e-3, 1e4, 4000)]).astype(np.float32)
    for alpha in alphas(200, seed=1):
        y, grad = kernels.elu_value_and_grad(x, alpha)
        assert_never_negative(grad, x, alpha, f"float32 {kernels!r}")
        assert_bits_equal(grad, kernels.elu_backward(np.ones_like(x), y, alpha),
                          "fused vs backward")


def test_the_reported_case():
    y, grad = elunumba.elu_value_and_grad(np.float16([-np.inf, -20]), 1.7)
    assert grad.tolist() == [0.0, 0.0] and not np.signbit(grad).any()
