"""Property tests: random shapes, strides, dtypes, values (NaN, inf, subnormals, signed zeros) and
parameters. Results match the references within the bounds in reference.py, "cpu" and
"parallel" give the same bits, and the fused op gives the bits of elu + elu_backward(ones, y)."""

import numpy as np
from hypothesis import example, given, note
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import elunumba
import reference
from reference import (
    assert_bits_equal,
    assert_ulp,
    backward_bound,
    elu_reference,
    forward_bound,
    fused_grad_bound,
    grad_from_output_reference,
    scaled_input_in_bounds,
)

DTYPES = st.sampled_from([np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)])
WIDTH = {np.dtype(np.float16): 16, np.dtype(np.float32): 32, np.dtype(np.float64): 64}

# input_scale: 1, or in [2^-30, 4]: small ones make input_scale*x underflow for subnormal x
INPUT_SCALES = st.one_of(st.just(1.0), st.floats(2.0**-30, 4.0))
BACKWARD_ALPHAS = st.one_of(st.just(0.0), st.just(1.0), st.floats(0.01, 3.0))
SCALES = st.one_of(st.just(1.0), st.floats(0.1, 3.0))


def floats_of(dtype, **kwargs):
    return st.floats(width=WIDTH[dtype], allow_subnormal=True, **kwargs)


@st.composite
def laid_out(draw, dtype, elements, shape=None):
    """An array of ``shape`` (drawn if None) with the given dtype and elements, in a random
    layout: a C or Fortran base, sliced with random steps (negative included), then transposed.
    0-d and empty shapes included."""
    if shape is None:
        shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=6))
    ndim = len(shape)
    perm = draw(st.permutations(range(ndim)))
    inverse = np.argsort(perm)
    pre_shape = tuple(shape[inverse[j]] for j in range(ndim))  # transposed by perm: shape
    steps = [draw(st.sampled_from([1, 1, 2, -1, -2, 3])) for _ in range(ndim)]
    order = draw(st.sampled_from("CF"))
    base = draw(hnp.arrays(dtype, tuple(n * abs(s) for n, s in zip(pre_shape, steps)),
                           elements=elements))
    base = np.asarray(base, order=order)
    view = base[(...,) + tuple(slice(None, None, s) for s in steps)].transpose(perm)
    assert view.shape == tuple(shape)
    note(f"layout: order={order} steps={steps} perm={perm} strides={view.strides}")
    return view


@st.composite
def forward_case(draw):
    dtype = draw(DTYPES)
    x = draw(laid_out(dtype, floats_of(dtype)))
    alpha = draw(st.one_of(st.just(1.0), st.floats(-3.0, 3.0)))
    scale = draw(st.one_of(SCALES, st.floats(-3.0, -0.1)))
    input_scale = draw(INPUT_SCALES)
    return dtype, x, alpha, scale, input_scale


@given(forward_case())
def test_forward_matches_reference_and_targets_agree(case):
    dtype, x, alpha, scale, input_scale = case
    before = x.copy()
    cpu = elunumba.elu(x, alpha, scale=scale, input_scale=input_scale, target="cpu")
    parallel = elunumba.elu(x, alpha, scale=scale, input_scale=input_scale, target="parallel")
    assert np.shape(cpu) == x.shape and cpu.dtype == dtype
    assert_bits_equal(np.asarray(cpu), np.asarray(parallel), "cpu vs parallel")
    ref = elu_reference(x, alpha, scale, input_scale)
    held = scaled_input_in_bounds(x, input_scale, dtype)
    assert_ulp(np.asarray(cpu)[held], ref[held], forward_bound(dtype, alpha, scale, input_scale),
               inputs=x[held])
    assert_bits_equal(x, before, "input")
    if x.ndim and x.flags.f_contiguous and not x.flags.c_contiguous:
        assert cpu.flags.f_contiguous


@given(dtype=DTYPES, data=st.data())
def test_selu_and_celu_match_their_definitions(dtype, data):
    """SELU against its constants derived from their definition (reference.py, not the
    library's), CELU against max(0, x) + min(0, alpha*expm1(x/alpha)), both in high precision."""
    x = data.draw(laid_out(dtype, floats_of(dtype, allow_nan=False, allow_infinity=False)))
    selu = np.asarray(elunumba.selu(x))
    ref = elu_reference(x, reference.SELU_ALPHA, reference.SELU_SCALE)
    assert_ulp(selu, ref, forward_bound(dtype, reference.SELU_ALPHA, reference.SELU_SCALE),
               inputs=x, what="selu")
    alpha = data.draw(st.floats(0.05, 20.0))
    celu = np.asarray(elunumba.celu(x, alpha))
    rdt = reference.reference_dtype(dtype)
    xr, ar = x.astype(rdt), rdt.type(alpha)
    with np.errstate(over="ignore", under="ignore"):  # expm1 of a large x: inf, then min 0
        ref = np.maximum(xr, 0) + np.minimum(ar * np.expm1(xr / ar), 0)
    ref = np.where(x == 0, xr, ref)  # the sign of zero is kept, as by elu
    # x/alpha is rounded once more than the definition asks: the input_scale bound; and where
    # x/alpha is subnormal that rounding is coarser than any bound in ULPs of the result
    normal = (x == 0) | (np.abs(x) >= 32 * np.finfo(reference.compute_dtype(dtype)).tiny)
    assert_ulp(celu[normal], ref[normal], forward_bound(dtype, alpha, 1.0, 1.0 / alpha),
               inputs=x[normal], what="celu")


@st.composite
def backward_case(draw):
    dtype = draw(DTYPES)
    alpha, scale, input_scale = draw(BACKWARD_ALPHAS), draw(SCALES), draw(INPUT_SCALES)
    negcoef = float(np.float32(alpha * scale)) if dtype != np.float64 else alpha * scale
    lowest = dtype.type(-negcoef)  # the lowest y the forward gives, representable in dtype
    if lowest < -negcoef:
        lowest = np.nextafter(lowest, dtype.type(0))
    y_shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5))
    g_shape = draw(hnp.broadcastable_shapes(y_shape, min_dims=0, max_dims=3, max_side=5))
    # y in the forward's range [-alpha*scale, inf], and NaN
    y_elements = st.one_of(floats_of(dtype, min_value=float(lowest), max_value=0.0),
                           floats_of(dtype, min_value=0.0), st.just(np.nan))
    y = draw(laid_out(dtype, y_elements, y_shape))
    g = draw(laid_out(dtype, floats_of(dtype), g_shape))
    return dtype, g, y, alpha, scale, input_scale


@given(backward_case())
def test_backward_matches_reference_and_targets_agree(case):
    dtype, g, y, alpha, scale, input_scale = case
    kwargs = dict(scale=scale, input_scale=input_scale)
    with np.errstate(invalid="ignore"):
        cpu = elunumba.elu_backward(g, y, alpha, target="cpu", **kwargs)
        parallel = elunumba.elu_backward(g, y, alpha, target="parallel", **kwargs)
    shape = np.broadcast_shapes(g.shape, y.shape)
    assert np.shape(cpu) == shape and cpu.dtype == dtype
    # Where grad_out and y are both NaN, IEEE 754 lets the product carry either one's payload,
    # and the one-thread and vectorized loops order the operands differently: both give a NaN
    # there; everywhere else the bits agree.
    both_nan = np.isnan(np.broadcast_to(g, shape)) & np.isnan(np.broadcast_to(y, shape))
    cpu, parallel = np.asarray(cpu), np.asarray(parallel)
    assert np.isnan(cpu[both_nan]).all() and np.isnan(parallel[both_nan]).all()
    assert_bits_equal(np.where(both_nan, np.nan, cpu).astype(dtype),
                      np.where(both_nan, np.nan, parallel).astype(dtype), "cpu vs parallel")
    ref = grad_from_output_reference(g, y, alpha, scale, input_scale, dtype=dtype)
    assert_ulp(np.asarray(cpu), ref, backward_bound(dtype), inputs=np.broadcast_to(y, shape))


@st.composite
def fused_case(draw):
    dtype = draw(DTYPES)
    x = draw(laid_out(dtype, floats_of(dtype)))
    return dtype, x, draw(BACKWARD_ALPHAS), draw(SCALES), draw(INPUT_SCALES)


@given(fused_case())
# input_scale*x subnormal: 1.5 * -1e-45 rounds to -2 subnormal steps, 4.5 ULP of the result
@example((np.dtype(np.float32), np.array([-1e-45], np.float32), 3.0, 3.0, 1.5))
def test_fused_is_elu_and_backward_bitwise(case):
    dtype, x, alpha, scale, input_scale = case
    kwargs = dict(scale=scale, input_scale=input_scale)
    value, grad = elunumba.elu_value_and_grad(x, alpha, target="cpu", **kwargs)
    value_p, grad_p = elunumba.elu_value_and_grad(x, alpha, target="parallel", **kwargs)
    assert_bits_equal(np.asarray(value), np.asarray(value_p), "value cpu vs parallel")
    assert_bits_equal(np.asarray(grad), np.asarray(grad_p), "grad cpu vs parallel")
    y = elunumba.elu(x, alpha, target="cpu", **kwargs)
    g = elunumba.elu_backward(np.ones(x.shape, dtype), y, alpha, target="cpu", **kwargs)
    assert_bits_equal(np.asarray(value), np.asarray(y), "fused value vs elu")
    assert_bits_equal(np.asarray(grad), np.asarray(g), "fused grad vs elu_backward(ones, y)")
    held = scaled_input_in_bounds(x, input_scale, dtype)
    assert_ulp(np.asarray(value)[held], elu_reference(x, alpha, scale, input_scale)[held],
               forward_bound(dtype, alpha, scale, input_scale), inputs=x[held])
    ref = grad_from_output_reference(np.ones((), dtype), value, alpha, scale, input_scale,
                                     dtype=dtype)
    assert_ulp(np.asarray(grad), ref, fused_grad_bound(dtype), inputs=x)


@given(forward_case(), st.sampled_from(["same", "copy_layout", "shifted"]))
def test_out_gives_the_same_bits(case, how):
    """out= (fresh, in place, or partly overlapping the input) changes nothing in the result."""
    dtype, x, alpha, scale, input_scale = case
    kwargs = dict(scale=scale, input_scale=input_scale)
    expected = np.asarray(elunumba.elu(x, alpha, **kwargs))
    if how == "same":
        out = x.copy()
        assert elunumba.elu(out, alpha, out=out, **kwargs) is out
    elif how == "copy_layout":
        out = np.empty_like(x, order="F")
        assert elunumba.elu(x, alpha, out=out, **kwargs) is out
    else:
        flat = np.concatenate([x.reshape(-1), np.zeros(1, dtype)])
        src, out = flat[:-1], flat[1:]
        assert elunumba.elu(src, alpha, out=out, **kwargs) is out
        out = out.reshape(x.shape)
    assert_bits_equal(out, expected)
