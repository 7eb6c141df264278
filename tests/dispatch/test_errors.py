"""Every error path: its exception type and message, and that nothing was written (the out
buffers, and an input used as out, keep their bits)."""

import sys

import numpy as np
import pytest

import elunumba
from helpers import cuda_available
from reference import (assert_bits_equal, assert_ulp, elu_reference, forward_bound,
                       grad_from_input_bound, grad_from_x_reference)

F32 = np.linspace(-3, 3, 7, dtype=np.float32)
SUPPORTED = r"float16, float32 and float64"


def pattern(shape, dtype):
    """A buffer whose every element is distinct, so any write shows."""
    n = int(np.prod(shape))
    return (np.arange(n) * 0.25 + 100).astype(dtype).reshape(shape)


FUSED_OPS = ("fused", "fused_from_input")


class Guard:
    """Buffers to pass as out, and the proof afterwards that none of them was written."""

    def __init__(self, *buffers):
        self.buffers = buffers
        self.before = [b.copy() for b in buffers]

    def untouched(self):
        for b, before in zip(self.buffers, self.before):
            assert_bits_equal(b, before, "buffer after a failed call")


def fresh_out(op, shape=(7,), dtype=np.float32):
    if op in FUSED_OPS:
        return (pattern(shape, dtype), pattern(shape, dtype) + 1)
    return pattern(shape, dtype)


def call(op, x, out=None, **params):
    if op == "forward":
        return elunumba.elu(x, out=out, **params)
    if op == "backward":
        return elunumba.elu_backward(np.ones_like(x), x, out=out, **params)
    if op == "fused":
        return elunumba.elu_value_and_grad(x, out=out, **params)
    if op == "grad":
        return elunumba.elu_grad(x, out=out, **params)
    if op == "fused_from_input":
        return elunumba.elu_value_and_grad(x, out=out, grad_from="input", **params)
    if op == "selu":
        return elunumba.selu(x, out=out, **params)
    if op == "celu":
        return elunumba.celu(x, out=out, **params)
    raise AssertionError(op)


def buffers_of(out):
    return out if isinstance(out, tuple) else (out,)


def assert_refused(op, out, error, match, **params):
    """``call(op, F32, out=out, **params)`` raises ``error`` matching ``match``; out is
    untouched."""
    guard = Guard(*buffers_of(out))
    with pytest.raises(error, match=match):
        call(op, F32, out=out, **params)
    guard.untouched()


OPS = ("forward", "backward", "fused", "grad", "fused_from_input")


# ---------------------------------------------------------------------------------------------
# parameters


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("name", ["alpha", "scale", "input_scale"])
@pytest.mark.parametrize("value", ["1.0", None, True, np.bool_(False), 1j, np.complex128(1),
                                   [1.0], np.array([1.0])],
                         ids=["str", "None", "bool", "np.bool_", "complex", "np.complex",
                              "list", "array"])
def test_non_real_parameter_is_type_error(op, name, value):
    assert_refused(op, fresh_out(op), TypeError, rf"^{name} must be a real number, got ",
                   **{name: value})


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("name", ["alpha", "scale", "input_scale"])
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf, np.float32("nan"), np.float64("inf"),
                                   np.float16("-inf")], ids=["nan", "inf", "-inf", "f32nan",
                                                            "f64inf", "f16-inf"])
def test_non_finite_parameter_is_value_error(op, name, value):
    x = F32.copy()
    guard = Guard(x)
    with pytest.raises(ValueError, match=rf"^{name} must be finite, got "):
        call(op, x, out=(x, np.empty_like(x)) if op in FUSED_OPS else x, **{name: value})
    guard.untouched()


@pytest.mark.parametrize("op", ["backward", "fused"])
@pytest.mark.parametrize("params", [{"alpha": -0.5}, {"alpha": -1e-300}, {"scale": 0.0},
                                    {"scale": -1.0}, {"alpha": -1, "scale": -1}])
def test_backward_needs_nonnegative_alpha_and_positive_scale(op, params):
    assert_refused(op, fresh_out(op), ValueError,
                   r"from the output needs alpha >= 0 and scale > 0.*got alpha=.*scale=.*"
                   r"elu_grad\(x, \.\.\.\) takes the gradient from the input", **params)


@pytest.mark.parametrize("params", [{"alpha": -0.5}, {"scale": -1.0}, {"scale": 0.0},
                                    {"alpha": -2.0, "scale": -0.5}])
def test_forward_computes_what_the_gradients_refuse(params):
    """ELU is defined for any finite alpha and scale; its gradient from the output y only for
    alpha >= 0 and scale > 0 (elsewhere y does not tell which branch x was on), its gradient
    from the input x for any."""
    x = np.linspace(-4, 4, 33, dtype=np.float32)
    y = elunumba.elu(x, **params)
    assert_ulp(y, elu_reference(x, **params), forward_bound(np.float32, **params), inputs=x)
    for gradient in (lambda: elunumba.elu_backward(np.ones_like(x), y, **params),
                     lambda: elunumba.elu_value_and_grad(x, **params)):
        with pytest.raises(ValueError, match=r"^the gradient from the output needs alpha >= 0 "
                                             r"and scale > 0"):
            gradient()
    slope = elunumba.elu_grad(x, **params)
    assert_ulp(slope, grad_from_x_reference(x, **params),
               grad_from_input_bound(np.float32, **params), inputs=x)
    y_too, slope_too = elunumba.elu_value_and_grad(x, grad_from="input", **params)
    assert_bits_equal(y_too, y)
    assert_bits_equal(slope_too, slope)


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
@pytest.mark.parametrize("params, what", [({"alpha": 1e39}, r"alpha\*scale"),
                                          ({"scale": 1e39, "alpha": 1e-39}, "scale"),
                                          ({"input_scale": 1e39}, "input_scale"),
                                          ({"alpha": 1e20, "scale": 1e20}, r"alpha\*scale")])
def test_parameter_overflowing_the_compute_precision(dtype, params, what):
    """float16 and float32 compute in float32: parameters must fit in it."""
    x = F32.astype(dtype)
    guard = Guard(x)
    with pytest.raises(ValueError, match=rf"^{what} overflows float32: "):
        elunumba.elu(x, out=x, **params)
    guard.untouched()
    elunumba.elu(x.astype(np.float64), **params)  # fine in float64


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
@pytest.mark.parametrize("params, what", [({"input_scale": 1e-50}, "input_scale"),
                                          ({"scale": 1e-50, "alpha": 1e40}, "scale")])
@pytest.mark.parametrize("op", OPS)
def test_parameter_underflowing_the_compute_precision(op, dtype, params, what):
    """Rounded to 0, scale or input_scale would give NaN (inf * 0) and zero results that are
    not 0: refused like an overflow, in the precision the kernel computes in (float32 for
    float16). float64 computes the same parameters."""
    x = F32.astype(dtype)
    out = fresh_out(op, dtype=dtype)
    guard = Guard(*buffers_of(out))
    with pytest.raises(ValueError, match=rf"^{what} underflows float32 to 0: "):
        call(op, x, out=out, **params)
    guard.untouched()
    x64 = np.array([-np.inf, -1.0, 1e30, np.inf])
    assert not np.isnan(np.asarray(call(op, x64, **params))).any()


@pytest.mark.parametrize("dtype, alpha, scale", [(np.float16, 1e-50, 1.0), (np.float32, 1e-50, 1.0),
                                                 (np.float64, 1e-200, 1e-200)])
def test_an_alpha_times_scale_rounding_to_zero_is_computed_right(dtype, alpha, scale):
    """Every result of the negative branch is smaller than alpha*scale, so it rounds to -0."""
    x = np.array([-np.inf, -30.0, -1.0, -1e-3, 0.0, 2.0], dtype)
    expected = np.array([-0.0, -0.0, -0.0, -0.0, 0.0, 2.0 * scale], dtype)
    assert_bits_equal(elunumba.elu(x, alpha, scale=scale), expected)


@pytest.mark.parametrize("op", ["forward", "fused"])
def test_an_integer_too_large_for_numpy_is_an_unsupported_dtype(op):
    with pytest.raises(TypeError, match=rf"^unsupported dtype \(object\): elunumba computes in "
                                        rf"{SUPPORTED}"):
        call(op, 10**400)
    with pytest.raises(TypeError, match=r"^unsupported dtype \(object, float32\)"):
        elunumba.elu_backward(10**400, F32)


def test_parameter_product_overflowing_float64():
    x = F32.astype(np.float64)
    guard = Guard(x)
    with pytest.raises(ValueError, match=r"^alpha\*scale overflows float64: inf"):
        elunumba.elu(x, 1e300, scale=1e300, out=x)
    guard.untouched()


def test_celu_alpha_not_positive():
    out = pattern((7,), np.float32)
    guard = Guard(out)
    for alpha in (0, 0.0, -0.0, np.float32(0), -1.5):
        with pytest.raises(ValueError, match=r"^celu needs alpha > 0"):
            elunumba.celu(F32, alpha, out=out)
    guard.untouched()


@pytest.mark.parametrize("alpha, error, match", [
    (np.nan, ValueError, r"^alpha must be finite"),
    (np.inf, ValueError, r"^alpha must be finite"),
    (1j, TypeError, r"^alpha must be a real number"),
    (True, TypeError, r"^alpha must be a real number"),
    ("2", TypeError, r"^alpha must be a real number, got '2'"),
    # the messages name celu's alpha, the parameter the caller passed, never elu's input_scale
    (1e-320, ValueError, r"^celu needs 1/alpha to be finite, so alpha >= 5.56\d*e-309; "
                         r"got 1e-320$"),  # 1/alpha overflows float64
    (1e-300, ValueError, r"^celu computes this input in float32, which needs 2.93\d*e-39 <= "
                         r"alpha <= 3.40\d*e\+38 .*; got alpha=1e-300$"),
    (1e300, ValueError, r"^celu computes this input in float32, .*; got alpha=1e\+300$"),
])
def test_celu_bad_alpha(alpha, error, match):
    out = pattern((7,), np.float32)
    guard = Guard(out)
    with pytest.raises(error, match=match):
        elunumba.celu(F32, alpha, out=out)
    guard.untouched()


def test_selu_takes_no_parameters():
    with pytest.raises(TypeError):
        elunumba.selu(F32, 1.0)  # keyword-only out/target; no alpha
    with pytest.raises(TypeError):
        elunumba.selu(F32, alpha=1.0)


# ---------------------------------------------------------------------------------------------
# target


@pytest.mark.parametrize("op", OPS + ("selu", "celu"))
@pytest.mark.parametrize("target", ["gpu", "CPU", "", None, 0, "parallel ", ("cpu",)])
def test_unknown_target(op, target):
    assert_refused(op, fresh_out(op), ValueError,
                   r"^unknown target .*: valid targets are auto, cpu, parallel, cuda$",
                   target=target)


def test_targets_constant():
    assert elunumba.TARGETS == ("auto", "cpu", "parallel", "cuda")
    assert issubclass(elunumba.TargetUnavailableError, RuntimeError)


def test_available_targets_are_the_ones_that_run():
    available = elunumba.available_targets()
    assert available[:3] == ("auto", "cpu", "parallel") and set(available) <= set(elunumba.TARGETS)
    for target in elunumba.TARGETS:
        if target in available:
            assert elunumba.elu(F32, target=target).tolist() == elunumba.elu(F32).tolist()
        else:
            with pytest.raises(elunumba.TargetUnavailableError):
                elunumba.elu(F32, target=target)


def test_available_targets_without_cuda_support(monkeypatch):
    monkeypatch.setitem(sys.modules, "elunumba.kernels.gpu", None)  # makes its import fail
    monkeypatch.delattr(elunumba.kernels, "gpu", raising=False)
    assert elunumba.available_targets() == ("auto", "cpu", "parallel")


@pytest.mark.skipif(cuda_available(), reason="CUDA kernels can run here")
@pytest.mark.parametrize("op", OPS + ("selu", "celu"))
def test_cuda_target_unavailable(op):
    assert_refused(op, fresh_out(op), elunumba.TargetUnavailableError,
                   r"target 'cuda' (cannot run here|needs numba's CUDA support).*"
                   r"Available targets: auto, cpu, parallel$", target="cuda")


def test_cuda_target_without_cuda_support(monkeypatch):
    """The CUDA backend fails to import: the error says what to install."""
    monkeypatch.setitem(sys.modules, "elunumba.kernels.gpu", None)  # makes its import fail
    monkeypatch.delattr(elunumba.kernels, "gpu", raising=False)
    out = pattern((7,), np.float32)
    guard = Guard(out)
    with pytest.raises(elunumba.TargetUnavailableError,
                       match=r"^target 'cuda' needs numba's CUDA support, which failed to "
                             r"import \(.*\); install elunumba\[cuda\]\. "
                             r"Available targets: auto, cpu, parallel$"):
        elunumba.elu(F32, out=out, target="cuda")
    guard.untouched()


def test_cuda_target_without_a_device(monkeypatch):
    """The backend imports but finds no device: the error gives the reason."""
    try:
        from elunumba.kernels import gpu
    except ImportError:
        pytest.skip("numba's CUDA support does not import here")
    monkeypatch.setattr(gpu, "availability", lambda: (False, "no usable CUDA device (test)"))
    out = pattern((7,), np.float32)
    guard = Guard(out)
    with pytest.raises(elunumba.TargetUnavailableError,
                       match=r"^target 'cuda' cannot run here: no usable CUDA device \(test\)\. "
                             r"Available targets: auto, cpu, parallel$"):
        elunumba.elu(F32, out=out, target="cuda")
    guard.untouched()


class FakeDeviceArray:
    """Looks like a device array to the dispatch layer (it has __cuda_array_interface__)."""

    __cuda_array_interface__ = {"shape": (7,), "typestr": "<f4", "data": (0, False),
                                "version": 3, "strides": None}
    shape, dtype, size = (7,), np.dtype(np.float32), 7


@pytest.mark.parametrize("target", ["cpu", "parallel"])
@pytest.mark.parametrize("op", OPS)
def test_host_target_with_a_device_array(op, target):
    """Checked before anything touches CUDA, so this runs without a GPU."""
    with pytest.raises(ValueError, match=rf"^target '{target}' cannot take device arrays; use "
                                         r"target='cuda' or 'auto'"):
        if op == "backward":
            elunumba.elu_backward(FakeDeviceArray(), FakeDeviceArray(), target=target)
        else:
            call(op, FakeDeviceArray(), target=target)


# ---------------------------------------------------------------------------------------------
# dtypes and shapes of the inputs


UNSUPPORTED = [
    (np.array([1 + 2j]), "complex128"),
    (np.array([1 + 2j], np.complex64), "complex64"),
    (np.array([1.0], np.longdouble), "longdouble|float128|float96"),
    (np.array([1.0], dtype=object), "object"),
    (np.array(["a"]), "<U1"),
    (np.array([b"a"]), "|S1"),
    (np.array(["2020-01-01"], np.datetime64), "datetime64"),
    (np.array([1], np.timedelta64), "timedelta64"),
    (np.zeros(1, [("a", np.float32)]), "V|void|\\("),
    (1 + 2j, "complex"),
    ("abc", "<U3"),
]


@pytest.mark.parametrize("op", OPS + ("selu", "celu"))
@pytest.mark.parametrize("x, name", UNSUPPORTED, ids=[n for _, n in UNSUPPORTED])
def test_unsupported_dtype(op, x, name):
    with pytest.raises(TypeError, match=rf"^unsupported dtype \(.*({name}).*\): elunumba computes "
                                        rf"in {SUPPORTED}"):
        call(op, x)


@pytest.mark.parametrize("other", [np.array([1j, 2j, 3j, 4j, 5j, 6j, 7j]), 1j,
                                   np.ones(7, np.longdouble)], ids=["complex", "weak-complex",
                                                                    "longdouble"])
def test_backward_unsupported_mixed_dtype(other):
    out = pattern((7,), np.float32)
    guard = Guard(out)
    for args in ((other, F32), (F32, other)):
        with pytest.raises(TypeError, match=rf"^unsupported dtype .*{SUPPORTED}"):
            elunumba.elu_backward(*args, out=out)
    guard.untouched()


@pytest.mark.parametrize("g_shape, y_shape", [((3,), (4,)), ((2, 3), (3, 2)), ((0,), (2,)),
                                              ((2, 1, 3), (4, 2))])
def test_backward_shapes_that_do_not_broadcast(g_shape, y_shape):
    out = pattern((3,), np.float64)
    guard = Guard(out)
    with pytest.raises(ValueError, match=rf"^shapes {_re(g_shape)} and {_re(y_shape)} do not "
                                         r"broadcast together$"):
        elunumba.elu_backward(np.ones(g_shape), np.ones(y_shape), out=out)
    guard.untouched()


def _re(shape):
    import re

    return re.escape(str(shape))


# ---------------------------------------------------------------------------------------------
# out=


@pytest.mark.parametrize("op", OPS + ("selu", "celu"))
@pytest.mark.parametrize("bad", ["list", "memoryview", "tuple_for_single", "scalar",
                                 "matrix_like"])
def test_out_must_be_an_ndarray(op, bad):
    target = np.zeros(7, np.float32)
    outs = {"list": [0.0] * 7, "memoryview": memoryview(target), "tuple_for_single": (target,),
            "scalar": np.float32(0), "matrix_like": target.tolist()}
    out = outs[bad]
    if op in FUSED_OPS:
        out = (out, np.zeros(7, np.float32))
    guard = Guard(target)
    with pytest.raises(TypeError, match=r"^out must be a NumPy array, got "):
        call(op, F32, out=out)
    guard.untouched()


@pytest.mark.parametrize("op", OPS + ("selu", "celu"))
@pytest.mark.parametrize("shape", [(6,), (8,), (1, 7), (7, 1), ()])
def test_out_wrong_shape(op, shape):
    assert_refused(op, fresh_out(op, shape), ValueError,
                   rf"^out has shape {_re(shape)}, the result has shape \(7,\)$")


def test_out_wrong_shape_for_a_scalar_and_for_broadcasting():
    out = pattern((1,), np.float64)
    guard = Guard(out)
    with pytest.raises(ValueError, match=r"^out has shape \(1,\), the result has shape \(\)$"):
        elunumba.elu(-1.0, out=out)
    out2 = pattern((3,), np.float64)
    guard2 = Guard(out2)
    with pytest.raises(ValueError, match=r"the result has shape \(2, 3\)$"):
        elunumba.elu_backward(np.ones((2, 1)), np.ones(3), out=out2)
    guard.untouched()
    guard2.untouched()


@pytest.mark.parametrize("op", OPS + ("selu", "celu"))
@pytest.mark.parametrize("out_dtype", [np.float16, np.float64, np.int32, np.complex64])
def test_out_wrong_dtype(op, out_dtype):
    assert_refused(op, fresh_out(op, dtype=out_dtype), TypeError,
                   rf"^out has dtype {np.dtype(out_dtype).name}, the result has dtype float32$")


def test_out_dtype_is_not_cast_from_promotion():
    """An int8 input gives float16: a float32 out is an error, not a cast."""
    out = pattern((3,), np.float32)
    guard = Guard(out)
    with pytest.raises(TypeError, match=r"^out has dtype float32, the result has dtype float16$"):
        elunumba.elu(np.array([1, -1, 0], np.int8), out=out)
    guard.untouched()


@pytest.mark.parametrize("op", OPS + ("selu", "celu"))
def test_out_read_only(op):
    out = fresh_out(op)
    for b in buffers_of(out)[-1:]:  # the last buffer read-only (the second one for fused)
        b.flags.writeable = False
    assert_refused(op, out, ValueError, r"^out is read-only$")
    broadcast = np.broadcast_to(np.float32(0), (7,))
    with pytest.raises(ValueError, match=r"^out is read-only$"):
        elunumba.elu(F32, out=broadcast)


@pytest.mark.parametrize("bad", ["list", "one", "three", "array", "ndarray_2x7"])
def test_fused_out_must_be_a_tuple_of_two(bad):
    a, b, c = (pattern((7,), np.float32) for _ in range(3))
    guard = Guard(a, b, c)
    out = {"list": [a, b], "one": (a,), "three": (a, b, c), "array": a,
           "ndarray_2x7": np.stack([a, b])}[bad]
    with pytest.raises(TypeError, match=r"^out must be a tuple of 2 arrays \(value, grad\), got "):
        elunumba.elu_value_and_grad(F32, out=out)
    guard.untouched()


@pytest.mark.parametrize("case", ["same", "overlapping", "same_memory_other_view", "interleaved"])
def test_fused_outs_must_not_share_memory(case):
    base = pattern((16,), np.float32)
    guard = Guard(base)
    if case == "same":
        out = (base[:7], base[:7])
    elif case == "overlapping":
        out = (base[:7], base[3:10])
    elif case == "same_memory_other_view":
        out = (base[:7], base[:7].view()[::-1])
    else:  # every other element: disjoint, so allowed; then one that shares an element
        allowed = (base[0:14:2], base[1:14:2])
        elunumba.elu_value_and_grad(F32, out=allowed)
        base2 = pattern((16,), np.float32)
        guard = Guard(base2)
        out = (base2[0:14:2], base2[6:13])
    with pytest.raises(ValueError, match=r"^the two out buffers \(value, grad\) must not share "
                                         r"memory$"):
        elunumba.elu_value_and_grad(F32, out=out)
    guard.untouched()


def test_fused_second_out_wrong_leaves_first_untouched():
    a = pattern((7,), np.float32)
    for b, error, match in [(pattern((7,), np.float64), TypeError, "dtype"),
                            (pattern((6,), np.float32), ValueError, "shape"),
                            ([0.0] * 7, TypeError, "NumPy array")]:
        guard = Guard(a)
        with pytest.raises(error, match=match):
            elunumba.elu_value_and_grad(F32, out=(a, b))
        guard.untouched()


def test_in_place_input_untouched_on_error():
    """The input passed as out keeps its values when the call fails for any later reason."""
    x = F32.copy()
    guard = Guard(x)
    for kwargs, error in [({"alpha": np.nan}, ValueError), ({"target": "gpu"}, ValueError),
                          ({"scale": "1"}, TypeError)]:
        with pytest.raises(error):
            elunumba.elu(x, out=x, **kwargs)
        with pytest.raises(error):
            elunumba.elu_backward(x, x, out=x, **kwargs)
        with pytest.raises(error):
            elunumba.elu_value_and_grad(x, out=(x, np.empty_like(x)), **kwargs)
    guard.untouched()
