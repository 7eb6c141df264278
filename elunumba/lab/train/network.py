"""The perceptron: Linear → (LayerNorm) → activation per hidden layer, then a Linear to two
logits and softmax cross-entropy; forward and backward written out in NumPy.

The activations run through elunumba's kernels in place: the forward overwrites its input with
``elu(z, out=z)`` and the backward uses only that stored output (``elu_backward(grad, y)``), so no
pre-activation is kept. LeakyReLU is not an ELU; it is composed from the ReLU kernel (ELU with
alpha = 0): y = (1 - slope)*relu(z) + slope*z, and since y and z share their sign,
grad_z = (1 - slope)*elu_backward(grad, relu(y), 0) + slope*grad.
"""

import numpy as np

import elunumba

from ... import stats


class EluActivation:
    """ELU in PyTorch's parameterisation; ReLU is alpha = 0, SELU alpha, scale = SELU's."""

    def __init__(self, name, alpha, scale=1.0):
        self.name, self.alpha, self.scale = name, alpha, scale

    def forward_(self, z):
        return elunumba.elu(z, self.alpha, scale=self.scale, out=z)

    def backward(self, grad_y, y):
        return elunumba.elu_backward(grad_y, y, self.alpha, scale=self.scale)

    def moments(self, sigma):
        return stats.elu_moments(0.0, sigma, self.alpha, scale=self.scale)


class LeakyReluActivation:
    def __init__(self, name, slope):
        self.name, self.slope = name, slope

    def forward_(self, z):
        relu = elunumba.elu(z, 0.0)
        z *= self.slope
        z += (1.0 - self.slope) * relu
        return z

    def backward(self, grad_y, y):
        through_relu = elunumba.elu_backward(grad_y, elunumba.elu(y, 0.0), 0.0)
        return (1.0 - self.slope) * through_relu + self.slope * grad_y

    def moments(self, sigma):
        return stats.leaky_relu_moments(0.0, sigma, self.slope)


ACTIVATIONS = {
    "elu": EluActivation("ELU", 1.0),
    "selu": EluActivation("SELU", elunumba.SELU_ALPHA, elunumba.SELU_SCALE),
    "relu": EluActivation("ReLU", 0.0),
    "leaky_relu": LeakyReluActivation("LeakyReLU(0.01)", 0.01),
}
LAYERNORM_EPSILON = 1e-5


class Network:
    """Parameters in one list (W, b[, gamma, beta] per hidden layer, then W, b of the output),
    so that an optimizer and a finite-difference check can walk them alike."""

    def __init__(self, widths, activation, layernorm, rng):
        self.activation, self.layernorm = activation, layernorm
        # weights ~ N(0, gain^2 / fan_in) with the gain that keeps a unit-variance normal
        # pre-activation at unit variance through this activation (Kaiming's sqrt(2) for ReLU)
        gain = float(stats.init_gain(activation.moments(1.0), 1.0))
        self.params = []
        for fan_in, fan_out in zip(widths[:-2], widths[1:-1]):
            self.params += [rng.normal(0.0, gain / np.sqrt(fan_in), (fan_in, fan_out)),
                            np.zeros(fan_out)]
            if layernorm:
                self.params += [np.ones(fan_out), np.zeros(fan_out)]
        self.params += [rng.normal(0.0, 1.0 / np.sqrt(widths[-2]), (widths[-2], widths[-1])),
                        np.zeros(widths[-1])]
        self.hidden_layers = len(widths) - 2
        self.per_layer = 4 if layernorm else 2  # W, b[, gamma, beta]

    def _layer(self, index):
        """(W, b, gamma, beta) of hidden layer ``index``; gamma, beta None without LayerNorm."""
        found = self.params[index * self.per_layer: (index + 1) * self.per_layer]
        return (*found, None, None) if not self.layernorm else tuple(found)

    def loss_and_grads(self, points, labels):
        """(mean cross-entropy, gradients in the order of params, outputs, alive).

        ``outputs``: the stored output y of each hidden layer, for the caller's statistics;
        ``alive``: per layer, which units had a nonzero gradient on some sample of the batch.
        """
        inputs, outputs, norms = [], [], []
        h = points
        for index in range(self.hidden_layers):
            weight, bias, gamma, beta = self._layer(index)
            inputs.append(h)
            z = h @ weight + bias
            if self.layernorm:
                z, state = _layernorm_forward(z, gamma, beta)
                norms.append(state)
            h = self.activation.forward_(z)
            outputs.append(h)
        weight, bias = self.params[-2], self.params[-1]
        logits = h @ weight + bias
        loss, grad_logits = _cross_entropy(logits, labels)

        grads = [None] * len(self.params)
        grads[-2], grads[-1] = h.T @ grad_logits, grad_logits.sum(axis=0)
        grad_h = grad_logits @ weight.T
        alive = [None] * self.hidden_layers
        for index in reversed(range(self.hidden_layers)):
            weight, _, gamma, _ = self._layer(index)
            grad_z = self.activation.backward(grad_h, outputs[index])
            alive[index] = np.any(grad_z != 0.0, axis=0)
            first = index * self.per_layer
            if self.layernorm:
                grad_z, grads[first + 2], grads[first + 3] = \
                    _layernorm_backward(grad_z, gamma, norms[index])
            grads[first] = inputs[index].T @ grad_z
            grads[first + 1] = grad_z.sum(axis=0)
            grad_h = grad_z @ weight.T
        return loss, grads, outputs, alive

    def predict(self, points):
        h = points
        for index in range(self.hidden_layers):
            weight, bias, gamma, beta = self._layer(index)
            z = h @ weight + bias
            if self.layernorm:
                z, _ = _layernorm_forward(z, gamma, beta)
            h = self.activation.forward_(z)
        return np.argmax(h @ self.params[-2] + self.params[-1], axis=1)


def _layernorm_forward(z, gamma, beta):
    mean = z.mean(axis=1, keepdims=True)
    inverse_std = 1.0 / np.sqrt(z.var(axis=1, keepdims=True) + LAYERNORM_EPSILON)
    normalized = (z - mean) * inverse_std
    return normalized * gamma + beta, (normalized, inverse_std)


def _layernorm_backward(grad_out, gamma, state):
    normalized, inverse_std = state
    grad_normalized = grad_out * gamma
    width = normalized.shape[1]
    grad_z = inverse_std / width * (
        width * grad_normalized - grad_normalized.sum(axis=1, keepdims=True)
        - normalized * (grad_normalized * normalized).sum(axis=1, keepdims=True))
    return grad_z, (grad_out * normalized).sum(axis=0), grad_out.sum(axis=0)


def _cross_entropy(logits, labels):
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(len(labels))
    loss = -log_probabilities[rows, labels].mean()
    grad = np.exp(log_probabilities)
    grad[rows, labels] -= 1.0
    return loss, grad / len(labels)
