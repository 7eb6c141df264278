"""elunumba's kernels as PyTorch operators: ``torch.ops.elunumba.elu``, ``elu_`` (in place) and
``elu_backward``, registered with ``torch.library.custom_op``.

An operator is what graph capture (torch.compile, torch.export, torch.jit.trace) records as one
opaque call instead of tracing into the NumPy views the kernels run on; each has a fake
implementation (shape, dtype and layout only) for those tracers, a vmap rule (the kernels are
elementwise, so a batch is one bigger call), and the functional ones a backward formula, so that
AOTAutograd can differentiate a captured graph. PyTorch gives custom operators no forward-mode
rule (a dual tensor's tangent would be dropped), which is why eager calls go through the
autograd Functions of ``_torch_autograd`` instead, and from them to ``compute``.

All three take (alpha, scale, input_scale) as elunumba's public functions do. CPU tensors reach
the kernels as NumPy views of their memory (no copy); CUDA tensors through
``__cuda_array_interface__``, ordered after the work already queued on the current stream.
float16, float32 and float64 run in their own dtype; bfloat16, which NumPy and Numba lack, is
computed in float32 and rounded once to bfloat16, as PyTorch does.
"""

import torch

import elunumba


@torch.library.custom_op("elunumba::elu", mutates_args=())
def elu(input: torch.Tensor, alpha: float, scale: float, input_scale: float) -> torch.Tensor:
    """elunumba.elu(input, alpha, scale=, input_scale=) into a new tensor laid out like input."""
    return _run(elunumba.elu, (input,), (alpha, scale, input_scale))


@torch.library.custom_op("elunumba::elu_", mutates_args={"input"})
def elu_(input: torch.Tensor, alpha: float, scale: float, input_scale: float) -> None:
    """elunumba.elu(input, ..., out=input)."""
    _run(elunumba.elu, (input,), (alpha, scale, input_scale), out=input)


@torch.library.custom_op("elunumba::elu_backward", mutates_args=())
def elu_backward(grad_output: torch.Tensor, output: torch.Tensor, alpha: float, scale: float,
                 input_scale: float) -> torch.Tensor:
    """elunumba.elu_backward: grad_output * slope(output), slope(y) = scale for y > 0, else
    input_scale*(y + alpha*scale)."""
    return _run(elunumba.elu_backward, (grad_output, output), (alpha, scale, input_scale))


@elu.register_fake
def _elu_fake(input, alpha, scale, input_scale):
    return torch.empty_like(input)


@elu_.register_fake
def _elu_inplace_fake(input, alpha, scale, input_scale):
    return None


@elu_backward.register_fake
def _elu_backward_fake(grad_output, output, alpha, scale, input_scale):
    return torch.empty_like(grad_output)


# vmap: elementwise, so the batched tensors go to the kernel whole; elu_backward's two inputs
# are first brought to one batch dimension (an unbatched one is broadcast, which reads, never
# copies)

@elu.register_vmap
def _elu_vmap(info, in_dims, input, alpha, scale, input_scale):
    return elu(input, alpha, scale, input_scale), in_dims[0]


@elu_.register_vmap
def _elu_inplace_vmap(info, in_dims, input, alpha, scale, input_scale):
    elu_(input, alpha, scale, input_scale)
    return None, None


@elu_backward.register_vmap
def _elu_backward_vmap(info, in_dims, grad_output, output, alpha, scale, input_scale):
    grad_output, output = (t.movedim(d, 0) if d is not None else t.expand(info.batch_size,
                                                                          *t.shape)
                           for t, d in zip((grad_output, output), in_dims[:2]))
    return elu_backward(grad_output, output, alpha, scale, input_scale), 0


# reverse mode for captured graphs (eager calls have the Functions of _torch_autograd): the
# backward needs only the forward's output, as PyTorch's in-place ELU does

def _keep_output(ctx, inputs, output):
    ctx.params = inputs[1:]
    ctx.save_for_backward(output)


def _elu_gradient(ctx, grad_output):
    (output,) = ctx.saved_tensors
    return elu_backward(grad_output, output, *ctx.params), None, None, None


def _keep_both(ctx, inputs, output):
    ctx.params = inputs[2:]
    ctx.save_for_backward(inputs[0], inputs[1])


def _elu_backward_gradient(ctx, grad_grad_input):
    grad_output, output = ctx.saved_tensors
    return (elu_backward(grad_grad_input, output, *ctx.params),
            slope_derivative_term(grad_grad_input, grad_output, output, ctx.params[2]),
            None, None, None)


def slope_derivative_term(grad, grad_output, output, input_scale):
    """d(grad_output * slope(y))/dy times grad: grad * grad_output * input_scale where not
    y > 0 (the slope is constant above 0)."""
    return torch.where(output > 0, 0.0, grad * grad_output * input_scale)


elu.register_autograd(_elu_gradient, setup_context=_keep_output)
elu_backward.register_autograd(_elu_backward_gradient, setup_context=_keep_both)


# the kernels on tensors

def compute(input, params, inplace=False):
    """elu of a tensor, as ``elu``/``elu_`` compute it. Under torch.func's transforms through the
    operators (their vmap rules take batched tensors); otherwise the kernel straight away,
    without the dispatcher's Python layers, which cost several times the kernel's own time on
    small tensors. In place, autograd's version counter is bumped as ``elu_`` would."""
    if torch._C._are_functorch_transforms_active():  # PyTorch's own test in Function.apply
        if not inplace:
            return elu(input, *params)
        elu_(input, *params)
        return input
    if not inplace:
        return _run(elunumba.elu, (input,), params)
    _run(elunumba.elu, (input,), params, out=input)
    torch.autograd.graph.increment_version(input)
    return input


def compute_backward(grad_output, output, params):
    """grad_output * slope(output), as ``elu_backward`` computes it, by the same route as
    ``compute``."""
    if torch._C._are_functorch_transforms_active():
        return elu_backward(grad_output, output, *params)
    return _run(elunumba.elu_backward, (grad_output, output), params)


# never traced: inside a compiled region's eager fallback dynamo would otherwise take the NumPy
# views for its own tensors and send them down the device path
@torch.compiler.disable
def _run(function, inputs, params, out=None):
    """``function`` (elunumba.elu or elu_backward) on tensors, into ``out`` or a new tensor laid
    out like the first input."""
    alpha, scale, input_scale = params
    # a tensor with the negative bit (a lazy negation) has no NumPy view: resolved, it is a copy
    inputs = [t.detach().resolve_neg() for t in inputs]
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
