"""xarray DataArrays and Datasets through ``xarray.apply_ufunc``: dims, coords, names and attrs
are kept; chunked (dask-backed) data reach the public function as dask arrays, so the result
stays lazy. Two labelled inputs must be aligned already (join="exact"): a gradient computed on
the intersection of two indexes would silently drop elements."""

import xarray as xr


def call(method, inputs, n_outputs, options, out, target):
    if out is not None:
        raise TypeError(f"{method.__name__}: out= is not supported for xarray objects (the "
                        "result is a new DataArray or Dataset); pass out=None")
    return xr.apply_ufunc(method, *inputs, kwargs=dict(options, target=target),
                          output_core_dims=[()] * n_outputs, dask="allowed", keep_attrs=True,
                          join="exact")
