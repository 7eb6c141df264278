"""Masked arrays: the kernels run on the data; every result keeps the inputs' combined mask, and
its masked elements hold the first input's data untouched (not the ELU of it). Like np.ma's own
ufuncs, a result keeps the first masked input's fill value and hard mask."""

import numpy as np

from . import as_returned, each_result


def call(method, inputs, n_outputs, options, out, target):
    if out is not None:
        raise TypeError(f"{method.__name__}: out= is not supported for masked arrays (the "
                        "result is a new masked array); pass out=None")
    template = next(v for v in inputs if isinstance(v, np.ma.MaskedArray))
    data = [np.ma.getdata(v) if isinstance(v, np.ma.MaskedArray) else v for v in inputs]
    results = method(*data, **options, target=target)
    mask = np.ma.nomask
    for value in inputs:
        mask = np.ma.mask_or(mask, np.ma.getmask(value))
    # the fill value set on the input, None for the dtype's default (as np.ma's own ufuncs copy
    # it: the public property would give a default that may not fit the result's dtype)
    fill_value = template._fill_value
    return as_returned([_masked(np.asarray(r), mask, data[0], fill_value, template.hardmask)
                        for r in each_result(results, n_outputs)], n_outputs)


def _masked(result, mask, untouched, fill_value, hard_mask):
    if mask is not np.ma.nomask:
        mask = np.broadcast_to(mask, result.shape).copy()
        np.copyto(result, untouched, casting="unsafe", where=mask)
    return np.ma.MaskedArray(result, mask=mask, fill_value=fill_value, hard_mask=hard_mask)
