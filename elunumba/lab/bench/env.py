"""What every benchmark output records about the machine and the software it ran on."""

import importlib.metadata
import os
import platform
import subprocess

import elunumba
from elunumba.kernels import threads
from elunumba.lab.memory import memory_bytes

from .. import machine

# name shown -> the distributions that may provide it (CuPy's wheels are named per CUDA version)
VERSIONED = {name: (name,) for name in ("elunumba", "numpy", "numba", "llvmlite", "numba-cuda",
                                        "numexpr", "torch", "matplotlib", "click", "rich")}
VERSIONED["cupy"] = ("cupy", "cupy-cuda13x", "cupy-cuda12x", "cupy-cuda11x")
GIT_TIMEOUT_S = 5


def collect(*, command, gpu=False):
    """The environment record; ``gpu=True`` adds the current GPU (imports the CUDA helpers)."""
    versions = {"python": platform.python_version()}
    versions.update((name, v) for name, v in ((n, _version(d)) for n, d in VERSIONED.items()) if v)
    commit, dirty = git_state()
    total, available = memory_bytes()
    record = {
        "command": command,
        "cpu": machine.cpu_model()["name"],
        "machine": machine.record(),
        "logical_cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "memory_total_bytes": total,
        "memory_available_bytes": available,
        "numba_threads": threads.count(),
        "threading_layer": threading_layer(),
        "platform": platform.platform(),
        "versions": versions,
        "git_commit": commit,
        "git_dirty": dirty,
        "gpu": None,
    }
    if gpu:
        from . import gpu as gpu_helpers

        record["gpu"] = gpu_helpers.device_info()
    return record


def threading_layer():
    """The threading layer elunumba's parallel kernels run on, started the way elunumba starts
    it (TBB where installed): a benchmark whose own parallel copy started the layer first got
    OpenMP where users of the library get TBB."""
    return elunumba.threading_layer()


def git_state(package_file=elunumba.__file__):
    """(commit, dirty) of the git checkout elunumba runs from, or ("unknown", False) when the
    package is not tracked by one: an installed copy inside some other repository (a virtual
    environment within a project) must not report that repository's commit."""
    package_dir = os.path.dirname(os.path.abspath(package_file))
    quiet = dict(cwd=package_dir, capture_output=True, text=True, timeout=GIT_TIMEOUT_S,
                 env=dict(os.environ, GIT_OPTIONAL_LOCKS="0"))
    try:
        tracked = subprocess.run(["git", "ls-files", "--error-unmatch",
                                  os.path.basename(package_file)], **quiet)
        head = subprocess.run(["git", "rev-parse", "HEAD"], **quiet)
        if tracked.returncode != 0 or head.returncode != 0:
            return "unknown", False
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], **quiet)
        return head.stdout.strip(), bool(status.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        return "unknown", False


def _version(distributions):
    for name in distributions:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            pass
    return None
