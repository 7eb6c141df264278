"""elunumba: Numba kernels for the Exponential Linear Unit.

    y = elu(x)                               # forward
    grad_x = elu_backward(grad_y, y)         # gradient from the forward output alone
    dydx = elu_grad(x)                       # the derivative, from the input
    y, dydx = elu_value_and_grad(x)          # both in one pass over x

``y = scale*x`` where x > 0, else ``scale*alpha*expm1(input_scale*x)`` (PyTorch's
parameterisation). ``elunumba.correctly_rounded`` offers the same functions with float32 results
correctly rounded (computed through float64). Importing this package compiles nothing and never
touches a GPU; each kernel compiles on first use and is cached on disk.
"""

from .api import SELU_ALPHA, SELU_SCALE, ELUFunctions
from .kernels.compiler import CacheWarning
from .dispatch.targets import TARGETS, TargetUnavailableError, available_targets
from .kernels.threads import ThreadingLayerWarning
from .kernels.threads import layer as threading_layer

__version__ = "0.1.0"
__all__ = [
    "elu", "elu_backward", "elu_grad", "elu_value_and_grad", "selu", "celu", "correctly_rounded",
    "SELU_ALPHA", "SELU_SCALE", "TARGETS", "TargetUnavailableError", "available_targets",
    "threading_layer", "CacheWarning", "ThreadingLayerWarning", "__version__",
]

_default = ELUFunctions(correctly_rounded=False)
elu = _default.elu
elu_backward = _default.elu_backward
elu_grad = _default.elu_grad
elu_value_and_grad = _default.elu_value_and_grad
selu = _default.selu
celu = _default.celu
correctly_rounded = ELUFunctions(correctly_rounded=True)


def __dir__():
    """The public surface only: the subpackages (kernels, dispatch, lab...) are the machinery."""
    return __all__
