"""The kernel formulas (elunumba.kernels.formulas.FORMULAS): which one the coefficients pick, and
that the
"unit" kernels, which leave out two products by 1, give the bits of the "exact" ones."""

import numpy as np
import pytest

from elunumba.kernels import cpu
from elunumba.kernels.formulas import formula

N_ARRAYS = {"forward": 2, "fused": 3, "fused_from_input": 3}  # the ops that call elu_value


@pytest.mark.parametrize("negcoef, negiptcoef, kind", [
    (1.0, 1.0, "unit"),           # ELU, alpha = 1 (scale may differ: alpha = 1/scale)
    (1.0, 0.5, "exact"),          # alpha*scale = 1 with another input_scale
    (0.0, 1.0, "exact"),          # alpha = 0: the product is exactly -0.0
    (-0.0, 1.0, "exact"),
    (1.7, 1.0, "scaled"),
    (1.7, 0.5, "scaled"),
    (-1.0, 1.0, "scaled"),
])
def test_the_coefficients_pick_the_formula(negcoef, negiptcoef, kind):
    assert formula(negcoef, negiptcoef) == kind


def bit_patterns(bits, n=1 << 16, seed=0):
    """Random bit patterns of every sign and exponent, and the special values, as raw integers."""
    unsigned = {16: np.uint16, 32: np.uint32, 64: np.uint64}[bits]
    floating = {16: np.float16, 32: np.float32, 64: np.float64}[bits]
    random = np.random.default_rng(seed).integers(0, 2**bits, n, dtype=unsigned, endpoint=False)
    specials = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan, 1e-45, -1e-45, -17.5,
                         -0.3465, -1e-7], floating).view(unsigned)
    signalling_nan = {16: 0x7D00, 32: 0x7FA00000, 64: 0x7FF4000000000000}[bits]
    return np.concatenate([random, specials, [signalling_nan, signalling_nan | 1 << bits - 1]]
                          ).astype(unsigned)


# (storage dtype of the arrays, compute dtype of the coefficients): float16 is stored as its
# uint16 bits; float32 arrays with float64 coefficients are the correctly rounded functions
PRECISIONS = [(np.uint16, np.float32), (np.float32, np.float32), (np.float32, np.float64),
              (np.float64, np.float64)]


@pytest.mark.parametrize("storage, compute", PRECISIONS,
                         ids=["float16", "float32", "float32-correctly-rounded", "float64"])
@pytest.mark.parametrize("op", N_ARRAYS)
@pytest.mark.parametrize("scale", [1.0, 2.0])  # alpha = 1/scale keeps alpha*scale = 1
def test_unit_kernels_give_the_exact_kernels_bits(op, storage, compute, scale):
    bits = np.dtype(storage).itemsize * 8
    raw = bit_patterns(bits)
    x = raw if storage == np.uint16 else raw.view(storage)
    coefficients = (compute(scale), compute(1.0), compute(1.0))
    assert formula(*coefficients[1:]) == "unit"
    results = {}
    for kind in ("unit", "exact"):
        outputs = [np.empty_like(x) for _ in range(N_ARRAYS[op] - 1)]
        cpu.KERNELS[op, "cpu", kind](x, *outputs, *coefficients)
        results[kind] = [out.view(f"u{out.itemsize}") for out in outputs]
    for unit, exact in zip(results["unit"], results["exact"]):
        different = np.flatnonzero(unit != exact)
        assert different.size == 0, (f"{different.size} results differ, first at input bits "
                                     f"{int(raw[different[0]]):#x}")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_unit_slope_of_a_value_gives_the_slope_from_the_output(dtype):
    """The fused "unit" kernels take the slope of their own y as y + 1, which is
    elu_slope_from_output's bits wherever y >= -1 (every y that ELU with alpha = 1 computes); a y
    below -1, which only elu_backward can be given, needs elu_slope_from_output's clamp."""
    import numba

    from elunumba.kernels.formulas import elu_slope_from_output, elu_slope_from_unit_output

    @numba.njit
    def slopes(y, scale):
        one = y.dtype.type(1.0)
        unit, general = np.empty_like(y), np.empty_like(y)
        for i in range(y.size):
            unit[i] = elu_slope_from_unit_output(y[i], scale, one, one)
            general[i] = elu_slope_from_output(y[i], scale, one, one)
        return unit, general

    bits = 8 * np.dtype(dtype).itemsize
    y = bit_patterns(bits).view(dtype)
    y = y[np.isnan(y) | (y >= -1)]
    minus_one = dtype(-1.0)
    y = np.concatenate([y, [minus_one, np.nextafter(minus_one, dtype(0.0))]])
    for scale in (dtype(1.0), dtype(2.0)):
        unit, general = slopes(y, scale)
        uint = f"u{np.dtype(dtype).itemsize}"
        assert np.array_equal(unit.view(uint), general.view(uint))
    below = np.array([np.nextafter(minus_one, dtype(-2.0)), -2.0, -np.inf], dtype)
    unit, general = slopes(below, dtype(1.0))
    assert (unit < 0).all() and (general == 0).all()
