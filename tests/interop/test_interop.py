"""Type in, type out: every public function on dask, xarray, pandas, torch CPU tensors and masked
arrays gives the input's type back, with the same values, bit for bit, as on the NumPy data.

Dask runs on the synchronous scheduler here; tests/interop/test_distributed.py runs a real cluster.
"""

import subprocess
import sys

import numpy as np
import pytest

import elunumba
from elunumba import interop

da = pytest.importorskip("dask.array")
xr = pytest.importorskip("xarray")
pd = pytest.importorskip("pandas")
try:  # not in the test extra (an unpinned torch pulls a CUDA build): its tests skip without it
    import torch
except ImportError:
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="torch is not installed")

KERNEL_SETS = {"default": elunumba, "correctly_rounded": elunumba.correctly_rounded}
# each public function, given one input (backward: grad_out = x, y = elu(x)); results as a tuple
CALLS = {
    "elu": lambda k, x: (k.elu(x, 0.7),),
    "elu_backward": lambda k, x: (k.elu_backward(x, k.elu(x, 0.7), 0.7),),
    "elu_value_and_grad": lambda k, x: k.elu_value_and_grad(x, 0.7),
    "elu_grad": lambda k, x: (k.elu_grad(x, 0.7),),
    "elu_value_and_grad_from_input": lambda k, x: k.elu_value_and_grad(x, 0.7, grad_from="input"),
    "selu": lambda k, x: (k.selu(x),),
    "celu": lambda k, x: (k.celu(x, 1.5),),
}


def data(dtype=np.float32, shape=(6, 5)):
    return np.linspace(-6, 3, np.prod(shape), dtype=dtype).reshape(shape)


def bits(array):
    array = np.asarray(array)
    return array.view(f"u{array.dtype.itemsize}")


def expected(kernels, call, x):
    return [bits(r) for r in CALLS[call](kernels, x)]


# type name -> (wrap a NumPy array, check a result against the wrapped input and unwrap it)
def _dask_wrap(x):
    return da.from_array(x, chunks=(4, 2))


def _dask_check(result, given):
    assert isinstance(result, da.Array)
    assert result.chunks == given.chunks and type(result._meta) is np.ndarray
    return result.compute(scheduler="sync")


def _xarray_wrap(x, chunks=None):
    array = xr.DataArray(x, dims=("time", "channel"), name="signal", attrs={"units": "V"},
                         coords={"time": np.arange(x.shape[0]) * 10, "channel": list("abcde")})
    return array.chunk({"time": 2}) if chunks else array


def _xarray_check(result, given):
    assert isinstance(result, xr.DataArray)
    assert result.dims == given.dims and result.attrs == given.attrs
    assert result.name == given.name and result.coords.equals(given.coords)
    assert result.chunks == given.chunks  # None unless chunked: then lazy, in the same chunks
    return result.values


def _dataset_wrap(x):
    return xr.Dataset({"signal": _xarray_wrap(x)}, attrs={"source": "test"})


def _dataset_check(result, given):
    assert isinstance(result, xr.Dataset) and result.attrs == given.attrs
    return _xarray_check(result["signal"], given["signal"])


def _series_wrap(x):
    return pd.Series(x.ravel(), index=pd.Index(np.arange(x.size) * 3, name="t"), name="s")


def _series_check(result, given):
    assert isinstance(result, pd.Series)
    assert result.index.equals(given.index) and result.name == given.name
    return result.to_numpy().reshape(6, 5)


def _frame_wrap(x):
    return pd.DataFrame(x, index=list("uvwxyz"), columns=pd.Index(list("abcde"), name="c"))


def _frame_check(result, given):
    assert isinstance(result, pd.DataFrame)
    assert result.index.equals(given.index) and result.columns.equals(given.columns)
    return result.to_numpy()


def _tensor_check(result, given):
    assert type(result) is torch.Tensor and result.device.type == "cpu"
    return result.numpy()


def _masked_wrap(x):
    return np.ma.MaskedArray(x, mask=np.zeros(x.shape, bool))


def _masked_check(result, given):
    assert isinstance(result, np.ma.MaskedArray)
    assert np.array_equal(np.ma.getmaskarray(result), np.ma.getmaskarray(given))
    return result.data


TYPES = {
    "dask": (_dask_wrap, _dask_check),
    "xarray": (_xarray_wrap, _xarray_check),
    "xarray-chunked": (lambda x: _xarray_wrap(x, chunks=True), _xarray_check),
    "xarray-dataset": (_dataset_wrap, _dataset_check),
    "pandas-series": (_series_wrap, _series_check),
    "pandas-frame": (_frame_wrap, _frame_check),
    "masked": (_masked_wrap, _masked_check),
}
if torch is not None:
    TYPES["torch"] = (torch.from_numpy, _tensor_check)


@pytest.mark.parametrize("kernel_set", KERNEL_SETS)
@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("type_name", TYPES)
def test_each_type_comes_back_with_the_numpy_values(type_name, call, kernel_set):
    wrap, check = TYPES[type_name]
    kernels = KERNEL_SETS[kernel_set]
    x = data()
    given = wrap(x.copy())
    results = CALLS[call](kernels, given)
    want = expected(kernels, call, x)
    assert len(results) == len(want)
    for result, bits_wanted in zip(results, want):
        assert np.array_equal(bits(check(result, given)), bits_wanted)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int16])
@pytest.mark.parametrize("type_name", ["dask", "pandas-frame", "masked", "xarray"]
                         + ["torch"] * (torch is not None))
def test_result_dtype_is_numpys(type_name, dtype):
    wrap, check = TYPES[type_name]
    x = data(dtype)
    result = check(elunumba.elu(wrap(x)), wrap(x))
    assert result.dtype == elunumba.elu(x).dtype


# --- dask -------------------------------------------------------------------------------------

class Generated:
    """A dask array whose chunks count how often they are made: 0 means nothing was computed."""

    def __init__(self, shape=(8, 6), chunks=(4, 3), dtype=np.float32):
        self.made = 0
        self.array = da.map_blocks(self._block, chunks=tuple(
            (c,) * (s // c) for s, c in zip(shape, chunks)), dtype=dtype,
            meta=np.empty((0, 0), dtype))
        self.numpy = np.concatenate([np.concatenate(
            [self._values((i, j), chunks, dtype) for j in range(shape[1] // chunks[1])], axis=1)
            for i in range(shape[0] // chunks[0])])

    def _block(self, block_info=None):
        self.made += 1
        info = block_info[None]
        return self._values(info["chunk-location"], info["chunk-shape"], info["dtype"])

    @staticmethod
    def _values(location, shape, dtype):
        start = -5 + 2 * location[0] + location[1]
        return np.linspace(start, start + 4, np.prod(shape), dtype=dtype).reshape(shape)


@pytest.mark.parametrize("call", CALLS)
def test_dask_results_are_lazy_until_computed(call):
    generated = Generated()
    results = CALLS[call](elunumba, generated.array)
    assert generated.made == 0
    computed = [r.compute(scheduler="sync") for r in results]
    assert generated.made > 0
    for result, want in zip(computed, expected(elunumba, call, generated.numpy)):
        assert np.array_equal(bits(result), want)


def test_dask_value_and_grad_computes_each_chunk_once():
    generated = Generated()
    value, grad = elunumba.elu_value_and_grad(generated.array)
    da.compute(value, grad, scheduler="sync")
    assert generated.made == generated.array.npartitions


def test_dask_refuses_out_and_writes_nothing():
    x = da.ones(4, chunks=2, dtype=np.float32)
    buffer = np.full(4, 7.0, np.float32)
    with pytest.raises(TypeError, match="out= is not supported for dask arrays"):
        elunumba.elu(x, out=buffer)
    assert np.all(buffer == 7.0)


@pytest.mark.parametrize("bad, error, message", [
    (lambda x: elunumba.elu(x.astype(np.complex64)), TypeError, "unsupported dtype"),
    (lambda x: elunumba.elu(x, alpha=float("nan")), ValueError, "alpha must be finite"),
    (lambda x: elunumba.elu(x, target="gpu"), ValueError, "unknown target"),
    (lambda x: elunumba.elu_backward(x, x, -1.0), ValueError, "alpha >= 0"),
    (lambda x: elunumba.celu(x, 0.0), ValueError, "alpha > 0"),
    (lambda x: elunumba.elu_backward(x, da.ones(5, chunks=5)), ValueError,
     r"shapes \(8, 6\) and \(5,\) do not broadcast"),
])
def test_dask_errors_are_raised_when_the_graph_is_built(bad, error, message):
    generated = Generated()
    with pytest.raises(error, match=message):
        bad(generated.array)
    assert generated.made == 0


def test_dask_errors_match_numpys_message():
    x = np.ones(3, np.complex64)
    with pytest.raises(TypeError) as numpy_error:
        elunumba.elu(x)
    with pytest.raises(TypeError) as dask_error:
        elunumba.elu(da.from_array(x))
    assert str(dask_error.value) == str(numpy_error.value)


def test_dask_backward_broadcasts_and_keeps_weak_scalars():
    generated = Generated()
    y = elunumba.elu(generated.array)
    from_scalar = elunumba.elu_backward(2.0, y)
    assert from_scalar.dtype == np.float32  # a Python float is weak, as for NumPy inputs
    row = np.linspace(-1, 1, 6, dtype=np.float32)
    from_row = elunumba.elu_backward(row, y)  # a NumPy row broadcast over a dask array
    y_numpy = elunumba.elu(generated.numpy)
    for lazy, want in ((from_scalar, elunumba.elu_backward(2.0, y_numpy)),
                       (from_row, elunumba.elu_backward(row, y_numpy))):
        assert lazy.chunks == y.chunks
        assert np.array_equal(bits(lazy.compute(scheduler="sync")), bits(want))


def test_dask_chunk_of_a_wrong_dtype_fails_with_the_library_message():
    # the graph says float32, a chunk turns out complex: the chunk's call refuses it
    lying = da.map_blocks(lambda: np.ones(3, np.complex64), chunks=((3,),), dtype=np.float32,
                          meta=np.empty(0, np.float32))
    result = elunumba.elu(lying)
    with pytest.raises(TypeError, match="unsupported dtype.*elunumba computes in"):
        result.compute(scheduler="sync")


def test_dask_zero_dimensional():
    x = np.float32(-1.5)
    assert bits(elunumba.elu(da.asarray(x)).compute(scheduler="sync")) == bits(elunumba.elu(x))
    value, slope = elunumba.elu_value_and_grad(da.asarray(x))  # the fused chunk is 0-d too
    expected = elunumba.elu_value_and_grad(x)
    assert bits(value.compute(scheduler="sync")) == bits(expected[0])
    assert bits(slope.compute(scheduler="sync")) == bits(expected[1])


# --- xarray -----------------------------------------------------------------------------------

def test_xarray_chunked_stays_lazy():
    generated = Generated()
    array = xr.DataArray(generated.array, dims=("a", "b"))
    value, grad = elunumba.elu_value_and_grad(array)
    assert generated.made == 0 and isinstance(value.data, da.Array)
    assert np.array_equal(bits(grad.compute(scheduler="sync").values),
                          bits(elunumba.elu_value_and_grad(generated.numpy)[1]))


def test_xarray_misaligned_inputs_are_refused():
    a = xr.DataArray(data()[0], dims="c", coords={"c": np.arange(5)})
    b = xr.DataArray(data()[0], dims="c", coords={"c": np.arange(5) + 1})
    with pytest.raises(ValueError, match="exact"):
        elunumba.elu_backward(a, b)


def test_xarray_refuses_out():
    with pytest.raises(TypeError, match="out= is not supported for xarray"):
        elunumba.elu(_xarray_wrap(data()), out=data())


# --- pandas -----------------------------------------------------------------------------------

@pytest.mark.parametrize("make", [lambda: pd.Series([-1.0, 2.0], name="v"),
                                  lambda: pd.DataFrame({"a": [-1.0, 2.0], "b": [0.5, -3.0]})])
def test_pandas_attrs_are_kept_as_numpys_ufuncs_keep_them(make):
    labelled = make()
    labelled.attrs = {"units": "V", "nested": {"k": [1]}}
    for result in (elunumba.elu(labelled), *elunumba.elu_value_and_grad(labelled)):
        assert result.attrs == np.expm1(labelled).attrs == labelled.attrs
        assert result.attrs["nested"] is not labelled.attrs["nested"]  # a deep copy


def test_pandas_frame_keeps_each_columns_dtype():
    frame = pd.DataFrame({"a": data(np.float32)[0], "b": data(np.float64)[0],
                          "c": np.arange(5, dtype=np.int32)})
    result = elunumba.elu(frame)
    assert list(result.dtypes) == [np.float32, np.float64, np.float64]
    for column in frame:
        assert np.array_equal(bits(result[column]), bits(elunumba.elu(frame[column].to_numpy())))


def test_pandas_duplicate_column_names_are_kept():
    frame = pd.DataFrame(data()[:, :2], columns=["a", "a"])
    result = elunumba.elu(frame)
    assert list(result.columns) == ["a", "a"]
    assert np.array_equal(bits(result), bits(elunumba.elu(frame.to_numpy())))


def test_pandas_backward_with_a_numpy_input_broadcasts_to_the_frame():
    frame = _frame_wrap(data())
    row = np.linspace(-1, 1, 5, dtype=np.float32)
    result = elunumba.elu_backward(row, frame)
    assert result.index.equals(frame.index)
    assert np.array_equal(bits(result), bits(elunumba.elu_backward(row, data())))


@pytest.mark.parametrize("bad, error, message", [
    (lambda s, f: elunumba.elu_backward(s, s.iloc[::-1]), ValueError, "different labels"),
    (lambda s, f: elunumba.elu_backward(s, f), ValueError, "different labels"),
    (lambda s, f: elunumba.elu_backward(np.ones(4), s), ValueError, r"shape \(4,\) does not"),
    (lambda s, f: elunumba.elu(s, out=np.empty(30)), TypeError, "out= is not supported"),
    (lambda s, f: elunumba.elu(s.astype("Float32")), TypeError,
     "the Series has the pandas dtype Float32"),
    (lambda s, f: elunumba.elu(f.assign(b=f["b"].astype("category"))), TypeError,
     "column 'b' has the pandas dtype category"),
    (lambda s, f: elunumba.elu(f.assign(e=list("pqrstu"))), TypeError,
     "column 'e' has the pandas dtype str"),
    (lambda s, f: elunumba.elu(f.assign(e=f["e"].astype(object))), TypeError,
     r"column 'e': unsupported dtype \(object\)"),
])
def test_pandas_errors(bad, error, message):
    with pytest.raises(error, match=message):
        bad(_series_wrap(data()), _frame_wrap(data()))


# --- torch ------------------------------------------------------------------------------------

@needs_torch
def test_torch_out_is_written_in_place_and_returned():
    x = torch.from_numpy(data())
    want = bits(elunumba.elu(data()))
    result = elunumba.elu(x, out=x)
    assert result is x and np.array_equal(bits(x.numpy()), want)


@needs_torch
def test_torch_value_and_grad_into_tensors():
    x = torch.from_numpy(data())
    value, grad = torch.empty_like(x), torch.empty_like(x)
    assert elunumba.elu_value_and_grad(x, out=(value, grad)) == (value, grad)
    want = elunumba.elu_value_and_grad(data())
    assert np.array_equal(bits(value.numpy()), bits(want[0]))
    assert np.array_equal(bits(grad.numpy()), bits(want[1]))


@needs_torch
def test_torch_input_is_read_without_a_copy():
    storage = data()
    x = torch.from_numpy(storage)
    result = elunumba.elu(x, out=x)  # the tensor's memory is the NumPy array's: written there
    assert result.data_ptr() == storage.ctypes.data
    assert np.array_equal(bits(storage), bits(elunumba.elu(data())))


@needs_torch
@pytest.mark.parametrize("make, message", [
    (lambda: torch.ones(3, dtype=torch.bfloat16), "bfloat16.*elunumba.torch"),
    (lambda: torch.ones(3, requires_grad=True), "requires grad.*elunumba.torch"),
    (lambda: torch.nn.Parameter(torch.ones(3)), "requires grad.*elunumba.torch"),
])
def test_torch_bfloat16_and_grad_tensors_point_to_the_torch_integration(make, message):
    out = torch.full((3,), 7.0)
    with pytest.raises(TypeError, match=message):
        elunumba.elu(make(), out=out)
    assert torch.all(out == 7.0)


# --- masked arrays ----------------------------------------------------------------------------

def test_masked_elements_keep_their_data_and_the_mask():
    x = np.ma.MaskedArray(data(), mask=data() > 1, fill_value=-9.0)
    for result in elunumba.elu_value_and_grad(x):
        assert np.array_equal(result.mask, x.mask) and result.fill_value == -9.0
        assert np.array_equal(bits(result.data[x.mask]), bits(x.data[x.mask]))
    assert np.array_equal(bits(elunumba.elu(x).data[~x.mask]), bits(elunumba.elu(data())[~x.mask]))


@pytest.mark.parametrize("hard", [True, False])
def test_masked_hard_mask_is_kept_as_numpys_ufuncs_keep_it(hard):
    x = np.ma.array([-1.0, 2.0, -3.0], mask=[0, 1, 0], hard_mask=hard)
    for result in (elunumba.elu(x), *elunumba.elu_value_and_grad(x)):
        assert result.hardmask is np.expm1(x).hardmask is hard


def test_masked_backward_combines_both_masks():
    grad_out = np.ma.MaskedArray(data(), mask=data() < -5)
    y = np.ma.MaskedArray(elunumba.elu(data()), mask=data() > 2)
    result = elunumba.elu_backward(grad_out, y)
    assert np.array_equal(result.mask, grad_out.mask | y.mask)
    assert np.array_equal(bits(result.data[result.mask]), bits(grad_out.data[result.mask]))


def test_masked_refuses_out():
    x = np.ma.MaskedArray(data(), mask=data() > 1)
    with pytest.raises(TypeError, match="out= is not supported for masked arrays"):
        elunumba.elu(x, out=x.data)


# --- recognising and mixing -------------------------------------------------------------------

@needs_torch
def test_two_libraries_in_one_call_are_refused():
    with pytest.raises(TypeError, match="Series and Tensor.*one kind"):
        elunumba.elu_backward(_series_wrap(data()), torch.from_numpy(data().ravel()))


class NdarraySubclass(np.ndarray):
    pass


def test_other_inputs_keep_the_numpy_path():
    subclassed = data().view(NdarraySubclass)
    for value in ([-1.0, 1.0], np.float32(1), subclassed):
        assert not interop.adapts(value)
    assert type(elunumba.elu(subclassed)) is np.ndarray


def test_a_missing_library_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ImportError, match=r"pip install 'elunumba\[dask\]'"):
        interop.require("distributed")


def test_import_elunumba_imports_none_of_these_libraries():
    probe = ("import sys, elunumba; print(sorted(m for m in ('dask', 'distributed', 'xarray', "
             "'pandas', 'torch') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.strip() == "[]"
