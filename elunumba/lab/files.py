"""Output files written whole or not at all, output paths checked before any work is done, and
JSON input read within limits.

Every results file (JSON, CSV, markdown, plots, the docs' tables) goes through ``atomic_output``.
What it does depends on what the path names, as a shell's ``>`` would:

- a regular file, or nothing yet: the content is written to a temporary file in the destination
  folder and moved over the destination in one ``os.replace``, so an error or Ctrl-C halfway
  never leaves a truncated file where a good one was. A symbolic link is followed: its target is
  replaced and the link stays;
- a character device (/dev/null, a terminal) or a FIFO: written in place. Neither can be
  replaced atomically, and replacing one would destroy it (as root, ``os.replace`` over
  /dev/null puts a JSON file where the system's /dev/null was);
- one of this process's open descriptors (/dev/stdout, /dev/fd/N): written through the
  descriptor, after what was printed before;
- anything else (a folder, a block device, a socket) is refused.
"""

import contextlib
import json
import os
import pathlib
import re
import stat
import sys
import tempfile

# what matplotlib writes a figure as, by the file's suffix
FIGURE_SUFFIXES = (".png", ".svg", ".pdf")
# /dev/stdout links to /proc/self/fd/1; opening that anew would start at offset 0 of a file the
# shell redirected stdout to, over what was printed before
DESCRIPTOR_LINK = re.compile(r"/(?:dev/fd|proc/(?P<pid>self|\d+)/fd)/(?P<fd>\d+)")
# readlink hops followed before giving up, as the kernel's own limit for a path (MAXSYMLINKS)
MAX_LINK_HOPS = 40


class OutputPathError(ValueError):
    """An output path that cannot or must not be written (one line saying why)."""


class InputFileError(ValueError):
    """An input file that cannot be read as asked (one line naming the file)."""


KIND_NAMES = {"new": "not there", "stream": "a device or FIFO", "descriptor": "an open stream"}


def check_output_path(path, suffixes=None, rewrite=False):
    """``path`` as a Path, or OutputPathError saying why it cannot be written: it is a folder, a
    block device or a socket; its folder is missing or not writable; it is read-only; or its
    suffix is not one of ``suffixes`` (e.g. (".png", ".svg")). Character devices and FIFOs are
    accepted whatever their name (written in place, in the first format of ``suffixes`` unless
    the name gives another); with ``rewrite`` (a file read and written back) only an existing
    regular file is."""
    path = pathlib.Path(path)
    kind, target = output_kind(path)
    if rewrite and kind != "file":
        raise OutputPathError(f"{path} is {KIND_NAMES.get(kind, 'not a file')}: it is read and "
                              "written back, so it must be an existing regular file")
    if kind in ("stream", "descriptor"):
        if kind == "stream" and not _writable(target):
            raise OutputPathError(f"{path} is read-only")
        return path
    if suffixes is not None and path.suffix.lower() not in suffixes:
        raise OutputPathError(f"{path}: unsupported file type {path.suffix or '(none)'!r}; "
                              f"use one of {', '.join(suffixes)}")
    folder = target.parent
    if not folder.is_dir():
        raise OutputPathError(f"{path}: folder {folder} does not exist")
    if not _writable(folder, os.W_OK | os.X_OK):
        raise OutputPathError(f"{path}: folder {folder} is not writable")
    if kind == "file" and not _writable(target):
        raise OutputPathError(f"{path} is read-only")
    return path


def _writable(path, access=os.W_OK):
    """By its mode bits as well as os.access: root may write anything, but a file or folder
    without any write bit was made read-only on purpose."""
    return os.access(path, access) and bool(os.stat(path).st_mode & 0o222)


def output_kind(path):
    """(kind, target): "descriptor" and the descriptor number for one of this process's open
    files (/dev/stdout); "stream" and the path for a character device or FIFO; "file" or "new"
    and the path symbolic links lead to, for a regular file or nothing yet. OutputPathError for
    anything else."""
    descriptor = _descriptor(path)
    if descriptor is not None:
        import fcntl  # descriptor paths exist only where fcntl does

        try:
            flags = fcntl.fcntl(descriptor, fcntl.F_GETFL)
        except OSError:
            raise OutputPathError(f"{path}: descriptor {descriptor} is not open") from None
        if flags & os.O_ACCMODE == os.O_RDONLY:
            raise OutputPathError(f"{path}: descriptor {descriptor} is open for reading only")
        return "descriptor", descriptor
    target = pathlib.Path(os.path.realpath(path))
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "new", target
    except OSError as error:
        raise OutputPathError(f"cannot write {path}: {error.strerror}") from None
    if stat.S_ISREG(mode):
        return "file", target
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return "stream", pathlib.Path(path)
    if stat.S_ISDIR(mode):
        raise OutputPathError(f"{path} is a folder; give a file name")
    what = "a block device" if stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) \
        else "not a regular file"
    raise OutputPathError(f"{path} is {what}: write to a regular file, a character device "
                          "(/dev/null) or a FIFO")


def _descriptor(path):
    """The descriptor number when ``path`` leads, through symbolic links, to /dev/fd/N or
    /proc/self/fd/N; else None."""
    hop = os.path.abspath(path)
    for _ in range(MAX_LINK_HOPS):
        match = DESCRIPTOR_LINK.fullmatch(hop)
        if match:
            own = match["pid"] in (None, "self", str(os.getpid()))
            return int(match["fd"]) if own else None
        try:
            hop = os.path.normpath(os.path.join(os.path.dirname(hop), os.readlink(hop)))
        except OSError:
            return None
    return None


def same_output(first, second):
    """Whether two paths name one output that writing twice would clobber: the same file (by
    samefile where both exist, else by the paths symbolic links lead to). The same character
    device twice is not: written in turn, nothing is lost (/dev/null for two outputs)."""
    try:
        if stat.S_ISCHR(os.stat(first).st_mode):
            return False
    except OSError:
        pass
    try:
        return os.path.samefile(first, second)
    except OSError:
        return os.path.realpath(first) == os.path.realpath(second)


@contextlib.contextmanager
def atomic_output(path, mode="w", **open_args):
    """A file to write ``path`` through, as the module's docstring says: for a regular file, a
    temporary one beside it that replaces it (keeping its permissions) when the block ends
    without an error, else is deleted."""
    kind, target = output_kind(path)
    if kind == "descriptor":
        for stream in (sys.stdout, sys.stderr):
            stream.flush()  # what was printed before comes first
        with os.fdopen(os.dup(target), mode, **open_args) as file:
            yield file
        return
    if kind == "stream":
        with open(target, mode, **open_args) as file:
            yield file
        return
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                             suffix=".tmp")
    try:
        with os.fdopen(descriptor, mode, **open_args) as file:
            yield file
        mode_bits = target.stat().st_mode & 0o777 if kind == "file" else 0o666 & ~_umask()
        os.chmod(temporary, mode_bits)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def output_format(path, suffixes):
    """The format a file of several possible ones is written in: the name's suffix when it is
    one of ``suffixes``, else the first (a device or FIFO, whose name need not tell)."""
    suffix = pathlib.Path(path).suffix.lower()
    return (suffix if suffix in suffixes else suffixes[0]).lstrip(".")


def _umask():
    current = os.umask(0)
    os.umask(current)
    return current


def write_json(path, payload, indent=1, allow_nan=True):
    """``payload`` as JSON in ``path``, through atomic_output."""
    with atomic_output(path) as file:
        json.dump(payload, file, indent=indent, allow_nan=allow_nan)
        file.write("\n")


# far above any file elunumba writes (a full sweep's results: about 1 MB, 7 levels deep), far
# below what would exhaust memory or Python's recursion limit
MAX_JSON_BYTES = 256 * 2**20
MAX_JSON_DEPTH = 64


def read_json(path, max_bytes=MAX_JSON_BYTES, max_depth=MAX_JSON_DEPTH):
    """The JSON value in ``path``; InputFileError naming the file when it cannot be read, is
    larger than ``max_bytes``, is not JSON, or nests deeper than ``max_depth``."""
    try:
        with open(path, "rb") as file:
            data = file.read(max_bytes + 1)
    except OSError as error:
        raise InputFileError(f"cannot read {path}: {error.strerror or error}") from None
    if len(data) > max_bytes:
        raise InputFileError(f"{path} is larger than {max_bytes // 2**20} MiB: not a file "
                             "elunumba wrote")
    try:
        value = json.loads(data)
    except RecursionError:
        raise InputFileError(f"cannot read {path}: nested too deeply (at most {max_depth} "
                             "levels)") from None
    except ValueError as error:  # json.JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise InputFileError(f"cannot read {path}: {error}") from None
    if _depth(value) > max_depth:
        raise InputFileError(f"cannot read {path}: nested too deeply (at most {max_depth} "
                             "levels)")
    return value


def _depth(value):
    """How deeply lists and objects nest in ``value`` (a scalar: 0), without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, level = pending.pop()
        children = item.values() if isinstance(item, dict) else \
            item if isinstance(item, list) else None
        if children is not None:
            deepest = max(deepest, level)
            pending.extend((child, level + 1) for child in children)
    return deepest
