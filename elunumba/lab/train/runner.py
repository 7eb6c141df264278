"""Running the experiments' runs, one thread each, in this process or in a pool of processes.

Every run is single-threaded (torch and Numba limited to one thread) so that runs side by side do
not compete inside one another, and a run's CPU time means the same alone or beside others. The
pool starts its processes by "spawn": a fork of a process whose threading layers have started is
not safe for every layer.
"""

import concurrent.futures
import contextlib
import importlib.util
import multiprocessing
import signal

EXPERIMENTS = ("spirals", "digits", "depth")


def task_list(settings):
    """[(experiment, run keyword arguments)] for ``settings`` {experiment: its Settings}."""
    tasks = []
    for experiment, chosen in settings.items():
        if experiment == "depth":
            tasks += [("depth", {"configuration": configuration, "seed": seed})
                      for configuration in chosen.configurations for seed in chosen.seeds]
        else:
            tasks += [(experiment, run) for run in chosen.runs()]
    return tasks


def run_task(settings, experiment, arguments):
    """One run of ``experiment`` with its keyword ``arguments``: its record."""
    if experiment == "spirals":
        from . import spirals

        return spirals.train_one(settings, **arguments)
    if experiment == "digits":
        from . import digits

        return digits.train_one(settings, **arguments)
    from . import depth

    mean, variance = depth.measure(arguments["configuration"], settings.depth, settings.width,
                                   settings.samples, arguments["seed"])
    return {"experiment": "depth", **arguments, "mean": mean, "variance": variance}


def _thread_controls():
    """(get, set) pairs for the thread counts of Numba and, where installed, torch."""
    from elunumba.kernels import threads

    controls = [(threads.count, threads.set_count)]  # elunumba's layer started first
    if importlib.util.find_spec("torch") is not None:
        import torch

        controls.append((torch.get_num_threads, torch.set_num_threads))
    return controls


@contextlib.contextmanager
def one_thread():
    """torch and Numba on one thread inside the block, as they were after it."""
    controls = _thread_controls()
    kept = [get() for get, _ in controls]
    for _, set_threads in controls:
        set_threads(1)
    try:
        yield
    finally:
        for (_, set_threads), count in zip(controls, kept):
            set_threads(count)


def _start_worker():
    # Ctrl-C goes to the whole process group: the parent handles it and stops the pool
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for _, set_threads in _thread_controls():
        set_threads(1)
    warm_up()


def warm_up():
    """Load the kernels the runs call (from Numba's cache, or compiled), so that no run's time
    includes it: forward and backward, float32 and float64, one thread and the parallel loop."""
    import numpy as np

    import elunumba

    for dtype in (np.float32, np.float64):
        for size in (8, 2 ** 16):
            x = np.linspace(-2, 2, size).astype(dtype)
            y = elunumba.elu(x, 1.0)
            elunumba.elu_backward(np.ones_like(x), y, 1.0)
            elunumba.elu(y, 1.0, out=y)


def run_all(settings, tasks, jobs, on_done=None):
    """The records of ``tasks`` in their order; ``on_done(index, record)`` as each finishes.
    ``jobs`` 1 runs them here, more in that many processes."""
    records = [None] * len(tasks)
    if jobs == 1:
        with one_thread():
            warm_up()
            for index, (experiment, arguments) in enumerate(tasks):
                records[index] = run_task(settings[experiment], experiment, arguments)
                if on_done is not None:
                    on_done(index, records[index])
        return records
    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker)
    try:
        pending = {pool.submit(run_task, settings[experiment], experiment, arguments): index
                   for index, (experiment, arguments) in enumerate(tasks)}
        for future in concurrent.futures.as_completed(pending):
            index = pending[future]
            records[index] = future.result()
            if on_done is not None:
                on_done(index, records[index])
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return records
