"""The cautionary ELU: alpha*(exp(x) - 1), compiled exactly like elunumba's kernels.

It exists to be measured against (exp(x) - 1 cancels catastrophically near 0); it is not part of
the library.
"""

import math

import numpy as np
from numba import njit, prange


@njit(nogil=True, cache=True, parallel=True, fastmath={"contract"}, error_model="numpy")
def _naive_forward(x, y, alpha):
    for i in prange(x.size):
        v = x[i]
        y[i] = v if not v < 0 else alpha * (math.exp(v) - 1)


def naive_elu(x, alpha=1.0):
    x = np.ascontiguousarray(x)
    y = np.empty_like(x)
    _naive_forward(x.reshape(-1), y.reshape(-1), x.dtype.type(alpha))
    return y
