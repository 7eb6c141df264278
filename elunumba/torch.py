"""PyTorch front end: ``elu``, ``selu``, ``celu`` and the modules ``ELU``, ``SELU``, ``CELU``.

Same signatures as ``torch.nn.functional`` and ``torch.nn`` (``inplace`` included); the values
come from elunumba's kernels through its public functions, and autograd works:

    from elunumba.torch import ELU
    model = torch.nn.Sequential(torch.nn.Linear(64, 64), ELU(inplace=True))

The backward pass needs only the forward output (``elunumba.elu_backward``), so that is all the
autograd graph keeps, as PyTorch's in-place ELU does; this is why a negative ``alpha`` is refused
when a gradient is wanted (the output then no longer determines the slope). Double backward
works (the gradient's own derivative is a second Function). CPU tensors are handed to the kernels
as NumPy views of their memory (no copy); CUDA tensors through ``__cuda_array_interface__``,
ordered after the work already queued on the current stream. float16, float32 and float64 run
in their own dtype; bfloat16, which NumPy and Numba lack, is computed in float32 and rounded
once to bfloat16, as PyTorch does.
"""

import numbers

import torch  # absolute: this module's own name does not shadow PyTorch

import elunumba

__all__ = ["elu", "selu", "celu", "ELU", "SELU", "CELU"]

_KERNEL_DTYPES = (torch.float16, torch.float32, torch.float64)
_DTYPES = _KERNEL_DTYPES + (torch.bfloat16,)


def elu(input, alpha=1.0, inplace=False):
    """``torch.nn.functional.elu`` on elunumba's kernels."""
    return _apply(input, alpha, 1.0, 1.0, inplace)


def selu(input, inplace=False):
    """``torch.nn.functional.selu`` on elunumba's kernels."""
    return _apply(input, elunumba.SELU_ALPHA, elunumba.SELU_SCALE, 1.0, inplace)


def celu(input, alpha=1.0, inplace=False):
    """``torch.nn.functional.celu`` on elunumba's kernels; needs alpha > 0."""
    if not _real(alpha) > 0:
        raise ValueError(f"celu needs alpha > 0 (its input scale is 1/alpha), got {alpha!r}")
    return _apply(input, alpha, 1.0, 1.0 / alpha, inplace)


class ELU(torch.nn.Module):
    """``torch.nn.ELU(alpha=1.0, inplace=False)`` on elunumba's kernels."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return elu(input, self.alpha, self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class SELU(torch.nn.Module):
    """``torch.nn.SELU(inplace=False)`` on elunumba's kernels."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return selu(input, self.inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class CELU(ELU):
    """``torch.nn.CELU(alpha=1.0, inplace=False)`` on elunumba's kernels."""

    def forward(self, input):
        return celu(input, self.alpha, self.inplace)


def _real(alpha):
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
        raise TypeError(f"alpha must be a real number, got {alpha!r}")
    return alpha


def _apply(input, alpha, scale, input_scale, inplace):
    """Check everything that can be checked before any memory is written, then run."""
    if not isinstance(input, torch.Tensor):
        raise TypeError(f"input must be a torch.Tensor, got {type(input).__name__}")
    if input.dtype not in _DTYPES:
        raise TypeError(f"elunumba.torch computes {', '.join(map(str, _DTYPES))}; got "
                        f"{input.dtype}")
    if input.device.type not in ("cpu", "cuda"):
        raise TypeError(f"elunumba.torch runs on CPU and CUDA tensors; got one on "
                        f"{input.device}")
    params = (_real(alpha), scale, input_scale)
    if torch.is_grad_enabled() and input.requires_grad:
        if inplace and input.is_leaf:
            raise RuntimeError("a leaf tensor that requires grad cannot be overwritten in place "
                               "(inplace=True): use inplace=False, or apply it to a result")
        if not alpha >= 0:
            raise ValueError(
                f"the gradient of elu with alpha={alpha!r} < 0 cannot be taken from its output, "
                "and elunumba.torch keeps only the output: use alpha >= 0, or run without "
                "gradients (torch.no_grad())")
        return _EluFunction.apply(input, params, inplace)
    with torch.no_grad():
        output = _forward(input, params, inplace)
    if inplace:  # written through NumPy, which autograd does not see: let it know
        torch.autograd.graph.increment_version(input)
    return output


class _EluFunction(torch.autograd.Function):
    """y = elu(x); keeps y alone for the backward pass."""

    @staticmethod
    def forward(ctx, input, params, inplace):
        output = _forward(input, params, inplace)
        if inplace:
            ctx.mark_dirty(input)
        ctx.params = params
        ctx.save_for_backward(output)
        return output

    @staticmethod
    def backward(ctx, grad_output):
        (output,) = ctx.saved_tensors
        return _EluBackwardFunction.apply(grad_output, output, ctx.params), None, None


class _EluBackwardFunction(torch.autograd.Function):
    """grad_input = grad_output * slope(y), slope(y) = scale for y > 0, else
    input_scale*(y + alpha*scale). Its derivatives: slope(y) for grad_output (the same kernel
    again), and grad_output*input_scale where not y > 0 for y."""

    @staticmethod
    def forward(ctx, grad_output, output, params):
        ctx.params = params
        ctx.save_for_backward(grad_output, output)
        return _run(elunumba.elu_backward, (grad_output, output), params)

    @staticmethod
    def backward(ctx, grad_grad_input):
        grad_output, output = ctx.saved_tensors
        _, _, input_scale = ctx.params
        wrt_grad_output = _EluBackwardFunction.apply(grad_grad_input, output, ctx.params)
        wrt_output = torch.where(output > 0, 0.0, grad_grad_input * grad_output * input_scale)
        return wrt_grad_output, wrt_output, None


def _forward(input, params, inplace):
    if inplace:
        _run(elunumba.elu, (input,), params, out=input)
        return input  # the very tensor (autograd's in-place bookkeeping needs it)
    return _run(elunumba.elu, (input,), params)


def _run(function, inputs, params, out=None):
    """``function`` (elunumba.elu or elu_backward) on tensors, into ``out`` or a new tensor
    laid out like the first input."""
    alpha, scale, input_scale = params
    inputs = [t.detach() for t in inputs]
    result = torch.empty_like(inputs[0]) if out is None else out.detach()
    if inputs[0].dtype == torch.bfloat16:
        computed = _run(function, [t.float() for t in inputs], params)
        return result.copy_(computed)
    if inputs[0].device.type == "cuda":
        return _run_cuda(function, inputs, result, params)
    # .numpy() views the tensor's memory (strides included): the kernel reads and writes in place
    function(*(t.numpy() for t in inputs), alpha, scale=scale, input_scale=input_scale,
             out=result.numpy())
    return result


def _run_cuda(function, inputs, result, params):
    """On the GPU: elunumba launches on the default stream, so that stream first waits for the
    current one (which queued the inputs) and the current one then waits for the result.

    Not exercised by the test suite where no GPU is present (the simulator cannot run torch's
    CUDA tensors): kept to the stream ordering and contiguity that device arrays need.
    """
    alpha, scale, input_scale = params
    contiguous = [t.contiguous() for t in inputs]
    target = result if result.is_contiguous() else torch.empty(
        result.shape, dtype=result.dtype, device=result.device)
    device = result.device
    current, default = torch.cuda.current_stream(device), torch.cuda.default_stream(device)
    default.wait_stream(current)
    function(*contiguous, alpha, scale=scale, input_scale=input_scale, out=target,
             target="cuda")
    current.wait_stream(default)
    return result if target is result else result.copy_(target)
