"""Shared fixtures for the elunumba tests.

Kernels compile on first use (and are cached on disk), so hypothesis runs without a deadline.
Set HYPOTHESIS_PROFILE=thorough for a longer property run.
"""

import os
import pathlib
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

ROOT = pathlib.Path(__file__).resolve().parent.parent
try:
    import elunumba  # importing compiles nothing
except ImportError:  # `pytest` run without `python -m` from the checkout: use the checkout
    sys.path.insert(0, str(ROOT))
    import elunumba

settings.register_profile(
    "elunumba",
    max_examples=150,
    deadline=None,  # the first call of a kernel compiles it (seconds)
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile("thorough", parent=settings.get_profile("elunumba"), max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "elunumba"))

from helpers import FLOAT_DTYPES, HOST_TARGETS  # noqa: E402  (after the checkout fallback)


@pytest.fixture(params=FLOAT_DTYPES, ids=lambda t: np.dtype(t).name)
def dtype(request):
    return np.dtype(request.param)


@pytest.fixture(params=HOST_TARGETS)
def host_target(request):
    return request.param


@pytest.fixture
def rng(request):
    """A generator seeded from the test's name: reproducible, different for each test."""
    import zlib

    return np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))
