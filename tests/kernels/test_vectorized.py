"""Every CPU kernel loop is vectorized by LLVM, the long ones with several vectors per iteration.

The loops only vectorize when LLVM inlines the element formula into them, and the float64
alpha*scale != 1 formula sits right at LLVM's inlining threshold: two instructions more and it
stayed a call, and that kernel ran ~7x slower, with every result still right. The forward and
fused loops are compiled to interleave several independent vectors per iteration (elunumba.kernels.compiler),
through an LLVM option that must not outlive their compilation. So this checks the compiled code
itself. Numba shows the LLVM IR only of code it compiled in this process, not of code loaded from
its disk cache, so the check runs in a subprocess with an empty cache directory.
"""

import json
import os
import subprocess
import sys

import pytest

from helpers import ROOT

CHECK = r"""
import json, re
import numba
import numpy as np
from elunumba.kernels.compiler import _Interleaving
from elunumba.kernels.formulas import formula
from elunumba.kernels.cpu import INTERLEAVED, KERNELS
from elunumba.jit import elu_value

N_ARRAYS = {"forward": 2, "backward": 3, "fused": 3, "grad_from_input": 2, "fused_from_input": 3}
N_OUTPUTS = {"forward": 1, "backward": 1, "fused": 2, "grad_from_input": 1, "fused_from_input": 2}

def widest_stores(ir):
    # (lanes, count) of the stores of the widest vectors: one per output array and vector
    stores = [int(lanes) for lanes in re.findall(r"store <(\d+) x ", ir)]
    return max(stores, default=0), stores.count(max(stores, default=0))

def user_loop():
    # a loop a user of elunumba.jit compiles: LLVM's cost model alone decides its interleaving
    @numba.njit(fastmath={"contract"})
    def loop(x, y):
        for i in range(x.size):
            y[i] = elu_value(x[i], 1.7)
    x = np.zeros(64, np.float32)
    loop(x, x.copy())
    return widest_stores(loop.inspect_llvm(loop.signatures[0]))[1]

found = {"user loop before": user_loop()}
try:  # a compilation that fails must give the LLVM option back too
    KERNELS["forward", "cpu", "unit"](np.zeros(4, np.int8), np.zeros(4, np.int8), 1.0, 1.0, 1.0)
except numba.core.errors.TypingError:
    pass
# coefficients that pick each formula (elunumba.kernels.formulas.formula)
COEFFICIENTS = {"unit": (1.0, 1.0, 1.0), "exact": (1.0, 1.0, 0.5), "scaled": (1.0, 1.7, 1.0)}
for (op, target, kind), kernel in KERNELS.items():
    if target != "cpu":  # "parallel" compiles the same loop body, in a gufunc
        continue
    for storage, compute in ((np.uint16, np.float32), (np.float32, np.float32),
                             (np.float64, np.float64)):
        arrays = [np.zeros(64, storage) for _ in range(N_ARRAYS[op])]
        coefs = [compute(coef) for coef in COEFFICIENTS[kind]]
        assert formula(*coefs[1:]) == kind
        kernel(*arrays, *coefs)
        ir = kernel.inspect_llvm(kernel.signatures[-1])
        vectors = re.findall(r"<(\d+) x (?:float|double)>", ir)
        found[f"{op} {np.dtype(storage).name} {kind}"] = {
            "width": max(map(int, vectors), default=0),
            "interleaved": isinstance(kernel, _Interleaving),
            "outputs": N_OUTPUTS[op],
            "widest stores": widest_stores(ir)[1]}
found["user loop after"] = user_loop()
found["interleave"] = _Interleaving.INTERLEAVE
found["interleaved ops"] = sorted(INTERLEAVED)
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path_factory.mktemp("numba-cache")))
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def kernels(compiled):
    return {name: found for name, found in compiled.items() if isinstance(found, dict)}


def test_every_cpu_kernel_loop_is_vectorized(compiled):
    widths = {name: found["width"] for name, found in kernels(compiled).items()}
    assert len(widths) == 5 * 3 * 3  # ops x storage dtypes x formulas
    scalar = sorted(name for name, width in widths.items() if width < 2)
    assert not scalar, f"not vectorized: {scalar}"


def test_forward_and_fused_loops_interleave_vectors(compiled):
    interleaved = {name: found for name, found in kernels(compiled).items()
                   if found["interleaved"]}
    assert sorted({name.split()[0] for name in interleaved}) == compiled["interleaved ops"]
    assert {"forward", "fused"} <= set(compiled["interleaved ops"])
    # the vectorized loop stores INTERLEAVE vectors to each output (its epilogue may add more)
    short = sorted(name for name, found in interleaved.items()
                   if found["widest stores"] < compiled["interleave"] * found["outputs"])
    assert not short, f"one vector per iteration: {short}"


def test_user_code_compiled_afterwards_keeps_llvms_own_choice(compiled):
    assert compiled["user loop before"] < compiled["interleave"]
    assert compiled["user loop after"] == compiled["user loop before"]
