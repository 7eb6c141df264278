"""dask arrays: the result is a lazy dask array computed blockwise, one public-function call per
chunk, with the input's chunks and the chunk type (NumPy or CuPy) kept.

Everything that can be checked without the data is checked when the graph is built, by calling
the public function on the inputs' zero-size ``_meta`` arrays: parameters, dtypes and target
raise the library's own errors there, and that call's result is the output's ``meta``.

target="auto" runs each NumPy chunk on one thread: the scheduler already runs one chunk per
thread (per core), and a parallel kernel inside each would oversubscribe the cores. Any other
target is passed to every chunk as given; CuPy chunks keep "auto" (the CUDA kernels).
"""

import numpy as np
import dask.array as da


def call(method, inputs, n_outputs, options, out, target):
    if out is not None:
        raise TypeError(f"{method.__name__}: out= is not supported for dask arrays (the result "
                        "is lazy); pass out=None and write the result with dask.array.store")
    inputs = [_lazy(v) for v in inputs]
    arrays = [v for v in inputs if isinstance(v, da.Array)]
    _check_shapes(method, arrays)
    if target == "auto" and all(type(a._meta) is np.ndarray for a in arrays):
        target = "cpu"
    kwargs = dict(options, target=target)
    meta = method(*(v._meta if isinstance(v, da.Array) else v for v in inputs), **kwargs)
    ndim = max(a.ndim for a in arrays)
    index = tuple(range(ndim))[::-1]  # right-aligned, so that dask broadcasts as NumPy does
    pairs = [p for v in inputs
             for p in ((v, index[-v.ndim:] if v.ndim else ()) if isinstance(v, da.Array)
                       else (v, None))]
    if n_outputs == 1:
        return da.blockwise(method, index, *pairs, meta=meta, token=method.__name__, **kwargs)
    # both results of one pass in one chunk of shape (2, *chunk), then split blockwise
    pair = ndim  # the index of the new leading axis
    stacked = da.blockwise(value_and_grad_stacked, (pair,) + index, *pairs,
                           new_axes={pair: 2}, token=method.__name__,
                           meta=np.empty_like(meta[0], shape=(0,) * (ndim + 1)),
                           method=method, result_dtype=meta[0].dtype, **kwargs)
    return stacked[0], stacked[1]


def value_and_grad_stacked(x, *, method, result_dtype, **kwargs):
    """One chunk of elu_value_and_grad written into the two halves of one (2, *shape) array."""
    both = np.empty_like(x, shape=(2,) + np.shape(x), dtype=result_dtype)
    method(x, **kwargs, out=(both[0, ...], both[1, ...]))  # [0, ...]: a 0-d view, not a scalar
    return both


def _lazy(value):
    """Arrays as dask arrays; scalars (Python or NumPy) stay as they are, so that a Python
    float promotes as weakly as it does for NumPy inputs."""
    if isinstance(value, da.Array) or np.ndim(value) == 0:
        return value
    return da.asarray(value)


def _check_shapes(method, arrays):
    shapes = [a.shape for a in arrays]
    if any(d != d for s in shapes for d in s):  # unknown (NaN) chunk sizes: dask checks later
        return
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(f"{method.__name__}: shapes {' and '.join(map(str, shapes))} do not "
                         "broadcast together") from None
