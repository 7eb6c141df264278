"""The threading layer under the "parallel" kernels, and when they must run on one thread.

Numba starts one threading layer per process, the first time parallel code runs, preferring TBB,
then OpenMP, then its own workqueue. elunumba wants TBB (the `tbb` extra): it stays correct in a
process forked from one that used it and under concurrent calls from many threads. pip installs
TBB's library into the environment's lib/ folder, where the dynamic loader does not look, and
Numba then skips TBB silently; so before the first parallel call we load it by its full path.

Where the layer in use is another one (TBB not installed, or NUMBA_THREADING_LAYER chose it),
the parallel kernels run on one thread in the two situations that would otherwise kill the
process: GNU OpenMP in a child forked after the parent started it ("fork() called from a process
already using GNU OpenMP", then every worker of a fork Pool dies and Pool.map hangs), and the
workqueue layer entered by a second thread while one is inside (the process aborts). The serial
and parallel kernels compile the same loop, so this changes the speed, never the bits.
"""

import os
import threading

_FORK_UNSAFE = ("omp",)  # GNU OpenMP; TBB and workqueue start afresh in a forked child
_start_lock = threading.Lock()
_workqueue_lock = threading.Lock()  # held by the thread inside a workqueue parallel kernel
_layer = None  # the layer in use, once known
_forked_from_unsafe_layer = False


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
    """The threading layer the parallel kernels run on ("tbb", "omp" or "workqueue"), starting
    it if nothing in this process has yet."""
    return _layer or _start()


def _start():
    global _layer
    with _start_lock:
        if _layer is None:
            import numba

            _load_pip_tbb()
            numba.get_num_threads()  # starts the threading layer, if nothing has yet
            _layer = numba.threading_layer()
    return _layer


def _load_pip_tbb():
    """Load TBB's library from the `tbb` distribution's files, so Numba finds it loaded."""
    import ctypes
    import importlib.metadata

    try:
        files = importlib.metadata.distribution("tbb").files or ()
    except importlib.metadata.PackageNotFoundError:
        return
    for file in files:
        if file.name == "libtbb.so.12":
            try:
                ctypes.CDLL(str(file.locate()), mode=ctypes.RTLD_GLOBAL)
            except OSError:  # a broken install: Numba falls back to another layer
                pass
            return


def _after_fork_in_child():
    global _forked_from_unsafe_layer
    import numba

    try:
        inherited = numba.threading_layer()
    except ValueError:  # no layer started in the parent: the child may start any
        return
    _forked_from_unsafe_layer = inherited in _FORK_UNSAFE


os.register_at_fork(after_in_child=_after_fork_in_child)
