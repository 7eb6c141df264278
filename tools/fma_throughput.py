"""This core's clock and its 8-lane FMA throughput, measured with loops of FMAs on registers only.

A loop of one dependent chain of FMAs takes the FMA latency per iteration: with that latency given
in cycles (4 on Zen 3 and on Intel since Skylake), its time gives the clock the core runs at now.
A loop of --chains independent chains of <8 x float> FMAs (ymm registers on AVX2), enough to cover
the latency, takes the FMA throughput: FMAs per cycle at that clock. Both are thread CPU time.
With the two, a kernel loop's FMA count per element gives its resource bound in cycles.

    python -m tools.fma_throughput [--fma-latency 4] [--chains 12]
"""

import argparse
import ctypes
import os
import time

import llvmlite.binding as llvm
import llvmlite.ir as ir

ITERATIONS = 10**7
REPEATS = 5


def add_fma_loop(module, name, chains):
    """Add to ``module`` the function ``name``(n, b): n iterations of ``chains`` independent
    <8 x float> chains v = fma(v, b, b)."""
    f32, i32, i64 = ir.FloatType(), ir.IntType(32), ir.IntType(64)
    vector = ir.VectorType(f32, 8)
    fma = module.globals.get("llvm.fma.v8f32") or ir.Function(
        module, ir.FunctionType(vector, [vector] * 3), name="llvm.fma.v8f32")
    function = ir.Function(module, ir.FunctionType(f32, [i64, f32]), name=name)
    n, b = function.args
    entry, loop, done = map(function.append_basic_block, ("entry", "loop", "done"))
    builder = ir.IRBuilder(entry)
    lanes = ir.Constant(ir.VectorType(i32, 8), [0] * 8)
    splat = builder.shuffle_vector(builder.insert_element(ir.Constant(vector, None), b,
                                                          ir.Constant(i32, 0)),
                                   ir.Constant(vector, None), lanes)
    starts = [builder.fadd(splat, ir.Constant(vector, [float(k)] * 8)) for k in range(chains)]
    builder.branch(loop)
    builder = ir.IRBuilder(loop)
    counter = builder.phi(i64)
    values = [builder.phi(vector) for _ in starts]  # LLVM wants the phis first in the block
    results = [builder.call(fma, [value, splat, splat]) for value in values]
    for start, value, result in zip(starts, values, results):
        value.add_incoming(start, entry)
        value.add_incoming(result, loop)
    following = builder.add(counter, ir.Constant(i64, 1))
    counter.add_incoming(ir.Constant(i64, 0), entry)
    counter.add_incoming(following, loop)
    builder.cbranch(builder.icmp_unsigned("<", following, n), loop, done)
    builder = ir.IRBuilder(done)
    total = results[0]  # (the results, not the phis: summing those would keep both alive)
    for result in results[1:]:
        total = builder.fadd(total, result)
    builder.ret(builder.extract_element(total, ir.Constant(i32, 0)))


def seconds_per_iteration(engine, name):
    run = ctypes.CFUNCTYPE(ctypes.c_float, ctypes.c_int64, ctypes.c_float)(
        engine.get_function_address(name))
    run(1000, 0.999)
    times = []
    for _ in range(REPEATS):
        start = time.thread_time()
        run(ITERATIONS, 0.999)
        times.append(time.thread_time() - start)
    return min(times) / ITERATIONS


def measure(fma_latency=4, chains=12):
    """(clock in Hz, FMAs per cycle, seconds of one dependent FMA, seconds per independent FMA)
    of the core this thread runs on, now."""
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    module = ir.Module()
    module.triple = llvm.get_process_triple()
    add_fma_loop(module, "chain", 1)
    add_fma_loop(module, "chains", chains)
    # one engine: it takes the target machine over, and two engines would free it twice
    engine = llvm.create_mcjit_compiler(llvm.parse_assembly(str(module)),
                                        llvm.Target.from_default_triple().create_target_machine(
                                            cpu=llvm.get_host_cpu_name(),
                                            features=llvm.get_host_cpu_features().flatten(),
                                            opt=2))
    engine.finalize_object()
    latency = seconds_per_iteration(engine, "chain")
    throughput = seconds_per_iteration(engine, "chains") / chains
    clock = fma_latency / latency
    return clock, 1 / (throughput * clock), latency, throughput


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fma-latency", type=int, default=4, help="cycles (default 4)")
    parser.add_argument("--chains", type=int, default=12,
                        help="independent chains for the throughput loop (default 12; over "
                        "15 they no longer fit in 16 ymm registers)")
    args = parser.parse_args()
    if args.fma_latency < 1 or args.chains < 2:
        parser.error("--fma-latency must be at least 1 and --chains at least 2")
    clock, fmas_per_cycle, latency, throughput = measure(args.fma_latency, args.chains)
    cpu = llvm.get_host_cpu_name()
    print(f"LLVM host CPU {cpu}; load average {os.getloadavg()[0]:.2f}")
    print(f"dependent <8 x float> FMA: {latency * 1e9:.3f} ns -> clock {clock / 1e9:.2f} GHz "
          f"at {args.fma_latency} cycles of latency")
    print(f"{args.chains} independent chains: {throughput * 1e9:.3f} ns per FMA -> "
          f"{fmas_per_cycle:.2f} FMAs per cycle")


if __name__ == "__main__":
    main()
