"""Array semantics: dtype promotion, scalars, lists, broadcasting, out= and in-place, overlapping
buffers, memory order. NumPy itself is the oracle for promotion and broadcasting."""

import numpy as np
import pytest

import elunumba
from reference import assert_bits_equal, elu_reference, forward_bound, assert_ulp

INT_AND_BOOL = [np.bool_, np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64,
                np.uint64]
ALL_REAL = INT_AND_BOOL + [np.float16, np.float32, np.float64]


def expm1_dtype(*operands):
    """The dtype np.expm1 gives for the operands' common type (NumPy 2 rules, weak scalars)."""
    with np.errstate(all="ignore"):
        common = operands[0] if len(operands) == 1 else np.multiply(*operands)
        return np.expm1(common).dtype


def sample(dtype, n=7, seed=0):
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return rng.random(n) < 0.5
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return rng.integers(max(info.min, -100), min(info.max, 100), n, dtype=dtype, endpoint=True)
    return (rng.standard_normal(n) * 4).astype(dtype)


# ---------------------------------------------------------------------------------------------
# dtypes


@pytest.mark.parametrize("in_dtype", ALL_REAL, ids=lambda t: np.dtype(t).name)
def test_result_dtype_is_expm1s(in_dtype):
    x = sample(in_dtype)
    expected = expm1_dtype(x)
    as_float = x.astype(expected)
    y = elunumba.elu(x, 1.3)
    assert y.dtype == expected
    assert_bits_equal(y, elunumba.elu(as_float, 1.3))
    value, grad = elunumba.elu_value_and_grad(x)
    assert value.dtype == grad.dtype == expected
    assert_bits_equal(grad, elunumba.elu_value_and_grad(as_float)[1])
    assert elunumba.selu(x).dtype == elunumba.celu(x, 2.0).dtype == expected
    g = elunumba.elu_backward(x, x)
    assert g.dtype == expected
    assert_bits_equal(g, elunumba.elu_backward(as_float, as_float))


def test_promotion_table_spot_checks():
    assert elunumba.elu(np.array([True])).dtype == np.float16
    assert elunumba.elu(np.array([1], np.int8)).dtype == np.float16
    assert elunumba.elu(np.array([1], np.uint8)).dtype == np.float16
    assert elunumba.elu(np.array([1], np.int16)).dtype == np.float32
    assert elunumba.elu(np.array([1], np.int32)).dtype == np.float64
    assert elunumba.elu(np.array([1], np.int64)).dtype == np.float64
    assert elunumba.elu(np.array([1], np.uint64)).dtype == np.float64


@pytest.mark.parametrize("g_dtype", [np.bool_, np.int8, np.int32, np.float16, np.float32,
                                     np.float64], ids=lambda t: np.dtype(t).name)
@pytest.mark.parametrize("y_dtype", [np.bool_, np.uint8, np.int16, np.float16, np.float32,
                                     np.float64], ids=lambda t: np.dtype(t).name)
def test_backward_mixed_dtypes(g_dtype, y_dtype):
    g, y = sample(g_dtype, seed=1), sample(y_dtype, seed=2)
    expected = expm1_dtype(g, y)
    got = elunumba.elu_backward(g, y, 1.2)
    assert got.dtype == expected
    assert_bits_equal(got, elunumba.elu_backward(g.astype(expected), y.astype(expected), 1.2))


@pytest.mark.parametrize("grad_out, y_dtype, expected", [
    (1.0, np.float32, np.float32),     # a Python float is weak: float32 stays float32
    (2, np.float16, np.float16),       # so is a Python int
    (True, np.float16, np.float16),
    (0.5, np.float64, np.float64),
    (np.float64(1.0), np.float32, np.float64),   # a NumPy scalar is not weak
    (np.float32(1.0), np.float16, np.float32),
    (np.float16(1.0), np.float32, np.float32),
])
def test_backward_weak_python_scalars(grad_out, y_dtype, expected):
    y = sample(y_dtype, seed=3)
    got = elunumba.elu_backward(grad_out, y)
    assert got.dtype == expected == expm1_dtype(grad_out, y)
    assert_bits_equal(got, elunumba.elu_backward(np.full(y.shape, grad_out, expected),
                                                 y.astype(expected)))
    # and as the second operand
    got = elunumba.elu_backward(y, grad_out)
    assert got.dtype == expected


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_parameter_types_do_not_change_the_dtype(dtype):
    x = sample(dtype)
    for alpha in (1.3, np.float64(1.3), np.float32(1.3), 2, np.int64(2)):
        assert elunumba.elu(x, alpha).dtype == dtype
        assert elunumba.elu(x, 1.0, scale=alpha, input_scale=alpha).dtype == dtype
    # an integer parameter is its float value; a NumPy float32 parameter is its exact value
    assert_bits_equal(elunumba.elu(x, 2), elunumba.elu(x, 2.0))
    assert_bits_equal(elunumba.elu(x, np.float32(1.3)), elunumba.elu(x, float(np.float32(1.3))))


# ---------------------------------------------------------------------------------------------
# scalars, lists, other array-likes


@pytest.mark.parametrize("value, dtype", [(-1.0, np.float64), (-1, np.float64), (2.5, np.float64),
                                          (True, np.float16), (np.float32(-1.0), np.float32),
                                          (np.float16(-3.0), np.float16),
                                          (np.int16(-2), np.float32)])
def test_scalar_in_numpy_scalar_out(value, dtype):
    y = elunumba.elu(value)
    assert isinstance(y, np.generic) and not isinstance(y, np.ndarray)
    assert type(y) is np.dtype(dtype).type
    x = np.array(value).astype(dtype)
    assert_ulp(np.asarray(y), elu_reference(x), forward_bound(dtype))
    for result in (elunumba.selu(value), elunumba.celu(value, 2.0),
                   *elunumba.elu_value_and_grad(value)):
        assert type(result) is np.dtype(dtype).type
    # two scalars: NumPy's promotion of the pair (a Python float with a bool or an int16 is
    # float64; with a NumPy float32 it is float32)
    g = elunumba.elu_backward(1.0, value)
    assert isinstance(g, np.generic) and type(g) is expm1_dtype(1.0, value).type
    assert isinstance(elunumba.elu_value_and_grad(value), tuple)


def test_weak_scalar_kinds_are_not_confused():
    """bool, int and float Python scalars promote differently although False == 0 == 0.0 (a
    result-dtype cache keyed by value once returned float16 for elu(-1.5) after elu(True))."""
    for _ in range(2):
        assert type(elunumba.elu(True)) is np.float16
        assert type(elunumba.elu(-1.5)) is np.float64
        assert type(elunumba.elu(-3)) is np.float64
        assert type(elunumba.elu(False)) is np.float16
        i8 = np.ones(3, np.int8)
        assert elunumba.elu_backward(True, i8).dtype == expm1_dtype(True, i8) == np.float16
        assert elunumba.elu_backward(1.0, i8).dtype == expm1_dtype(1.0, i8) == np.float64
        assert elunumba.elu_backward(1, i8).dtype == expm1_dtype(1, i8) == np.float16


def test_zero_d_array_in_numpy_scalar_out():
    y = elunumba.elu(np.array(-1.0, np.float32))
    assert type(y) is np.float32
    assert y == np.float32(np.expm1(-1.0))


def test_lists_and_tuples():
    y = elunumba.elu([[-1.0, 2.0], [0.5, -3.0]])
    assert isinstance(y, np.ndarray) and y.shape == (2, 2) and y.dtype == np.float64
    assert_bits_equal(y, elunumba.elu(np.array([[-1.0, 2.0], [0.5, -3.0]])))
    assert elunumba.elu([1, -2]).dtype == np.float64
    assert elunumba.elu((True, False)).dtype == np.float16
    assert elunumba.elu([]).shape == (0,)
    g = elunumba.elu_backward([1, 2], [[-0.5], [0.5]])
    assert g.shape == (2, 2) and g.dtype == np.float64
    assert_bits_equal(g, elunumba.elu_backward(np.array([[1.0, 2.0], [1.0, 2.0]]),
                                               np.array([[-0.5, -0.5], [0.5, 0.5]])))
    value, grad = elunumba.elu_value_and_grad([-1.0, 1.0])
    assert value.shape == grad.shape == (2,)


def test_objects_with_array_interface():
    class ArrayLike:
        def __init__(self, data):
            self.data = data

        def __array__(self, dtype=None, copy=None):
            return np.asarray(self.data, dtype=dtype)

    x = np.linspace(-5, 5, 11, dtype=np.float32)
    assert_bits_equal(elunumba.elu(ArrayLike(x)), elunumba.elu(x))
    assert_bits_equal(elunumba.elu(memoryview(x)), elunumba.elu(x))


def test_read_only_input():
    x = np.linspace(-5, 5, 11)
    x.flags.writeable = False
    assert_bits_equal(elunumba.elu(x), elunumba.elu(x.copy()))
    g = np.broadcast_to(np.float64(2.0), x.shape)  # read-only, zero strides
    assert_bits_equal(elunumba.elu_backward(g, x), elunumba.elu_backward(g.copy(), x.copy()))


# ---------------------------------------------------------------------------------------------
# broadcasting


@pytest.mark.parametrize("g_shape, y_shape", [
    ((3, 1), (1, 4)), ((), (2, 3)), ((2, 3), ()), ((4,), (2, 3, 4)), ((2, 1, 4), (3, 1)),
    ((0, 3), (1, 3)), ((1,), (5,)), ((), ()),
])
def test_backward_broadcasts_like_a_ufunc(g_shape, y_shape, host_target):
    rng = np.random.default_rng(5)
    g = rng.standard_normal(g_shape).astype(np.float32)
    y = rng.uniform(-1, 2, y_shape).astype(np.float32)
    shape = np.broadcast_shapes(g_shape, y_shape)
    got = elunumba.elu_backward(g, y, 1.1, scale=1.2, target=host_target)
    assert np.shape(got) == shape
    expected = elunumba.elu_backward(np.broadcast_to(g, shape).copy(),
                                     np.broadcast_to(y, shape).copy(), 1.1, scale=1.2,
                                     target=host_target)
    assert_bits_equal(np.asarray(got), np.asarray(expected))


def test_forward_never_broadcasts_into_out():
    """The forward's result has the input's shape; an out of a broadcast shape is an error."""
    x = np.ones(3)
    with pytest.raises(ValueError, match="shape"):
        elunumba.elu(x, out=np.empty((2, 3)))


# ---------------------------------------------------------------------------------------------
# out= and in place


def x_sample(n=101, dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(n) * 4).astype(dtype)


@pytest.mark.parametrize("op", ["elu", "selu", "celu"])
def test_forward_ops_out_and_in_place(op, dtype, host_target):
    f = {"elu": lambda x, **k: elunumba.elu(x, 1.3, **k), "selu": elunumba.selu,
         "celu": lambda x, **k: elunumba.celu(x, 0.7, **k)}[op]
    x = x_sample(dtype=dtype).reshape(1, 101)
    expected = f(x, target=host_target)
    out = np.full_like(x, 7)
    assert f(x, out=out, target=host_target) is out
    assert_bits_equal(out, expected)
    in_place = x.copy()
    assert f(in_place, out=in_place, target=host_target) is in_place
    assert_bits_equal(in_place, expected)


def test_backward_out_and_in_place(dtype, host_target):
    g, y = x_sample(dtype=dtype, seed=1), x_sample(dtype=dtype, seed=2)
    expected = elunumba.elu_backward(g, y, 0.8, target=host_target)
    out = np.empty_like(g)
    assert elunumba.elu_backward(g, y, 0.8, out=out, target=host_target) is out
    assert_bits_equal(out, expected)
    for which in (0, 1):  # over grad_out, over y
        inputs = [g.copy(), y.copy()]
        assert elunumba.elu_backward(*inputs, 0.8, out=inputs[which],
                                     target=host_target) is inputs[which]
        assert_bits_equal(inputs[which], expected)
    # broadcasting into out
    g2, y2 = g[:3].reshape(3, 1), y.reshape(1, -1)
    out2 = np.empty((3, y.size), dtype)
    assert elunumba.elu_backward(g2, y2, 0.8, out=out2, target=host_target) is out2
    assert_bits_equal(out2, elunumba.elu_backward(np.repeat(g2, y.size, 1),
                                                  np.repeat(y2, 3, 0), 0.8))


def test_fused_out_and_in_place(dtype, host_target):
    x = x_sample(dtype=dtype)
    value, grad = elunumba.elu_value_and_grad(x, 1.4, target=host_target)
    out = (np.empty_like(x), np.empty_like(x))
    assert elunumba.elu_value_and_grad(x, 1.4, out=out, target=host_target) is out
    assert_bits_equal(out[0], value)
    assert_bits_equal(out[1], grad)
    for which in (0, 1):  # x's buffer takes the value, or the gradient
        xx = x.copy()
        other = np.empty_like(x)
        buffers = (xx, other) if which == 0 else (other, xx)
        assert elunumba.elu_value_and_grad(xx, 1.4, out=buffers, target=host_target) is buffers
        assert_bits_equal(buffers[0], value)
        assert_bits_equal(buffers[1], grad)


def test_out_strided_and_other_order(host_target):
    x = x_sample(60, np.float64).reshape(6, 10)
    expected = elunumba.elu(x, 1.3)
    big = np.full((12, 30), 99.0)
    view = big[::2, ::3]
    assert elunumba.elu(x, 1.3, out=view, target=host_target) is view
    assert_bits_equal(view, expected)
    mask = np.ones(big.shape, bool)
    mask[::2, ::3] = False
    assert np.all(big[mask] == 99.0), "nothing outside the view is written"
    f_out = np.empty((6, 10), order="F")
    elunumba.elu(x, 1.3, out=f_out, target=host_target)
    assert_bits_equal(np.ascontiguousarray(f_out), expected)
    rev = np.empty((6, 10))[::-1, ::-1]
    elunumba.elu(x, 1.3, out=rev, target=host_target)
    assert_bits_equal(np.ascontiguousarray(rev), expected)


def test_zero_d_out():
    out = np.empty((), np.float64)
    assert elunumba.elu(-1.0, out=out) is out
    assert out[()] == elunumba.elu(-1.0)
    outs = (np.empty(()), np.empty(()))
    assert elunumba.elu_value_and_grad(-1.0, out=outs) is outs


def test_empty_with_out_writes_nothing_and_returns_out():
    out = np.empty((0, 3), np.float32)
    assert elunumba.elu(np.empty((0, 3), np.float32), out=out) is out


@pytest.mark.parametrize("n", [101, 2**15 + 5])  # the second runs on all threads under "auto"
@pytest.mark.parametrize("target", ("cpu", "parallel", "auto"))
def test_large_in_place(n, target):
    x = x_sample(n, np.float32, seed=4)
    expected = elunumba.elu(x, target="cpu")
    elunumba.elu(x, out=x, target=target)
    assert_bits_equal(x, expected)


# ---------------------------------------------------------------------------------------------
# overlapping input and output


@pytest.mark.parametrize("n", [64, 2**15 + 1])
@pytest.mark.parametrize("shift", [1, -1, 3])
def test_forward_partial_overlap(n, shift, dtype, host_target):
    base = x_sample(n + abs(shift), dtype, seed=6)
    if shift > 0:
        x, out = base[:n], base[shift:]        # out starts after x: a naive loop would cascade
    else:
        x, out = base[-shift:], base[:n]
    expected = elunumba.elu(x.copy(), 1.3, target=host_target)
    assert elunumba.elu(x, 1.3, out=out, target=host_target) is out
    assert_bits_equal(out, expected)


@pytest.mark.parametrize("which", ["grad_out", "y"])
def test_backward_partial_overlap(which, dtype, host_target):
    n = 200
    base = x_sample(n + 1, dtype, seed=7)
    other = x_sample(n, dtype, seed=8)
    inputs = {"grad_out": other, "y": other}
    inputs[which] = base[:-1]
    expected = elunumba.elu_backward(inputs["grad_out"].copy(), inputs["y"].copy(), 0.9)
    out = base[1:]
    elunumba.elu_backward(inputs["grad_out"], inputs["y"], 0.9, out=out, target=host_target)
    assert_bits_equal(out, expected)


@pytest.mark.parametrize("case", ["value_over_x", "grad_over_x", "both_over_x"])
def test_fused_partial_overlap(case, dtype, host_target):
    n = 300
    x = x_sample(n, dtype, seed=9)
    value, grad = elunumba.elu_value_and_grad(x, 1.2)
    base = np.zeros(2 * n + 1, dtype)
    if case == "value_over_x":
        x_view, out = base[:n], (base[2:n + 2], np.empty(n, dtype))
    elif case == "grad_over_x":
        x_view, out = base[2:n + 2], (np.empty(n, dtype), base[:n])
    else:  # each output overlaps part of x; the outputs do not overlap each other
        x_view, out = base[n // 2:n // 2 + n], (base[:n], base[n + 1:])
    x_view[...] = x
    assert elunumba.elu_value_and_grad(x_view, 1.2, out=out, target=host_target) is out
    assert_bits_equal(out[0], value)
    assert_bits_equal(out[1], grad)


def test_overlap_with_other_strides(host_target):
    """Full overlap through different strides: the transpose of a square input, and its
    reversal."""
    x = x_sample(64, np.float64, seed=10).reshape(8, 8)
    expected = elunumba.elu(x.copy())
    a = x.copy()
    elunumba.elu(a, out=a.T, target=host_target)
    assert_bits_equal(a.T, expected)
    b = x.copy().reshape(-1)
    elunumba.elu(b, out=b[::-1], target=host_target)
    assert_bits_equal(b[::-1], expected.reshape(-1))
    c = x.copy()
    g = np.ones_like(c)
    elunumba.elu_backward(g, c, out=c.T, target=host_target)
    assert_bits_equal(c.T, elunumba.elu_backward(g, x.copy()))


# ---------------------------------------------------------------------------------------------
# memory order


def test_fortran_in_fortran_out(dtype, host_target):
    x = np.asfortranarray(x_sample(3 * 4 * 5, dtype).reshape(3, 4, 5))
    assert x.flags.f_contiguous and not x.flags.c_contiguous
    results = [elunumba.elu(x, target=host_target), elunumba.selu(x, target=host_target),
               elunumba.celu(x, 2.0, target=host_target),
               *elunumba.elu_value_and_grad(x, target=host_target),
               elunumba.elu_backward(x, x, target=host_target)]
    expected = elunumba.elu(np.ascontiguousarray(x), target=host_target)
    assert_bits_equal(np.ascontiguousarray(results[0]), expected)
    for r in results:
        assert r.flags.f_contiguous and not r.flags.c_contiguous
    # a transposed C array is Fortran-ordered too
    assert elunumba.elu(x_sample(12, dtype).reshape(3, 4).T).flags.f_contiguous


def test_c_in_c_out_and_strided_in_contiguous_out(dtype):
    x = x_sample(60, dtype).reshape(3, 4, 5)
    assert elunumba.elu(x).flags.c_contiguous
    y = elunumba.elu(x[:, ::2, 1:])
    assert y.flags.c_contiguous or y.flags.f_contiguous
    assert_bits_equal(np.ascontiguousarray(y), elunumba.elu(np.ascontiguousarray(x[:, ::2, 1:])))


def test_backward_scalar_grad_fortran_y_gives_fortran():
    y = np.asfortranarray(x_sample(12, np.float64).reshape(3, 4))
    assert np.multiply(1.0, y).flags.f_contiguous  # what NumPy does
    assert elunumba.elu_backward(1.0, y).flags.f_contiguous


@pytest.mark.parametrize("alpha", [1.0, 1.7, -1.7, 0.0])
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("kernels", [elunumba, elunumba.correctly_rounded],
                         ids=["default", "correctly_rounded"])
def test_sign_of_zero_when_input_scale_times_x_underflows(kernels, dtype, alpha, host_target):
    """The exact value, alpha*expm1(tiny negative), rounds to a zero with the sign of -alpha."""
    x = np.array([-np.finfo(dtype).smallest_subnormal], dtype)
    y = kernels.elu(x, alpha, input_scale=2.0**-30, target=host_target)
    assert y[0] == 0 and np.signbit(y[0]) == (alpha >= 0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_non_positive_input_scale_is_refused(dtype):
    # ELU's negative branch needs expm1 of a non-positive argument; input_scale <= 0 would not
    # be ELU (and celu's input scale 1/alpha follows: alpha must be > 0)
    x = np.array([-2.0, -1.0, -0.5], dtype)
    out = np.full_like(x, 7)
    with pytest.raises(ValueError, match=r"input_scale must be > 0, got -1.0"):
        elunumba.elu(x, 1.0, input_scale=-1.0, out=out)
    with pytest.raises(ValueError, match=r"celu needs alpha > 0"):
        elunumba.celu(x, -2.0, out=out)
    assert (out == 7).all()


@pytest.mark.parametrize("name", ["alpha", "scale", "input_scale"])
def test_a_zero_d_array_parameter_counts_as_its_element(name):
    """As NumPy's functions take them; a 0-d array is not kept as a repeat-call plan's key."""
    x = np.linspace(-3, 3, 101, dtype=np.float32)
    for value in (np.array(1.5), np.array(3), np.array(1.5, np.float32)):
        assert_bits_equal(elunumba.elu(x, **{name: value}), elunumba.elu(x, **{name: value[()]}))


@pytest.mark.parametrize("y", [1e300, -1e300, 1e5])
def test_a_python_scalar_beyond_the_dtype_rounds_without_a_warning(y):
    """y = 1e300 rounds to inf in float16, its correct rounding, which gives the right slope;
    NumPy's cast would warn of an overflow (tests run with warnings as errors)."""
    grad = np.ones(3, np.float16)
    assert_bits_equal(elunumba.elu_backward(grad, y), elunumba.elu_backward(
        grad, np.full(3, np.inf if y > 0 else -np.inf, np.float16) if abs(y) > 7e4 else
        np.full(3, y, np.float16)))
