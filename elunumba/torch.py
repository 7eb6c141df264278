"""PyTorch front end: ``elu``, ``selu``, ``celu`` and the modules ``ELU``, ``SELU``, ``CELU``.

Same signatures as ``torch.nn.functional`` and ``torch.nn`` (``inplace`` included); the values
come from elunumba's kernels, registered as the PyTorch operators ``torch.ops.elunumba.elu``,
``elu_`` (in place) and ``elu_backward``:

    from elunumba.torch import ELU
    model = torch.nn.Sequential(torch.nn.Linear(64, 64), ELU(inplace=True))
    compiled = torch.compile(model, fullgraph=True)  # the same bits as model

What works as with torch.nn.ELU: backward of any order, forward mode (dual tensors,
torch.func.jvp), torch.func's vmap, grad, jacrev, jacfwd and hessian and their compositions,
torch.compile (fullgraph, dynamic shapes), torch.export and torch.jit.trace, which record the
operators. Forward mode inside torch.compile runs the activation eagerly (a graph break, which
fullgraph=True refuses): PyTorch's operators would drop the tangent there. torch.func.grad inside
torch.compile is refused by PyTorch itself (pytorch/pytorch#179652).

The backward pass needs only the forward output (``elunumba.elu_backward``), so that is all the
autograd graph keeps, as PyTorch's in-place ELU does; this is why a negative ``alpha`` is refused
when a derivative is wanted (the output then no longer determines the slope). In place, like
PyTorch, it refuses a leaf that requires grad, an inference tensor outside inference mode and a
tensor whose elements may share memory (``expand``), before writing anything.
"""

import numbers

import torch  # absolute: this module's own name does not shadow PyTorch

import elunumba
from elunumba.interop import _torch_ops as ops
from elunumba.interop._torch_autograd import Elu, EluInplace, check_alpha_for_derivatives

__all__ = ["CELU", "ELU", "SELU", "celu", "elu", "selu"]

_DTYPES = (torch.float16, torch.float32, torch.float64, torch.bfloat16)


def elu(input, alpha=1.0, inplace=False):
    """``torch.nn.functional.elu`` on elunumba's kernels, with autograd (Clevert et al. 2015)::

        ELU(x) = x                      if x > 0
                 alpha * (exp(x) - 1)   otherwise

    Parameters
    ----------
    input : torch.Tensor
        A dense (strided) float16, bfloat16, float32 or float64 tensor on the CPU or a CUDA
        GPU, of any shape; anything else raises TypeError.
    alpha : float, default 1.0
        The negative branch's saturation (-alpha as x -> -inf): a real number (else TypeError).
        Where a derivative is wanted (input requires grad, forward-mode AD) it must be >= 0,
        because the backward pass keeps only the output (else ValueError).
    inplace : bool, default False
        Overwrite ``input`` with the result and return it. Refused with RuntimeError, before
        anything is written, for a leaf tensor that requires grad, an inference tensor
        outside inference mode and a tensor whose elements may share memory (``expand``).

    Returns
    -------
    torch.Tensor
        ELU(input), of its shape, dtype and device; ``input`` itself when inplace.

    Examples
    --------
    >>> import torch
    >>> from elunumba.torch import elu
    >>> x = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    >>> y = elu(x)
    >>> y.detach()
    tensor([-0.6321,  0.0000,  2.0000])
    >>> y.sum().backward()
    >>> x.grad
    tensor([0.3679, 1.0000, 1.0000])
    """
    return _apply(input, alpha, 1.0, 1.0, inplace)


def selu(input, inplace=False):
    """``torch.nn.functional.selu`` on elunumba's kernels, with autograd::

        SELU(x) = SELU_SCALE * x                           if x > 0
                  SELU_SCALE * SELU_ALPHA * (exp(x) - 1)   otherwise

    with Klambauer et al.'s (2017) constants ``elunumba.SELU_ALPHA`` = 1.6732632423543772 and
    ``elunumba.SELU_SCALE`` = 1.0507009873554805.

    Parameters
    ----------
    input : torch.Tensor
        As for ``elu``.
    inplace : bool, default False
        As for ``elu``.

    Returns
    -------
    torch.Tensor
        SELU(input), of its shape, dtype and device; ``input`` itself when inplace.

    Examples
    --------
    >>> import torch
    >>> from elunumba.torch import selu
    >>> selu(torch.tensor([-1.0, 0.0, 1.0]))
    tensor([-1.1113,  0.0000,  1.0507])
    """
    return _apply(input, elunumba.SELU_ALPHA, elunumba.SELU_SCALE, 1.0, inplace)


def celu(input, alpha=1.0, inplace=False):
    """``torch.nn.functional.celu`` on elunumba's kernels, with autograd (Barron 2017)::

        CELU(x) = max(0, x) + min(0, alpha * (exp(x / alpha) - 1))

    that is ELU with input_scale = 1/alpha.

    Parameters
    ----------
    input : torch.Tensor
        As for ``elu``.
    alpha : float, default 1.0
        A real number > 0 (else ValueError; TypeError for a value that is not real).
    inplace : bool, default False
        As for ``elu``.

    Returns
    -------
    torch.Tensor
        CELU(input), of its shape, dtype and device; ``input`` itself when inplace.

    Examples
    --------
    >>> import torch
    >>> from elunumba.torch import celu
    >>> celu(torch.tensor([-2.0, 0.0, 1.0]), alpha=2.0)
    tensor([-1.2642,  0.0000,  1.0000])
    """
    if not _real(alpha) > 0:
        raise ValueError(f"celu needs alpha > 0 (its input scale is 1/alpha), got {alpha!r}")
    return _apply(input, alpha, 1.0, 1.0 / alpha, inplace)


class ELU(torch.nn.Module):
    """``torch.nn.ELU(alpha=1.0, inplace=False)`` on elunumba's kernels: applies ``elu``.

    ``ELU(x) = x if x > 0 else alpha * (exp(x) - 1)``, element by element.

    Parameters
    ----------
    alpha : float, default 1.0
        As for ``elu``: >= 0 where a derivative is wanted.
    inplace : bool, default False
        Overwrite the input in ``forward``, as for ``elu``.

    Examples
    --------
    >>> import torch
    >>> from elunumba.torch import ELU
    >>> model = torch.nn.Sequential(torch.nn.Linear(4, 4), ELU(inplace=True))
    >>> model[1]
    ELU(alpha=1.0, inplace=True)
    >>> ELU(alpha=0.5)(torch.tensor([-2.0, 0.0, 1.0]))
    tensor([-0.4323,  0.0000,  1.0000])
    """

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return elu(input, self.alpha, self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class SELU(torch.nn.Module):
    """``torch.nn.SELU(inplace=False)`` on elunumba's kernels: applies ``selu``.

    ``SELU(x) = SELU_SCALE * (x if x > 0 else SELU_ALPHA * (exp(x) - 1))``, element by element.

    Parameters
    ----------
    inplace : bool, default False
        Overwrite the input in ``forward``, as for ``elu``.

    Examples
    --------
    >>> import torch
    >>> from elunumba.torch import SELU
    >>> SELU()(torch.tensor([-1.0, 0.0, 1.0]))
    tensor([-1.1113,  0.0000,  1.0507])
    """

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return selu(input, self.inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class CELU(ELU):
    """``torch.nn.CELU(alpha=1.0, inplace=False)`` on elunumba's kernels: applies ``celu``.

    ``CELU(x) = max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``, element by element.

    Parameters
    ----------
    alpha : float, default 1.0
        As for ``celu``: > 0.
    inplace : bool, default False
        Overwrite the input in ``forward``, as for ``elu``.

    Examples
    --------
    >>> import torch
    >>> from elunumba.torch import CELU
    >>> CELU(alpha=2.0)(torch.tensor([-2.0, 0.0, 1.0]))
    tensor([-1.2642,  0.0000,  1.0000])
    """

    def forward(self, input):
        return celu(input, self.alpha, self.inplace)


def _real(alpha):
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
        raise TypeError(f"alpha must be a real number, got {alpha!r}")
    return alpha


def _apply(input, alpha, scale, input_scale, inplace):
    """Check everything that can be checked before any memory is written, then run: eagerly
    through the autograd Functions, or as the operators when a graph is being captured."""
    if not isinstance(input, torch.Tensor):
        raise TypeError(f"input must be a torch.Tensor, got {type(input).__name__}")
    if input.dtype not in _DTYPES:
        raise TypeError(f"elunumba.torch computes {', '.join(map(str, _DTYPES))}; got "
                        f"{input.dtype}")
    if input.device.type not in ("cpu", "cuda"):
        raise TypeError(f"elunumba.torch runs on CPU and CUDA tensors; got one on "
                        f"{input.device}")
    if input.layout != torch.strided:
        raise TypeError(f"elunumba.torch computes dense (strided) tensors; got {input.layout}: "
                        "convert it with tensor.to_dense()")
    params = (float(_real(alpha)), float(scale), float(input_scale))
    wants_gradient = torch.is_grad_enabled() and input.requires_grad
    if wants_gradient or _forward_mode():
        check_alpha_for_derivatives(alpha)
    if inplace:
        _check_writable(input, wants_gradient)
    if torch.jit.is_tracing() or (torch.compiler.is_compiling() and not _forward_mode()):
        return _as_operators(input, params, inplace)
    if torch.compiler.is_compiling():
        return _eager_within_compiled(input, params, inplace, wants_gradient)
    return _eager(input, params, inplace, wants_gradient)


def _eager(input, params, inplace, wants_gradient):
    if inplace and input.is_neg():  # a lazy negation (torch._neg_view) cannot be written through
        return input.copy_(_eager(input, params, False, wants_gradient))
    if wants_gradient or _forward_mode() or torch._C._are_functorch_transforms_active():
        return (EluInplace if inplace else Elu).apply(input, *params)
    return ops.compute(input, params, inplace)  # nothing to differentiate: no Function needed


# PyTorch's custom operators drop a forward-mode tangent, and torch.compile ignores the jvp of an
# autograd Function under forward mode (pytorch/pytorch#192985): a compiled graph would give a
# zero tangent. So under forward mode the call leaves the graph and runs eagerly (fullgraph=True
# refuses that, giving this reason).
_eager_within_compiled = torch.compiler.disable(
    _eager, reason="elunumba.torch's forward-mode derivative (jvp) runs eagerly")


def _forward_mode():
    """Whether a forward-mode AD level is open (forward_ad.dual_level, torch.func.jvp, jacfwd):
    PyTorch has no public query for it."""
    return torch.autograd.forward_ad._current_level >= 0


def _as_operators(input, params, inplace):
    """What a captured graph records: the functional operator, which alone has a backward
    formula, and for in place a copy into the input."""
    output = ops.elu(input, *params)
    return input.copy_(output) if inplace else output


def _check_writable(input, wants_gradient):
    """Refuse, as PyTorch's in-place functions do, what must not be written."""
    if wants_gradient and input.is_leaf:
        raise RuntimeError("a leaf tensor that requires grad cannot be overwritten in place "
                           "(inplace=True): use inplace=False, or apply it to a result")
    if torch.compiler.is_compiling() or torch.jit.is_tracing():
        return  # symbolic: the captured graph's own in-place write checks the rest
    if input.is_inference() and not torch.is_inference_mode_enabled():
        raise RuntimeError("an inference tensor cannot be overwritten in place outside "
                           "torch.inference_mode() (inplace=True): use inplace=False, or "
                           "clone() it first")
    if _may_overlap(input):
        raise RuntimeError(
            f"inplace=True on a tensor whose elements may share memory (shape "
            f"{tuple(input.shape)}, strides {input.stride()}, e.g. from expand()) would write "
            "some elements twice: use inplace=False, or clone() it first")


def _may_overlap(tensor):
    """False when the tensor's elements certainly occupy distinct memory: ordered by stride,
    each dimension steps past everything the smaller ones span."""
    extent = 0
    for size, stride in sorted(((n, abs(s)) for n, s in zip(tensor.shape, tensor.stride())
                                if n > 1), key=lambda pair: pair[1]):
        if stride <= extent:
            return True
        extent += (size - 1) * stride
    return False
