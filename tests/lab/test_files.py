"""Atomic output files and output-path checks (elunumba.lab.files)."""

import errno
import os
import pathlib
import socket
import stat
import threading

import pytest
from cli_usage import device_node

from elunumba.lab.files import (
    InputFileError,
    OutputPathError,
    atomic_output,
    check_output_path,
    output_format,
    read_json,
    same_output,
)


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


# Paths that are not plain files. On today's code as root, atomic_output replaced each of these
# with a regular file (the system's /dev/null included), so the device nodes here are copies
# made in the test's folder when the tests run as root.

def test_a_character_device_is_written_in_place(tmp_path):
    node = device_node(tmp_path, "null")
    check_output_path(node, (".json",))  # a stream's name need not carry the suffix
    with atomic_output(node) as file:
        file.write("{}")
    assert stat.S_ISCHR(os.stat(node).st_mode)
    assert sorted(tmp_path.iterdir()) == ([node] if node.parent == tmp_path else [])


def test_a_full_device_raises_no_space_left(tmp_path):
    node = device_node(tmp_path, "full")
    with pytest.raises(OSError) as caught, atomic_output(node) as file:
        file.write("{}")
    assert caught.value.errno == errno.ENOSPC and stat.S_ISCHR(os.stat(node).st_mode)


def test_a_fifo_is_written_in_place(tmp_path):
    fifo = tmp_path / "results.json"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    with atomic_output(fifo) as file:
        file.write("through the pipe")
    reader.join(timeout=10)
    assert received == ["through the pipe"] and stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_a_symbolic_link_is_followed_and_stays(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "results.json"
    target.write_text("old")
    os.chmod(target, 0o640)
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    with atomic_output(link) as file:
        file.write("new")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o640
    dangling = tmp_path / "next.json"
    dangling.symlink_to(tmp_path / "real" / "created.json")
    with atomic_output(dangling) as file:
        file.write("created")
    assert dangling.is_symlink() and (tmp_path / "real" / "created.json").read_text() == "created"


def test_an_open_descriptor_is_written_after_what_it_holds(tmp_path):
    """/dev/stdout redirected to a file: written through the descriptor, after what was printed,
    not over it from offset 0 (and the file is not replaced)."""
    log = tmp_path / "log.txt"
    with open(log, "w") as stdout:
        stdout.write("table\n")
        stdout.flush()
        with atomic_output(f"/dev/fd/{stdout.fileno()}") as file:
            file.write("json\n")
        stdout.write("wrote it\n")
    assert log.read_text() == "table\njson\nwrote it\n"


def test_a_folder_and_a_socket_are_refused(tmp_path):
    folder = tmp_path / "out.json"
    folder.mkdir()
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "socket.json"))
        for path, message in ((folder, "is a folder"), (tmp_path / "socket.json", "is a socket")):
            with pytest.raises(OutputPathError, match=message):
                check_output_path(path)
            with pytest.raises(OutputPathError, match=message), atomic_output(path):
                pass


@pytest.mark.skipif(os.geteuid() != 0, reason="making a block device node needs root")
def test_a_block_device_is_refused(tmp_path):
    node = tmp_path / "disk"
    os.mknod(node, stat.S_IFBLK | 0o600, os.makedev(7, 0))
    with pytest.raises(OutputPathError, match="is a block device"):
        check_output_path(node)


def test_a_read_only_fifo_and_an_unwritable_folder_are_refused(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo, 0o444)
    with pytest.raises(OutputPathError, match="read-only"):
        check_output_path(fifo)
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(OutputPathError, match="folder .* is not writable"):
            check_output_path(folder / "out.json")
    finally:
        folder.chmod(0o755)


def test_a_file_read_and_written_back_must_be_a_regular_file(tmp_path):
    with pytest.raises(OutputPathError, match="must be an existing regular file"):
        check_output_path(device_node(tmp_path, "null"), rewrite=True)
    with pytest.raises(OutputPathError, match="must be an existing regular file"):
        check_output_path(tmp_path / "README.md", rewrite=True)


def test_same_output_sees_links_and_not_devices(tmp_path):
    first = tmp_path / "a.json"
    assert same_output(first, tmp_path / "." / "a.json")  # neither exists yet
    first.write_text("x")
    (tmp_path / "link.json").symlink_to(first)
    os.link(first, tmp_path / "hard.json")
    assert same_output(first, tmp_path / "link.json") and same_output(first, tmp_path / "hard.json")
    assert not same_output(first, tmp_path / "b.json")
    node = device_node(tmp_path, "null")
    assert not same_output(node, node)  # written in turn, nothing is lost


def test_output_format_follows_the_suffix_else_the_first(tmp_path):
    assert output_format(tmp_path / "plot.SVG", (".png", ".svg")) == "svg"
    assert output_format("/dev/null", (".png", ".svg")) == "png"


def test_read_json_refuses_deep_nesting_without_a_recursion_error(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)  # beyond json.loads' own recursion limit
    with pytest.raises(InputFileError, match=f"cannot read {path}: nested too deeply"):
        read_json(path)
    path.write_text("[" * 65 + "]" * 65)  # parses, and nests beyond the reader's limit
    with pytest.raises(InputFileError, match="nested too deeply"):
        read_json(path)
    path.write_text("[" * 64 + "]" * 64)
    assert read_json(path) is not None


def test_read_json_refuses_large_files_and_says_why_it_cannot_read(tmp_path):
    path = tmp_path / "big.json"
    path.write_text("[" + "0," * 1000 + "0]")
    with pytest.raises(InputFileError, match="is larger than"):
        read_json(path, max_bytes=1000)
    path.write_bytes(b"\xff\xfe not json")
    with pytest.raises(InputFileError, match=f"cannot read {path}"):
        read_json(path)
    with pytest.raises(InputFileError, match="No such file"):
        read_json(tmp_path / "missing.json")


def test_standard_output_is_accepted_and_a_closed_or_read_only_descriptor_is_not():
    assert check_output_path("/dev/stdout") == pathlib.Path("/dev/stdout")
    with open(os.devnull) as file:
        closed = file.fileno()
    with pytest.raises(OutputPathError, match=f"descriptor {closed} is not open"):
        check_output_path(f"/dev/fd/{closed}")
    with open(os.devnull) as file, pytest.raises(OutputPathError, match="for reading only"):
        check_output_path(f"/dev/fd/{file.fileno()}")
