"""What several test modules share: the repository's root, the dtypes and host targets, and
whether CUDA kernels can run here. Fixtures live in conftest.py; this is a plain module."""

import pathlib

import numpy as np

import elunumba

ROOT = pathlib.Path(__file__).resolve().parent.parent
FLOAT_DTYPES = (np.float16, np.float32, np.float64)
HOST_TARGETS = ("cpu", "parallel")


def cuda_available():
    """True when elunumba's CUDA kernels can run here: a real GPU, or NUMBA_ENABLE_CUDASIM=1."""
    return "cuda" in elunumba.available_targets()


def cuda_simulated():
    from numba import config

    return bool(config.ENABLE_CUDASIM)
