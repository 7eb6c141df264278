"""Type in, type out: dask, xarray, pandas, torch CPU tensors and masked arrays.

The public functions hand an input that is none of NumPy's plain arrays to ``adapts``; when one
of the inputs belongs to a library below, the call goes to that library's adapter, which turns
its inputs into arrays the public function takes (NumPy arrays, or NumPy/CuPy chunks for dask),
calls the same public function on them and wraps the results back into the input's type.

Inputs are recognised by the top-level package and class name of a class in their type's MRO,
so that ``import elunumba`` imports none of these libraries; an adapter module (and its library)
is imported on the first call that is given such an input.
"""

import importlib

# (top-level package, class name) -> the adapter module; subclasses count (the MRO is searched)
_ADAPTED_CLASSES = {
    ("xarray", "DataArray"): "xarray", ("xarray", "Dataset"): "xarray",
    ("pandas", "Series"): "pandas", ("pandas", "DataFrame"): "pandas",
    ("dask", "Array"): "dask",
    ("torch", "Tensor"): "torch",
    ("numpy", "MaskedArray"): "masked",
}
# xarray hands its dask data back through the public functions: those two may be mixed in one
# call (xarray takes it); any other mix of two libraries is refused
_MIXABLE = {"xarray": {"dask"}}
_KIND_OF_TYPE = {}  # type -> adapter name or None, filled as types are seen
_MAX_TYPES_REMEMBERED = 1024

EXTRAS = {"dask": "dask", "distributed": "dask", "xarray": "xarray", "pandas": "pandas"}


def kind(value):
    """The adapter name for ``value``'s type, or None."""
    value_type = type(value)
    try:
        return _KIND_OF_TYPE[value_type]
    except KeyError:
        pass
    found = next((_ADAPTED_CLASSES[key] for key in
                  ((c.__module__.partition(".")[0], c.__name__) for c in value_type.__mro__)
                  if key in _ADAPTED_CLASSES), None)
    if len(_KIND_OF_TYPE) < _MAX_TYPES_REMEMBERED:
        _KIND_OF_TYPE[value_type] = found
    return found


def adapts(*inputs):
    """True when an adapter takes this call. A torch tensor off the CPU keeps today's device
    path (``__cuda_array_interface__``), so only CPU tensors count."""
    return any(_adapted(v) for v in inputs)


def _adapted(value):
    found = kind(value)
    return found is not None and (found != "torch" or value.device.type == "cpu")


def call(method, inputs, n_outputs, params, out, target, **extra):
    """``method(*inputs, alpha, scale=, input_scale=, out=, target=, **extra)`` through the
    adapter of the inputs' library, with params = (alpha, scale, input_scale); ``method`` is the
    public function being called, ``n_outputs`` its number of results (2 for
    elu_value_and_grad)."""
    kinds = {k for k in map(kind, inputs) if k is not None}
    adapter = next((k for k in kinds if kinds - {k} <= _MIXABLE.get(k, set())), None)
    if adapter is None:
        given = " and ".join(sorted(type(v).__name__ for v in inputs if kind(v)))
        raise TypeError(f"{method.__name__} was given {given}: the result takes the type of "
                        "the inputs, so give them as one kind (or the others as NumPy arrays)")
    module = importlib.import_module(f"{__name__}._{adapter}")
    options = dict(zip(("alpha", "scale", "input_scale"), params), **extra)
    return module.call(method, inputs, n_outputs, options, out, target)


def each_result(results, n_outputs):
    """A public function's results as a tuple (it returns one array, or a pair)."""
    return results if n_outputs == 2 else (results,)


def as_returned(results, n_outputs):
    """A tuple of results as the public function returns them."""
    return results[0] if n_outputs == 1 else tuple(results)


def require(module_name):
    """Import an optional library, or raise ImportError naming the extra that installs it."""
    try:
        return importlib.import_module(module_name)
    except ImportError as error:
        top = module_name.partition(".")[0]
        raise ImportError(f"{top} is not installed: pip install 'elunumba[{EXTRAS[top]}]' "
                          f"({error})") from None
