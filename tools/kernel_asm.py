"""The CPU kernels' inner vector loop: registers used, instructions, and llvm-mca's estimate.

Compiles each kernel for the CPU Numba targets (set NUMBA_CPU_NAME, e.g. znver3, to generate
code for another CPU than this one; compiling runs nothing, so an AVX-512 target can be inspected
on an AVX2 machine, but Numba keeps the host's CPU features unless NUMBA_CPU_FEATURES names them
too: without +avx512f the code stays AVX2), takes the longest loop of vector code in its
assembly (the vectorized element loop), and reports its instruction count, the vector registers
of the whole kernel (ymm: 256-bit AVX2, zmm: 512-bit AVX-512) and, if llvm-mca is installed
(Debian: apt-get install llvm), its estimate of cycles per iteration for --mca-cpu.

    NUMBA_CPU_NAME=znver3 python -m tools.kernel_asm --mca-cpu znver3
    NUMBA_CPU_NAME=znver4 NUMBA_CPU_FEATURES=+avx512f,+avx512vl,+avx512bw,+avx512dq,+avx2,+fma,\
+f16c,+bmi,+bmi2,+lzcnt,+popcnt,+movbe,+sse4.2,+64bit \
        python -m tools.kernel_asm --mca-cpu icelake-server
    NUMBA_CPU_NAME=znver3 python -m tools.kernel_asm --reference /tmp/ref   # an older version
"""

import argparse
import re
import shutil
import subprocess
import tempfile

import importlib

import numba
from numba import types

from tools import reference_kernels

MCA_ITERATIONS = 1000
OPS = {"forward": 2, "backward": 3, "fused": 3}  # arrays each kernel takes
OUTPUTS = {"forward": 1, "backward": 1, "fused": 2}  # arrays it writes


def vector_loop(asm):
    """The instructions of the longest one-block loop that uses vector registers."""
    lines = asm.splitlines()
    labels = {line[:-1]: i for i, line in enumerate(lines) if re.fullmatch(r"\.LBB\S+:", line)}
    best = []
    for i, line in enumerate(lines):
        jump = re.match(r"\s+j\w+\s+(\.LBB\S+)", line)
        if not jump or labels.get(jump.group(1), i) >= i:
            continue
        if any(start < j < i for j in labels.values() for start in (labels[jump.group(1)],)):
            continue  # a loop of several blocks (the scalar remainder, say), not one vector body
        body = [text.strip() for text in lines[labels[jump.group(1)] + 1:i + 1]
                if text.startswith("\t") and not text.strip().startswith(".")]
        if re.search(r"[yz]mm", " ".join(body)) and len(body) > len(best):
            best = body
    return best


def elements_per_iteration(body, bits, outputs):
    """Elements of ``bits`` each that the vector loop ``body`` stores to each of ``outputs``
    arrays per iteration. LLVM may interleave several vectors per iteration (it does for the
    short backward loop): count the vector stores to the outputs (not the spills to the stack),
    one per array and vector."""
    stores = sum(bool(re.match(r"vmov\w+\s+%[yz]mm\d+, .*\((?!%rsp)", text)) for text in body)
    width = 512 if "zmm" in " ".join(body) else 256
    return width // bits * stores // outputs


def mca_cycles(body, mca_cpu):
    """llvm-mca's cycles per loop iteration on ``mca_cpu``, or None without llvm-mca."""
    if shutil.which("llvm-mca") is None:
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".s") as source:
        source.write("\n".join(body) + "\n")
        source.flush()
        report = subprocess.run(["llvm-mca", f"-mcpu={mca_cpu}", f"-iterations={MCA_ITERATIONS}",
                                 source.name], capture_output=True, text=True)
    if report.returncode != 0:
        raise SystemExit(f"llvm-mca failed: {report.stderr.strip()}")
    report = report.stdout
    return int(re.search(r"Total Cycles:\s+(\d+)", report).group(1)) / MCA_ITERATIONS


def row(kernels, op, kind, dtype, mca_cpu):
    cached = kernels[op, "cpu", kind]
    # the same function, options and dispatcher class (interleaving included) without the disk
    # cache: Numba shows no assembly of code it loaded from the cache
    kernel = type(cached)(cached.py_func, cached.locals, cached.targetoptions)
    array = types.Array(dtype, 1, "C")
    signature = (array,) * OPS[op] + (dtype,) * 3
    kernel.compile(signature)
    asm = kernel.inspect_asm(signature)
    body = vector_loop(asm)
    lanes = elements_per_iteration(body, dtype.bitwidth, OUTPUTS[op])
    cycles = mca_cycles(body, mca_cpu)
    estimate = "n/a" if cycles is None else f"{cycles:.1f} | {cycles / lanes:.2f}"
    # packages before the "unit" formula keyed their kernels by a bool: scaled or not
    name = {False: "exact", True: "scaled"}.get(kind, kind)
    spills = sum("(%rsp)" in text for text in body)
    return (f"| {op} {name} | {dtype} | {asm.count('ymm')} "
            f"| {asm.count('zmm')} | {len(body)} | {spills} | {lanes} | {len(body) / lanes:.2f} "
            f"| {estimate} |")


def kernels_of(package):
    """The CPU kernels' table of ``package``: in its kernels/cpu.py since the package was
    regrouped into folders (2026-12-06), in its cpu.py in references from before."""
    for module in (".kernels.cpu", ".cpu"):
        try:
            return importlib.import_module(package + module).KERNELS
        except ModuleNotFoundError:
            continue
    raise SystemExit(f"kernel_asm: {package} has neither kernels/cpu.py nor cpu.py")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mca-cpu", default="znver3", help="CPU model for llvm-mca")
    parser.add_argument("--reference", help="inspect the elunumba in this directory instead "
                        "(tools/reference_kernels.py)")
    args = parser.parse_args()
    if args.reference:
        try:
            package = reference_kernels.load(args.reference).__name__
        except ValueError as error:
            parser.error(str(error))
    else:
        package = "elunumba"
    kernels = kernels_of(package)
    print(f"{package} from {importlib.import_module(package).__file__}")
    print(f"Numba {numba.__version__}, code generated for {numba.config.CPU_NAME or 'the host'}"
          f"; llvm-mca -mcpu={args.mca_cpu}\n")
    print("| kernel | dtype | ymm mentions | zmm mentions | loop instructions "
          "| stack operands | elements per iteration | instructions per element "
          "| llvm-mca cycles per iteration | per element |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    kinds = list(dict.fromkeys(kind for _, _, kind in kernels))
    for op in OPS:
        for kind in kinds if op != "backward" else kinds[:1]:  # backward has no elu_value
            for dtype in (types.float32, types.float64):
                print(row(kernels, op, kind, dtype, args.mca_cpu))


if __name__ == "__main__":
    main()
