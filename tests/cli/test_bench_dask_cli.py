"""`elunumba bench dask`: a tiny run through a one-worker LocalCluster, and bad input refused
(exit 2, no traceback, nothing written) before any cluster starts."""

import json
import sys

import pytest
from click.testing import CliRunner

from elunumba_cli.main import cli

pytest.importorskip("distributed")


def invoke(*args):
    return CliRunner().invoke(cli, ["bench", "dask", *(str(a) for a in args)])


def test_tiny_run_writes_its_record(tmp_path):
    path = tmp_path / "dask.json"
    outcome = invoke("--size", "2^16", "--chunk", "2^14", "--workers", "1", "--repeats", "1",
                     "--json", path)
    assert outcome.exit_code == 0, outcome.output
    assert "1 worker" in outcome.output and "in-process" in outcome.output
    record = json.loads(path.read_text())
    assert set(record["ops"]) == {"copy", "forward", "backward", "fused"}
    for summary in record["ops"].values():
        assert summary["in_process"]["median_s"] > 0
        assert summary["cluster_1_workers"]["vs_in_process"] > 0
    assert record["machine"]["vector_isa"] and record["command"].startswith("elunumba")


@pytest.mark.parametrize("args, message", [
    (("--size", "0"), "must be at least 1"),
    (("--size", "1e3", "--chunk", "1e4"), "larger than --size"),
    (("--workers", "0,2"), "at least 1"),
    (("--workers", "two"), "worker counts such as 1,2"),
    (("--repeats", "0"), "0 is not in the range"),
    (("--size", "2^50"), "GiB is available"),
    (("--json", "{tmp}/missing/out.json"), "does not exist"),
    (("--json", "{tmp}/out.csv"), "unsupported file type"),
])
def test_bad_input_is_a_usage_error(tmp_path, args, message):
    outcome = invoke(*(a.format(tmp=tmp_path) for a in args))
    assert outcome.exit_code == 2 and message in outcome.output
    assert "Traceback" not in outcome.output
    assert not list(tmp_path.rglob("*.json"))


def test_missing_distributed_names_the_extra(monkeypatch):
    import elunumba.lab.bench

    # as if never imported, with distributed missing: the command's import must fail
    monkeypatch.setitem(sys.modules, "distributed", None)
    monkeypatch.delitem(sys.modules, "elunumba.lab.bench.distributed", raising=False)
    monkeypatch.delattr(elunumba.lab.bench, "distributed", raising=False)
    outcome = invoke("--size", "2^10", "--chunk", "2^8")
    assert outcome.exit_code == 2
    assert "pip install 'elunumba[dask]'" in outcome.output
