"""Everything Numba compiles, and nothing else: the one expm1 per precision (expm1), the element
formulas (formulas), fma, loading and storing in the compute precision (storage, half), how the
CPU kernels are compiled and cached (compiler), the threading layer (threads), and the loops
themselves: cpu (serial and parallel) and gpu (CUDA grid-stride). Kernels never validate their
arguments; the dispatch layer does that before it launches one.
"""
