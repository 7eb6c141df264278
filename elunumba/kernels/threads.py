"""The threading layer under the "parallel" kernels, and when they must run on one thread.

Numba starts one threading layer per process, the first time anything asks for threads (a
parallel call, ``numba.get_num_threads()`` or ``numba.set_num_threads()``), preferring TBB, then
OpenMP, then its own workqueue, and keeps it until the process ends. elunumba wants TBB (the
`tbb` extra): it stays correct in a process forked from one that used it and under concurrent
calls from many threads. pip installs TBB's library into the environment's lib/ folder, where
the dynamic loader does not look, and Numba then skips TBB silently; so importing elunumba loads
it by its full path, and every thread count elunumba asks for or sets (count, set_count) starts
the layer first. Whoever starts the layer after ``import elunumba`` then gets TBB: the library,
the benchmark (``bench --threads``) and the user's own ``numba.set_num_threads()``.

A layer started before ``import elunumba`` stays what it is (Numba cannot change it): a program
that calls ``numba.set_num_threads(1)`` and only then imports elunumba runs elunumba's parallel
kernels on OpenMP. ``elunumba.threading_layer()`` names the layer in use, ``why_not_tbb()``
says why it is not TBB, and where TBB was installed but came too late the first start warns
once (ThreadingLayerWarning). docs/threads.md shows both orders.

Where the layer in use is another one (TBB not installed, started too early, or
NUMBA_THREADING_LAYER chose it), the parallel kernels run on one thread in the two situations
that would otherwise kill the process: GNU OpenMP in a child forked after the parent started it
("fork() called from a process already using GNU OpenMP", then every worker of a fork Pool dies
and Pool.map hangs), and the workqueue layer entered by a second thread while one is inside (the
process aborts). The serial and parallel kernels compile the same loop, so this changes the
speed, never the bits.
"""

import ctypes
import importlib.metadata
import os
import threading
import warnings

import numba

_FORK_UNSAFE = ("omp",)  # GNU OpenMP; TBB and workqueue start afresh in a forked child
_start_lock = threading.Lock()
_workqueue_lock = threading.Lock()  # held by the thread inside a workqueue parallel kernel
_layer = None  # the layer in use, once known
_started_elsewhere = False  # the layer was running before elunumba asked for it
_forked_from_unsafe_layer = False


class ThreadingLayerWarning(UserWarning):
    """elunumba's parallel kernels run on another threading layer than the TBB installed.

    Issued once per process, when elunumba starts the threading layer, where TBB is installed
    but Numba had started another layer before ``import elunumba`` (docs/threads.md); the
    results are the same, but that layer is not safe in forked children or under concurrent
    calls. To keep it quiet, import elunumba before anything starts Numba's threads, or filter
    it.

    Examples
    --------
    >>> import warnings
    >>> import elunumba
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", elunumba.ThreadingLayerWarning)
    ...     print(elunumba.threading_layer() in ("tbb", "omp", "workqueue"))
    True
    """


def run(parallel_kernel, serial_kernel, args):
    """``parallel_kernel(*args)``, or ``serial_kernel(*args)`` where that would be unsafe."""
    layer = _layer or _start()
    if _forked_from_unsafe_layer:
        return serial_kernel(*args)
    if layer != "workqueue":
        return parallel_kernel(*args)
    if not _workqueue_lock.acquire(blocking=False):
        return serial_kernel(*args)
    try:
        return parallel_kernel(*args)
    finally:
        _workqueue_lock.release()


def layer():
    """The Numba threading layer that ``target="parallel"`` runs on, starting it if nothing in
    this process has yet.

    Returns
    -------
    str
        "tbb" (what elunumba wants: install ``elunumba[tbb]``), "omp" or "workqueue";
        docs/threads.md says what each means for forked processes and concurrent calls.

    Examples
    --------
    >>> import elunumba
    >>> elunumba.threading_layer() in ("tbb", "omp", "workqueue")
    True
    """
    return _layer or _start()


def count():
    """How many threads the parallel kernels use (``numba.get_num_threads()``), with the
    layer started as elunumba starts it."""
    layer()
    return numba.get_num_threads()


def set_count(threads):
    """``numba.set_num_threads(threads)``, with the layer started as elunumba starts it."""
    layer()
    numba.set_num_threads(threads)


def why_not_tbb():
    """Why the layer in use is not TBB, in a sentence; None when it is TBB."""
    if layer() == "tbb":
        return None
    if numba.config.THREADING_LAYER != "default":
        return f"NUMBA_THREADING_LAYER={numba.config.THREADING_LAYER} chose it"
    if _tbb_library is None:
        return "TBB is not installed (pip install 'elunumba[tbb]')"
    if _started_elsewhere:
        return ("Numba's threading layer was started before elunumba was imported (by "
                "numba.set_num_threads, numba.get_num_threads or a parallel call), and a "
                "process keeps its first layer: import elunumba first")
    return "Numba could not start TBB (its version does not suit this Numba)"


def _start():
    global _layer, _started_elsewhere
    with _start_lock:
        if _layer is None:
            _started_elsewhere = _running_layer() is not None
            numba.get_num_threads()  # starts the threading layer, if nothing has yet
            _layer = numba.threading_layer()
            if _layer != "tbb" and _tbb_library is not None and \
                    numba.config.THREADING_LAYER == "default":
                warnings.warn(f"elunumba's parallel kernels run on the {_layer!r} threading "
                              f"layer, not TBB: {why_not_tbb()} (see docs/threads.md)",
                              ThreadingLayerWarning, stacklevel=3)
    return _layer


def _running_layer():
    """The layer Numba has started in this process, or None where none has started."""
    try:
        return numba.threading_layer()
    except ValueError:  # "Threading layer is not initialized."
        return None


def _load_pip_tbb():
    """TBB's library loaded from the `tbb` distribution's files, so that Numba finds it loaded
    when it starts its layer; None when the distribution or its library is missing."""
    try:
        files = importlib.metadata.distribution("tbb").files or ()
    except importlib.metadata.PackageNotFoundError:
        return None
    for file in files:
        if file.name == "libtbb.so.12":
            try:
                return ctypes.CDLL(str(file.locate()), mode=ctypes.RTLD_GLOBAL)
            except OSError:  # a broken install: Numba falls back to another layer
                return None
    return None


def _after_fork_in_child():
    global _forked_from_unsafe_layer
    inherited = _running_layer()
    _forked_from_unsafe_layer = inherited in _FORK_UNSAFE


_tbb_library = _load_pip_tbb()
os.register_at_fork(after_in_child=_after_fork_in_child)
