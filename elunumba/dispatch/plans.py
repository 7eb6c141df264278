"""Repeat-call plans: what the general path decided for one (op, params, target, dtype), kept so
that a repeat call on C-contiguous NumPy arrays only allocates its output (or checks ``out``)
and runs the kernel.

The general path's checks cost several times a small call's work; a plan leaves only the
allocation and the kernel (what each costs on 1,000 float32 elements: the "small call" lines of
the benchmark's summary, docs/benchmarks.md). Plans are kept only for params that are Python
floats or ints other than ±0 and a str target, and ``run`` checks those types before every
lookup: those are the only values for which an equal dict key means the same call (2 == 2.0
gives the same coefficients). True == 1.0, Fraction(3, 2) == 1.5 and 1.5 + 0j == 1.5, which the
general path refuses, and -0.0 == 0.0, which changes the sign of zero results, must not find a
plan.
"""

import numpy as np

from ..kernels import cpu
from ..kernels.formulas import formula
from .resolve import N_OUTPUTS

_PLANS = {}  # (op, params, target, correctly_rounded, dtype) -> Plan
MAX_PLANS = 256
PLAN_PARAMS = (float, int)  # exactly these types: not bool, not NumPy scalars (see above)


def run(op, inputs, params, out, target, correctly_rounded):
    """The result through a kept plan, or None where the general path must decide."""
    alpha, scale, input_scale = params
    # A plan is stored under the result dtype, which fits() made sure is the first input's.
    if (type(inputs[0]) is np.ndarray and type(target) is str and type(alpha) in PLAN_PARAMS
            and type(scale) in PLAN_PARAMS and type(input_scale) in PLAN_PARAMS):
        plan = _PLANS.get((op, params, target, correctly_rounded, inputs[0].dtype))
        if plan is not None:
            return plan.run(inputs, out)
    return None


def remember(op, inputs, params, target, correctly_rounded, dtype, kernel_coefs):
    """Keep a plan for a call the general path just ran on the host, where one fits."""
    key = (op, params, target, correctly_rounded, dtype)
    if _fits(params, inputs, dtype) and key not in _PLANS:  # _fits first: params may not hash
        if len(_PLANS) >= MAX_PLANS:  # a sweep over many alphas must not grow it without bound
            _PLANS.clear()
        _PLANS[key] = Plan(op, target, kernel_coefs)


def _fits(params, inputs, dtype):
    # not float16: the CPU kernels take it as uint16 bits, a view the general path makes
    return (all(type(p) in PLAN_PARAMS and p != 0 for p in params) and dtype.char != "e"
            and all(type(v) is np.ndarray and v.dtype == dtype for v in inputs))


class Plan:
    __slots__ = ("n_outputs", "launch", "poscoef", "negcoef", "negiptcoef")

    def __init__(self, op, target, kernel_coefs):
        self.n_outputs = N_OUTPUTS[op]
        self.launch = cpu.launcher(op, target, formula(*kernel_coefs[1:]))
        self.poscoef, self.negcoef, self.negiptcoef = kernel_coefs

    def run(self, inputs, out):
        """The result, or None where the general path must decide (layouts, shapes, overlaps).
        ``out`` is taken here when it is an input itself (in place) or a separate writeable
        array laid out like the inputs; for the fused ops, a tuple of two such arrays apart
        from each other."""
        first = inputs[0]
        if first.ndim == 0 or not first.flags.c_contiguous:  # 0-d: the result is a scalar
            return None
        if len(inputs) == 2 and not _same_layout(inputs[1], first):
            return None
        if self.n_outputs == 1:
            if out is None:
                out = np.empty(first.shape, first.dtype)
            elif not _usable_out(out, inputs):
                return None
            outputs = (out,)
        elif out is None:
            outputs = (np.empty(first.shape, first.dtype), np.empty(first.shape, first.dtype))
        elif _usable_out_pair(out, inputs):
            outputs = out
        else:
            return None
        arrays = inputs + outputs
        if first.ndim != 1:  # the kernels loop over flat arrays
            arrays = [a.reshape(-1) for a in arrays]
        self.launch(*arrays, self.poscoef, self.negcoef, self.negiptcoef)
        return out if self.n_outputs == 1 else outputs


def _same_layout(array, first):
    return (type(array) is np.ndarray and array.dtype == first.dtype
            and array.shape == first.shape and array.flags.c_contiguous)


def _usable_out(out, inputs):
    """``out`` is writeable, laid out like the inputs, and each input is either ``out`` itself
    (in place) or apart from it (a partial overlap needs the general path's temporaries)."""
    return (_same_layout(out, inputs[0]) and out.flags.writeable
            and all(v is out or not np.may_share_memory(v, out) for v in inputs))


def _usable_out_pair(out, inputs):
    """``out`` is a tuple of two arrays (value, grad), each usable as _usable_out says and apart
    from the other (two that may share memory go to the general path, which says whether they
    do)."""
    return (type(out) is tuple and len(out) == 2 and all(_usable_out(o, inputs) for o in out)
            and not np.may_share_memory(out[0], out[1]))
