"""The machine an accuracy result was measured on, as LLVM (and so Numba) compiles for it: the
kernels' vector code, and therefore some of their rounding, depend on it."""

import platform

from .. import machine


def describe():
    """{"machine": architecture, "llvm_cpu": e.g. "znver3", "vector_isa": e.g. "AVX2"}."""
    compiled = machine.compiled_for()
    return {"machine": platform.machine(), "llvm_cpu": compiled["llvm_cpu"],
            "vector_isa": compiled["isa"]}


def line(record):
    """'x86_64, znver3, AVX2' from ``describe()``'s record; None gives 'machine not recorded'."""
    if not record:
        return "machine not recorded"
    return f"{record['machine']}, LLVM CPU {record['llvm_cpu']}, {record['vector_isa']}"
