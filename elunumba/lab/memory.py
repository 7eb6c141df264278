"""How much memory this process may use: the machine's, capped by its control group's limit;
and how much one call allocates at its peak.

In a container /proc/meminfo shows the whole host, while the kernel kills the process at the
cgroup's limit; size checks (the benchmark's budget, the accuracy tools' chunks) use this instead.
"""

import os
import pathlib
import tracemalloc

CGROUP_ROOT = pathlib.Path("/sys/fs/cgroup")
# cgroup v2 file names, then v1's: (limit, usage)
_CGROUP_FILES = (("memory.max", "memory.current"),
                 ("memory.limit_in_bytes", "memory.usage_in_bytes"))


def memory_bytes(cgroup_root=CGROUP_ROOT, proc_self_cgroup="/proc/self/cgroup"):
    """(total, available) bytes: the host's MemTotal and MemAvailable, each lowered to the
    cgroup's limit and to what is left under it where a limit is set."""
    total, available = _host_memory()
    for limit, usage in _cgroup_limits(pathlib.Path(cgroup_root), proc_self_cgroup):
        total = min(total, limit)
        available = min(available, max(0, limit - usage))
    return total, available


def _host_memory():
    try:
        with open("/proc/meminfo") as f:
            fields = dict(line.split(":", 1) for line in f)
        return tuple(int(fields[k].split()[0]) * 1024 for k in ("MemTotal", "MemAvailable"))
    except (OSError, KeyError, ValueError):
        page = os.sysconf("SC_PAGE_SIZE")
        return os.sysconf("SC_PHYS_PAGES") * page, os.sysconf("SC_AVPHYS_PAGES") * page


def _cgroup_limits(root, proc_self_cgroup):
    """(limit, usage) of every memory cgroup this process sits in that sets a limit."""
    for folder in _cgroup_folders(root, proc_self_cgroup):
        for limit_name, usage_name in _CGROUP_FILES:
            try:
                limit_text = (folder / limit_name).read_text().strip()
                usage = int((folder / usage_name).read_text())
                # "max" (v2) or a page-rounded 2^63 (v1) mean no limit
                limit = None if limit_text == "max" else int(limit_text)
            except (OSError, ValueError):
                continue
            if limit is not None and limit < 2**62:
                yield limit, usage


def _cgroup_folders(root, proc_self_cgroup):
    """The process's memory cgroup folders: under the path /proc/self/cgroup names (a host's
    view), and the mount itself (a container's own namespace shows its cgroup there)."""
    try:
        lines = pathlib.Path(proc_self_cgroup).read_text().splitlines()
    except OSError:
        lines = []
    seen = set()
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controllers == "":  # v2 unified hierarchy
            candidates = (root / path.lstrip("/"), root)
        elif "memory" in controllers.split(","):
            candidates = (root / "memory" / path.lstrip("/"), root / "memory")
        else:
            continue
        for folder in candidates:
            if folder not in seen and folder.is_dir():
                seen.add(folder)
                yield folder


def peak_traced_bytes(call):
    """The peak of what tracemalloc sees allocated while ``call()`` runs (NumPy reports its
    buffers to it; torch's allocator does not)."""
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
