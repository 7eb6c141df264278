"""What a CUDA install of elunumba lacks on this machine, and the command that fixes it.

elunumba's CUDA kernels need an NVIDIA driver, numba-cuda, NumPy < 2.5 (numba-cuda 0.30 fails to
import with 2.5) and the CUDA libraries numba-cuda compiles and links with: NVVM (Numba IR to
PTX), NVRTC and nvJitLink. Without NVRTC the first kernel compile stops at "libnvrtc.so not
found". The extras ``elunumba[cuda12]`` and ``elunumba[cuda13]`` install all but the driver.

Nothing here initialises CUDA or touches a GPU: it reads package metadata, asks the driver
library for its version (which needs no device) and looks for the libraries the way numba-cuda
does (cuda.pathfinder, which the extras install), else on the loader's path. Module name: a
module named elunumba.cuda* would be claimed by numba-cuda's import hook.
"""

import ctypes
import ctypes.util
import importlib.metadata

# name as cuda.pathfinder knows it -> what it is for
LIBRARIES = {"nvvm": "NVVM, compiles kernels to PTX", "nvrtc": "NVRTC, the runtime compiler",
             "nvJitLink": "nvJitLink, links compiled kernels"}
NUMPY_LIMIT = (2, 5)


def collect():
    """The facts ``diagnose`` needs, gathered from this machine."""
    return {"driver_cuda": driver_cuda_version(),
            "numba_cuda": _version("numba-cuda"),
            "numpy": _version("numpy"),
            "libraries": {name: _find_library(name) for name in LIBRARIES}}


def diagnose(facts):
    """{"ok", "problems": [...], "fix": a command or None} for ``collect()``'s facts."""
    driver = facts["driver_cuda"]
    if driver is None:
        return {"ok": False, "fix": None, "problems": [
            "no NVIDIA driver (libcuda) found: CUDA kernels need an NVIDIA GPU and its driver, "
            "which pip cannot install; the CPU targets work without them"]}
    major = driver // 1000
    extra = "cuda13" if major >= 13 else "cuda12"
    problems = []
    if facts["numba_cuda"] is None:
        problems.append("numba-cuda is not installed")
    if facts["numpy"] is not None and _release(facts["numpy"]) >= NUMPY_LIMIT:
        problems.append(f"NumPy {facts['numpy']} is too new for numba-cuda (needs < 2.5)")
    for name, found in facts["libraries"].items():
        if not found:
            problems.append(f"the CUDA library {name} ({LIBRARIES[name]}) was not found")
    fix = f"pip install 'elunumba[{extra}]'" if problems else None
    if major < 12:
        problems.append(f"the driver supports CUDA {major}.x; numba-cuda needs a driver for "
                        "CUDA 12 or newer: update the NVIDIA driver")
    return {"ok": not problems, "problems": problems, "fix": fix,
            "driver": f"CUDA {major}.{driver % 1000 // 10}"}


def driver_cuda_version():
    """The CUDA version the driver supports, as 12080 for 12.8; None when there is no driver."""
    try:
        driver = ctypes.CDLL("libcuda.so.1")
    except OSError:
        return None
    version = ctypes.c_int(0)
    if driver.cuDriverGetVersion(ctypes.byref(version)) != 0:
        return None
    return version.value


def _find_library(name):
    try:
        from cuda.pathfinder import load_nvidia_dynamic_lib
    except ImportError:  # not installed: numba-cuda then searches the system paths
        return ctypes.util.find_library(name) is not None
    try:
        load_nvidia_dynamic_lib(name)
    except Exception:  # pathfinder's own error types vary between versions
        return False
    return True


def _version(distribution):
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def _release(version):
    parts = []
    for part in version.split(".")[:2]:
        digits = "".join(c for c in part if c.isdigit()) or "0"
        parts.append(int(digits))
    return tuple(parts)
