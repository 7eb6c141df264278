"""Memory layouts without a temporary of the whole array: inputs and outputs that share one dense
layout in any axis order (transposed, channels last) run as flat arrays, in place too; every other
layout (steps, reversed axes, broadcasting, another byte order) runs block by block, so a call
allocates its result and nothing of that size besides. Values are the contiguous call's bits."""



import numpy as np
import pytest

import elunumba
from elunumba.lab.memory import peak_traced_bytes
from reference import assert_bits_equal

SHAPE = (8, 16, 32, 64)  # NCHW, 2^18 elements


def channels_last(array):
    return np.ascontiguousarray(array.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)


LAYOUTS = {
    "channels last": channels_last,
    "transposed": lambda a: np.ascontiguousarray(a.T).T,
    "axes permuted": lambda a: np.ascontiguousarray(a.transpose(2, 0, 3, 1)).transpose(1, 3, 0, 2),
    "stepped": lambda a: np.repeat(a, 2, axis=3)[..., ::2],
    "reversed": lambda a: np.ascontiguousarray(a[:, ::-1])[:, ::-1],
}


@pytest.fixture(scope="module")
def x():
    return np.random.default_rng(7).standard_normal(SHAPE).astype(np.float32)


def peak_bytes(call):
    call()  # compiled before measuring
    return peak_traced_bytes(call)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("op", ["elu", "elu_grad"])
def test_every_layout_gives_the_contiguous_bits(x, layout, op, host_target):
    laid_out = LAYOUTS[layout](x)
    assert np.array_equal(laid_out, x)
    function = getattr(elunumba, op)
    assert_bits_equal(function(laid_out, target=host_target), function(x, target=host_target))


@pytest.mark.parametrize("layout", ["channels last", "transposed", "axes permuted"])
def test_a_dense_layout_gives_its_layout_back_and_allocates_only_the_result(x, layout):
    laid_out = LAYOUTS[layout](x)
    y = elunumba.elu(laid_out)
    assert y.strides == laid_out.strides  # as NumPy's ufuncs lay out their results
    assert peak_bytes(lambda: elunumba.elu(laid_out)) < 1.1 * x.nbytes
    value, slope = elunumba.elu_value_and_grad(laid_out)
    assert value.strides == slope.strides == laid_out.strides


@pytest.mark.parametrize("layout", ["channels last", "transposed"])
def test_a_dense_layout_in_place_allocates_nothing(x, layout):
    laid_out = LAYOUTS[layout](x)
    expected = elunumba.elu(x)
    work = laid_out.copy(order="K")
    # no temporary (peak_bytes calls twice, so work ends as ELU(ELU(x)): only memory counts here)
    assert peak_bytes(lambda: elunumba.elu(work, out=work)) < 0.05 * x.nbytes
    fresh = laid_out.copy(order="K")
    assert elunumba.elu(fresh, out=fresh) is fresh
    assert_bits_equal(fresh, expected)


@pytest.mark.parametrize("layout", ["stepped", "reversed"])
def test_other_layouts_run_in_blocks_without_a_whole_temporary(x, layout):
    laid_out = LAYOUTS[layout](x)
    # the result, plus blocks of a few hundred KiB: far less than a second result
    assert peak_bytes(lambda: elunumba.elu(laid_out)) < 1.5 * x.nbytes
    out = np.empty_like(x)
    assert peak_bytes(lambda: elunumba.elu(laid_out, out=out)) < 0.5 * x.nbytes
    assert_bits_equal(out, elunumba.elu(x))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_out_in_the_other_byte_order(dtype):
    """NumPy's out= takes either byte order; so does elunumba, with the same values."""
    x = np.linspace(-5, 5, 1001).astype(dtype)
    swapped = np.empty(x.shape, np.dtype(dtype).newbyteorder())
    assert elunumba.elu(x, out=swapped) is swapped
    assert_bits_equal(swapped.astype(dtype), elunumba.elu(x))
    value, slope = (np.empty(x.shape, swapped.dtype) for _ in range(2))
    elunumba.elu_value_and_grad(x, out=(value, slope))
    for ours, theirs in zip((value, slope), elunumba.elu_value_and_grad(x)):
        assert_bits_equal(ours.astype(dtype), theirs)


def test_input_in_the_other_byte_order():
    x = np.linspace(-5, 5, 1001)
    assert_bits_equal(elunumba.elu(x.astype(x.dtype.newbyteorder())), elunumba.elu(x))
