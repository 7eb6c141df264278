"""The ConvNet on the digits: the tutorial's ConvNetELU layout, the same losses with torch's ELU
and with elunumba.torch's, and dead units as the in-place backward pass sees them."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("sklearn")

import elunumba.torch as elunumba_torch  # noqa: E402
from elunumba.lab.train import convergence, convnet, digits  # noqa: E402


def test_the_design_names_every_activation_of_the_network():
    assert tuple(convnet.ACTIVATIONS) == digits.ACTIVATIONS


def test_the_network_is_the_seeds_convnet_pattern():
    net = convnet.build("elunumba_elu", "torch", 0)
    kinds = [type(m) for m in net]
    nn = torch.nn
    assert kinds == [nn.Conv2d, elunumba_torch.ELU, nn.MaxPool2d, nn.Conv2d, elunumba_torch.ELU,
                     nn.MaxPool2d, nn.Flatten, nn.Linear, elunumba_torch.ELU, nn.Linear]
    assert all(m.inplace for m in net if isinstance(m, elunumba_torch.ELU))
    assert net(torch.zeros(3, 1, 8, 8)).shape == (3, 10)


@pytest.mark.parametrize("init", convnet.INITS)
def test_torch_elu_and_elunumba_elu_start_alike_and_train_to_the_same_losses(init):
    settings = digits.Settings(budget=convergence.Budget(1.0, 2, 2))
    first, second = convnet.build("torch_elu", init, 4), convnet.build("elunumba_elu", init, 4)
    for a, b in zip(first.parameters(), second.parameters()):
        assert torch.equal(a, b)
    with_torch = digits.train_one(settings, "torch_elu", init, 4)
    with_elunumba = digits.train_one(settings, "elunumba_elu", init, 4)
    assert with_torch["epochs"] == with_elunumba["epochs"] == 2
    # float32 kernels that differ by an ULP here and there: the losses agree to float32 noise
    np.testing.assert_allclose(with_elunumba["loss"], with_torch["loss"], rtol=2e-5)
    np.testing.assert_allclose(with_elunumba["mean_activation"], with_torch["mean_activation"],
                               rtol=1e-4, atol=1e-6)
    assert with_elunumba["test_accuracy"] == with_torch["test_accuracy"]


def test_other_inits_and_activations_give_other_losses():
    settings = digits.Settings(budget=convergence.Budget(1.0, 1, 1))
    losses = {(activation, init): digits.train_one(settings, activation, init, 0)["loss"][0]
              for activation in ("torch_elu", "relu") for init in convnet.INITS}
    assert len(set(losses.values())) == 4


@pytest.mark.parametrize("activation", ["elunumba_elu", "torch_elu", "relu", "leaky_relu",
                                        "elunumba_selu"])
@pytest.mark.parametrize("bias", [-10.0, -30.0])
def test_a_unit_is_dead_where_the_inplace_backward_gives_it_no_gradient(activation, bias):
    """A channel pushed far negative: ReLU's is dead; ELU's and SELU's are alive at -10 but dead
    at -30 in float32, where the output rounds to -alpha*scale and the slope taken from it,
    y + alpha*scale, is exactly zero; LeakyReLU's never is. The recorder's verdict is checked
    against the gradient autograd really gives."""
    net = convnet.build(activation, "gain", 0)
    with torch.no_grad():
        net[0].bias[0] = bias
        net[0].weight[0].zero_()
    recorder = convnet.ActivationRecorder(net, activation)
    recorder.recording = True
    images = torch.rand(16, 1, 8, 8)
    pre = net[0](images).detach().requires_grad_()
    out = net[1](pre.clone())
    out.sum().backward()
    has_gradient = bool(pre.grad[:, 0].abs().max() > 0)
    net(images)
    dead = recorder.dead_fraction()[0] > 0
    assert dead == (not has_gradient)
    expected_dead = activation == "relu" or (activation != "leaky_relu" and bias == -30.0)
    assert dead == expected_dead
