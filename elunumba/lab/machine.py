"""The machine a figure was measured on, named so that the figure can be read elsewhere: ONE
record (``record()``) for every results file (benchmarks, accuracy runs, the dask benchmark,
the tools), with one key for the vector ISA, ``isa``.

Two machines that both call themselves "AMD EPYC" may differ by a factor of three in these
benchmarks: one with AVX-512, one with AVX2 only. So the record names, beside the CPU model,
what the kernels were really compiled for: the CPU name LLVM targets and its features (honouring
NUMBA_CPU_NAME / NUMBA_CPU_FEATURES, as Numba does) and the vector width LLVM chose, read off the
assembly of a small probe loop compiled by Numba's own code generator; and NumPy's SIMD level
(whether its expm1 is vectorized here). Maintained sources first: llvmlite, Numba's config,
NumPy's CPU feature tables, py-cpuinfo and threadpoolctl where installed (the ``machine`` extra),
/proc/cpuinfo otherwise.
"""

import functools
import importlib.util
import platform
import re

import numba
import numpy as np

# feature flag (LLVM's spelling) -> ISA name, widest first
ISA_BY_FEATURE = (("avx512f", "AVX-512"), ("avx2", "AVX2"), ("avx", "AVX"), ("sse2", "SSE2"),
                  ("sve", "SVE"), ("neon", "NEON"), ("asimd", "NEON"))
# a vector register's name in the probe's assembly -> its width in bits
REGISTER_BITS = ((re.compile(r"%zmm\d"), 512), (re.compile(r"%ymm\d"), 256),
                 (re.compile(r"%xmm\d"), 128), (re.compile(r"\bv\d+\.4s\b"), 128))


def one_line():
    """'AMD EPYC, AVX2, 256-bit vectors (8 float32 lanes), LLVM cpu znver3': for figures that
    name their machine in one line."""
    return f"{cpu_model()['name']}, {isa_text(compiled_for())}"


def record():
    """{model: {name, vendor, family, model, source}, architecture, llvm_cpu, isa, vector_bits,
    float32_lanes, cpu_override, numpy_simd, blas}: everything the speed of these kernels depends
    on besides memory and threads, and what their rounding depends on (the vector code)."""
    return {"model": cpu_model(), "architecture": platform.machine(), **compiled_for(),
            "numpy_simd": numpy_simd(), "blas": blas()}


def line(machine):
    """'x86_64, LLVM CPU znver3, AVX2': a record in one line, for tables of results. It reads
    records of every version: accuracy files and tool outputs written before there was one
    record named the ISA ``vector_isa`` and the architecture ``machine``; None (not recorded)
    gives 'machine not recorded'."""
    if not machine:
        return "machine not recorded"
    isa = machine.get("isa", machine.get("vector_isa"))
    architecture = machine.get("architecture", machine.get("machine"))
    return f"{architecture}, LLVM CPU {machine['llvm_cpu']}, {isa}"


@functools.cache
def cpu_model():
    """The CPU's marketing name and family: py-cpuinfo where installed, else /proc/cpuinfo."""
    if importlib.util.find_spec("cpuinfo") is not None:
        import cpuinfo

        info = cpuinfo.get_cpu_info()
        return {"name": info.get("brand_raw") or platform.processor() or "unknown",
                "vendor": info.get("vendor_id_raw"), "family": info.get("family"),
                "model": info.get("model"), "source": "py-cpuinfo"}
    fields = _proc_cpuinfo()
    name = (fields.get("model name") or fields.get("hardware") or fields.get("cpu model")
            or platform.processor() or platform.machine() or "unknown")
    family = fields.get("cpu family")
    model = fields.get("model")
    return {"name": name, "vendor": fields.get("vendor_id"),
            "family": int(family) if family and family.isdigit() else None,
            "model": int(model) if model and model.isdigit() else None,
            "source": "/proc/cpuinfo"}


def _proc_cpuinfo():
    fields = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if not line.strip():
                    break  # the first processor is enough
                key, _, value = line.partition(":")
                fields[key.strip().lower()] = value.strip()
    except OSError:
        pass
    return fields


@functools.cache
def compiled_for():
    """What Numba compiles the kernels for: {llvm_cpu, isa, vector_bits, float32_lanes,
    cpu_override}. The CPU name and features are the ones Numba's code generator uses (see
    elunumba.kernels.compiler.target: NUMBA_CPU_NAME / NUMBA_CPU_FEATURES, else the host's, less
    AVX under NUMBA_ENABLE_AVX=0); the vector width is the widest vector register in a probe loop
    Numba compiles the way it compiles the kernels."""
    from elunumba.kernels.compiler import target

    _, name, features = target()
    enabled = {f[1:] for f in features.split(",") if f.startswith("+")}
    isa = next((label for flag, label in ISA_BY_FEATURE if flag in enabled), None)
    bits = vector_bits()
    if isa is None:  # no features listed (a "generic" target): name what the code uses
        narrow = "SSE2" if platform.machine().lower() in ("x86_64", "amd64") else "NEON"
        isa = {512: "AVX-512", 256: "AVX", 128: narrow}.get(bits, "scalar")
    return {"llvm_cpu": name, "isa": isa, "vector_bits": bits,
            "float32_lanes": bits // 32 if bits else 1,
            "cpu_override": numba.config.CPU_NAME is not None
            or numba.config.CPU_FEATURES is not None}


def vector_bits():
    """The widest vector register in the assembly of a float32 loop LLVM vectorizes; None when
    it uses none (or the assembly cannot be read)."""
    try:
        asm = _probe().inspect_asm(_PROBE_SIGNATURE)
    except Exception:  # a JIT that gives no assembly (NUMBA_DISABLE_JIT): width unknown
        return None
    return max((bits for pattern, bits in REGISTER_BITS if pattern.search(asm)), default=None)


_PROBE_SIGNATURE = (numba.float32[::1], numba.float32[::1], numba.float32)


@functools.cache
def _probe():
    def scale_add(x, y, a):
        for i in range(x.size):
            y[i] = x[i] * a + y[i]

    probe = numba.njit(_PROBE_SIGNATURE, fastmath={"contract"})(scale_add)
    return probe


def numpy_simd():
    """NumPy's SIMD: {baseline, dispatched}: the extensions compiled in for every machine, and
    the optional ones this machine runs. NumPy's expm1 is vectorized only where its dispatch
    reaches AVX-512 (X86_V4/AVX512_SKX); elsewhere it is a scalar loop."""
    try:
        from numpy._core import _multiarray_umath as umath
    except ImportError:  # NumPy 1.x
        from numpy.core import _multiarray_umath as umath
    try:
        found = umath.__cpu_features__
        return {"baseline": list(umath.__cpu_baseline__),
                "dispatched": [f for f in umath.__cpu_dispatch__ if found.get(f)]}
    except AttributeError:  # a NumPy built without its CPU dispatcher
        return {"baseline": [], "dispatched": []}


def blas():
    """NumPy's BLAS and its threads, as threadpoolctl sees them; None without threadpoolctl."""
    if importlib.util.find_spec("threadpoolctl") is None:
        return None
    import threadpoolctl

    np.ones(1)  # NumPy's BLAS is loaded with NumPy itself
    libraries = threadpoolctl.threadpool_info()
    keys = ("internal_api", "num_threads", "threading_layer", "architecture")
    unique = {tuple(library.get(key) for key in keys) for library in libraries}
    return [dict(zip(keys, values)) for values in sorted(unique, key=str)]


def isa_text(cpu):
    """"AVX2, 256-bit vectors (8 float32 lanes), LLVM cpu znver3"."""
    bits = cpu.get("vector_bits")
    width = f"{bits}-bit vectors ({cpu['float32_lanes']} float32 lanes)" if bits else \
        "no vector registers"
    override = ", set by NUMBA_CPU_NAME/NUMBA_CPU_FEATURES" if cpu.get("cpu_override") else ""
    return f"{cpu['isa']}, {width}, LLVM cpu {cpu['llvm_cpu']}{override}"


def numpy_simd_text(simd):
    dispatched = ", ".join(simd["dispatched"]) or "none"
    return f"baseline {', '.join(simd['baseline']) or 'none'}; dispatched here: {dispatched}"


def same_class(cpu_a, cpu_b):
    """Whether two cpu records describe machines whose absolute times may be compared: the same
    model name, ISA and vector width; None when either record predates these fields."""
    if not cpu_a or not cpu_b:
        return None
    return all(cpu_a.get(k) == cpu_b.get(k) for k in ("isa", "vector_bits", "llvm_cpu")) and \
        cpu_a["model"]["name"] == cpu_b["model"]["name"]
