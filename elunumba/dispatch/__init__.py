"""The dispatch layer: one entry for every public function. A repeat call takes its kept plan;
otherwise the parameters and target are checked and the call goes down the host path (NumPy) or
the device path (device arrays), which each make exactly one kernel call. Nothing here computes.

The path's parts: resolve (parameters, coefficients, dtypes, shapes), targets (which exist and
can run), plans (repeat calls), host (NumPy arrays), device (device arrays), gpu_setup (what a
CUDA install lacks).
"""

from . import device, host, plans
from .resolve import coefficients, is_device_array
from .targets import check_target


def call(op, inputs, params, out, target, correctly_rounded=False):
    """Run ``op`` on ``inputs`` with params = (alpha, scale, input_scale) as the caller gave them;
    returns the output, a tuple of outputs for the fused ops."""
    result = plans.run(op, inputs, params, out, target, correctly_rounded)
    if result is not None:
        return result
    coefs = coefficients(*params, op)
    check_target(target)
    if any(is_device_array(v) for v in inputs):
        return device.call(op, inputs, coefs, out, target, correctly_rounded)
    result, dtype, kernel_coefs = host.call(op, inputs, coefs, out, target, correctly_rounded)
    if target != "cuda":
        plans.remember(op, inputs, params, target, correctly_rounded, dtype, kernel_coefs)
    return result
