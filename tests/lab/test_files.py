"""Atomic output files and output-path checks (elunumba.lab.files)."""

import os
import stat

import pytest

from elunumba.lab.files import atomic_output, check_output_path


def test_atomic_output_replaces_the_file_whole(tmp_path):
    target = tmp_path / "results.json"
    target.write_text("old")
    with atomic_output(target) as file:
        file.write("new")
        assert target.read_text() == "old"  # nothing visible until the block ends
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_atomic_output_keeps_the_old_file_on_error(tmp_path):
    target = tmp_path / "results.json"
    target.write_text("old")
    with pytest.raises(RuntimeError, match="halfway"):
        with atomic_output(target) as file:
            file.write("partial")
            raise RuntimeError("halfway")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_atomic_output_keeps_permissions_and_writes_binary(tmp_path):
    target = tmp_path / "plot.png"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    with atomic_output(target, "wb") as file:
        file.write(b"\x89PNG")
    assert target.read_bytes() == b"\x89PNG"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_new_file_gets_the_umask_permissions(tmp_path):
    target = tmp_path / "new.txt"
    previous = os.umask(0o027)
    try:
        with atomic_output(target) as file:
            file.write("x")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


@pytest.mark.parametrize("name, suffixes, message", [
    ("missing/out.json", None, "does not exist"),
    ("plot.gif", (".png", ".svg"), r"unsupported file type '.gif'; use one of .png, .svg"),
    ("plot", (".png",), r"unsupported file type '\(none\)'"),
])
def test_check_output_path_refuses(tmp_path, name, suffixes, message):
    with pytest.raises(ValueError, match=message):
        check_output_path(tmp_path / name, suffixes)


def test_check_output_path_refuses_a_folder(tmp_path):
    with pytest.raises(ValueError, match="is a folder"):
        check_output_path(tmp_path, None)


def test_check_output_path_refuses_read_only(tmp_path):
    target = tmp_path / "README.md"
    target.write_text("x")
    os.chmod(target, 0o444)
    with pytest.raises(ValueError, match="read-only"):
        check_output_path(target)


def test_check_output_path_accepts_a_writable_file(tmp_path):
    assert check_output_path(tmp_path / "a.PNG", (".png",)) == tmp_path / "a.PNG"
