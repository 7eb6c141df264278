"""The NumPy training experiment: gradients against finite differences, the in-place activations,
dead-unit detection, a shortened run of `elunumba train`, and bad input."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from elunumba.lab.train import data, experiment, network
from elunumba_cli.main import cli

from cli_usage import assert_usage_error, hide_matplotlib


@pytest.mark.parametrize("layernorm", [False, True], ids=["plain", "layernorm"])
@pytest.mark.parametrize("activation", list(network.ACTIVATIONS))
def test_gradients_match_central_differences(activation, layernorm):
    points, labels = data.two_spirals(12, np.random.default_rng(0))
    net = network.Network([2, 5, 4, 2], network.ACTIVATIONS[activation], layernorm,
                          np.random.default_rng(1))
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


def test_shortened_run_writes_json_and_figure(tmp_path):
    out, figure = tmp_path / "train.json", tmp_path / "train.png"
    result = CliRunner().invoke(cli, ["train", "--epochs", "3", "--seeds", "2",
                                      "--activations", "relu,elu", "--json", str(out),
                                      "--plot", str(figure)])
    assert result.exit_code == 0, result.output
    written = json.loads(out.read_text())
    assert len(written["runs"]) == 2 * 2 * 2
    for run in written["runs"]:
        assert len(run["loss"]) == 3 and all(np.isfinite(run["loss"]))
        assert np.shape(run["dead_fraction"]) == (3, 3)
        assert np.shape(run["mean_activation"]) == (3, 3)
        assert 0.0 <= run["test_accuracy"] <= 1.0
    assert {(row["key"], row["layernorm"]) for row in written["summary"]} == \
        {("relu", False), ("relu", True), ("elu", False), ("elu", True)}
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "ReLU" in result.output and "ELU" in result.output


def test_runs_are_reproducible_and_share_data_across_activations():
    settings = experiment.Settings(epochs=2, hidden=(8, 8), train_size=64, test_size=64)
    first = experiment.train_one(settings, "elu", False, 5)
    again = experiment.train_one(settings, "elu", False, 5)
    assert first["loss"] == again["loss"] and first["test_accuracy"] == again["test_accuracy"]


@pytest.mark.parametrize("arguments, message", [
    (["--epochs", "0"], "--epochs"),
    (["--seeds", "0"], "--seeds"),
    (["--activations", "elu,gelu"], "distinct names from elu, selu, relu, leaky_relu"),
    (["--activations", "elu,elu"], "distinct names"),
    (["--layernorm", "maybe"], "--layernorm"),
    (["--learning-rate", "0"], "0.0 is not a finite number > 0 and <= 1"),
    (["--learning-rate", "2"], "<= 1"),
    (["--learning-rate", "nan"], "--learning-rate"),
    (["--json", "train.txt"], "unsupported file type '.txt'"),
    (["--plot", "missing/train.png"], "does not exist"),
])
def test_bad_input_exits_2_before_training(tmp_path, monkeypatch, arguments, message):
    assert_usage_error(tmp_path, monkeypatch, ["train", *arguments], message)


def test_plot_without_matplotlib_is_a_clear_error(tmp_path, monkeypatch):
    hide_matplotlib(monkeypatch)
    result = CliRunner().invoke(cli, ["train", "--plot", str(tmp_path / "train.png")])
    assert result.exit_code == 1
    assert "--plot needs matplotlib" in result.output
    assert list(tmp_path.iterdir()) == []
