"""ELU on a real dask.distributed LocalCluster with two worker processes.

Data are generated on the workers chunk by chunk; each op's result is compared, bit for bit, with
the in-process kernels on the whole array, each worker's resident memory is sampled during the
run, and each worker's kernels are counted (made once per process, loaded from Numba's disk
cache). The default size keeps this module well under a minute on two cores; the 2*10^8-element
run is marked ``dask_large`` (deselected by default) and writes its record, with the machine
and its load, to bench_results/dask-distributed-2e8.json:

    python -m pytest -m dask_large tests/interop/test_distributed.py
"""

import json
import pathlib

import numpy as np
import pytest

import elunumba

pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")
from elunumba.lab.files import atomic_output  # noqa: E402
from elunumba.lab.bench import distributed as on_cluster  # noqa: E402  (needs distributed)

LARGE_RECORD = pathlib.Path(__file__).resolve().parents[2] / "bench_results" / \
    "dask-distributed-2e8.json"

SMALL_SIZE, SMALL_CHUNK = 2**23, 2**18  # 32 chunks of 1 MiB
LARGE_SIZE, LARGE_CHUNK = 200_000_000, 2**23  # 24 chunks of 32 MiB (and a short last one)


@pytest.fixture(scope="module")
def client():
    on_cluster.warm_disk_cache()  # the workers must find the kernels on disk
    cluster, client = on_cluster.start_cluster(n_workers=2)
    yield client
    client.close()
    cluster.close()


def assert_verified(record):
    assert record["workers"] == 2
    ok, reasons = on_cluster.passed(record)
    assert ok, reasons
    # every worker ran all three ops' one-thread kernels, and nothing else
    for kernels in record["worker_kernels"].values():
        assert set(kernels) == {"forward/cpu/unit", "backward/cpu/unit", "fused/cpu/unit"}


def test_cluster_matches_in_process_kernels_holding_few_chunks(client):
    assert_verified(on_cluster.verify(client, SMALL_SIZE, SMALL_CHUNK))


def test_a_chunk_of_an_unsupported_dtype_fails_on_the_worker_with_the_library_message(client):
    lying = da.map_blocks(lambda: np.ones(3, np.complex64), chunks=((3,),), dtype=np.float32,
                          meta=np.empty(0, np.float32))
    with pytest.raises(TypeError, match=r"unsupported dtype \(complex64\): elunumba computes"):
        client.compute(elunumba.elu(lying), sync=True)


@pytest.mark.dask_large
def test_large_array_on_the_cluster(client):
    machine_before = on_cluster.machine()
    record = on_cluster.verify(client, LARGE_SIZE, LARGE_CHUNK)
    record.update(command="python -m pytest -m dask_large tests/interop/test_distributed.py",
                  machine=machine_before, load_average_after=on_cluster.machine()["load_average"],
                  passed=on_cluster.passed(record)[0])
    with atomic_output(LARGE_RECORD) as file:  # the record is kept whether it passed or not
        json.dump(record, file, indent=1)
        file.write("\n")
    assert_verified(record)
