"""``elu_backward(1.0, y)``: one grad_out for every y goes to the kernel as a scalar, with the
bits of an array of that value and no broadcast copy of it in memory."""



import numpy as np
import pytest

import elunumba
from elunumba.lab.memory import peak_traced_bytes
from reference import assert_bits_equal


@pytest.mark.parametrize("grad_out", [1.0, 0.5, -3, np.float32(2.5), np.array(-0.75),
                                      np.array([[1.5]])], ids=repr)
def test_a_scalar_grad_out_gives_the_bits_of_a_full_array(grad_out, dtype, host_target):
    y = elunumba.elu(np.linspace(-6, 6, 1001).astype(dtype).reshape(7, 143), 1.3)
    y[0, :3] = [np.nan, np.inf, -np.inf]
    result = elunumba.elu_backward(grad_out, y, 1.3, target=host_target)
    full = np.broadcast_to(np.asarray(grad_out), y.shape).astype(result.dtype)
    assert result.shape == y.shape
    assert_bits_equal(result, elunumba.elu_backward(full, y, 1.3, target=host_target))


def test_a_scalar_grad_out_in_place_and_strided(dtype):
    y = elunumba.elu(np.linspace(-6, 6, 400).astype(dtype))
    expected = elunumba.elu_backward(np.full_like(y, 2.0), y)
    in_place = y.copy()
    assert elunumba.elu_backward(2.0, in_place, out=in_place) is in_place
    assert_bits_equal(in_place, expected)
    assert_bits_equal(elunumba.elu_backward(2.0, y[::-2]), expected[::-2])


def test_a_scalar_grad_out_is_not_materialised():
    y = elunumba.elu(np.linspace(-6, 6, 2**20, dtype=np.float32))
    elunumba.elu_backward(1.0, y)  # compiled before measuring
    result_bytes = y.nbytes
    # the result, and nothing of its size besides (a broadcast grad_out was a second and third)
    assert peak_traced_bytes(lambda: elunumba.elu_backward(1.0, y)) < 1.5 * result_bytes
