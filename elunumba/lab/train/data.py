"""The two tasks, neither needing a download: two interleaved spirals in the plane (synthetic)
and scikit-learn's bundled handwritten digits."""

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


def digits(rng, test_fraction=0.25):
    """scikit-learn's bundled handwritten digits (1,797 8x8 images, ten classes; no download),
    pixels scaled from 0..16 to 0..1, split at random by ``rng`` into (train_images,
    train_labels, test_images, test_labels); images as (count, 1, 8, 8) float32."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ImportError("the digits data come with scikit-learn: pip install "
                          "'elunumba[train]'") from None
    bunch = load_digits()
    images = (bunch.images / 16.0).astype(np.float32)[:, None, :, :]
    labels = bunch.target.astype(np.int64)
    order = rng.permutation(len(labels))
    test_count = round(test_fraction * len(labels))
    test, train = order[:test_count], order[test_count:]
    return images[train], labels[train], images[test], labels[test]
