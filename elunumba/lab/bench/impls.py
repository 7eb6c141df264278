"""What each cell runs: elunumba's targets and the peers they are compared with.

An ``Impl`` makes, for an (op, data, device), a callable with no arguments that runs the op once
on the cell's data. Targets call elunumba's public API with ``out=`` buffers, so the times include
the dispatch layer as users meet it; ``auto-alloc`` is the call as users most often write it,
``y = elunumba.elu(x)`` (target "auto", no ``out=``), which also pays for a new result array each
call (for a large one, the operating system mapping fresh pages as they are first written).
``allocates`` says which implementations return a new array each call. Peers are what one would
otherwise use:

    numpy-naive  np.where(x > 0, x, alpha*(np.exp(x) - 1))
    numpy-expm1  np.where(x > 0, x, alpha*np.expm1(x))
    numexpr      numexpr.evaluate("where(x > 0, x, alpha*expm1(x))", out=y), Numba's thread count
    torch        torch's ELU kernels (aten elu.out / elu_backward.grad_input), Numba's thread count;
                 on CUDA tensors where a CUDA target runs and torch has CUDA
    cupy         cupy.where(x > 0, x, alpha*cupy.expm1(x)), GPU only

backward is ``where(y > 0, g, g*(y + alpha))`` from the output y; a peer's fused op is its forward
followed by its derivative (torch: elu then elu_backward with a gradient of ones), two passes;
grad is ``where(x > 0, 1, alpha*exp(x))`` from the input (torch: elu_backward from x with a
gradient of ones, which it reads).
Availability is judged without importing anything heavy: a module is looked up, not imported.
"""

import dataclasses
import functools
import importlib
import importlib.util

import numba
import numpy as np

import elunumba
from elunumba.kernels import threads
from elunumba.lab import peer_formulas

from .ops import INPUTS

API_NAMES = {"forward": "elu", "backward": "elu_backward", "fused": "elu_value_and_grad",
             "grad": "elu_grad"}


@dataclasses.dataclass(frozen=True)
class Impl:
    name: str
    kind: str  # "target" or "peer"
    devices: tuple  # "host", "cuda"
    make: object  # (op, OpData, device) -> callable running the op once
    available: object = None  # device -> None, or the reason it cannot run there
    # runs on one thread on the host: its fraction of copy divides by a one-thread copy
    one_thread: bool = False
    # returns a new result array each call rather than writing into preallocated ones
    allocates: bool = False


@functools.cache
def cuda_status():
    """(usable, detail, simulated): whether elunumba's CUDA target can run here, and why not."""
    try:
        backend = elunumba.dispatch.device.cuda_backend()
    except elunumba.TargetUnavailableError as error:
        return False, str(error), False
    usable, detail = backend.availability()
    return usable, detail, bool(numba.config.ENABLE_CUDASIM)


def unavailable(impl, device):
    """None when ``impl`` can run on ``device`` here, else the reason."""
    if device == "cuda":
        usable, detail, _ = cuda_status()
        if not usable:
            return detail
    return impl.available(device) if impl.available else None


def _call_target(target, op, data, device, kernels=elunumba):
    outputs = data.outputs(device)
    out = outputs[0] if len(outputs) == 1 else tuple(outputs)
    function = getattr(kernels, API_NAMES[op])
    return functools.partial(function, *data.inputs(device), data.alpha, out=out, target=target)


def _call_allocating(op, data, device):
    """The public function as ``y = elunumba.elu(x)`` calls it: target "auto", no ``out=``."""
    return functools.partial(getattr(elunumba, API_NAMES[op]), *data.inputs(device), data.alpha)


def host_call(op, data):
    """The cuda target called with the NumPy arrays: transfers to and from the GPU included."""
    return _call_target("cuda", op, data, "host")


TARGETS = {name: Impl(name, "target", (device,), functools.partial(_call_target, name),
                      one_thread=name == "cpu")
           for name, device in (("cpu", "host"), ("parallel", "host"), ("cuda", "cuda"))}
# elunumba.correctly_rounded on all threads: float32 through the float64 kernels, rounded once
TARGETS["parallel-cr"] = Impl(
    "parallel-cr", "target", ("host",),
    functools.partial(_call_target, "parallel", kernels=elunumba.correctly_rounded))
TARGETS["auto-alloc"] = Impl("auto-alloc", "target", ("host",), _call_allocating, allocates=True)


def _array_api_peer(naive):
    """numpy-naive / numpy-expm1 on the host, the expm1 form through CuPy on a GPU."""
    forward = peer_formulas.naive_forward if naive else peer_formulas.expm1_forward

    def make(op, data, device):
        xp = np if device == "host" else importlib.import_module("cupy")
        arrays = [xp.asarray(a) for a in data.inputs(device)]
        alpha = data.alpha
        if op == "forward":
            return functools.partial(forward, xp, arrays[0], alpha)
        if op == "backward":
            return functools.partial(peer_formulas.backward_from_output, xp, *arrays, alpha)
        if op == "grad":
            return functools.partial(peer_formulas.slope_from_input, xp, arrays[0], alpha)

        def fused(x=arrays[0]):
            y = forward(xp, x, alpha)
            return y, peer_formulas.slope_from_output(xp, y, alpha)

        return fused

    return make


def _make_numexpr(op, data, device):
    numexpr = importlib.import_module("numexpr")
    numexpr.set_num_threads(threads.count())
    scalar = np.float64 if data.dtype == np.float64 else np.float32  # keeps float32 in float32
    names = dict(zip(INPUTS[op], data.inputs()), alpha=scalar(data.alpha), one=scalar(1))
    outputs = data.outputs()
    formula = peer_formulas.NUMEXPR[op if op != "fused" else "forward"]
    run = functools.partial(numexpr.evaluate, formula, local_dict=names, out=outputs[0])
    if op != "fused":
        return run
    slope = functools.partial(numexpr.evaluate, peer_formulas.NUMEXPR["slope"],
                              local_dict=dict(names, y=outputs[0]), out=outputs[1])
    return lambda: (run(), slope())


def _make_torch(op, data, device):
    torch = importlib.import_module("torch")
    torch.set_num_threads(threads.count())
    if device == "host":
        convert = torch.from_numpy
    else:
        def convert(array):
            return torch.as_tensor(array, device="cuda")

    inputs = [convert(a) for a in data.inputs(device)]
    outputs = [convert(a) for a in data.outputs(device)]
    alpha = data.alpha
    elu_out = getattr(torch._C._nn, "elu", None) or torch.ops.aten.elu.out

    def forward(x, y):
        elu_out(x, alpha, 1, 1, out=y)

    def backward(grad, y, grad_in, is_result=True):
        torch.ops.aten.elu_backward.grad_input(grad, alpha, 1, 1, is_result, y,
                                               grad_input=grad_in)

    if op == "forward":
        return functools.partial(forward, inputs[0], outputs[0])
    if op == "backward":
        return functools.partial(backward, *inputs, outputs[0])
    ones = torch.ones_like(inputs[0])
    if op == "grad":
        return functools.partial(backward, ones, inputs[0], outputs[0], is_result=False)

    def fused():
        forward(inputs[0], outputs[0])
        backward(ones, outputs[0], outputs[1])

    return fused


def _needs(module, install):
    def available(device):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed ({install})"
        return None

    return available


def _torch_available(device):
    missing = _needs("torch", "pip install torch")(device)
    if missing or device == "host":
        return missing
    if not importlib.import_module("torch").cuda.is_available():
        return "this torch build cannot use CUDA"
    return None


PEERS = {
    "numpy-naive": Impl("numpy-naive", "peer", ("host",), _array_api_peer(naive=True),
                        one_thread=True, allocates=True),
    "numpy-expm1": Impl("numpy-expm1", "peer", ("host",), _array_api_peer(naive=False),
                        one_thread=True, allocates=True),
    "numexpr": Impl("numexpr", "peer", ("host",), _make_numexpr,
                    _needs("numexpr", "pip install 'elunumba[peers]'")),
    "torch": Impl("torch", "peer", ("host", "cuda"), _make_torch, _torch_available),
    "cupy": Impl("cupy", "peer", ("cuda",), _array_api_peer(naive=False),
                 _needs("cupy", "pip install the cupy wheel for your CUDA, e.g. cupy-cuda12x"),
                 allocates=True),
}
REFERENCE_PEER = "numpy-naive"
