"""ELU through a dask.distributed cluster: what stays true there (``verify``) and what it costs
(``throughput``), against the in-process kernels on the same data.

Data are generated chunk by chunk where they are used (on the workers, or in this process chunk
by chunk into one array) from a seed and the chunk's index, so both sides hold the same numbers
without sending them over the network. Everything runs in float32.
"""

import hashlib
import os
import statistics
import threading
import time

import numpy as np

import elunumba
from elunumba.interop import require

da = require("dask.array")
distributed = require("distributed")
graph_manipulation = require("dask.graph_manipulation")

SEED = 2026
SPREAD = np.float32(4.0)  # N(0, 4^2): both branches, the negative one down to where it saturates
# Per worker, the resident memory a streaming run may add, in chunks: a backward chunk holds its
# x, y, grad_out and result (4), the fused one x and its (2, chunk) result (3); twice that
# leaves room for the scheduler's prefetching and the allocator, and is far below what holding a
# worker's share of whole arrays would take at the sizes used (16+ chunks per array).
MAX_CHUNKS_HELD = 8
RSS_SAMPLE_S = 0.002
OPS = ("forward", "backward", "fused")


def start_cluster(n_workers):
    """A LocalCluster of ``n_workers`` processes with one thread each and no memory limit (no
    spilling or pausing: the memory a worker needs is the memory it holds) and a client. The
    scheduler's web server takes any free port (":0"): the default one may be taken."""
    cluster = distributed.LocalCluster(n_workers=n_workers, threads_per_worker=1,
                                       processes=True, memory_limit=0, dashboard_address=":0")
    return cluster, distributed.Client(cluster)


def generate(stream, index, length):
    """Chunk ``index`` of data stream ``stream``: the same numbers wherever it is made."""
    rng = np.random.default_rng((SEED, stream, index))
    return rng.standard_normal(length, dtype=np.float32) * SPREAD


def lazy_data(stream, size, chunk):
    """Stream ``stream`` as a dask array, each chunk generated on the worker that uses it."""
    return da.map_blocks(_generated_block, stream, chunks=(_chunks(size, chunk),),
                         dtype=np.float32, meta=np.empty(0, np.float32))


def _generated_block(stream, block_info=None):
    where = block_info[None]
    return generate(stream, where["chunk-location"][0], where["chunk-shape"][0])


def local_data(stream, size, chunk):
    """Stream ``stream`` as one NumPy array in this process."""
    data = np.empty(size, np.float32)
    start = 0
    for index, length in enumerate(_chunks(size, chunk)):
        data[start:start + length] = generate(stream, index, length)
        start += length
    return data


def _chunks(size, chunk):
    return (chunk,) * (size // chunk) + ((size % chunk,) if size % chunk else ())


def run_op(op, x, grad_out, y):
    """The op's results as a tuple, on dask or NumPy inputs alike."""
    if op == "forward":
        return (elunumba.elu(x),)
    if op == "backward":
        return (elunumba.elu_backward(grad_out, y),)
    return elunumba.elu_value_and_grad(x)


def digest(block):
    """8 bytes of BLAKE2b over a block's bits: equal digests mean bit-for-bit equal blocks."""
    bits = hashlib.blake2b(np.ascontiguousarray(block).data, digest_size=8).digest()
    return np.frombuffer(bits, np.uint64)


def lazy_digests(array):
    return da.map_blocks(digest, array, chunks=((1,) * array.numblocks[0],), dtype=np.uint64)


def local_digests(array, chunk):
    return np.concatenate([digest(array[start:start + chunk])
                           for start in range(0, array.size, chunk)])


def warm_disk_cache():
    """Compile (or load) the one-thread kernels in this process, so that Numba's disk cache holds
    them before any worker starts: workers should then load them, never compile them."""
    x = np.linspace(-2, 2, 64, dtype=np.float32)
    for op in OPS:
        run_op_on_target(op, x, "cpu")


def run_op_on_target(op, x, target):
    if op == "forward":
        return elunumba.elu(x, target=target)
    if op == "backward":
        return elunumba.elu_backward(x, x, target=target)
    return elunumba.elu_value_and_grad(x, target=target)


def verify(client, size, chunk):
    """Each op streamed through the cluster on generated data, compared with the in-process
    kernels on the whole array; returns a JSON-able record (see ``passed``)."""
    record = {"size": size, "chunk": chunk, "chunks": len(_chunks(size, chunk)),
              "dtype": "float32", "workers": len(client.scheduler_info()["workers"]),
              "max_chunks_held": MAX_CHUNKS_HELD, "ops": {}}
    client.run(warm_disk_cache)  # imports and kernel loads are not what the memory check is about
    x, grad_out = local_data(0, size, chunk), local_data(1, size, chunk)
    y = elunumba.elu(x)
    for op in OPS:
        expected = [local_digests(r, chunk) for r in run_op(op, x, grad_out, y)]
        lazy_x, lazy_grad_out = lazy_data(0, size, chunk), lazy_data(1, size, chunk)
        results = run_op(op, lazy_x, lazy_grad_out, elunumba.elu(lazy_x))
        client.run(start_rss_sampling)
        start = time.perf_counter()
        got = client.compute([lazy_digests(r) for r in results], sync=True)
        seconds = time.perf_counter() - start
        memory = client.run(stop_rss_sampling)
        record["ops"][op] = {
            "bit_identical": all(np.array_equal(g, e) for g, e in zip(got, expected)),
            "seconds": seconds,
            "worker_rss_growth_bytes": memory,
            "worker_rss_growth_chunks": max(memory.values()) / (chunk * 4),
        }
    record["worker_kernels"] = client.run(kernel_counts)
    record["in_process_kernels"] = kernel_counts()
    return record


def passed(record):
    """(ok, reasons): bit-identical results, few chunks held per worker, and on every worker
    each kernel it ran made once, from the disk cache."""
    reasons = []
    for op, result in record["ops"].items():
        if not result["bit_identical"]:
            reasons.append(f"{op}: the cluster's result differs from the in-process kernels")
        if result["worker_rss_growth_chunks"] > MAX_CHUNKS_HELD:
            reasons.append(f"{op}: a worker grew by {result['worker_rss_growth_chunks']:.1f} "
                           f"chunks (at most {MAX_CHUNKS_HELD})")
    for worker, kernels in record["worker_kernels"].items():
        for name, counts in kernels.items():
            if counts["signatures"] != 1 or counts["cache_hits"] != 1 or counts["cache_misses"]:
                reasons.append(f"{worker}: kernel {name} was not loaded exactly once from the "
                               f"disk cache: {counts}")
    return not reasons, reasons


def kernel_counts():
    """For each kernel this process has made: its signatures, disk-cache loads (hits) and
    compilations (misses), and the cache folder. Runs on workers too."""
    from elunumba.kernels.cpu import KERNELS

    counts = {}
    for (op, target, kind), dispatcher in KERNELS.items():
        if dispatcher.signatures:
            cache = getattr(dispatcher, "_cache", None)
            counts[f"{op}/{target}/{kind}"] = {
                "signatures": len(dispatcher.signatures),
                "cache_hits": sum(dispatcher.stats.cache_hits.values()),
                "cache_misses": sum(dispatcher.stats.cache_misses.values()),
                "cache_dir": getattr(cache, "_cache_path", None),
            }
    return counts


_sampling = {}


def start_rss_sampling():
    """Sample this process's resident memory in a thread until ``stop_rss_sampling``."""
    import psutil

    process, stop = psutil.Process(), threading.Event()
    state = {"start": process.memory_info().rss, "peak": 0, "stop": stop}

    def sample():
        while True:
            state["peak"] = max(state["peak"], process.memory_info().rss)
            if stop.wait(RSS_SAMPLE_S):
                return

    state["thread"] = threading.Thread(target=sample, daemon=True)
    state["thread"].start()
    _sampling["current"] = state


def stop_rss_sampling():
    """The growth of resident memory (bytes) since ``start_rss_sampling``: peak - start."""
    state = _sampling.pop("current")
    state["stop"].set()
    state["thread"].join()
    return max(0, state["peak"] - state["start"])


def throughput(clients, size, chunk, repeats):
    """Seconds per op over the same data: in this process (the kernels' own threads) and through
    each cluster in ``clients`` ({workers: client}), measured alternately, one sample of each
    per round; returns a record with the medians and the medians of paired ratios."""
    x, grad_out = local_data(0, size, chunk), local_data(1, size, chunk)
    local = {"x": x, "grad_out": grad_out, "y": elunumba.elu(x)}
    remote = {}
    for workers, client in clients.items():
        arrays = {"x": lazy_data(0, size, chunk), "grad_out": lazy_data(1, size, chunk)}
        # y under keys of its own: elu(x) has the keys of the forward run timed below, which
        # would then find its result already there
        arrays["y"] = graph_manipulation.clone(elunumba.elu(arrays["x"]), omit=arrays["x"])
        remote[workers] = dict(zip(arrays, client.persist(list(arrays.values()))))
        distributed.wait(list(remote[workers].values()))
    ops = ("copy",) + OPS
    samples = {op: {"in_process": [], **{w: [] for w in clients}} for op in ops}
    for round_ in range(repeats + 1):  # round 0 warms up (first calls compile or load)
        for op in ops:
            local_seconds = _time(lambda: _op_or_copy(op, local))
            for workers, client in clients.items():
                seconds = _time(lambda: _persisted(client, _op_or_copy(op, remote[workers])))
                if round_:
                    samples[op][workers].append(seconds)
            if round_:
                samples[op]["in_process"].append(local_seconds)
    return {"size": size, "chunk": chunk, "dtype": "float32", "repeats": repeats,
            "ops": {op: _summary(s, size, clients) for op, s in samples.items()}}


def _op_or_copy(op, arrays):
    if op == "copy":  # what moving the data through the same machinery costs, without ELU
        x = arrays["x"]
        return (x.map_blocks(np.copy),) if isinstance(x, da.Array) else (x.copy(),)
    return run_op(op, arrays["x"], arrays["grad_out"], arrays["y"])


def _persisted(client, results):
    persisted = client.persist(list(results))
    distributed.wait(persisted)
    return persisted


def _time(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def _summary(samples, size, clients):
    local = samples["in_process"]
    summary = {"in_process": {"median_s": statistics.median(local),
                              "gelem_per_s": size / statistics.median(local) / 1e9}}
    for workers in clients:
        times = samples[workers]
        summary[f"cluster_{workers}_workers"] = {
            "median_s": statistics.median(times),
            "gelem_per_s": size / statistics.median(times) / 1e9,
            # throughput relative to in-process: median of the per-round paired ratios
            "vs_in_process": statistics.median(a / b for a, b in zip(local, times)),
        }
    return summary


def machine():
    """The CPU, the vector ISA the kernels are compiled for, and the load, for the record."""
    from elunumba.lab import machine

    return {"cpu": machine.cpu_model()["name"], "vector_isa": machine.compiled_for()["isa"],
            "load_average": os.getloadavg()}
