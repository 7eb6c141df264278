"""elunumba.torch under graph capture: torch.compile(fullgraph=True) gives the eager results bit
for bit, forward and backward, for ELU, SELU and CELU, in place or not, in every dtype the eager
path computes and with dynamic shapes; torch.export and torch.jit.trace record the operators;
forward mode under torch.compile runs eagerly rather than dropping the tangent.

The matrix compiles with the aot_eager backend (dynamo, the fake implementations and AOTAutograd
with the registered backward: everything that touches elunumba's operators, without C++ code
generation for the surrounding arithmetic); one test uses the default backend, inductor.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch._dynamo.testing  # noqa: E402,F811  (the submodule, beside the module torch)
import torch.autograd.forward_ad as fwAD  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

import elunumba.torch as et  # noqa: E402

# PyTorch 2.13 deprecates TorchScript, and its own inductor and functorch still call it:
# torch.jit's deprecation warnings, and those alone, are PyTorch's business here
pytestmark = pytest.mark.filterwarnings(
    "ignore:`torch.jit.[a-z_]+` is deprecated. Please switch to `torch.compile`:DeprecationWarning")


@pytest.fixture(autouse=True)
def fresh_compiler():
    """Each test compiles from scratch: the parametrized ones compile the same code objects, and
    dynamo's recompile limit counts across tests."""
    torch._dynamo.reset()
    yield
    torch._dynamo.reset()


DTYPES = [torch.float32, torch.float64, torch.float16, torch.bfloat16]
DTYPE_IDS = ["float32", "float64", "float16", "bfloat16"]


def three_activations(x, inplace):
    """ELU(1.3), SELU and CELU(0.7) of three inputs; ``x * c`` makes non-leaf tensors that
    in-place calls may overwrite. Three inputs, so that each gradient is one activation's alone
    (a sum of three would depend on the order in which autograd adds them)."""
    return (et.elu(x[0] * 2, 1.3, inplace=inplace), et.selu(x[1] * 1, inplace=inplace),
            et.celu(x[2] * 3, 0.7, inplace=inplace))


def inputs(dtype, n=4000, seed=0):
    """Negative values of every magnitude down to saturation, positive ones and signed zeros."""
    rng = np.random.default_rng(seed)
    values = np.concatenate([-np.exp(rng.uniform(-12, 3, n)), rng.standard_normal(n // 4),
                             [0.0, -0.0]])
    return torch.from_numpy(values).to(dtype)


def bits(tensor):
    """The stored bits, so that equality is bit for bit (signed zeros, NaN payloads)."""
    return tensor.detach().view({2: torch.int16, 4: torch.int32, 8: torch.int64}[
        tensor.element_size()])


def assert_bitwise_equal(got, expected):
    assert got.dtype == expected.dtype and got.shape == expected.shape
    assert torch.equal(bits(got), bits(expected))


def forward_and_backward(function, x, grad_seed=1, mark_dynamic=False):
    """The outputs of ``function(x)`` for x stacked three times (rows of one tensor), and the
    gradient with respect to x of the outputs weighted by fixed tensors."""
    leaf = torch.stack([x.detach()] * 3).requires_grad_()
    if mark_dynamic:
        torch._dynamo.mark_dynamic(leaf, 1)
    outputs = function(leaf)
    generator = torch.Generator().manual_seed(grad_seed)
    weights = [torch.randn(y.shape, generator=generator).to(y.dtype) for y in outputs]
    (gradient,) = torch.autograd.grad(outputs, leaf, weights)
    return [y.detach() for y in outputs], gradient


@pytest.mark.parametrize("inplace", [False, True], ids=["out-of-place", "inplace"])
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_compiled_forward_and_backward_are_eager_bit_for_bit(dtype, inplace):
    x = inputs(dtype)
    eager = lambda t: three_activations(t, inplace)  # noqa: E731
    compiled = torch.compile(eager, fullgraph=True, backend="aot_eager")
    eager_outputs, eager_gradient = forward_and_backward(eager, x)
    compiled_outputs, compiled_gradient = forward_and_backward(compiled, x)
    for got, expected in zip(compiled_outputs, eager_outputs):
        assert_bitwise_equal(got, expected)
    assert_bitwise_equal(compiled_gradient, eager_gradient)
    # and without gradients (in place: the mutating operator)
    with torch.no_grad():
        for got, expected in zip(compiled(torch.stack([x] * 3)), eager(torch.stack([x] * 3))):
            assert_bitwise_equal(got, expected)


@pytest.mark.parametrize("dynamic", ["dynamic=True", "mark_dynamic"])
def test_dynamic_shapes_do_not_recompile(dynamic):
    counts = torch._dynamo.testing.CompileCounterWithBackend("aot_eager")
    function = lambda t: three_activations(t, inplace=True)  # noqa: E731
    compiled = torch.compile(function, fullgraph=True, backend=counts,
                             dynamic=True if dynamic == "dynamic=True" else None)
    compiled_after_first = None
    for rows in (4, 5, 11):  # not 3 or 7, which the other dimensions have
        x = torch.randn(rows, 7, generator=torch.Generator().manual_seed(rows))
        got, gradient = forward_and_backward(compiled, x, mark_dynamic=dynamic == "mark_dynamic")
        expected, expected_gradient = forward_and_backward(function, x)
        for a, b in zip(got, expected):
            assert_bitwise_equal(a, b)
        assert_bitwise_equal(gradient, expected_gradient)
        compiled_after_first = compiled_after_first or counts.frame_count
    assert counts.frame_count == compiled_after_first >= 1  # no new shape recompiled


def test_the_readme_model_compiles_with_the_default_backend(tmp_path, monkeypatch):
    # inductor's on-disk kernel cache does not key on ATEN_CPU_CAPABILITY: kernels compiled for
    # AVX-512 and reused with AVX2 forced give wrong gradients (torch.nn.ELU's too), so this
    # test compiles into a cache of its own
    monkeypatch.setenv("TORCHINDUCTOR_CACHE_DIR", str(tmp_path))
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 64), et.ELU(), nn.Linear(64, 1))
    x = torch.randn(32, 64)
    compiled = torch.compile(model, fullgraph=True)
    got = compiled(x)
    got.sum().backward()
    compiled_grads = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    expected = model(x)
    expected.sum().backward()
    # inductor may fuse the Linear layers' arithmetic differently from eager: the activation's
    # own bits are checked in the matrix above; here, values and gradients agree to rounding
    assert torch.allclose(got, expected, rtol=1e-5, atol=1e-6)
    for got_grad, p in zip(compiled_grads, model.parameters()):
        assert torch.allclose(got_grad, p.grad, rtol=1e-5, atol=1e-6)
    graph_ops = torch._dynamo.explain(model)(x)
    assert graph_ops.graph_break_count == 0


class SmallModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(8, 8)
        self.act = et.CELU(0.7)

    def forward(self, x):
        return et.selu(self.act(self.linear(x)))


def test_export_records_the_operators_and_runs_like_eager():
    torch.manual_seed(0)
    model = SmallModel()
    x = torch.randn(4, 8)
    exported = torch.export.export(model, (x,))
    targets = [str(node.target) for node in exported.graph.nodes if node.op == "call_function"]
    assert targets.count("elunumba.elu.default") == 2
    with torch.no_grad():
        assert_bitwise_equal(exported.module()(x), model(x))


def test_jit_trace_records_the_operator_and_runs_new_inputs():
    # before: the trace kept an empty_like and not the kernel, and returned uninitialised memory
    x = torch.randn(50)
    traced = torch.jit.trace(et.ELU(1.3), x)
    assert "elunumba::elu" in str(traced.graph)
    other = torch.randn(50, generator=torch.Generator().manual_seed(3))
    assert_bitwise_equal(traced(other), et.elu(other, 1.3))
    inplace = torch.jit.trace(et.SELU(inplace=True), x.clone())
    other_copy = other.clone()
    assert_bitwise_equal(inplace(other_copy), et.selu(other))
    assert_bitwise_equal(other_copy, et.selu(other))


# dynamo itself reads .grad of the non-leaf dual tensor when it resumes after the graph break
@pytest.mark.filterwarnings("ignore:The .grad attribute of a Tensor that is not a leaf:UserWarning")
def test_forward_mode_under_compile_runs_eagerly_and_fullgraph_says_why():
    x = torch.randn(20, dtype=torch.float64)
    tangent = torch.randn(20, dtype=torch.float64)

    def tangent_of_celu(primal, direction):
        return torch.func.jvp(lambda t: et.celu(t, 0.7), (primal,), (direction,))[1]

    with pytest.raises(Exception, match="forward-mode derivative \\(jvp\\) runs eagerly"):
        torch.compile(tangent_of_celu, fullgraph=True, backend="aot_eager")(x, tangent)
    torch._dynamo.reset()
    got = torch.compile(tangent_of_celu, backend="aot_eager")(x, tangent)
    assert_bitwise_equal(got, tangent_of_celu(x, tangent))
    # against the exact tangent (PyTorch 2.13's own CELU jvp rounds alpha to float32: 1e-7)
    exact = torch.where(x > 0, 1.0, torch.exp(x / 0.7)) * tangent
    # from the output: input_scale*(y + alpha) loses y's relative accuracy where it cancels
    eps = torch.finfo(torch.float64).eps
    assert torch.all((got - exact).abs() <= 4 * eps * (exact.abs() + tangent.abs()))

    model = torch.compile(nn.Sequential(nn.Linear(20, 20), et.ELU()).double(),
                          backend="aot_eager")
    model(x)  # compiled without forward mode first

    def dual_tangent(module):
        with fwAD.dual_level():
            return fwAD.unpack_dual(module(fwAD.make_dual(x, tangent))).tangent

    reference = nn.Sequential(nn.Linear(20, 20), nn.ELU()).double()
    reference.load_state_dict(model._orig_mod.state_dict())
    assert torch.allclose(dual_tangent(model), dual_tangent(reference), rtol=1e-12, atol=1e-15)


def test_torch_func_grad_under_compile_refuses_rather_than_answer():
    # PyTorch's custom operators do not run under torch.func.grad inside torch.compile
    # (pytorch/pytorch#179652): an error, never a wrong gradient
    x = torch.randn(6, dtype=torch.float64)
    with pytest.raises(Exception, match="setup_context"):
        torch.compile(torch.func.grad(lambda t: et.elu(t).sum()), backend="aot_eager")(x)


def test_compiled_inplace_refuses_what_torch_refuses():
    function = torch.compile(lambda t: et.elu(t, inplace=True), fullgraph=True,
                             backend="aot_eager")
    base = torch.tensor([[-1.0, 2.0, -3.0]])
    with pytest.raises(Exception, match="refers to a single memory location"):
        function(base.expand(4, 3))
    assert torch.equal(base, torch.tensor([[-1.0, 2.0, -3.0]]))
    # an inference tensor: PyTorch raises after the compiled graph has written it, for its own
    # F.elu as for elunumba's (dynamo cannot ask is_inference() while tracing); the same result
    theirs = torch.compile(lambda t: F.elu(t, inplace=True), fullgraph=True, backend="aot_eager")
    written = []
    for compiled in (function, theirs):
        with torch.inference_mode():
            x = torch.linspace(-2, 2, 5)
        with pytest.raises(RuntimeError, match="Inplace update to inference tensor"):
            compiled(x)
        written.append(x)
    assert torch.allclose(written[0], written[1], rtol=1e-6, atol=0)
