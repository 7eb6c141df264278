"""The machine a result was measured on, as LLVM (and so Numba) sees it: the kernels' vector code
and therefore some of their rounding depend on it."""

import platform

# feature flag -> the vector ISA it means, widest first
_VECTOR_ISAS = (("avx512f", "AVX-512"), ("avx2", "AVX2"), ("avx", "AVX"), ("neon", "NEON"),
                ("sse2", "SSE2"))


def describe():
    """{"machine": architecture, "llvm_cpu": e.g. "znver3", "vector_isa": e.g. "AVX2"}."""
    from llvmlite import binding

    features = binding.get_host_cpu_features()
    isa = next((name for flag, name in _VECTOR_ISAS if features.get(flag)), "none found")
    return {"machine": platform.machine(), "llvm_cpu": binding.get_host_cpu_name(),
            "vector_isa": isa}


def line(record):
    """'x86_64, znver3, AVX2' from ``describe()``'s record; None gives 'machine not recorded'."""
    if not record:
        return "machine not recorded"
    return f"{record['machine']}, LLVM CPU {record['llvm_cpu']}, {record['vector_isa']}"
