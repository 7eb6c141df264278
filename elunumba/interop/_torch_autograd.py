"""Eager autograd for elunumba.torch: the kernels of ``_torch_ops`` (through its operators under
torch.func's transforms) wrapped in autograd Functions that give them every rule PyTorch's own
ELU has.

Reverse mode (backward, any order), forward mode (``jvp``: the tangent of elu is
tangent * slope(y), the same kernel as the backward) and torch.func's transforms (vmap, grad,
jvp, jacrev/jacfwd, through ``setup_context`` and a vmap rule generated from the operators' own).
Each derivative is itself a Function, so derivatives of derivatives keep all of these.

Graph capture does not come here: torch.compile refuses to trace a Function with its own jvp,
so captured graphs call the operators, whose registered backward AOTAutograd uses (the same
kernels, so the same bits).
"""

import inspect

import torch

from . import _torch_ops as ops


def check_alpha_for_derivatives(alpha):
    """The derivative is taken from the output, which for alpha < 0 does not determine it."""
    if not alpha >= 0:
        raise ValueError(
            f"the derivative of elu with alpha={alpha!r} < 0 cannot be taken from its output, "
            "and elunumba.torch keeps only the output: use alpha >= 0, or run without "
            "gradients (torch.no_grad(), no dual tensors)")


class Elu(torch.autograd.Function):
    """y = elu(x); keeps y alone, for the backward pass and for the tangent."""

    generate_vmap_rule = True

    @staticmethod
    def forward(input, alpha, scale, input_scale):
        return ops.compute(input, (alpha, scale, input_scale))

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.params = inputs[1:]
        ctx.save_for_backward(output)
        ctx.save_for_forward(output)

    @staticmethod
    def backward(ctx, grad_output):
        check_alpha_for_derivatives(ctx.params[0])
        (output,) = ctx.saved_tensors
        return EluBackward.apply(grad_output, output, *ctx.params), None, None, None

    @staticmethod
    def jvp(ctx, tangent, *_):
        check_alpha_for_derivatives(ctx.params[0])
        (output,) = ctx.saved_tensors
        return EluBackward.apply(tangent, output, *ctx.params)


class EluInplace(Elu):
    """elu(x) written into x (marked dirty, so autograd knows); the tangent is updated in place
    as well, as forward mode requires of an in-place function. Its vmap rule is written out:
    the generated one would save an input returned as it is, which autograd refuses."""

    generate_vmap_rule = False

    @staticmethod
    def forward(input, alpha, scale, input_scale):
        return ops.compute(input, (alpha, scale, input_scale), inplace=True)

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.mark_dirty(inputs[0])
        Elu.setup_context(ctx, inputs, output)

    @staticmethod
    def jvp(ctx, tangent, *_):
        return tangent.copy_(Elu.jvp(ctx, tangent))

    @staticmethod
    def vmap(info, in_dims, input, alpha, scale, input_scale):
        # through Elu and copy_, which transforms outside this vmap (grad) can differentiate
        return input.copy_(Elu.apply(input, alpha, scale, input_scale)), in_dims[0]


class EluBackward(torch.autograd.Function):
    """grad_input = grad_output * slope(y), slope(y) = scale for y > 0, else
    input_scale*(y + alpha*scale). Its derivatives: slope(y) for grad_output (the same kernel
    again), and grad_output*input_scale where not y > 0 for y."""

    generate_vmap_rule = True

    @staticmethod
    def forward(grad_output, output, alpha, scale, input_scale):
        return ops.compute_backward(grad_output, output, (alpha, scale, input_scale))

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.params = inputs[2:]
        ctx.save_for_backward(*inputs[:2])
        ctx.save_for_forward(*inputs[:2])

    @staticmethod
    def backward(ctx, grad_grad_input):
        grad_output, output = ctx.saved_tensors
        return (EluBackward.apply(grad_grad_input, output, *ctx.params),
                ops.slope_derivative_term(grad_grad_input, grad_output, output, ctx.params[2]),
                None, None, None)

    @staticmethod
    def jvp(ctx, grad_output_tangent, output_tangent, *_):
        grad_output, output = ctx.saved_tensors
        terms = []
        if grad_output_tangent is not None:
            terms.append(EluBackward.apply(grad_output_tangent, output, *ctx.params))
        if output_tangent is not None:
            terms.append(ops.slope_derivative_term(output_tangent, grad_output, output,
                                                   ctx.params[2]))
        return sum(terms[1:], terms[0])


# Function.apply binds every call's arguments to forward's signature, which inspect rebuilds each
# time unless the function carries it: a large part of the Function's own cost on small tensors
for _function in (Elu, EluInplace, EluBackward):
    _function.forward.__signature__ = inspect.signature(_function.forward)
