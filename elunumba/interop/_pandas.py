"""pandas Series and DataFrames: the result is the same type with the same index, name,
columns and attrs (as NumPy's ufuncs on pandas objects keep them). A DataFrame is computed
column by column, so each column keeps its own dtype as with np.expm1; columns are NumPy-backed
views, so nothing is copied on the way in."""

import copy

import numpy as np
import pandas as pd

from . import as_returned, each_result


def call(method, inputs, n_outputs, options, out, target):
    if out is not None:
        raise TypeError(f"{method.__name__}: out= is not supported for pandas objects (the "
                        "result is a new Series or DataFrame); pass out=None")
    labelled = [v for v in inputs if isinstance(v, (pd.Series, pd.DataFrame))]
    template = labelled[0]
    for other in labelled[1:]:
        if type(other) is not type(template) or not _same_labels(other, template):
            raise ValueError(f"{method.__name__} was given pandas objects with different "
                             "labels (index, columns) or types: align them first, e.g. with "
                             "a.align(b)")
    inputs = [_broadcast(method, v, template) for v in inputs]
    kwargs = dict(options, target=target)
    if isinstance(template, pd.Series):
        results = each_result(method(*[_values(v) for v in inputs], **kwargs), n_outputs)
        wrapped = [pd.Series(r, index=template.index, name=template.name, copy=False)
                   for r in results]
    else:
        columns = [each_result(_column_call(method, inputs, j, name, kwargs), n_outputs)
                   for j, name in enumerate(template.columns)]
        wrapped = [_frame([c[i] for c in columns], template) for i in range(n_outputs)]
    for result in wrapped:
        result.attrs = copy.deepcopy(template.attrs)  # deep, as pandas' own operations copy them
    return as_returned(wrapped, n_outputs)


def _same_labels(a, b):
    return a.index.equals(b.index) and (isinstance(a, pd.Series) or a.columns.equals(b.columns))


def _broadcast(method, value, template):
    """A NumPy-like input as an array of the template's shape (scalars stay scalars)."""
    if isinstance(value, (pd.Series, pd.DataFrame)) or np.ndim(value) == 0:
        return value
    try:
        return np.broadcast_to(np.asarray(value), template.shape)
    except ValueError:
        raise ValueError(f"{method.__name__}: an input of shape {np.shape(value)} does not "
                         f"broadcast to the {type(template).__name__}'s shape "
                         f"{template.shape}") from None


def _values(value, column=None):
    if not isinstance(value, pd.Series):
        return value
    if not isinstance(value.dtype, np.dtype):
        where = f"column {column!r}" if column is not None else "the Series"
        raise TypeError(f"{where} has the pandas dtype {value.dtype}, which is not a NumPy "
                        "dtype: convert it first, e.g. with .astype('float32') or "
                        ".to_numpy(dtype='float32', na_value=np.nan)")
    return value.to_numpy()


def _column_call(method, inputs, j, name, kwargs):
    """``method`` on column ``j`` of each input; a dtype error names the column."""
    arrays = [_values(v.iloc[:, j], name) if isinstance(v, pd.DataFrame)
              else v[:, j] if isinstance(v, np.ndarray) else v for v in inputs]
    try:
        return method(*arrays, **kwargs)
    except TypeError as error:
        raise TypeError(f"column {name!r}: {error}") from None


def _frame(columns, template):
    frame = pd.DataFrame(dict(enumerate(columns)), index=template.index, copy=False)
    frame.columns = template.columns
    return frame
