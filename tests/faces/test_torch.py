"""elunumba.torch: values against an independent reference and against PyTorch, autograd
(gradcheck, double backward), in-place semantics, bfloat16, the modules, the ConvNetELU example, errors.
"""

import inspect
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

import elunumba  # noqa: E402
import elunumba.torch as et  # noqa: E402
from reference import (  # noqa: E402
    assert_ulp,
    backward_bound,
    elu_reference,
    forward_bound,
    grad_from_output_reference,
    ulp_distance,
)

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import bench_torch  # noqa: E402  (ConvNetELU, also what the benchmark trains)
TORCH_DTYPES = {np.float16: torch.float16, np.float32: torch.float32, np.float64: torch.float64}

# (name, ours, torch's, elunumba parameters)
VARIANTS = [
    ("elu", lambda t, **kw: et.elu(t, **kw), lambda t, **kw: F.elu(t, **kw),
     dict(alpha=1.0)),
    ("elu-1.3", lambda t, **kw: et.elu(t, 1.3, **kw), lambda t, **kw: F.elu(t, 1.3, **kw),
     dict(alpha=1.3)),
    ("selu", lambda t, **kw: et.selu(t, **kw), lambda t, **kw: F.selu(t, **kw),
     dict(alpha=elunumba.SELU_ALPHA, scale=elunumba.SELU_SCALE)),
    ("celu-0.7", lambda t, **kw: et.celu(t, 0.7, **kw), lambda t, **kw: F.celu(t, 0.7, **kw),
     dict(alpha=0.7, input_scale=1 / 0.7)),
]
VARIANT_IDS = [v[0] for v in VARIANTS]


def sample(dtype, rng, n=3000):
    """Negative inputs over every magnitude down to saturation, normal ones, and specials."""
    values = np.concatenate([-np.exp(rng.uniform(-20, 3.5, n)), rng.standard_normal(n // 3),
                             [0.0, -0.0, np.inf, -np.inf, np.nan]])
    return values.astype(dtype)


@pytest.mark.parametrize("name, ours, theirs, params", VARIANTS, ids=VARIANT_IDS)
def test_forward_within_the_documented_bound_and_next_to_torch(name, ours, theirs, params,
                                                               dtype, rng):
    x = sample(dtype, rng)
    got = ours(torch.from_numpy(x)).numpy()
    assert got.dtype == dtype
    assert_ulp(got, elu_reference(x, dtype=dtype, **params), forward_bound(dtype, **params),
               inputs=x, what=f"{name} {dtype}")
    # Both are within 3 ULP of the exact value (elunumba: the bound above, at most 1.2 for
    # these parameters; PyTorch 2.13: 1.79 measured by `elunumba accuracy`), so being
    # representable numbers they differ by at most 2 (float16: both correctly rounded, 1).
    expected = theirs(torch.from_numpy(x)).numpy()
    most = 1 if dtype == np.float16 else 2
    assert np.nanmax(ulp_distance(got, expected)) <= most
    assert np.array_equal(np.isnan(got), np.isnan(expected))


@pytest.mark.parametrize("name, ours, theirs, params", VARIANTS, ids=VARIANT_IDS)
def test_gradient_is_the_backward_from_the_output(name, ours, theirs, params, dtype, rng):
    x = torch.from_numpy(sample(dtype, rng)[:-1]).requires_grad_()  # no NaN: x.grad compares
    grad_out = torch.from_numpy(rng.uniform(-2, 2, x.shape).astype(dtype))
    y = ours(x)
    y.backward(grad_out)
    reference = grad_from_output_reference(grad_out.numpy(), y.detach().numpy(), dtype=dtype,
                                           **params)
    assert_ulp(x.grad.numpy(), reference, backward_bound(dtype), what=f"{name} grad")
    # PyTorch's in-place activation takes its gradient from the output too; the outputs may
    # differ by 2 ULP (see above), which input_scale*(y + alpha*scale) turns into an absolute
    # difference of a few ULPs of alpha*scale wherever y + alpha*scale cancels
    x_torch = x.detach().clone().requires_grad_()
    theirs(x_torch * 1, inplace=True).backward(grad_out)
    got, expected = x.grad.numpy().astype(np.float64), x_torch.grad.numpy().astype(np.float64)
    slope_scale = params["alpha"] * params.get("scale", 1) * params.get("input_scale", 1)
    # PyTorch 2.13's in-place CELU backward rounds alpha to float32 (1.7e-8 relative, float64)
    eps = max(np.finfo(dtype).eps, np.finfo(np.float32).eps if name.startswith("celu") else 0)
    tolerance = 4 * eps * (np.abs(expected) + slope_scale * np.abs(grad_out.numpy()))
    assert np.all(np.abs(got - expected) <= tolerance)


@pytest.mark.parametrize("inplace", [False, True], ids=["out-of-place", "inplace"])
@pytest.mark.parametrize("name, ours, theirs, params", VARIANTS, ids=VARIANT_IDS)
def test_gradcheck_and_double_backward_in_float64(name, ours, theirs, params, inplace):
    generator = torch.Generator().manual_seed(0)
    x = (torch.randn(4, 6, dtype=torch.float64, generator=generator) * 3).requires_grad_()

    def function(t):
        return ours(t * 1, inplace=inplace)  # `* 1`: in place needs a non-leaf

    assert torch.autograd.gradcheck(function, (x,))
    assert torch.autograd.gradgradcheck(function, (x,))


def test_third_derivative_matches_torch():
    x = torch.tensor([-2.0, -0.5, 0.5], dtype=torch.float64, requires_grad=True)

    def third(activation):
        (g1,) = torch.autograd.grad(activation(x).sum(), x, create_graph=True)
        (g2,) = torch.autograd.grad(g1.sum(), x, create_graph=True)
        (g3,) = torch.autograd.grad(g2.sum(), x)
        return g3

    assert torch.allclose(third(lambda t: et.elu(t, 1.3)), third(lambda t: F.elu(t, 1.3)),
                          rtol=1e-12, atol=0)


def test_inplace_writes_into_the_input_and_returns_it():
    x = torch.linspace(-3, 3, 50_000)  # above the parallel threshold as well
    expected = F.elu(x, 1.3)
    pointer, version = x.data_ptr(), x._version
    result = et.elu(x, 1.3, inplace=True)
    assert result is x and x.data_ptr() == pointer and x._version > version
    assert torch.equal(x, et.elu(torch.linspace(-3, 3, 50_000), 1.3))
    assert np.nanmax(ulp_distance(x.numpy(), expected.numpy())) <= 2


def test_inplace_without_gradient_still_tells_autograd():
    weight = torch.ones(3, requires_grad=True)
    x = torch.linspace(-1, 1, 3)
    product = weight * x  # keeps x for its backward
    et.elu(x, inplace=True)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        product.sum().backward()


def test_out_of_place_leaves_the_input_alone_and_keeps_its_layout():
    x = torch.randn(5, 8).t()  # a transposed view: not C-contiguous
    before = x.clone()
    y = et.selu(x)
    assert torch.equal(x, before)
    assert y.stride() == x.stride()
    strided = torch.randn(6, 10)[:, ::3]
    assert torch.equal(et.elu(strided), et.elu(strided.contiguous()))


def test_inplace_gradient_equals_out_of_place(rng):
    x = torch.from_numpy(rng.standard_normal((3, 7)).astype(np.float32)).requires_grad_()
    et.elu(x * 2, 0.8, inplace=True).sum().backward()
    inplace_grad = x.grad.clone()
    x.grad = None
    et.elu(x * 2, 0.8).sum().backward()
    assert torch.equal(inplace_grad, x.grad)


def test_only_the_output_is_kept_for_backward():
    x = torch.randn(10, dtype=torch.float64, requires_grad=True)
    h = x * 1
    y = et.elu(h)
    saved = [t for t in y.grad_fn.saved_tensors]
    assert len(saved) == 1 and torch.equal(saved[0], y)


def test_shapes_zero_dim_and_empty():
    assert et.elu(torch.tensor(-1.0)).shape == ()
    assert float(et.elu(torch.tensor(-1.0))) == pytest.approx(np.expm1(-1.0), rel=1e-7)
    empty = torch.empty(0, 3, requires_grad=True)
    y = et.elu(empty)
    y.sum().backward()
    assert y.shape == (0, 3) and empty.grad.shape == (0, 3)


def test_bfloat16_is_computed_in_float32_and_rounded_once(rng):
    x = torch.from_numpy(sample(np.float32, rng)).to(torch.bfloat16)
    got = et.elu(x, 1.3)
    assert got.dtype == torch.bfloat16
    bits = et.elu(x.float(), 1.3).to(torch.bfloat16).view(torch.int16)
    assert torch.equal(got.view(torch.int16), bits)
    expected = F.elu(x, 1.3)  # PyTorch computes bfloat16 in float32 as well
    differ = (got.float() != expected.float()) & ~(got.isnan() & expected.isnan())
    assert differ.sum() <= x.numel() // 100
    leaf = x[:-1].clone().requires_grad_()  # no NaN
    et.elu(leaf * 1, 1.3, inplace=True).backward(torch.ones_like(leaf))
    assert leaf.grad.dtype == torch.bfloat16
    y = et.elu(leaf.detach().float(), 1.3).to(torch.bfloat16).float()
    slope = torch.where(y > 0, 1.0, y + 1.3).to(torch.bfloat16)
    assert torch.equal(leaf.grad, slope)


def test_modules_take_torchs_constructor_arguments_and_print_alike():
    for ours, theirs in [(et.ELU, nn.ELU), (et.SELU, nn.SELU), (et.CELU, nn.CELU),
                         (et.elu, F.elu), (et.selu, F.selu), (et.celu, F.celu)]:
        assert arguments(ours) == arguments(theirs)
    for ours, theirs in [(et.ELU(0.5, inplace=True), nn.ELU(0.5, inplace=True)),
                         (et.ELU(), nn.ELU()), (et.SELU(inplace=True), nn.SELU(inplace=True)),
                         (et.CELU(2.0), nn.CELU(2.0))]:
        assert repr(ours) == repr(theirs)
        x = torch.linspace(-4, 4, 101)
        assert np.nanmax(ulp_distance(ours(x.clone()).numpy(), theirs(x.clone()).numpy())) <= 2


def arguments(function):
    """(name, default) of each parameter (PyTorch also annotates them)."""
    return [(p.name, p.default) for p in inspect.signature(function).parameters.values()]


def test_drops_into_convnet_elu_and_trains_like_torch():
    torch.manual_seed(0)
    reference = bench_torch.ConvNetELU(nn.ELU)
    ours = bench_torch.ConvNetELU(et.ELU)
    ours.load_state_dict(reference.state_dict())
    images = torch.randn(4, 3, 32, 32)
    labels = torch.tensor([0, 3, 7, 9])
    losses, parameters = [], []
    for model in (reference, ours):
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        torch.manual_seed(1)  # the same dropout mask
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        parameters.append(torch.cat([p.detach().reshape(-1) for p in model.parameters()]))
    assert losses[1] == pytest.approx(losses[0], rel=1e-5)
    assert torch.allclose(parameters[1], parameters[0], rtol=1e-4, atol=1e-6)


# ---------------------------------------------------------------------------------------------
# errors: each says what was wrong and what is accepted, and nothing is written


def test_refuses_integer_tensors_and_non_tensors():
    with pytest.raises(TypeError, match="int64.*|.*float32.*int64"):
        et.elu(torch.arange(3))
    with pytest.raises(TypeError, match="must be a torch.Tensor, got ndarray"):
        et.elu(np.zeros(3))


def test_refuses_devices_it_cannot_run_on():
    with pytest.raises(TypeError, match="CPU and CUDA tensors; got one on meta"):
        et.elu(torch.empty(3, device="meta"))


def test_refuses_bad_alpha():
    with pytest.raises(TypeError, match="alpha must be a real number, got '1'"):
        et.elu(torch.zeros(3), "1")
    with pytest.raises(TypeError, match="alpha must be a real number, got True"):
        et.ELU(True)(torch.zeros(3))
    for alpha in (0.0, -1.0):
        with pytest.raises(ValueError, match=f"celu needs alpha > 0.*got {alpha}"):
            et.celu(torch.zeros(3), alpha)


def test_negative_alpha_refused_for_gradients_before_writing():
    x = torch.linspace(-2, 2, 9, requires_grad=True)
    h = x * 1
    before = h.detach().clone()
    with pytest.raises(ValueError, match="alpha=-0.5 < 0 cannot be taken from its output"):
        et.elu(h, -0.5, inplace=True)
    assert torch.equal(h.detach(), before)
    with torch.no_grad():  # without gradients negative alpha is just a value
        expected = F.elu(before, -0.5)
        assert torch.allclose(et.elu(before, -0.5), expected)


def test_inplace_on_a_leaf_that_requires_grad_is_refused_before_writing():
    x = torch.linspace(-2, 2, 9, requires_grad=True)
    before = x.detach().clone()
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        et.elu(x, inplace=True)
    assert torch.equal(x.detach(), before)


# ---------------------------------------------------------------------------------------------
# imports


def test_import_does_not_shadow_torch_and_elunumba_does_not_import_it():
    probe = ("import sys, elunumba; assert 'torch' not in sys.modules; "
             "import elunumba.torch, torch; assert torch.nn.ELU and sys.modules['torch'] is torch; "
             "assert elunumba.torch.torch is torch; print('ok')")
    done = subprocess.run([sys.executable, "-W", "error", "-c", probe], cwd=ROOT,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA build of PyTorch and a GPU")
def test_cuda_tensors_match_the_cpu_and_gradcheck():
    x = torch.randn(1000, dtype=torch.float64)
    on_gpu = x.cuda().requires_grad_()
    stream = torch.cuda.Stream()
    with torch.cuda.stream(stream):
        y = et.elu(on_gpu, 1.3)
        y.backward(torch.ones_like(y))
    stream.synchronize()
    assert torch.equal(y.detach().cpu(), et.elu(x, 1.3))
    assert torch.autograd.gradcheck(lambda t: et.elu(t, 1.3), (on_gpu[:20].detach()
                                                                   .requires_grad_(),))
