"""Output files written whole or not at all, and output paths checked before any work is done.

Every results file (JSON, CSV, markdown, plots, README tables) goes through ``atomic_output``: the
content is written to a temporary file in the destination folder and moved over the destination in
one ``os.replace``, so an error or Ctrl-C halfway never leaves a truncated file where a good one was.
"""

import contextlib
import os
import pathlib
import tempfile


def check_output_path(path, suffixes=None):
    """``path`` as a Path, or ValueError saying why it cannot be written: its folder is missing or
    not writable, it is a folder, or its suffix is not one of ``suffixes`` (e.g. (".png", ".svg"))."""
    path = pathlib.Path(path)
    if path.is_dir():
        raise ValueError(f"{path} is a folder; give a file name")
    if suffixes is not None and path.suffix.lower() not in suffixes:
        raise ValueError(f"{path}: unsupported file type {path.suffix or '(none)'!r}; "
                         f"use one of {', '.join(suffixes)}")
    folder = path.parent
    if not folder.is_dir():
        raise ValueError(f"{path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(f"{path}: folder {folder} is not writable")
    # by its mode bits, not os.access: root may write anything, but a file without write bits
    # was made read-only on purpose
    if path.exists() and (not path.stat().st_mode & 0o222 or not os.access(path, os.W_OK)):
        raise ValueError(f"{path} is read-only")
    return path


@contextlib.contextmanager
def atomic_output(path, mode="w", **open_args):
    """Open a temporary file beside ``path`` for writing; when the block ends without an error,
    replace ``path`` with it (keeping the permissions of the file it replaces), else delete it."""
    path = pathlib.Path(path)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                             suffix=".tmp")
    try:
        with os.fdopen(descriptor, mode, **open_args) as file:
            yield file
        mode_bits = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
        os.chmod(temporary, mode_bits)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _umask():
    current = os.umask(0)
    os.umask(current)
    return current
