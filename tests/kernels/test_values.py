"""Values of every op, dtype, host target and memory layout against the references in
reference.py; odd sizes; cpu/parallel and fused/separate bit-identity; special values."""

import math

import numpy as np
import pytest

import elunumba
from helpers import FLOAT_DTYPES, HOST_TARGETS
from reference import (
    SELU_ALPHA,
    SELU_SCALE,
    assert_bits_equal,
    assert_ulp,
    backward_bound,
    coefficients,
    elu_reference,
    forward_bound,
    fused_grad_bound,
    grad_from_output_reference,
    grad_from_x_reference,
    ulp_of,
)

# Parameters the ops run with: not the defaults, so that every coefficient is exercised.
# alpha*scale = 1.875 and input_scale = 2 are exact in float16 as well.
ALPHA, SCALE, INPUT_SCALE = 1.5, 1.25, 2.0
CELU_ALPHA = 0.5  # input_scale = 1/alpha = 2: exact

OPS = ("elu", "elu_backward", "elu_value_and_grad", "selu", "celu")
LAYOUTS = ("C", "F", "sliced", "negative_strides", "transposed", "0-d", "empty", "one_element")


# ---------------------------------------------------------------------------------------------
# inputs


def x_values(n, dtype, rng):
    """n forward inputs: mostly negative, over the whole range, with the special values mixed in."""
    dtype = np.dtype(dtype)
    info = np.finfo(dtype)
    lo = math.log(float(info.smallest_subnormal))
    hi = math.log(45.0)
    negative = -np.exp(rng.uniform(lo, hi, n))
    positive = rng.uniform(0, 5, n)
    values = np.where(rng.random(n) < 0.7, negative, positive)
    specials = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, -float(info.smallest_subnormal),
                         float(info.smallest_subnormal), -float(info.max), float(info.max)])
    k = min(n // 4, specials.size)
    if k:
        values[rng.choice(n, k, replace=False)] = rng.choice(specials, k, replace=False)
    return values.astype(dtype)


def y_values(n, dtype, rng, negcoef=ALPHA * SCALE):
    """n forward outputs for the backward: in [-alpha*scale, 0] and positive, plus specials."""
    negative = -negcoef * rng.random(n)
    positive = rng.uniform(0, 5, n)
    values = np.where(rng.random(n) < 0.6, negative, positive)
    specials = np.array([np.nan, np.inf, 0.0, -0.0, -negcoef])
    k = min(n // 4, specials.size)
    if k:
        values[rng.choice(n, k, replace=False)] = rng.choice(specials, k, replace=False)
    return values.astype(dtype)


def grad_values(n, dtype, rng):
    return (rng.standard_normal(n) * 3).astype(dtype)


def in_layout(make, layout, dtype, rng):
    """An array in ``layout`` whose elements come from ``make(n, dtype, rng)``."""
    def block(*shape):
        return make(math.prod(shape), dtype, rng).reshape(shape)

    if layout == "C":
        a = block(5, 7)
        assert a.flags.c_contiguous and not a.flags.f_contiguous
    elif layout == "F":
        a = np.asfortranarray(block(5, 7))
        assert a.flags.f_contiguous and not a.flags.c_contiguous
    elif layout == "sliced":
        a = block(11, 13)[1::2, 2::3]
    elif layout == "negative_strides":
        a = block(6, 8)[::-1, ::-2]
        assert all(s < 0 for s in a.strides)
    elif layout == "transposed":
        a = block(2, 3, 5).transpose(2, 0, 1)
    elif layout == "0-d":
        a = block(1).reshape(())
    elif layout == "empty":
        a = block(0, 4)
    elif layout == "one_element":
        a = block(1)
    else:
        raise AssertionError(layout)
    if layout in ("sliced", "negative_strides", "transposed"):
        assert not a.flags.c_contiguous and not a.flags.f_contiguous
    return a


# ---------------------------------------------------------------------------------------------
# running an op and checking it against the references


def run(op, inputs, target, **params):
    if op == "elu":
        return elunumba.elu(inputs[0], params.get("alpha", ALPHA), scale=params.get("scale", SCALE),
                            input_scale=params.get("input_scale", INPUT_SCALE), target=target)
    if op == "elu_backward":
        return elunumba.elu_backward(*inputs, params.get("alpha", ALPHA),
                                     scale=params.get("scale", SCALE),
                                     input_scale=params.get("input_scale", INPUT_SCALE),
                                     target=target)
    if op == "elu_value_and_grad":
        return elunumba.elu_value_and_grad(inputs[0], params.get("alpha", ALPHA),
                                           scale=params.get("scale", SCALE),
                                           input_scale=params.get("input_scale", INPUT_SCALE),
                                           target=target)
    if op == "selu":
        return elunumba.selu(inputs[0], target=target)
    if op == "celu":
        return elunumba.celu(inputs[0], CELU_ALPHA, target=target)
    raise AssertionError(op)


def as_tuple(result):
    return result if isinstance(result, tuple) else (result,)


def compute_type(dtype):
    return np.float32 if np.dtype(dtype) == np.float16 else np.dtype(dtype).type


def make_inputs(op, layout, dtype, rng):
    if op == "elu_backward":
        return [in_layout(grad_values, layout, dtype, rng), in_layout(y_values, layout, dtype, rng)]
    return [in_layout(x_values, layout, dtype, rng)]


def check_against_reference(op, inputs, result, dtype, **params):
    """Shape, dtype and values of ``result`` (of ``op`` on ``inputs``) against the references."""
    dtype = np.dtype(dtype)
    shape = np.broadcast_shapes(*(np.shape(a) for a in inputs))
    outputs = result if op == "elu_value_and_grad" else (result,)
    assert isinstance(result, tuple) == (op == "elu_value_and_grad")
    for output in outputs:
        assert np.shape(output) == shape
        assert output.dtype == dtype
        if shape == ():
            assert isinstance(output, np.generic), "0-d input gives a NumPy scalar, as ufuncs do"
        else:
            assert isinstance(output, np.ndarray)
    alpha = params.get("alpha", ALPHA)
    scale = params.get("scale", SCALE)
    if op in ("elu", "selu", "celu"):
        x = inputs[0]
        if op == "elu":
            args = (alpha, scale, params.get("input_scale", INPUT_SCALE))
        elif op == "selu":
            args = (SELU_ALPHA, SELU_SCALE, 1.0)
        else:
            args = (CELU_ALPHA, 1.0, 1.0 / CELU_ALPHA)
        assert_ulp(result, elu_reference(x, *args), forward_bound(dtype, *args), inputs=x,
                   what=op)
    elif op == "elu_backward":
        input_scale = params.get("input_scale", INPUT_SCALE)
        grad_out, y = inputs
        ref = grad_from_output_reference(grad_out, y, alpha, scale, input_scale, dtype=dtype)
        assert_ulp(result, ref, backward_bound(dtype), inputs=y, what=op)
    else:
        input_scale = params.get("input_scale", INPUT_SCALE)
        x = inputs[0]
        y, dydx = result
        y_ref = elu_reference(x, alpha, scale, input_scale)
        assert_ulp(y, y_ref, forward_bound(dtype, alpha, scale, input_scale), inputs=x,
                   what="value")
        # the gradient of the stored value, by the backward formula...
        ref = grad_from_output_reference(np.ones((), dtype), y, alpha, scale, input_scale,
                                         dtype=dtype)
        assert_ulp(dydx, ref, fused_grad_bound(dtype), inputs=x, what="grad")
        # ...which is the true derivative up to what rounding y cost
        check_gradient_is_derivative(x, y, dydx, alpha, scale, input_scale, dtype)


def check_gradient_is_derivative(x, y, dydx, alpha, scale, input_scale, dtype):
    """dydx against the true derivative at x: off only by what rounding y cost (times
    input_scale) and the gradient's own roundings."""
    x, y, dydx = np.asarray(x), np.asarray(y), np.asarray(dydx)
    rdt = np.longdouble if dtype == np.float64 else np.float64
    true = grad_from_x_reference(x, alpha, scale, input_scale, dtype=dtype).astype(rdt)
    got = dydx.astype(rdt)
    pos, neg, ipt = (rdt(c) for c in coefficients(dtype, alpha, scale, input_scale))
    with np.errstate(invalid="ignore", over="ignore"):
        # x > 0 with y > 0: exactly scale (rounded to the output dtype)
        positive = (x > 0) & (y > 0)
        assert np.all(got[positive] == rdt(dtype.type(pos)))
        # x <= 0: the derivative is input_scale*(y_exact + alpha*scale) = input_scale*neg*e^(ix)
        negative = (x <= 0) & np.isfinite(x)
        y_error = np.abs((y.astype(rdt) + neg) - neg * np.exp(ipt * x.astype(rdt)))
        allowed = abs(ipt) * y_error * rdt(1.001) + 2 * ulp_of(true, dtype)
        if dtype == np.float16:
            allowed = allowed + ulp_of(true, dtype)
        bad = negative & ~(np.abs(got - true) <= allowed)
        assert not bad.any(), (x[bad][:5], got[bad][:5], true[bad][:5])
    assert np.all(np.isnan(got[np.isnan(x)]))


# ---------------------------------------------------------------------------------------------
# the matrix: op x dtype x target x layout


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("op", OPS)
def test_op_dtype_target_layout(op, dtype, host_target, layout, rng):
    inputs = make_inputs(op, layout, dtype, rng)
    copies = [a.copy() for a in inputs]
    result = run(op, inputs, host_target)
    check_against_reference(op, inputs, result, dtype)
    for a, before in zip(inputs, copies):
        assert_bits_equal(a, before, "input after the call")  # inputs are never written


@pytest.mark.parametrize("op", ("elu", "elu_backward", "elu_value_and_grad"))
@pytest.mark.parametrize("size", (0, 1, 1023, 2**20 + 3))
def test_odd_sizes_all_targets(op, size, dtype, rng):
    """Sizes around vector widths and the auto target's parallel threshold; all host targets give
    the same bits."""
    if op == "elu_backward":
        inputs = [grad_values(size, dtype, rng), y_values(size, dtype, rng)]
    else:
        inputs = [x_values(size, dtype, rng)]
    results = {t: as_tuple(run(op, inputs, t)) for t in ("cpu", "parallel", "auto")}
    check_against_reference(op, inputs, run(op, inputs, "cpu"), dtype)
    for target in ("parallel", "auto"):
        for a, b in zip(results["cpu"], results[target]):
            assert_bits_equal(a, b, f"cpu vs {target}")


def test_default_parameters(dtype, host_target, rng):
    """alpha = scale = input_scale = 1 when not given; then the tightest bound applies."""
    x = x_values(4099, dtype, rng)
    y = elunumba.elu(x, target=host_target)
    assert_ulp(y, elu_reference(x), forward_bound(dtype), inputs=x)
    g = elunumba.elu_backward(np.ones_like(x), y, target=host_target)
    assert_ulp(g, grad_from_output_reference(1.0, y, dtype=dtype), fused_grad_bound(dtype))
    value, grad = elunumba.elu_value_and_grad(x, target=host_target)
    assert_bits_equal(value, y)
    assert_bits_equal(grad, g)


@pytest.mark.parametrize("alpha, scale, input_scale", [
    (1.0, 1.0, 1.0),
    (0.3, 1.0, 1.0),
    (2.5, 0.5, 1.0),
    (1.0, 3.0, 4.0),
    (0.0, 1.0, 1.0),
    (-1.7, 1.0, 1.0),    # forward only: negative alpha
    (1.0, -2.0, 1.0),    # forward only: negative scale
    (1.0, 1.0, 0.3),
    (1.3, 0.7, 1.1),
])
def test_elu_parameters(alpha, scale, input_scale, dtype, host_target, rng):
    x = x_values(2000, dtype, rng)
    y = elunumba.elu(x, alpha, scale=scale, input_scale=input_scale, target=host_target)
    ref = elu_reference(x, alpha, scale, input_scale)
    bound = forward_bound(dtype, alpha, scale, input_scale)
    # where input_scale*x underflows to -0.0 the sign of the zero result is a known bug, tested
    # (xfail) by test_semantics.py::test_sign_of_zero_when_input_scale_times_x_underflows
    with np.errstate(under="ignore", over="ignore"):
        underflows = (x < 0) & (x * compute_type(dtype)(input_scale) == 0)
    assert_ulp(y[~underflows], ref[~underflows], bound, inputs=x[~underflows])
    if alpha >= 0 and scale > 0:
        grad_out = grad_values(2000, dtype, rng)
        g = elunumba.elu_backward(grad_out, y, alpha, scale=scale, input_scale=input_scale,
                                  target=host_target)
        ref = grad_from_output_reference(grad_out, y, alpha, scale, input_scale, dtype=dtype)
        assert_ulp(g, ref, backward_bound(dtype), inputs=y)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("params", [{}, {"alpha": 1.3, "scale": 0.7, "input_scale": 1.1},
                                    {"alpha": 0.0, "scale": 2.0, "input_scale": 0.5}],
                         ids=["defaults", "general", "alpha0"])
def test_cpu_and_parallel_bit_identical(op, params, dtype, rng):
    n = 70001  # not a multiple of any vector width or thread count
    if op == "elu_backward":
        inputs = [grad_values(n, dtype, rng), y_values(n, dtype, rng)]
    else:
        inputs = [x_values(n, dtype, rng)]
    cpu = as_tuple(run(op, inputs, "cpu", **params))
    parallel = as_tuple(run(op, inputs, "parallel", **params))
    for a, b in zip(cpu, parallel):
        assert_bits_equal(a, b, f"{op}: cpu vs parallel")


@pytest.mark.parametrize("params", [
    {}, {"alpha": 1.3, "scale": 0.7, "input_scale": 1.1},
    {"alpha": SELU_ALPHA, "scale": SELU_SCALE}, {"alpha": 0.0}, {"alpha": 3.0, "input_scale": 0.2},
], ids=["defaults", "general", "selu", "alpha0", "celu-like"])
def test_fused_bit_identical_to_elu_and_backward(params, dtype, host_target, rng):
    x = np.concatenate([x_values(5000, dtype, rng),
                        -np.arange(0, 40, 0.01).astype(dtype)])
    value, grad = elunumba.elu_value_and_grad(x, target=host_target, **params)
    y = elunumba.elu(x, target=host_target, **params)
    g = elunumba.elu_backward(np.ones_like(x), y, target=host_target, **params)
    assert_bits_equal(value, y, "fused value vs elu")
    assert_bits_equal(grad, g, "fused grad vs elu_backward(ones, y)")
    # a scalar grad_out broadcasts to the same bits
    assert_bits_equal(elunumba.elu_backward(1.0, y, target=host_target, **params), g)


def test_selu_is_elu_with_selu_constants(dtype, host_target, rng):
    x = x_values(3000, dtype, rng)
    assert elunumba.SELU_ALPHA == SELU_ALPHA  # the float64 nearest to the defining expression
    assert elunumba.SELU_SCALE == SELU_SCALE
    assert_bits_equal(elunumba.selu(x, target=host_target),
                      elunumba.elu(x, SELU_ALPHA, scale=SELU_SCALE, target=host_target))


@pytest.mark.parametrize("alpha", (0.5, 1.0, 2.0, 1.7))
def test_celu_is_elu_with_input_scale_inverse_alpha(alpha, dtype, host_target, rng):
    x = x_values(3000, dtype, rng)
    got = elunumba.celu(x, alpha, target=host_target)
    assert_bits_equal(got, elunumba.elu(x, alpha, input_scale=1 / alpha, target=host_target))
    if alpha > 0:  # max(0, x) + min(0, alpha*expm1(x/alpha))
        assert_ulp(got, elu_reference(x, alpha, 1.0, 1 / alpha),
                   forward_bound(dtype, alpha, 1.0, 1 / alpha), inputs=x)


# ---------------------------------------------------------------------------------------------
# special values


SPECIAL_PARAMS = dict(alpha=ALPHA, scale=SCALE, input_scale=INPUT_SCALE)  # alpha*scale = 1.875


def test_special_values_forward(dtype, host_target):
    x = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, -np.nan], dtype)
    y = elunumba.elu(x, target=host_target, **SPECIAL_PARAMS)
    assert np.isnan(y[0]) and np.isnan(y[5])
    assert y[1] == np.inf
    assert y[2] == dtype.type(-ALPHA * SCALE)
    assert y[3] == 0 and not np.signbit(y[3]), "+0.0 stays +0.0"
    assert y[4] == 0 and np.signbit(y[4]), "-0.0 stays -0.0"


def test_special_values_fused(dtype, host_target):
    x = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0], dtype)
    y, g = elunumba.elu_value_and_grad(x, target=host_target, **SPECIAL_PARAMS)
    assert np.isnan(y[0]) and np.isnan(g[0]), "NaN -> NaN, value and grad"
    assert y[1] == np.inf and g[1] == dtype.type(SCALE), "+inf -> +inf, grad scale"
    assert y[2] == dtype.type(-ALPHA * SCALE) and g[2] == 0, "-inf -> -alpha*scale, grad 0"
    # y = ±0 is not > 0: the gradient is input_scale*alpha*scale (the left derivative)
    assert g[3] == g[4] == dtype.type(INPUT_SCALE * ALPHA * SCALE)
    assert not np.signbit(y[3]) and np.signbit(y[4])


def test_special_values_backward(dtype, host_target):
    neg = ALPHA * SCALE
    y = np.array([np.nan, np.inf, 1.0, -neg, 0.0, -0.0, 2.0, -neg, 1.0], dtype)
    g = np.array([1.0, 2.0, np.nan, 3.0, 1.0, 1.0, np.inf, np.inf, -np.inf], dtype)
    got = elunumba.elu_backward(g, y, target=host_target, **SPECIAL_PARAMS)
    with np.errstate(invalid="ignore"):
        expected = np.array([np.nan, 2 * SCALE, np.nan, 0.0, INPUT_SCALE * neg,
                             INPUT_SCALE * neg, np.inf, np.nan, -np.inf]).astype(dtype)
    np.testing.assert_array_equal(got, expected)  # NaN where NaN (inf*0 is NaN, as in IEEE)


def test_gradient_at_minus_inf_in_float16_matches_the_stored_value(host_target):
    """-inf -> -alpha*scale, rounded to float16; where that rounding is inexact (SELU), the
    gradient from the stored output is input_scale*(y16 + alpha*scale), small but not 0: the
    price of bit-identity with elu_backward(ones, y)."""
    x = np.array([-np.inf, -1e4], np.float16)
    y, g = elunumba.elu_value_and_grad(x, SELU_ALPHA, scale=SELU_SCALE, target=host_target)
    negcoef = np.float32(SELU_ALPHA * SELU_SCALE)
    assert y[0] == y[1] == np.float16(-negcoef)
    expected = np.float16(np.float64(y[0]) + np.float64(negcoef))
    assert g[0] == g[1] == expected
    assert 0 < g[0] < 1e-3


@pytest.mark.parametrize("target", HOST_TARGETS)
def test_adversarial_forward_inputs(target):
    from reference import adversarial_inputs

    for dt in FLOAT_DTYPES:
        x = adversarial_inputs(dt)
        y = elunumba.elu(x, target=target)
        assert_ulp(y, elu_reference(x), forward_bound(dt), inputs=x, what=np.dtype(dt).name)
