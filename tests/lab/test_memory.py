"""The memory a process may use honours its control group's limit (elunumba.lab.memory)."""

import pytest

from elunumba.lab.memory import _host_memory, memory_bytes

GIB = 2**30


def _write(folder, **files):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name.replace("_", ".", 1)).write_text(text)


@pytest.fixture
def host():
    return _host_memory()


def test_cgroup_v2_limit_caps_total_and_available(tmp_path, host):
    _write(tmp_path / "box", memory_max=f"{GIB}\n", memory_current=f"{GIB // 4}\n")
    (tmp_path / "cgroup").write_text("0::/box\n")
    total, available = memory_bytes(tmp_path, tmp_path / "cgroup")
    assert total == min(host[0], GIB)
    assert available == min(host[1], GIB - GIB // 4)


def test_cgroup_v1_limit_caps_total_and_available(tmp_path, host):
    _write(tmp_path / "memory" / "job", memory_limit_in_bytes=f"{2 * GIB}\n",
           memory_usage_in_bytes=f"{GIB}\n")
    (tmp_path / "cgroup").write_text("4:memory:/job\n3:cpu:/\n")
    assert memory_bytes(tmp_path, tmp_path / "cgroup") == (min(host[0], 2 * GIB),
                                                           min(host[1], GIB))


def test_no_limit_leaves_the_host_figures(tmp_path, host):
    _write(tmp_path, memory_max="max\n", memory_current="123\n")
    _write(tmp_path / "memory", memory_limit_in_bytes="9223372036854771712\n",
           memory_usage_in_bytes="5\n")
    (tmp_path / "cgroup").write_text("0::/\n4:memory:/\n")
    total, available = memory_bytes(tmp_path, tmp_path / "cgroup")
    assert total == host[0] and abs(available - host[1]) < 256 * 2**20  # MemAvailable moves


def test_usage_over_the_limit_leaves_nothing_available(tmp_path):
    _write(tmp_path, memory_max=f"{GIB}\n", memory_current=f"{2 * GIB}\n")
    (tmp_path / "cgroup").write_text("0::/\n")
    assert memory_bytes(tmp_path, tmp_path / "cgroup")[1] == 0


def test_unreadable_cgroup_files_are_ignored(tmp_path, host):
    _write(tmp_path, memory_max="garbage\n", memory_current="1\n")
    assert memory_bytes(tmp_path, tmp_path / "missing")[0] == host[0]
    (tmp_path / "cgroup").write_text("0::/\n")
    assert memory_bytes(tmp_path, tmp_path / "cgroup")[0] == host[0]
