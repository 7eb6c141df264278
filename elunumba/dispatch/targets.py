"""The targets: which exist, which can run here, and the CUDA backend behind "cuda"."""

TARGETS = ("auto", "cpu", "parallel", "cuda")
HOST_TARGETS = ("cpu", "parallel")


class TargetUnavailableError(RuntimeError):
    """An explicitly requested target cannot run on this machine.

    Raised by the public functions for ``target="cuda"`` where no GPU, no driver or no CUDA
    support (``elunumba[cuda]``) is there; the message names what is missing and the targets
    that can run. ``target="auto"`` never raises it: it picks a target that can run.

    Examples
    --------
    >>> import numpy as np
    >>> import elunumba
    >>> x = np.array([-1.0, 0.0, 2.0])
    >>> try:
    ...     y = elunumba.elu(x, target="cuda")
    ... except elunumba.TargetUnavailableError:
    ...     y = elunumba.elu(x, target="parallel")  # no GPU here: all CPU threads instead
    >>> print(np.round(y, 4))
    [-0.6321  0.      2.    ]
    """


def check_target(target):
    if not isinstance(target, str) or target not in TARGETS:
        raise ValueError(f"unknown target {target!r}: valid targets are {', '.join(TARGETS)}")
    return target


def available_targets():
    """The targets that can run on this machine, in ``elunumba.TARGETS`` order.

    "cuda" is among them only where a GPU (or Numba's simulator, NUMBA_ENABLE_CUDASIM=1) and
    numba's CUDA support are both there; finding out imports the CUDA backend (no kernel is
    compiled).

    Returns
    -------
    tuple of str
        ``("auto", "cpu", "parallel")``, or with "cuda" at the end.

    Examples
    --------
    >>> import elunumba
    >>> {"auto", "cpu", "parallel"} <= set(elunumba.available_targets())
    True
    """
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
