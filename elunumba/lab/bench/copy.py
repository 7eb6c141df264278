"""The copy baseline: how fast this machine moves the bytes a cell moves, measured in the same run.

A cell that moves B bytes (reads plus writes) is compared with a copy of B/2 bytes, which also
reads and writes B bytes in all. On the host the copy is the fastest of ``np.copyto`` (one
thread), a Numba ``prange`` loop and one block copy (memcpy) per Numba thread: which one wins
depends on the size and on the moment, and a weak baseline flatters every cell. An
implementation that runs on one thread is compared with the one-thread copy (np.copyto)
instead: divided by a copy on all cores, its fraction would move with the other cores' load
alone. (Which copy won where, and a one-thread cell against the all-thread copy:
notes/code-figures.md, "The copy baseline".) On a GPU it is a device-to-device copy.

The Numba copies compile like the kernels (elunumba.kernels.compiler): a damaged cache file or a
read-only install compiles them in memory with a CacheWarning, where Numba's own cache=True
failed every copy of the run (the baseline gone without a word) or the import itself.
"""

import functools

import numpy as np
from numba import prange

from elunumba.kernels import threads
from elunumba.kernels.compiler import kernel

from . import timing
from .ops import aligned_empty

WORD = np.dtype(np.uint64)


def _prange_copy(src, dst):
    for i in prange(src.size):
        dst[i] = src[i]


def _block_copy(src, dst, blocks):
    """``blocks`` contiguous blocks, one per thread, each copied as a whole (a memcpy)."""
    step = -(-src.size // blocks)
    for block in prange(blocks):
        dst[block * step:(block + 1) * step] = src[block * step:(block + 1) * step]


prange_copy = kernel(_prange_copy, parallel=True)
block_copy = kernel(_block_copy, parallel=True)


def copy_words(total_bytes):
    """Words of 8 bytes to copy so that the copy reads and writes ``total_bytes`` in all."""
    return max(1, -(-total_bytes // (2 * WORD.itemsize)))


# method -> copy(src, dst); np.copyto is the one that runs on one thread
ONE_THREAD_METHOD = "np.copyto"
HOST_METHODS = {"np.copyto": lambda src, dst: np.copyto(dst, src),
                "numba prange": prange_copy,
                "numba blocks": lambda src, dst: block_copy(src, dst, threads.count())}


def host_copiers(total_bytes):
    """{method: call} copying between one pair of new page-aligned arrays (see ops.py), moving
    ``total_bytes`` in all."""
    src = aligned_empty(copy_words(total_bytes), WORD)
    src[...] = 1
    dst = aligned_empty(src.size, WORD)
    return {name: functools.partial(method, src, dst) for name, method in HOST_METHODS.items()}


def measure_host(total_bytes, settings):
    """(Timing, method) of the fastest host copy that moves ``total_bytes`` in all."""
    flush = timing.host_cache_flusher() if settings.cold else None
    timings = {name: timing.measure(timing.host_sampler(fn), settings, flush)
               for name, fn in host_copiers(total_bytes).items()}
    method = min(timings, key=lambda name: timings[name].stats()["median_s"])
    return timings[method], method


def moved_bytes(total_bytes):
    """What a copy for ``total_bytes`` really moves (whole words, read and written)."""
    return 2 * copy_words(total_bytes) * WORD.itemsize


def measure(device, total_bytes, settings):
    if device == "host":
        return measure_host(total_bytes, settings)
    from . import gpu

    return gpu.measure_copy(copy_words(total_bytes), settings), "device-to-device"
