"""The training experiments' parts: the NumPy perceptron's gradients against finite
differences, the in-place activations, dead-unit detection, the two initialisations, training to
a target, the deep networks against their prediction."""

import numpy as np
import pytest

from elunumba import stats
from elunumba.lab.train import convergence, data, depth, network, spirals


@pytest.mark.parametrize("init", list(network.INITS))
@pytest.mark.parametrize("layernorm", [False, True], ids=["plain", "layernorm"])
@pytest.mark.parametrize("activation", list(network.ACTIVATIONS))
def test_gradients_match_central_differences(activation, layernorm, init):
    points, labels = data.two_spirals(12, np.random.default_rng(0))
    net = network.Network([2, 5, 4, 2], network.ACTIVATIONS[activation], layernorm,
                          np.random.default_rng(1), init)
    _, grads, _, _ = net.loss_and_grads(points, labels)
    step = 1e-6
    for param, grad in zip(net.params, grads):
        assert grad.shape == param.shape
        for index in np.ndindex(param.shape):
            kept = param[index]
            param[index] = kept + step
            above = net.loss_and_grads(points, labels)[0]
            param[index] = kept - step
            below = net.loss_and_grads(points, labels)[0]
            param[index] = kept
            numeric = (above - below) / (2 * step)
            assert abs(numeric - grad[index]) <= 1e-5 * (abs(numeric) + abs(grad[index])) + 1e-9, \
                (index, numeric, grad[index])


@pytest.mark.parametrize("activation", list(network.ACTIVATIONS))
def test_activations_overwrite_their_input(activation):
    z = np.linspace(-3, 3, 64).reshape(8, 8)
    selu_alpha, selu_scale = 1.6732632423543772, 1.0507009873554805
    expected_y = {"elu": np.where(z > 0, z, np.expm1(z)),
                  "selu": selu_scale * np.where(z > 0, z, selu_alpha * np.expm1(z)),
                  "relu": np.maximum(z, 0), "leaky_relu": np.where(z > 0, z, 0.01 * z)}[activation]
    expected_grad = {"elu": np.where(z > 0, 1.0, np.exp(z)),
                     "selu": selu_scale * np.where(z > 0, 1.0, selu_alpha * np.exp(z)),
                     "relu": (z > 0) * 1.0, "leaky_relu": np.where(z > 0, 1.0, 0.01)}[activation]
    act = network.ACTIVATIONS[activation]
    buffer = z.copy()
    y = act.forward_(buffer)
    assert y is buffer  # in place: the pre-activation is gone
    np.testing.assert_allclose(y, expected_y, rtol=1e-15, atol=1e-15)
    np.testing.assert_allclose(act.backward(np.ones_like(y), y), expected_grad,
                               rtol=1e-15, atol=1e-15)


def test_a_unit_pushed_far_negative_is_dead_for_relu_and_alive_for_elu():
    points, labels = data.two_spirals(64, np.random.default_rng(0))
    found = {}
    for name in ("relu", "elu"):
        net = network.Network([2, 6, 2], network.ACTIVATIONS[name], False,
                              np.random.default_rng(3))
        net.params[1][0] = -10.0  # unit 0's bias: its pre-activation is negative everywhere
        _, _, _, alive = net.loss_and_grads(points, labels)
        found[name] = alive[0]
    assert not found["relu"][0] and found["elu"][0]
    assert found["elu"].all()


def test_the_two_initialisations():
    """gain: N(0, gain^2/fan_in) with stats' gain (sqrt 2 for ReLU), zero biases; torch:
    U(+-1/sqrt(fan_in)) for weights and biases whatever the activation."""
    rng = np.random.default_rng(0)
    relu = network.ACTIVATIONS["relu"]
    weight, bias = network.gain_init(rng, 400, 300, relu)
    assert np.all(bias == 0)
    assert weight.std() == pytest.approx(np.sqrt(2 / 400), rel=0.01)
    for activation in (relu, network.ACTIVATIONS["selu"]):
        weight, bias = network.torch_default_init(rng, 400, 300, activation)
        for values in (weight, bias):
            assert np.abs(values).max() <= 1 / 20 and np.abs(values).max() > 0.95 / 20
        assert weight.var() == pytest.approx(1 / (3 * 400), rel=0.02)
    with pytest.raises(ValueError, match="init must be one of gain, torch, got 'xavier'"):
        network.Network([2, 3, 2], relu, False, rng, "xavier")


def _fake_epochs(accuracies):
    found = iter(accuracies)
    return lambda: {"loss": 1.0, "test_accuracy": next(found)}


def test_training_stops_at_the_target_after_the_area_epochs():
    budget = convergence.Budget(target=0.9, max_epochs=10, area_epochs=4)
    accuracies = [0.5, 0.95, 0.8, 0.7, 0.6, 0.99] + [0] * 4
    early = convergence.train_until(budget, _fake_epochs(accuracies))
    assert early["epochs_to_target"] == 2 and early["epochs"] == 4
    assert early["loss_area"] == 4.0 and len(early["test_accuracy"]) == 4
    late = convergence.train_until(budget, _fake_epochs([0.1] * 6 + [0.9] + [0] * 3))
    assert late["epochs_to_target"] == 7 and late["epochs"] == 7
    assert late["cpu_seconds_to_target"] is not None
    never = convergence.train_until(budget, _fake_epochs([0.1] * 10))
    assert never["epochs_to_target"] is None and never["seconds_to_target"] is None
    assert never["epochs"] == 10


@pytest.mark.parametrize("arguments, message", [
    ((0.0, 10, 5), "target must be a test accuracy in (0, 1]"),
    ((1.5, 10, 5), "target must be"),
    ((0.9, 10, 0), "need 1 <= area_epochs (0) <= max_epochs (10)"),
    ((0.9, 3, 5), "need 1 <= area_epochs (5) <= max_epochs (3)"),
])
def test_a_budget_that_cannot_work_is_refused(arguments, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        convergence.Budget(*arguments)


def test_spirals_runs_are_reproducible_and_stop_early():
    settings = spirals.Settings(hidden=(16, 16), train_size=256, test_size=256,
                                budget=convergence.Budget(0.8, 60, 3))
    first = spirals.train_one(settings, "elu", False, "gain", 5)
    again = spirals.train_one(settings, "elu", False, "gain", 5)
    assert first["loss"] == again["loss"] and first["test_accuracy"] == again["test_accuracy"]
    assert first["epochs_to_target"] is not None and first["epochs"] < 60
    assert first["test_accuracy"][first["epochs_to_target"] - 1] >= 0.8
    assert len(first["mean_activation_at_init"]) == 2


def test_selu_with_the_gain_init_is_predicted_to_stay_at_its_fixed_point():
    mean, variance = depth.predicted("selu_gain", 20)
    np.testing.assert_allclose(mean, 0.0, atol=1e-9)
    np.testing.assert_allclose(variance, 1.0, rtol=1e-9)
    # PyTorch's default init gives weights a third of that variance: the signal fades
    mean, variance = depth.predicted("selu_torch", 20)
    assert variance[0] < 0.5 and variance[-1] < 1e-4


@pytest.mark.parametrize("configuration", list(depth.CONFIGURATIONS))
def test_deep_networks_follow_the_prediction_in_their_first_layers(configuration):
    """Wide enough, the measured mean and variance of the first layers sit on the mean-field
    prediction (the tolerance is the sampling noise of one 512-wide network)."""
    mean, variance = depth.measure(configuration, 4, 512, 512, seed=0)
    expected_mean, expected_variance = depth.predicted(configuration, 4)
    np.testing.assert_allclose(variance, expected_variance, rtol=0.1)
    np.testing.assert_allclose(mean, expected_mean, atol=0.05)


def test_the_digits_are_split_by_the_seed():
    pytest.importorskip("sklearn")
    first = data.digits(np.random.default_rng(0))
    train_images, _, test_images, test_labels = first
    assert train_images.shape == (1348, 1, 8, 8) and test_images.shape == (449, 1, 8, 8)
    assert train_images.dtype == np.float32 and 0 <= train_images.min() < train_images.max() <= 1
    assert set(test_labels) == set(range(10))
    again = data.digits(np.random.default_rng(0))
    other = data.digits(np.random.default_rng(1))
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not np.array_equal(first[1], other[1])


def test_selu_fixed_point_is_what_the_depth_summary_records():
    summary = depth.summarize(depth.Settings(configurations=("selu_gain",), depth=2, seeds=(0, 1)),
                              [{"configuration": "selu_gain", "seed": s, "mean": [0.1, 0.2],
                                "variance": [1.0, 1.1]} for s in (0, 1)])
    assert summary["fixed_point"] == dict(zip(("alpha", "scale"), stats.selu_fixed_point()))
    assert summary["selu_gain"]["measured"]["variance"][1]["median"] == pytest.approx(1.1)
