"""One place for how the CPU kernels are compiled: the options, vectors interleaved per loop
iteration, and a disk cache that can fail.

Numba's own ``cache=True`` makes a read-only install unusable (the decorator raises "cannot cache
function ... no locator available" at import when neither the package folder nor a user cache
folder is writable) and turns a damaged cache file into an error on every call until someone
deletes it. Here either case compiles in memory instead, with one CacheWarning per process that
says how to get the cache back.
"""

import threading
import warnings

import llvmlite.binding as llvm
from numba import config
from numba.core.caching import FunctionCache
from numba.core.compiler_lock import global_compiler_lock
from numba.core.registry import CPUDispatcher

# 'contract' lets LLVM fuse a*b+c into FMA instructions: fewer instructions, one rounding instead
# of two. No other fast-math flag: NaN, inf, signed zeros and subnormals keep IEEE semantics.
_OPTIONS = dict(nogil=True, fastmath={"contract"}, error_model="numpy")
_FIX = ("set NUMBA_CACHE_DIR to a writable folder (or delete the damaged files) to keep "
        "compiled kernels between processes")


def target():
    """(triple, cpu, features): what Numba compiles for, as it keys its disk cache: NUMBA_CPU_NAME
    and NUMBA_CPU_FEATURES where set ("generic" alone means no features), else the host's CPU
    and features (less AVX under NUMBA_ENABLE_AVX=0)."""
    from numba.core.registry import cpu_target

    return cpu_target.target_context.codegen().magic_tuple()


class CacheWarning(UserWarning):
    """elunumba's kernels compile without Numba's disk cache in this process.

    Issued once per process where the on-disk kernel cache cannot be used (no writable cache
    folder, or a damaged cache file): the kernels then compile in memory, with the same
    results, on the first call of each process. Set ``NUMBA_CACHE_DIR`` to a writable folder
    to keep them between processes, or filter the warning.

    Examples
    --------
    >>> import warnings
    >>> import elunumba
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", elunumba.CacheWarning)
    ...     print(elunumba.elu(2.0))
    2.0
    """


class _Interleaving(CPUDispatcher):
    """A dispatcher whose vectorized loops hold INTERLEAVE independent vectors per iteration.

    LLVM's cost model keeps one vector per iteration in a loop as long as the expm1 kernels', so
    the core works on one long dependency chain at a time. Three independent vectors per
    iteration give the same bits and shorten that wait; two gained less and four spill registers
    (the paired A/B runs: bench_results/benchmarks/ab-kernels-interleave3-amd-epyc-znver3-avx2.md,
    read in notes/avx2-kernels.md). Numba has no per-loop hint, so the count is LLVM's process-wide
    option, set only while this dispatcher compiles: Numba's compiler lock keeps every other
    Numba compilation out meanwhile, and the option goes back to 0 (the cost model's choice)
    before the lock is released.
    """

    INTERLEAVE = 3

    def compile(self, sig):
        with global_compiler_lock:
            llvm.set_option("", f"-force-vector-interleave={self.INTERLEAVE}")
            try:
                return super().compile(sig)
            finally:
                llvm.set_option("", "-force-vector-interleave=0")


def kernel(function, parallel, interleave=False):
    """``function`` compiled by Numba on first use, cached on disk where that works; with
    ``interleave``, its vectorized loops interleave several vectors (see _Interleaving)."""
    if config.DISABLE_JIT:
        return function
    options = dict(_OPTIONS, parallel=parallel, nopython=True)
    dispatcher = (_Interleaving if interleave else CPUDispatcher)(function, {}, options)
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
