"""Two interleaved spirals in the plane: a synthetic task that needs no download."""

import math

import numpy as np


def two_spirals(count, rng, noise=0.1, turns=1.5):
    """(points (count, 2), labels (count,)): half on each spiral, the second the first rotated by
    pi, Gaussian noise of std ``noise`` added; coordinates scaled to about unit spread."""
    half, rest = count // 2, count - count // 2
    angle = np.sqrt(rng.uniform(0.0, 1.0, rest)) * turns * 2.0 * math.pi
    radius = angle / (turns * 2.0 * math.pi) * 2.0
    spiral = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    points = np.concatenate([spiral[:half], -spiral]) + rng.normal(0.0, noise, (count, 2))
    labels = np.concatenate([np.zeros(half, np.int64), np.ones(rest, np.int64)])
    order = rng.permutation(count)
    return points[order], labels[order]
