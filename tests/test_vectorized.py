"""Every CPU kernel loop is vectorized by LLVM.

The loops only vectorize when LLVM inlines the element formula into them, and the float64
alpha*scale != 1 formula sits right at LLVM's inlining threshold: two instructions more and it
stayed a call, and that kernel ran ~7x slower, with every result still right. So this checks the
compiled code itself. Numba shows the LLVM IR only of code it compiled in this process, not of
code loaded from its disk cache, so the check runs in a subprocess with an empty cache directory.
"""

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT

CHECK = r"""
import json, re
import numpy as np
from elunumba.cpu import KERNELS

N_ARRAYS = {"forward": 2, "backward": 3, "fused": 3, "grad_from_input": 2, "fused_from_input": 3}

found = {}
for (op, target, scaled), kernel in KERNELS.items():
    if target != "cpu":  # "parallel" compiles the same loop body, in a gufunc
        continue
    for storage, compute in ((np.uint16, np.float32), (np.float32, np.float32),
                             (np.float64, np.float64)):
        arrays = [np.zeros(64, storage) for _ in range(N_ARRAYS[op])]
        coefs = (compute(1.0), compute(1.7 if scaled else 1.0), compute(1.0))
        kernel(*arrays, *coefs)
        ir = kernel.inspect_llvm(kernel.signatures[-1])
        vectors = re.findall(r"<(\d+) x (?:float|double)>", ir)
        found[f"{op} {np.dtype(storage).name} scaled={scaled}"] = max(map(int, vectors), default=0)
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def vector_widths(tmp_path_factory):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path_factory.mktemp("numba-cache")))
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_every_cpu_kernel_loop_is_vectorized(vector_widths):
    assert len(vector_widths) == 5 * 3 * 2  # ops x storage dtypes x (alpha*scale == 1 or not)
    scalar = sorted(name for name, width in vector_widths.items() if width < 2)
    assert not scalar, f"not vectorized: {scalar}"
