"""elunumba.torch outside eager reverse mode: forward-mode AD (dual tensors, torch.func.jvp),
torch.func's transforms (vmap, grad, jacrev, jacfwd, hessian and their compositions), in place
where PyTorch refuses it (overlapping memory, inference tensors), tensors with the negative bit,
and layouts it cannot compute. The oracle is torch.nn.functional's elu/selu/celu; where both
sides compute the same derivative from different roundings the comparison allows a few ULPs.
"""

import pytest

torch = pytest.importorskip("torch")
import torch.autograd.forward_ad as fwAD  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import func  # noqa: E402

import elunumba  # noqa: E402
import elunumba.torch as et  # noqa: E402

# PyTorch 2.13 deprecates TorchScript, and its forward-mode AD still scripts its decompositions
# on first use (torch/_decomp/decompositions_for_jvp.py): that warning is PyTorch's business here
pytestmark = pytest.mark.filterwarnings(
    "ignore:`torch.jit.[a-z_]+` is deprecated. Please switch to `torch.compile`:DeprecationWarning")

# (name, ours, torch's): torch's CELU derivatives round alpha to float32 in PyTorch 2.13, so
# float64 CELU is compared with an exact formula of its own below
VARIANTS = [
    ("elu-1.3", lambda t, inplace=False: et.elu(t, 1.3, inplace=inplace),
     lambda t, inplace=False: F.elu(t, 1.3, inplace=inplace)),
    ("selu", lambda t, inplace=False: et.selu(t, inplace=inplace),
     lambda t, inplace=False: F.selu(t, inplace=inplace)),
    ("celu-0.7", lambda t, inplace=False: et.celu(t, 0.7, inplace=inplace),
     lambda t, inplace=False: exact_celu(t, 0.7, inplace=inplace)),
]
VARIANT_IDS = [v[0] for v in VARIANTS]


def exact_celu(t, alpha, inplace=False):
    """CELU in composite float64 arithmetic, whose every derivative is exact to rounding."""
    result = torch.where(t > 0, t, alpha * torch.expm1(t / alpha))
    return t.copy_(result) if inplace else result


def close(got, expected, rtol=1e-12):
    """Equal to a few ULPs of float64: both are derivatives of one function, rounded apart."""
    assert got.shape == expected.shape and got.dtype == expected.dtype
    assert torch.allclose(got, expected, rtol=rtol, atol=1e-14), (got - expected).abs().max()


def sample(shape=(4, 5), seed=0):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=generator, dtype=torch.float64) * 2


# ---------------------------------------------------------------------------------------------
# forward mode: before, the tangent was dropped (None) and torch.func.jvp failed


@pytest.mark.parametrize("inplace", [False, True], ids=["out-of-place", "inplace"])
@pytest.mark.parametrize("name, ours, theirs", VARIANTS, ids=VARIANT_IDS)
def test_dual_tensors_carry_the_tangent(name, ours, theirs, inplace):
    x, tangent = sample(), sample(seed=1)

    def forward_mode(activation):
        with fwAD.dual_level():
            dual = fwAD.make_dual(x, tangent) * 1  # a non-leaf: in place may write it
            y = activation(dual, inplace=inplace)
            result = y + dual if not inplace else y  # the et.elu(d) + d, in place: y
            return fwAD.unpack_dual(result)

    got, expected = forward_mode(ours), forward_mode(theirs)
    assert got.tangent is not None
    close(got.primal, expected.primal)
    close(got.tangent, expected.tangent)


@pytest.mark.parametrize("name, ours, theirs", VARIANTS, ids=VARIANT_IDS)
def test_func_jvp_and_forward_over_reverse(name, ours, theirs):
    x, tangent = sample(), sample(seed=1)
    for got, expected in zip(func.jvp(ours, (x,), (tangent,)),
                             func.jvp(theirs, (x,), (tangent,))):
        close(got, expected)

    def hessian_vector_product(activation):
        gradient = func.grad(lambda t: activation(t).sum())
        return func.jvp(gradient, (x,), (tangent,))[1]

    close(hessian_vector_product(ours), hessian_vector_product(theirs))


# ---------------------------------------------------------------------------------------------
# torch.func: before, vmap and jvp failed with "Cannot access data pointer of Tensor that
# doesn't have storage"

TRANSFORMS = {
    "vmap": lambda f: func.vmap(f),
    "vmap in_dims=1": lambda f: func.vmap(f, in_dims=1, out_dims=1),
    "grad": lambda f: func.grad(lambda t: f(t).sum()),
    "vmap(grad)": lambda f: func.vmap(func.grad(lambda t: f(t).sum())),
    "grad(vmap)": lambda f: func.grad(lambda t: func.vmap(f)(t).sum()),
    "jacrev": lambda f: func.jacrev(f),
    "jacfwd": lambda f: func.jacfwd(f),
    "hessian": lambda f: func.hessian(lambda t: f(t).sum()),
    "vmap(jvp)": lambda f: func.vmap(lambda t: func.jvp(f, (t,), (torch.ones_like(t),))[1]),
}


@pytest.mark.parametrize("inplace", [False, True], ids=["out-of-place", "inplace"])
@pytest.mark.parametrize("transform", list(TRANSFORMS), ids=list(TRANSFORMS))
@pytest.mark.parametrize("name, ours, theirs", VARIANTS, ids=VARIANT_IDS)
def test_torch_func_transforms_agree_with_torch(name, ours, theirs, transform, inplace):
    x = sample((3, 4))

    def wrapped(activation):
        return lambda t: activation(t * 1, inplace=inplace)  # in place on a fresh tensor

    close(TRANSFORMS[transform](wrapped(ours))(x), TRANSFORMS[transform](wrapped(theirs))(x))


def test_vmap_of_the_backward_with_one_input_unbatched():
    """elu_backward's vmap rule broadcasts whichever of its inputs is not batched."""
    x = sample((3, 4))
    y = et.elu(x)
    grad = sample((4,), seed=2)
    ops = torch.ops.elunumba
    grads = sample((3, 4), seed=3)
    for in_dims, args in [((None, 0), (grad, y)), ((0, None), (grads, y[0]))]:
        got = func.vmap(lambda g, o: ops.elu_backward(g, o, 1.0, 1.0, 1.0), in_dims=in_dims)(
            *args)
        expected = torch.stack([ops.elu_backward(*(a if d is None else a[i] for a, d in
                                                   zip(args, in_dims)), 1.0, 1.0, 1.0)
                                for i in range(3)])
        assert torch.equal(got, expected)


def test_forward_mode_with_negative_alpha_is_refused_not_wrong():
    # the slope is taken from the output, which for alpha < 0 does not determine it
    x, tangent = sample(), sample(seed=1)
    refusal = "derivative of elu with alpha=-0.5 < 0 cannot be taken from its output"
    with pytest.raises(ValueError, match=refusal):
        func.jvp(lambda t: et.elu(t, -0.5), (x,), (tangent,))
    with fwAD.dual_level():
        dual = fwAD.make_dual(x, tangent) * 1
        before = fwAD.unpack_dual(dual).primal.clone()
        with pytest.raises(ValueError, match=refusal):
            et.elu(dual, -0.5, inplace=True)
        assert torch.equal(fwAD.unpack_dual(dual).primal, before)  # nothing written
    with torch.no_grad():  # the value alone is fine
        close(et.elu(x, -0.5), F.elu(x, -0.5))


# ---------------------------------------------------------------------------------------------
# in place where PyTorch refuses it: before, elunumba wrote anyway


def test_inplace_on_an_expanded_tensor_is_refused_before_writing():
    base = torch.tensor([[-1.0, 2.0, -3.0]])
    expanded = base.expand(4, 3)
    with pytest.raises(RuntimeError, match="refers to a single memory location"):
        F.elu(base.clone().expand(4, 3), inplace=True)  # PyTorch refuses too
    with pytest.raises(RuntimeError, match="elements may share memory .*strides \\(0, 1\\).*"
                                           "clone\\(\\) it first"):
        et.elu(expanded, inplace=True)
    assert torch.equal(base, torch.tensor([[-1.0, 2.0, -3.0]]))
    storage = -torch.arange(6.0)
    overlapping = storage.as_strided((3, 3), (1, 1))  # rows that overlap, no stride 0
    with pytest.raises(RuntimeError, match="may share memory"):
        et.selu(overlapping, inplace=True)
    assert torch.equal(storage, -torch.arange(6.0))


def test_inplace_on_layouts_that_do_not_overlap_still_works():
    for x in (sample((4, 6)).t(), sample((4, 6))[:, ::2], sample((2, 3, 4)).permute(2, 0, 1),
              sample((5,)).flip(0), sample((1, 4)).expand(1, 4)):
        expected = F.elu(x.clone())
        assert torch.equal(et.elu(x, inplace=True), x)
        close(x, expected)


def inference_copy(tensor):
    with torch.inference_mode():
        return tensor.clone()


def test_inplace_on_an_inference_tensor_outside_inference_mode_is_refused():
    with torch.inference_mode():
        x = torch.linspace(-2, 2, 5)
    with pytest.raises(RuntimeError, match="Inplace update to inference tensor"):
        F.elu(inference_copy(x), inplace=True)  # PyTorch refuses too (after writing it)
    before = x.clone()
    with pytest.raises(RuntimeError, match="inference tensor cannot be overwritten in place "
                                           "outside torch.inference_mode"):
        et.elu(x, inplace=True)
    assert torch.equal(x, before)
    with torch.inference_mode():  # inside it, as in PyTorch, in place is allowed
        assert et.elu(x, inplace=True) is x
    assert torch.equal(x, et.elu(before))
    assert torch.equal(et.elu(torch.linspace(-2, 2, 5)), et.elu(before))  # out of place: fine


# ---------------------------------------------------------------------------------------------
# the negative bit (a lazy negation, torch._neg_view / conj of a real view): before, it raised
# "Can't call numpy() on Tensor that has negative bit set"


def test_tensors_with_the_negative_bit_compute_like_their_values():
    values = sample((3, 4))
    negated = torch._neg_view(values)
    assert negated.is_neg()
    for _, ours, theirs in VARIANTS:
        close(ours(negated), theirs(-values))
    target = torch._neg_view(values.clone())
    result = et.elu(target, 1.3, inplace=True)
    assert result is target and target.is_neg()
    close(target.resolve_neg(), F.elu(-values, 1.3))
    leaf = values.clone().requires_grad_()
    et.selu(torch._neg_view(leaf)).sum().backward()
    close(leaf.grad, torch.func.grad(lambda t: F.selu(-t).sum())(values))


# ---------------------------------------------------------------------------------------------
# what it does not compute is refused by name


def test_sparse_tensors_are_refused_with_the_way_out():
    sparse = torch.tensor([[0.0, -1.0], [2.0, 0.0]]).to_sparse()
    with pytest.raises(TypeError, match="dense \\(strided\\) tensors; got torch.sparse_coo.*"
                                        "to_dense"):
        et.elu(sparse)


def test_the_operators_are_registered_under_elunumba():
    x = sample((5,))
    params = (1.3, 1.0, 1.0)
    assert torch.equal(torch.ops.elunumba.elu(x, *params),
                       torch.from_numpy(elunumba.elu(x.numpy(), 1.3)))
    y = x.clone()
    assert torch.ops.elunumba.elu_(y, *params) is None and torch.equal(y, et.elu(x, 1.3))
    grad = sample((5,), seed=3)
    assert torch.equal(torch.ops.elunumba.elu_backward(grad, y, *params),
                       torch.from_numpy(elunumba.elu_backward(grad.numpy(), y.numpy(), 1.3)))


def test_the_inplace_operator_alone_under_vmap_and_compile():
    """elunumba::elu_ called directly (elunumba.torch itself records elu and a copy in graphs):
    its vmap rule writes through the batch, its fake implementation lets dynamo trace it."""
    def inplace(t):
        torch.ops.elunumba.elu_(t, 1.3, 1.0, 1.0)
        return t

    batch = sample((3, 5))
    expected = et.elu(batch, 1.3)
    func.vmap(inplace, in_dims=1, out_dims=1)(batch)
    assert torch.equal(batch, expected)
    again = sample((3, 5))
    torch.compile(inplace, fullgraph=True, backend="aot_eager")(again)
    assert torch.equal(again, expected)
