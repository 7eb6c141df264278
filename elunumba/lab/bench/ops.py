"""The four ELU operations as benchmark cells see them: their arrays, the bytes they move, and
the data each cell runs on.

    forward   reads x, writes y                     2 streams
    backward  reads grad_out and y, writes grad_in  3 streams
    fused     reads x, writes y and dydx            3 streams
    grad      reads x, writes dydx (from the input) 2 streams

A stream is one array of ``size`` elements read or written once, so a call moves
``streams * size * itemsize`` bytes. Inputs are uniform on [-3, 3) (half of them take the expm1
branch), grad_out is uniform on [-1, 1), y = elu(x).

Every benchmark array starts on a page boundary (``aligned_empty``): where the heap happens to
place two arrays changes their speed, so that runs differed by where they allocated. Measured on
the 2-core AVX2 machine (glibc, AMD Zen 3), np.copyto of 16-24 KiB took 1.4-2.0 us with source
and destination at the same offset within a page and 10-16 us with the destination 16 bytes
further (what two heap blocks one after the other give). Large NumPy arrays, mapped by the
allocator a page each plus the same header, sit at equal offsets too, as these do.
"""

import numpy as np

import elunumba

OPS = ("forward", "backward", "fused", "grad")
DTYPES = ("float16", "float32", "float64")
DEFAULT_DTYPES = ("float32", "float64")
INPUTS = {"forward": ("x",), "backward": ("grad_out", "y"), "fused": ("x",), "grad": ("x",)}
N_OUTPUTS = {"forward": 1, "backward": 1, "fused": 2, "grad": 1}
STREAMS = {op: len(INPUTS[op]) + N_OUTPUTS[op] for op in OPS}
# Arrays a peer may hold besides the op's own while it runs (NumPy temporaries, torch's ones).
PEER_TEMPORARIES = 5


PAGE = 4096


def aligned_empty(size, dtype):
    """An uninitialised 1-d array of ``size`` elements whose data starts on a page boundary."""
    dtype = np.dtype(dtype)
    raw = np.empty(size * dtype.itemsize + PAGE, np.uint8)
    start = -raw.ctypes.data % PAGE
    return raw[start:start + size * dtype.itemsize].view(dtype)


def aligned_copy(values, dtype):
    """``values`` rounded to ``dtype`` in a page-aligned array."""
    copied = aligned_empty(values.size, dtype)
    copied[...] = values
    return copied


def bytes_moved(op, dtype, size):
    """Bytes one call of ``op`` reads and writes on ``size`` elements of ``dtype``."""
    return STREAMS[op] * size * np.dtype(dtype).itemsize


def required_bytes(op, dtype, size, with_peers=True):
    """Host memory a cell needs at most: its arrays, the copy baseline's and peer temporaries."""
    arrays = 2 * STREAMS[op] + (PEER_TEMPORARIES if with_peers else 0)
    return arrays * size * np.dtype(dtype).itemsize


class OpData:
    """The arrays of one (op, dtype, size) group: host inputs and outputs, device copies on demand.

    ``inputs(device)`` and ``outputs(device)`` give lists in the order the public API takes them;
    ``device`` is "host" (NumPy) or "cuda" (Numba device arrays, made on first request).
    """

    def __init__(self, op, dtype, size, alpha=1.0, seed=0):
        self.op, self.dtype, self.size, self.alpha = op, np.dtype(dtype), size, alpha
        rng = np.random.default_rng(seed)
        wide = np.float64 if self.dtype == np.float64 else np.float32
        x = aligned_copy(rng.random(size, dtype=wide) * 6 - 3, self.dtype)
        arrays = {"x": x}
        if op == "backward":
            arrays["grad_out"] = aligned_copy(rng.random(size, dtype=wide) * 2 - 1, self.dtype)
            arrays["y"] = elunumba.elu(x, alpha, out=aligned_empty(size, self.dtype),
                                       target="parallel")
        self._arrays = {"host": ([arrays[name] for name in INPUTS[op]],
                                 [aligned_empty(size, self.dtype)
                                  for _ in range(N_OUTPUTS[op])])}

    def head(self, fraction):
        """The same op on the first ``fraction`` of each array (views, no copies)."""
        part = object.__new__(OpData)
        part.op, part.dtype, part.alpha = self.op, self.dtype, self.alpha
        part.size = max(1, int(self.size * fraction))
        host_in, host_out = self._arrays["host"]
        part._arrays = {"host": ([a[:part.size] for a in host_in],
                                 [a[:part.size] for a in host_out])}
        return part

    def inputs(self, device="host"):
        return self._on(device)[0]

    def outputs(self, device="host"):
        return self._on(device)[1]

    def _on(self, device):
        if device not in self._arrays:
            backend = elunumba.dispatch.device.cuda_backend()
            host_in, host_out = self._arrays["host"]
            self._arrays[device] = ([backend.to_device(a) for a in host_in],
                                    [backend.device_array(a.size, a.dtype) for a in host_out])
        return self._arrays[device]
