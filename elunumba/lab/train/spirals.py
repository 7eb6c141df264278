"""The perceptron on two spirals: each activation, without and with LayerNorm, from two
initialisations, over many seeds; per run the convergence measures, dead units and mean
activations."""

import dataclasses

import numpy as np

from . import convergence, data, network


@dataclasses.dataclass(frozen=True)
class Settings:
    activations: tuple = tuple(network.ACTIVATIONS)
    layernorm: tuple = (False, True)
    inits: tuple = tuple(network.INITS)
    seeds: tuple = tuple(range(10))
    budget: convergence.Budget = convergence.Budget(target=0.98, max_epochs=300, area_epochs=30)
    hidden: tuple = (32, 32, 32)
    train_size: int = 512
    test_size: int = 512
    batch: int = 64
    learning_rate: float = 0.01
    noise: float = 0.1

    def runs(self):
        return [{"activation": activation, "layernorm": layernorm, "init": init, "seed": seed}
                for init in self.inits for layernorm in self.layernorm
                for activation in self.activations for seed in self.seeds]


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


def train_one(settings, activation, layernorm, init, seed, on_epoch=None):
    """One run; returns its record. The data depend on the seed only, so every activation,
    LayerNorm and init choice sees the same points and the same batch order, and the initial
    weights of one init come from the same stream."""
    rng = np.random.default_rng(seed)
    train_points, train_labels = data.two_spirals(settings.train_size, rng, settings.noise)
    test_points, test_labels = data.two_spirals(settings.test_size, rng, settings.noise)
    widths = [2, *settings.hidden, 2]
    net = network.Network(widths, network.ACTIVATIONS[activation], layernorm,
                          np.random.default_rng([seed, 1]), init)
    optimizer = _Adam(net.params, settings.learning_rate)
    order_rng = np.random.default_rng([seed, 2])
    at_init = [float(y.mean()) for y in net.forward(train_points)[1]]

    def run_epoch():
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
        return {
            "loss": loss_sum / batches,
            "test_accuracy": float(np.mean(net.predict(test_points) == test_labels)),
            # a unit is dead for the epoch when its gradient was zero on every training sample
            "dead_fraction": [float(1.0 - a.mean()) for a in alive],
            "mean_activation": (sums / batches).tolist(),
        }

    record = convergence.train_until(settings.budget, run_epoch, on_epoch)
    return {"experiment": "spirals", "activation": network.ACTIVATIONS[activation].name,
            "key": activation, "layernorm": layernorm, "init": init, "seed": seed,
            "mean_activation_at_init": at_init, **record,
            "train_accuracy": float(np.mean(net.predict(train_points) == train_labels))}
