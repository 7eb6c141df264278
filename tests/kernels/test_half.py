"""The float16 <-> float32 bit conversions of elunumba/kernels/half.py, called from small @njit
loops, against NumPy's casts; each test runs both forms: the one chosen for the target Numba
compiles for ("target": the F16C instructions on this host) and the bit-level one that targets
without F16C get ("by bits"), which must also give the F16C form's bits exactly, NaNs included.

* widening: all 65536 half bit patterns give NumPy's astype(float32) (NaNs: the same sign and
  payload; the F16C instruction quiets a signalling NaN, NumPy keeps it signalling);
* narrowing (round to nearest, ties to even): ~10^7 random float32 bit patterns, every 257th of
  all 2^32 patterns, and every float32 within a few ULPs of each rounding midpoint between
  consecutive halves and of the boundaries (65504, 65520, the subnormals, 2^-25, ...), give
  NumPy's astype(float16); NaN stays NaN with its sign;
* under NUMBA_CPU_NAME=generic (no F16C: the process used to abort in LLVM) the kernels' float16
  results are their float32 results rounded once, for all 65536 inputs.
"""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from numba import njit

from helpers import ROOT
from elunumba.kernels import half

QUIET32 = np.uint32(0x00400000)
QUIET16 = np.uint16(0x0200)
ALL_HALVES = np.arange(2**16, dtype=np.uint32).astype(np.uint16)


def loops(to_float, to_half):
    @njit(cache=False)
    def widen_all(bits, out):
        for i in range(bits.size):
            out[i] = to_float(bits[i])

    @njit(cache=False)
    def narrow_all(values, out):
        for i in range(values.size):
            out[i] = to_half(values[i])

    return widen_all, narrow_all


FORMS = {"target": loops(half.half_bits_to_float, half.float_to_half_bits),
         "by bits": loops(half.half_bits_to_float_by_bits, half.float_to_half_bits_by_bits)}
F16C = loops(half._fpext_half, half._fptrunc_half)


@pytest.fixture(params=FORMS)
def form(request):
    return request.param


def widen(bits, form="target"):
    out = np.empty(bits.size, np.float32)
    (F16C if form == "f16c" else FORMS[form])[0](bits, out)
    return out


def narrow(values, form="target"):
    out = np.empty(values.size, np.uint16)
    (F16C if form == "f16c" else FORMS[form])[1](np.ascontiguousarray(values, np.float32), out)
    return out


def numpy_narrow(values):
    with np.errstate(over="ignore", invalid="ignore"):
        return values.astype(np.float16).view(np.uint16)


def assert_narrowing_matches_numpy(values, form):
    values = np.ascontiguousarray(values, np.float32)
    got = narrow(values, form)
    expected = numpy_narrow(values)
    nan = np.isnan(values)
    bad = ~nan & (got != expected)
    assert not bad.any(), [(hex(v), hex(g), hex(e)) for v, g, e in
                           zip(values.view(np.uint32)[bad][:5], got[bad][:5], expected[bad][:5])]
    # NaN stays NaN (quiet), with its sign and the leading bits of its payload. (NumPy keeps a
    # signalling NaN signalling, adding 1 to a payload that would vanish: not compared.)
    got_nan, bits = got[nan], values.view(np.uint32)[nan]
    assert np.all(np.isnan(got_nan.view(np.float16)))
    assert np.all((got_nan & QUIET16) != 0)
    assert np.all((got_nan >> 15) == (bits >> 31))
    assert np.all((got_nan & 0x01FF) == ((bits >> 13) & 0x01FF))
    assert np.all((expected[nan] >> 15) == (bits >> 31))


def test_widening_all_half_patterns(form):
    bits = ALL_HALVES
    got = widen(bits, form).view(np.uint32)
    expected = bits.view(np.float16).astype(np.float32).view(np.uint32)
    nan = np.isnan(bits.view(np.float16))
    assert nan.sum() == 2 * 1023
    np.testing.assert_array_equal(got[~nan], expected[~nan])
    assert np.all(np.isnan(got[nan].view(np.float32)))
    assert np.all((got[nan] | QUIET32) == (expected[nan] | QUIET32))


def test_widening_is_exact(form):
    """Every finite half is a float32 exactly: converting back gives the same bits."""
    bits = ALL_HALVES
    finite = np.isfinite(bits.view(np.float16))
    np.testing.assert_array_equal(narrow(widen(bits, form), form)[finite], bits[finite])


def test_narrowing_random_float32_patterns(form):
    rng = np.random.default_rng(1234)
    for _ in range(10):  # 10^7 patterns in chunks
        bits = rng.integers(0, 2**32, 10**6, dtype=np.uint64).astype(np.uint32)
        assert_narrowing_matches_numpy(bits.view(np.float32), form)


def every_257th_float32(chunk=2**26):
    """Every 257th of the 2^32 float32 bit patterns (prime: every exponent, and mantissas of
    every residue of the bits that rounding drops), in chunks."""
    for first in range(0, 2**32, chunk):
        yield np.arange(first, first + chunk, 257, dtype=np.uint64).astype(np.uint32).view(
            np.float32)


def test_narrowing_a_dense_sample_of_all_float32(form):
    for values in every_257th_float32():
        assert_narrowing_matches_numpy(values, form)


def test_narrowing_random_values_in_the_half_range(form):
    """Random patterns are mostly far outside float16's range; these are inside it."""
    rng = np.random.default_rng(99)
    magnitude = np.exp2(rng.uniform(-27, 17, 2 * 10**6)).astype(np.float32)
    values = np.where(rng.random(magnitude.size) < 0.5, -magnitude, magnitude)
    assert_narrowing_matches_numpy(values, form)


def float32_neighbours(values, k):
    """Every float32 within k ULPs of each of the (positive, finite) float32 ``values``."""
    bits = np.asarray(values, np.float32).view(np.int32)[:, None] + np.arange(-k, k + 1)
    bits = bits[(bits >= 0) & (bits < 0x7F800000)]
    return bits.astype(np.int32).view(np.float32)


def test_narrowing_near_every_midpoint_and_boundary(form):
    halves = np.arange(0x7C00, dtype=np.uint16).view(np.float16).astype(np.float64)  # 0..65504
    midpoints = (halves[:-1] + halves[1:]) / 2  # exact in float64 and float32 (12 bits)
    boundaries = [65504.0, 65520.0, 65536.0, 2.0**-24, 2.0**-25, 2.0**-26, 2.0**-14,
                  2.0**-14 - 2.0**-25, 6.0e-8, 1.0, 2048.0, 2049.0, 4097.0,
                  float(np.finfo(np.float32).max), float(np.finfo(np.float32).smallest_subnormal),
                  float(np.finfo(np.float32).smallest_normal)]
    centres = np.concatenate([midpoints, halves, boundaries]).astype(np.float32)
    assert np.array_equal(centres[:midpoints.size].astype(np.float64), midpoints)
    values = float32_neighbours(centres, 4)
    values = np.concatenate([values, -values, [0.0, -0.0, np.inf, -np.inf]]).astype(np.float32)
    assert values.size > 10 * 2**15
    assert_narrowing_matches_numpy(values, form)


@pytest.mark.parametrize("value, expected", [
    (65504.0, 0x7BFF), (65519.99, 0x7BFF), (65520.0, 0x7C00), (1e6, 0x7C00), (np.inf, 0x7C00),
    (-65520.0, 0xFC00), (2.0**-24, 0x0001), (2.0**-25, 0x0000), (2.0**-25 * 1.0000001, 0x0001),
    (3 * 2.0**-25, 0x0002), (-2.0**-25, 0x8000), (-0.0, 0x8000), (1.0 + 2.0**-11, 0x3C00),
    (1.0 + 3 * 2.0**-11, 0x3C02), (2.0**-14, 0x0400),
])
def test_narrowing_known_cases(value, expected, form):
    """Round to nearest, ties to even, overflow at 65520, underflow through the subnormals; the
    bit-level form runs as plain Python too."""
    assert narrow(np.array([value], np.float32), form)[0] == expected
    assert half.float_to_half_bits_by_bits(np.float32(value)) == expected


def test_nan_stays_nan(form):
    rng = np.random.default_rng(5)
    payload = rng.integers(1, 2**23, 10**5, dtype=np.uint32)
    sign = rng.integers(0, 2, payload.size, dtype=np.uint32) << 31
    nans = (sign | np.uint32(0x7F800000) | payload).view(np.float32)
    assert np.all(np.isnan(nans))
    got = narrow(nans, form)
    assert np.all(np.isnan(got.view(np.float16)))
    np.testing.assert_array_equal(got >> 15, sign >> 31)
    assert_narrowing_matches_numpy(nans, form)


needs_f16c = pytest.mark.skipif(not half.native_half_conversions(),
                                reason="the F16C form needs a target with F16C")


@needs_f16c
def test_the_bit_level_form_gives_the_f16c_bits_exactly():
    """Every half widened, and a dense sample of float32 narrowed (NaN payloads and signalling
    NaNs included): the two forms give the same bits, so a kernel's results do not depend on
    which one its target got."""
    np.testing.assert_array_equal(widen(ALL_HALVES, "by bits").view(np.uint32),
                                  widen(ALL_HALVES, "f16c").view(np.uint32))
    nans = np.arange(0x7F800001, 0x7F800001 + 2**23, 61, dtype=np.uint32)
    for values in [nans.view(np.float32), (nans | 2**31).view(np.float32),
                   *every_257th_float32()]:
        np.testing.assert_array_equal(narrow(values, "by bits"), narrow(values, "f16c"))


def test_the_target_form_is_the_f16c_one_where_the_target_has_it():
    """The dispatching functions compile to the F16C instructions on an F16C target, and to no
    library call on any target."""
    widen_all, narrow_all = FORMS["target"]
    widen(ALL_HALVES[:8])
    narrow(np.zeros(8, np.float32))
    assembly = "".join(next(iter(f.inspect_asm().values())) for f in (widen_all, narrow_all))
    assert "__extendhfsf2" not in assembly and "__truncsfhf2" not in assembly
    assert ("vcvtph2ps" in assembly and "vcvtps2ph" in assembly) == \
        half.native_half_conversions()


# The kernels' float16 results against their float32 results on the widened inputs, rounded
# once by NumPy, for every half: the float16 kernels widen their inputs, compute in float32 and
# round on the store (the fused gradient: the slope of the rounded value), so this holds on every
# target whatever its conversions (and its float32 arithmetic, FMA or not) are.
GENERIC_SCRIPT = textwrap.dedent("""
    import json
    import numpy as np
    import elunumba
    from elunumba.kernels import half

    x = np.arange(2**16, dtype=np.uint32).astype(np.uint16).view(np.float16)
    y = elunumba.elu(x)
    grad = x[::-1].copy()
    wide = lambda a: a.astype(np.float32)
    checks = {
        "elu": (elunumba.elu(x, target="cpu"), elunumba.elu(wide(x))),
        "elu 1.7 parallel": (elunumba.elu(x, 1.7, target="parallel"), elunumba.elu(wide(x), 1.7)),
        "celu": (elunumba.celu(x, 0.7, target="cpu"), elunumba.celu(wide(x), 0.7)),
        "backward": (elunumba.elu_backward(grad, y), elunumba.elu_backward(wide(grad), wide(y))),
        "value and grad": (np.stack(elunumba.elu_value_and_grad(x, target="cpu")),
                           np.stack([elunumba.elu(wide(x)),
                                     elunumba.elu_backward(np.ones(x.size, np.float32),
                                                           wide(y))])),
    }
    mismatches = {}
    for name, (got, exact) in checks.items():
        expected = exact.astype(np.float16)
        both_nan = np.isnan(got) & np.isnan(expected)
        mismatches[name] = int(np.count_nonzero(
            (got.view(np.uint16) != expected.view(np.uint16)) & ~both_nan))
    print(json.dumps({"native": half.native_half_conversions(), "mismatches": mismatches}))
""")


def run_generic_script(cpu, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_CPU")}
    env.update(cpu, NUMBA_CACHE_DIR=str(tmp_path / "cache"),
               PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-W", "error", "-c", GENERIC_SCRIPT], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("cpu", [{"NUMBA_CPU_NAME": "generic"},
                                 {"NUMBA_CPU_NAME": "x86-64-v3", "NUMBA_CPU_FEATURES": "-f16c"}],
                         ids=["generic", "features without f16c"])
def test_float16_kernels_on_a_target_without_f16c(cpu, tmp_path):
    """The process aborted ("LLVM ERROR: Symbol not found: __extendhfsf2") on the first
    float16 call; now the kernels take the bit-level conversions."""
    if os.uname().machine not in ("x86_64", "AMD64"):
        pytest.skip("F16C is an x86 extension")
    report = run_generic_script(cpu, tmp_path)
    assert report["native"] is False
    assert report["mismatches"] == dict.fromkeys(report["mismatches"], 0)
    assert len(report["mismatches"]) == 5


@needs_f16c
def test_the_same_checks_hold_on_this_host(tmp_path):
    """The script's checks, where the F16C form runs: they hold for both forms alike."""
    report = run_generic_script({}, tmp_path)
    assert report == {"native": True, "mismatches": dict.fromkeys(report["mismatches"], 0)}
