"""CUDA helpers for the benchmark: event timing, the L2 flush, the device-to-device copy, the
memory system's theoretical peak and what the environment records about the GPU.

Imported only when a CUDA target or peer runs (or ``elunumba info`` finds a usable GPU), never by a
host-only sweep. Every GPU sample is timed with CUDA events and starts from a cold L2: a buffer
twice the L2's size is overwritten before it, outside the timed region. Host-device transfers are
never inside a sample.
"""

import functools

import numpy as np
from numba import cuda

from . import timing

DEFAULT_L2_BYTES = 64 * 2**20


def event_sampler(fn):
    """Seconds that ``inner`` back-to-back calls of ``fn`` took on the GPU's default stream."""
    def run_sample(inner):
        start, end = cuda.event(), cuda.event()
        start.record()
        for _ in range(inner):
            fn()
        end.record()
        end.synchronize()
        return start.elapsed_time(end) / 1e3

    return run_sample


@functools.cache
def l2_flusher():
    """Overwrites a device buffer of twice the L2's size (cuMemsetD8, on the default stream)."""
    from numba.cuda.cudadrv.driver import device_memset

    nbytes = 2 * _attribute("L2_CACHE_SIZE", DEFAULT_L2_BYTES)
    buffer = cuda.device_array(nbytes, np.uint8)

    def flush():
        device_memset(buffer, 0, nbytes)

    return flush


def measure(fn, settings):
    """Event timing of ``fn`` with the L2 flushed before every sample."""
    return timing.measure(event_sampler(fn), settings, flush=l2_flusher())


def measure_copy(words, settings):
    """Timing of a device-to-device copy of ``words`` 8-byte words."""
    src = cuda.to_device(np.ones(words, np.uint64))
    dst = cuda.device_array_like(src)
    return measure(lambda: dst.copy_to_device(src), settings)


def peak_gbps():
    """Theoretical memory bandwidth: 2 (double data rate) x memory clock x bus width, in GB/s."""
    clock_khz = _attribute("MEMORY_CLOCK_RATE", None)
    bus_bits = _attribute("GLOBAL_MEMORY_BUS_WIDTH", None)
    if not clock_khz or not bus_bits:
        return None
    return 2 * clock_khz * 1e3 * bus_bits / 8 / 1e9


def device_info():
    """What the environment records about the GPU."""
    device = _device()
    try:
        from numba.cuda.cudadrv.driver import get_version

        driver = ".".join(str(part) for part in get_version())
    except Exception:  # the simulator and some driver bindings have no version call
        driver = "unknown"
    name = getattr(device, "name", "the Numba CUDA simulator")
    return {
        "name": name.decode() if isinstance(name, bytes) else str(name),
        "compute_capability": ".".join(str(c) for c in device.compute_capability),
        "driver": driver,
        "multiprocessors": _attribute("MULTIPROCESSOR_COUNT", None),
        "clock_khz": _attribute("CLOCK_RATE", None),
        "memory_clock_khz": _attribute("MEMORY_CLOCK_RATE", None),
        "memory_bus_bits": _attribute("GLOBAL_MEMORY_BUS_WIDTH", None),
        "l2_bytes": _attribute("L2_CACHE_SIZE", None),
        "peak_gbps": peak_gbps(),
    }


def _attribute(name, default):
    try:
        return int(getattr(_device(), name))
    except Exception:  # an attribute the driver (or the simulator) does not report
        return default


def _device():
    return cuda.current_context().device
