"""The targets: which exist, which can run here, and the CUDA backend behind "cuda"."""

TARGETS = ("auto", "cpu", "parallel", "cuda")
HOST_TARGETS = ("cpu", "parallel")


class TargetUnavailableError(RuntimeError):
    """An explicitly requested target cannot run on this machine."""


def check_target(target):
    if not isinstance(target, str) or target not in TARGETS:
        raise ValueError(f"unknown target {target!r}: valid targets are {', '.join(TARGETS)}")
    return target


def available_targets():
    """The targets that can run here, in TARGETS order: "cuda" only where a GPU (or Numba's
    simulator) and numba's CUDA support are both there. Imports the CUDA backend to find out."""
    try:
        cuda_backend()
    except TargetUnavailableError:
        return tuple(t for t in TARGETS if t != "cuda")
    return TARGETS


def cuda_backend():
    """The CUDA kernel module, or TargetUnavailableError saying what is missing."""
    available = ", ".join(t for t in TARGETS if t != "cuda")
    try:
        from ..kernels import gpu as cuda
    except ImportError as error:
        raise TargetUnavailableError(
            f"target 'cuda' needs numba's CUDA support, which failed to import ({error}); "
            f"install elunumba[cuda]. Available targets: {available}"
        ) from None
    usable, detail = cuda.availability()
    if not usable:
        raise TargetUnavailableError(
            f"target 'cuda' cannot run here: {detail}. Available targets: {available}"
        )
    return cuda
