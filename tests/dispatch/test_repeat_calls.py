"""Repeat calls: after a call on plain NumPy arrays, the dispatch layer keeps a plan so that the
next call with the same op, params, target and dtype skips the general path. A plan must never
change a result or an error: every test here warms a plan first, then checks that the call is
what the general path (forced by dropping every plan) gives, bit for bit, or the same error."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import elunumba
from elunumba.kernels import cpu
from elunumba.kernels import threads as kernel_threads
from elunumba.dispatch import plans
from reference import assert_bits_equal

OPS = {
    "forward": lambda k, x, alpha, scale, input_scale, **kw: k.elu(
        x, alpha, scale=scale, input_scale=input_scale, **kw),
    "fused": lambda k, x, alpha, scale, input_scale, **kw: k.elu_value_and_grad(
        x, alpha, scale=scale, input_scale=input_scale, **kw),
    "backward": lambda k, x, alpha, scale, input_scale, **kw: k.elu_backward(
        x, x, alpha, scale=scale, input_scale=input_scale, **kw),  # grad_out = y = x
}


def general_path(call, *args, **kwargs):
    """``call(*args, **kwargs)`` through the general path: with no plan kept, none is taken."""
    plans._PLANS.clear()
    return call(*args, **kwargs)


def assert_same(result, expected):
    for r, e in zip(*((v if isinstance(v, tuple) else (v,)) for v in (result, expected))):
        assert type(r) is type(e) and r.shape == e.shape and r.dtype == e.dtype
        assert_bits_equal(r, e)


def x_sample(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(shape) * 4).astype(dtype)


PARAMS = st.sampled_from([1.0, 0.5, 1.7, 3.0])


@given(op=st.sampled_from(sorted(OPS)), dtype=st.sampled_from([np.float32, np.float64]),
       shape=st.sampled_from([0, 1, 17, 1000, (4, 250), (2, 3, 5), (0, 3),
                              cpu.PARALLEL_THRESHOLD + 5, (2, cpu.PARALLEL_THRESHOLD)]),
       alpha=PARAMS, scale=PARAMS, input_scale=PARAMS,
       target=st.sampled_from(["auto", "cpu", "parallel"]),
       kernels=st.sampled_from([elunumba, elunumba.correctly_rounded]))
def test_a_repeat_call_gives_the_general_paths_bits(op, dtype, shape, alpha, scale, input_scale,
                                                    target, kernels):
    x = x_sample(shape, dtype)
    for _ in range(2):  # the first call makes the plan, the second uses it
        result = OPS[op](kernels, x, alpha, scale, input_scale, target=target)
    key = (op, (alpha, scale, input_scale), target, kernels is elunumba.correctly_rounded,
           x.dtype)
    assert key in plans._PLANS
    assert_same(result, general_path(OPS[op], kernels, x, alpha, scale, input_scale,
                                     target=target))


@pytest.mark.parametrize("op", sorted(OPS))
@pytest.mark.parametrize("make_x", [
    lambda x: x[::2],                      # strided
    lambda x: x.reshape(4, -1),            # 2-d, C order: the plan takes it too
    lambda x: np.asfortranarray(x.reshape(4, -1)),
    lambda x: x[0:1].reshape(()),          # 0-d: a scalar comes back
    lambda x: x.astype(np.float16),        # another dtype
    lambda x: x.astype(np.int16),          # promoted
    lambda x: list(x[:5]),
    lambda x: float(x[0]),
], ids=["strided", "2d", "fortran", "0d", "float16", "int16", "list", "python-float"])
def test_other_layouts_and_dtypes_after_a_plan(op, make_x):
    x = x_sample(64, np.float32)
    OPS[op](elunumba, x, 1.0, 1.0, 1.0)  # a plan for float32 1-d arrays
    other = make_x(x)
    result = OPS[op](elunumba, other, 1.0, 1.0, 1.0)
    assert_same(result, general_path(OPS[op], elunumba, other, 1.0, 1.0, 1.0))


@pytest.mark.parametrize("grad_out", [
    lambda y: np.float32(2.0) * np.ones(1, np.float32),  # broadcasts
    lambda y: y.astype(np.float64),                      # promotes
    lambda y: y[::-1],                                   # negative stride
    lambda y: 2.0,                                       # Python scalar
], ids=["broadcast", "float64", "reversed", "scalar"])
def test_backward_with_a_second_input_the_plan_does_not_fit(grad_out):
    y = elunumba.elu(x_sample(64, np.float32))
    elunumba.elu_backward(np.ones_like(y), y)  # a plan for two float32 1-d arrays
    g = grad_out(y)
    result = elunumba.elu_backward(g, y)
    assert_same(result, general_path(elunumba.elu_backward, g, y))


@pytest.mark.parametrize("alpha, error, match", [
    (True, TypeError, r"^alpha must be a real number, got True"),
    (Fraction(1), TypeError, r"^alpha must be a real number"),
    (1 + 0j, TypeError, r"^alpha must be a real number"),
    (np.array([1.0]), TypeError, r"^alpha must be a real number"),  # 0-d arrays are taken
    ([1.0], TypeError, r"^alpha must be a real number"),
])
def test_params_equal_to_a_planned_one_still_get_their_error(alpha, error, match):
    x = x_sample(32, np.float32)
    elunumba.elu(x, 1.0)
    with pytest.raises(error, match=match):
        elunumba.elu(x, alpha)


def test_an_unhashable_target_after_a_plan_is_named():
    x = x_sample(32, np.float32)
    elunumba.elu(x, target="cpu")
    with pytest.raises(ValueError, match=r"^unknown target \['cpu'\]: valid targets are auto, "):
        elunumba.elu(x, target=["cpu"])


class LooksLikeCpu:
    """Equal to "cpu" and hashed like it, but not a str: not a target."""

    def __eq__(self, other):
        return other == "cpu"

    def __hash__(self):
        return hash("cpu")

    def __repr__(self):
        return "LooksLikeCpu()"


class CannotHash:
    def __hash__(self):
        raise RuntimeError("no hash")

    def __repr__(self):
        return "CannotHash()"


@pytest.mark.parametrize("kwargs, error, match", [
    ({"target": LooksLikeCpu()}, ValueError, r"^unknown target LooksLikeCpu\(\): valid targets"),
    ({"target": CannotHash()}, ValueError, r"^unknown target CannotHash\(\): valid targets"),
    ({"alpha": CannotHash()}, TypeError, r"^alpha must be a real number, got CannotHash\(\)"),
])
def test_values_that_pass_for_a_planned_key_or_cannot_be_hashed_get_their_error(kwargs, error,
                                                                                 match):
    x = x_sample(32, np.float32)
    elunumba.elu(x, target="cpu")
    with pytest.raises(error, match=match):
        elunumba.elu(x, **kwargs)


def test_numpy_scalar_params_equal_to_a_planned_float_give_its_result():
    x = x_sample(32, np.float32)
    planned = elunumba.elu(x, 1.5)
    assert_same(elunumba.elu(x, np.float64(1.5)), planned)


@pytest.mark.parametrize("zero, other", [(0.0, -0.0), (-0.0, 0.0)])
def test_signed_zero_params_do_not_share_a_plan(zero, other):
    """-0.0 == 0.0, yet alpha = -0.0 gives +0 where alpha = 0.0 gives -0 (negative x)."""
    x = -np.abs(x_sample(32, np.float32)) - 1
    elunumba.elu(x, zero)
    elunumba.elu(x, zero)
    assert np.all(np.signbit(elunumba.elu(x, other)) == (other == 0 and np.signbit(other) == 0))


def test_default_and_correctly_rounded_keep_separate_plans():
    x = np.linspace(-0.5, -0.3, 100_000, dtype=np.float32)  # some inputs round differently
    default = general_path(elunumba.elu, x)
    correctly_rounded = elunumba.correctly_rounded.elu(x)  # a plan for the default exists
    assert not np.array_equal(default, correctly_rounded)
    assert_same(elunumba.correctly_rounded.elu(x), correctly_rounded)
    assert_same(elunumba.elu(x), default)


def test_a_plan_result_is_a_new_array_every_call():
    x = x_sample(32, np.float32)
    first, second = elunumba.elu(x), elunumba.elu(x)
    assert not np.shares_memory(first, second) and not np.shares_memory(first, x)


@pytest.mark.parametrize("size, threads", [(cpu.PARALLEL_THRESHOLD - 1, "one"),
                                           (cpu.PARALLEL_THRESHOLD, "all")])
def test_a_plan_picks_the_thread_count_by_size_like_the_general_path(size, threads,
                                                                      monkeypatch):
    x = x_sample(size, np.float32)
    elunumba.elu(x)
    assert ("forward", (1.0, 1.0, 1.0), "auto", False, x.dtype) in plans._PLANS
    parallel_runs = []
    run = kernel_threads.run
    monkeypatch.setattr(kernel_threads, "run", lambda *a: parallel_runs.append(1) or run(*a))
    elunumba.elu(x)
    assert parallel_runs == ([1] if threads == "all" else [])


def test_a_strided_array_after_a_plan_compiles_no_new_kernel_layout():
    """The general path copies a strided array to a contiguous one; the plan must leave it to it
    (handing it to a kernel would compile another layout of it, for seconds)."""
    x = x_sample(64, np.float32)
    elunumba.elu(x, target="cpu")
    elunumba.elu(x[::2], target="cpu")
    layouts = {arg.layout for kernel in cpu.KERNELS.values() for signature in kernel.signatures
               for arg in signature if hasattr(arg, "layout")}
    assert layouts == {"C"}


def test_plans_stay_bounded_over_a_sweep_of_params():
    x = x_sample(8, np.float32)
    for alpha in np.linspace(0.5, 2.0, 3 * plans.MAX_PLANS):
        elunumba.elu(x, float(alpha))
    assert 0 < len(plans._PLANS) <= plans.MAX_PLANS
    planned = elunumba.elu(x, 0.75)
    assert_same(planned, general_path(elunumba.elu, x, 0.75))


@pytest.mark.parametrize("op", ["forward", "backward"])
@pytest.mark.parametrize("where", ["separate", "in place"])
def test_out_after_a_plan_gives_the_bits_of_a_fresh_result(op, where):
    x = x_sample(1000, np.float32)
    expected = general_path(OPS[op], elunumba, x.copy(), 1.7, 1.0, 1.0)
    buffer = np.empty_like(x) if where == "separate" else x
    for _ in range(2):  # the first call also makes the plan; both write the same bits
        x_now = x if where == "separate" else x_sample(1000, np.float32)
        buffer = buffer if where == "separate" else x_now
        result = OPS[op](elunumba, x_now, 1.7, 1.0, 1.0, out=buffer)
        assert result is buffer
        assert_same(result, expected)
    assert (op, (1.7, 1.0, 1.0), "auto", False, x.dtype) in plans._PLANS


@pytest.mark.parametrize("op", ["forward", "backward"])
def test_an_out_partly_overlapping_an_input_after_a_plan(op):
    """out and the input one element apart in one buffer: as if they did not overlap."""
    base = x_sample(1001, np.float32)
    expected = general_path(OPS[op], elunumba, base[:1000].copy(), 1.0, 1.0, 1.0)
    OPS[op](elunumba, base[:1000].copy(), 1.0, 1.0, 1.0)  # warm the plan
    result = OPS[op](elunumba, base[:1000], 1.0, 1.0, 1.0, out=base[1:])
    assert_same(result, expected)


def test_backward_in_place_on_grad_out_with_y_overlapping_it():
    buffer = x_sample(1001, np.float32)
    y, grad_out = buffer[:1000], buffer[1:]  # y[i + 1] is where grad_in[i] goes
    expected = general_path(elunumba.elu_backward, grad_out.copy(), y.copy())
    elunumba.elu_backward(grad_out.copy(), y.copy())  # warm the plan
    assert_same(elunumba.elu_backward(grad_out, y, out=grad_out), expected)


@pytest.mark.parametrize("bad_out, error, match", [
    ("read-only", ValueError, r"^out is read-only"),
    ("float64", TypeError, r"^out has dtype float64, the result has dtype float32"),
    ("short", ValueError, r"^out has shape \(999,\), the result has shape \(1000,\)"),
    ("list", TypeError, r"^out must be a NumPy array, got list"),
])
def test_a_bad_out_after_a_plan_gets_its_error_and_nothing_is_written(bad_out, error, match):
    x = x_sample(1000, np.float32)
    elunumba.elu(x, out=np.empty_like(x))  # warm the plan
    out = {"read-only": np.zeros(1000, np.float32), "float64": np.zeros(1000),
           "short": np.zeros(999, np.float32), "list": [0.0] * 1000}[bad_out]
    if bad_out == "read-only":
        out.flags.writeable = False
    with pytest.raises(error, match=match):
        elunumba.elu(x, out=out)
    assert not np.any(out)


def test_fused_with_out_after_a_plan():
    x = x_sample(1000, np.float32)
    expected = general_path(elunumba.elu_value_and_grad, x)
    elunumba.elu_value_and_grad(x)
    out = (np.empty_like(x), np.empty_like(x))
    result = elunumba.elu_value_and_grad(x, out=out)
    assert result is out
    assert_same(out, expected)


@pytest.mark.parametrize("grad_from", ["output", "input"])
@pytest.mark.parametrize("where", ["separate", "value in place", "grad in place"])
def test_fused_with_out_takes_the_plan(grad_from, where, monkeypatch):
    """A repeat fused call with out= runs without the general path (whose checks cost more than
    the kernel on thousands of elements) and writes the general path's bits, in place too."""
    x = x_sample(1000, np.float32)
    expected = general_path(elunumba.elu_value_and_grad, x.copy(), 1.7, grad_from=grad_from)
    elunumba.elu_value_and_grad(x.copy(), 1.7, grad_from=grad_from)  # warm the plan
    from elunumba.dispatch import host
    monkeypatch.setattr(host, "call", lambda *args: pytest.fail("took the general path"))
    out = {"separate": (np.empty_like(x), np.empty_like(x)),
           "value in place": (x, np.empty_like(x)),
           "grad in place": (np.empty_like(x), x)}[where]
    result = elunumba.elu_value_and_grad(x, 1.7, out=out, grad_from=grad_from)
    assert result is out
    assert_same(out, expected)


def test_fused_out_the_plan_cannot_take_gets_the_general_paths_result_or_error():
    x = x_sample(1000, np.float32)
    expected = general_path(elunumba.elu_value_and_grad, x.copy())
    elunumba.elu_value_and_grad(x.copy())  # warm the plan
    y = np.empty_like(x)
    with pytest.raises(ValueError, match="must not share memory"):
        elunumba.elu_value_and_grad(x, out=(y, y))
    buffer = np.zeros(1001, np.float32)
    with pytest.raises(ValueError, match="must not share memory"):
        elunumba.elu_value_and_grad(x, out=(buffer[:1000], buffer[1:]))
    assert not np.any(buffer)
    with pytest.raises(TypeError, match="must be a tuple of 2 arrays"):
        elunumba.elu_value_and_grad(x, out=[y, np.empty_like(x)])
    read_only = np.zeros_like(x)
    read_only.flags.writeable = False
    with pytest.raises(ValueError, match="out is read-only"):
        elunumba.elu_value_and_grad(x, out=(y, read_only))
    # the value one element past the input in one buffer; the gradient strided
    base = np.concatenate([x, [0.0]]).astype(np.float32)
    strided = np.empty(2000, np.float32)[::2]
    result = elunumba.elu_value_and_grad(base[:1000], out=(base[1:], strided))
    assert_same(tuple(np.array(r) for r in result), expected)


def test_int_params_share_plans_with_equal_floats():
    x = x_sample(32, np.float32)
    from_int = elunumba.elu(x, 2, scale=1, input_scale=3)
    assert ("forward", (2, 1, 3), "auto", False, x.dtype) in plans._PLANS
    assert_same(elunumba.elu(x, 2.0, scale=1.0, input_scale=3.0), from_int)
    assert_same(from_int, general_path(elunumba.elu, x, 2.0, scale=1.0, input_scale=3.0))
