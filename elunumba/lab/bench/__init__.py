"""Benchmarking elunumba's kernels against peers and the machine's copy bandwidth.

The library side of ``elunumba bench`` (no click, no rich): one module a job.

    sizes     parse "2^10:2^24:x4", "1024,4096", "1e6"; the default sizes
    ops       each op's arrays, streams and bytes moved; the data a cell runs on
    impls     what a cell runs: elunumba targets and peers (NumPy, numexpr, torch, CuPy)
    timing    warm-up, repeats, median and quartiles (host: perf_counter)
    gpu       CUDA events, L2 flush, device copy, theoretical peak (imported only for CUDA)
    copy      the copy baseline on the same bytes
    sweep     the plan (axes checked against this machine) and the runner
    summary   the speed goals, read off a sweep and judged where they apply
    env       the environment every output records
    machine   the CPU, the vector ISA the kernels are compiled for, NumPy's SIMD level
    records   the results schema; JSON, CSV and markdown writers
    compare   cell-by-cell comparison of two results files: a statistical regression gate
    plot      throughput against size (matplotlib, optional)
    readme    the README's benchmark tables, one per results file (machine)
"""
