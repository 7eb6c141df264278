"""The ConvNetELU on scikit-learn's digits: each activation (elunumba's ELU and SELU, torch's
ELU, ReLU, LeakyReLU) from two initialisations over many seeds; per run the convergence
measures, dead units and mean activations."""

import dataclasses

import numpy as np

from . import convergence, data

# the keys of convnet.ACTIVATIONS, named here so that the design is known without torch
ACTIVATIONS = ("elunumba_elu", "torch_elu", "elunumba_selu", "relu", "leaky_relu")
INITS = ("torch", "gain")


@dataclasses.dataclass(frozen=True)
class Settings:
    activations: tuple = ACTIVATIONS
    inits: tuple = INITS
    seeds: tuple = tuple(range(10))
    budget: convergence.Budget = convergence.Budget(target=0.97, max_epochs=100, area_epochs=10)
    batch: int = 32
    learning_rate: float = 1e-3

    def runs(self):
        return [{"activation": activation, "init": init, "seed": seed}
                for init in self.inits for activation in self.activations for seed in self.seeds]


def train_one(settings, activation, init, seed, on_epoch=None):
    """One run; returns its record. The split, the initial weights (per init) and the batch
    order depend on the seed only."""
    import torch

    from . import convnet

    rng = np.random.default_rng(seed)
    train_images, train_labels, test_images, test_labels = (
        torch.from_numpy(array) for array in data.digits(rng))
    net = convnet.build(activation, init, seed)
    recorder = convnet.ActivationRecorder(net, activation)
    optimizer = torch.optim.Adam(net.parameters(), lr=settings.learning_rate)
    order_rng = np.random.default_rng([seed, 2])
    recorder.recording = True
    with torch.no_grad():
        net(train_images)
    at_init = recorder.mean_activation()

    def run_epoch():
        recorder.reset()
        recorder.recording = True
        order = torch.from_numpy(order_rng.permutation(len(train_labels)))
        loss_sum, batches = 0.0, 0
        for start in range(0, len(order), settings.batch):
            chosen = order[start:start + settings.batch]
            loss = torch.nn.functional.cross_entropy(net(train_images[chosen]),
                                                     train_labels[chosen])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss_sum += loss.detach().item()
            batches += 1
        recorder.recording = False
        with torch.no_grad():
            accuracy = float((net(test_images).argmax(dim=1) == test_labels).double().mean())
        return {"loss": loss_sum / batches, "test_accuracy": accuracy,
                # a unit (a channel of a convolution) is dead for the epoch when the activation's
                # slope was zero at every position of every training sample
                "dead_fraction": recorder.dead_fraction(),
                "mean_activation": recorder.mean_activation()}

    record = convergence.train_until(settings.budget, run_epoch, on_epoch)
    return {"experiment": "digits", "activation": convnet.ACTIVATIONS[activation].name,
            "key": activation, "init": init, "seed": seed, "mean_activation_at_init": at_init,
            **record}
