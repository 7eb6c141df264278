"""The experiment: the same perceptron on two spirals with each activation, with and without
LayerNorm, several seeds; per run the loss curve, dead units, mean activations and accuracy."""

import dataclasses
import time

import numpy as np

from . import data, network


@dataclasses.dataclass(frozen=True)
class Settings:
    activations: tuple = tuple(network.ACTIVATIONS)
    layernorm: tuple = (False, True)
    seeds: tuple = (0, 1, 2)
    # sized to finish in under a minute on a 2-core machine (README: the training experiment)
    epochs: int = 30
    hidden: tuple = (32, 32, 32)
    train_size: int = 512
    test_size: int = 512
    batch: int = 64
    learning_rate: float = 0.01
    noise: float = 0.1

    def runs(self):
        return [(activation, layernorm, seed) for activation in self.activations
                for layernorm in self.layernorm for seed in self.seeds]


class _Adam:
    def __init__(self, params, learning_rate, beta1=0.9, beta2=0.999, epsilon=1e-8):
        self.params, self.rate = params, learning_rate
        self.beta1, self.beta2, self.epsilon = beta1, beta2, epsilon
        self.first = [np.zeros_like(p) for p in params]
        self.second = [np.zeros_like(p) for p in params]
        self.steps = 0

    def step(self, grads):
        self.steps += 1
        correction1 = 1.0 - self.beta1 ** self.steps
        correction2 = 1.0 - self.beta2 ** self.steps
        for param, grad, first, second in zip(self.params, grads, self.first, self.second):
            first *= self.beta1
            first += (1.0 - self.beta1) * grad
            second *= self.beta2
            second += (1.0 - self.beta2) * grad * grad
            param -= self.rate * (first / correction1) / (np.sqrt(second / correction2)
                                                          + self.epsilon)


def train_one(settings, activation, layernorm, seed, on_epoch=None):
    """One run; returns its record. The data depend on the seed only, so every activation and
    LayerNorm choice sees the same points, initial weights drawn from the same stream, and the
    same batch order."""
    rng = np.random.default_rng(seed)
    train_points, train_labels = data.two_spirals(settings.train_size, rng, settings.noise)
    test_points, test_labels = data.two_spirals(settings.test_size, rng, settings.noise)
    widths = [2, *settings.hidden, 2]
    net = network.Network(widths, network.ACTIVATIONS[activation], layernorm,
                          np.random.default_rng([seed, 1]))
    optimizer = _Adam(net.params, settings.learning_rate)
    order_rng = np.random.default_rng([seed, 2])
    losses, dead, mean_activation = [], [], []
    started = time.perf_counter()
    for epoch in range(settings.epochs):
        order = order_rng.permutation(settings.train_size)
        alive = [np.zeros(width, bool) for width in settings.hidden]
        sums = np.zeros(len(settings.hidden))
        loss_sum, batches = 0.0, 0
        for start in range(0, settings.train_size, settings.batch):
            chosen = order[start:start + settings.batch]
            loss, grads, outputs, alive_now = net.loss_and_grads(train_points[chosen],
                                                                 train_labels[chosen])
            optimizer.step(grads)
            for layer, (y, now) in enumerate(zip(outputs, alive_now)):
                alive[layer] |= now
                sums[layer] += y.mean()
            loss_sum += loss
            batches += 1
        losses.append(loss_sum / batches)
        # a unit is dead for the epoch when its gradient was zero on every training sample
        dead.append([float(1.0 - a.mean()) for a in alive])
        mean_activation.append((sums / batches).tolist())
        if on_epoch is not None:
            on_epoch(epoch + 1)
    return {
        "activation": network.ACTIVATIONS[activation].name, "key": activation,
        "layernorm": layernorm, "seed": seed,
        "loss": losses, "dead_fraction": dead, "mean_activation": mean_activation,
        "train_accuracy": float(np.mean(net.predict(train_points) == train_labels)),
        "test_accuracy": float(np.mean(net.predict(test_points) == test_labels)),
        "seconds": time.perf_counter() - started,
    }


def summarize(records):
    """Per (activation, LayerNorm): mean and spread over seeds of what the runs measured."""
    groups = {}
    for record in records:
        groups.setdefault((record["key"], record["layernorm"]), []).append(record)
    summary = []
    for (key, layernorm), runs in groups.items():
        def spread(values):
            values = np.asarray(values, dtype=np.float64)
            return {"mean": float(values.mean()), "min": float(values.min()),
                    "max": float(values.max())}
        summary.append({
            "activation": runs[0]["activation"], "key": key, "layernorm": layernorm,
            "seeds": len(runs),
            "test_accuracy": spread([r["test_accuracy"] for r in runs]),
            "final_loss": spread([r["loss"][-1] for r in runs]),
            # the mean of the loss curve: lower means it came down sooner
            "mean_loss": spread([np.mean(r["loss"]) for r in runs]),
            # fractions of all hidden units (the mean over layers), at the end and at the worst
            "dead_fraction_final": spread([np.mean(r["dead_fraction"][-1]) for r in runs]),
            "dead_fraction_max": spread([np.max(np.mean(r["dead_fraction"], axis=1))
                                         for r in runs]),
            "mean_activation_first_epoch": spread([np.mean(r["mean_activation"][0])
                                                   for r in runs]),
            "mean_activation_final": spread([np.mean(r["mean_activation"][-1]) for r in runs]),
        })
    return summary
