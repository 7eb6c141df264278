"""One place for how the CPU kernels are compiled: the options, and a disk cache that can fail.

Numba's own ``cache=True`` makes a read-only install unusable (the decorator raises "cannot cache
function ... no locator available" at import when neither the package folder nor a user cache
folder is writable) and turns a damaged cache file into an error on every call until someone
deletes it. Here either case compiles in memory instead, with one CacheWarning per process that
says how to get the cache back.
"""

import threading
import warnings

from numba import config, njit
from numba.core.caching import FunctionCache

# 'contract' lets LLVM fuse a*b+c into FMA instructions: fewer instructions, one rounding instead
# of two. No other fast-math flag: NaN, inf, signed zeros and subnormals keep IEEE semantics.
_OPTIONS = dict(nogil=True, fastmath={"contract"}, error_model="numpy")
_FIX = ("set NUMBA_CACHE_DIR to a writable folder (or delete the damaged files) to keep "
        "compiled kernels between processes")


class CacheWarning(UserWarning):
    """elunumba's kernels compile without Numba's disk cache in this process."""


def kernel(function, parallel):
    """``function`` compiled by Numba on first use, cached on disk where that works."""
    dispatcher = njit(parallel=parallel, **_OPTIONS)(function)
    if config.DISABLE_JIT:  # njit gave the Python function back
        return dispatcher
    try:
        # what cache=True would set up, with the failures caught (see _FallbackCache)
        dispatcher._cache = _FallbackCache(function)
    except RuntimeError as error:  # no writable cache folder
        _warn_once(f"{error}")
    return dispatcher


class _FallbackCache(FunctionCache):
    """A disk cache whose failures to read or write compile in memory instead of raising."""

    def load_overload(self, sig, target_context):
        try:
            return super().load_overload(sig, target_context)
        except Exception as error:  # any failure to read the cache is a cache miss
            self.disable()
            _warn_once(f"cannot read the cached kernels in {self.cache_path} "
                       f"({type(error).__name__}: {error})")
            return None

    def save_overload(self, sig, data):
        try:
            super().save_overload(sig, data)
        except Exception as error:  # the kernel is compiled: only the cache misses out
            self.disable()
            _warn_once(f"cannot write cached kernels to {self.cache_path} "
                       f"({type(error).__name__}: {error})")


_warned = threading.Event()


def _warn_once(reason):
    if not _warned.is_set():
        _warned.set()
        warnings.warn(f"elunumba compiles its kernels without Numba's disk cache in this "
                      f"process: {reason}; {_FIX}", CacheWarning, stacklevel=2)
