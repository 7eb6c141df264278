"""The plain sentences that end `elunumba bench`'s output: what the run says about this machine to
someone deciding whether to call elunumba, computed from the cells of the run.

    sentences(result) -> ["On this machine (...), at 2^22 float32 elements, y = elu(x) ...",
                          "Writing into a preallocated array ...", "NumPy's expm1 formula ..."]

1. The call as users write it (auto-alloc: ``y = elunumba.elu(x)``, a new result each call) at
   the largest host size where it was measured beside the peers, against NumPy's expm1 formula
   (else the naive one) and torch: the paired speedups, as the tables' "×" columns.
2. The same at that size for elunumba writing into ``out=`` on all threads (target parallel).
3. The sizes at which NumPy's formula was faster than the users' call, if any.

The forward op and float32 are chosen where the run measured them. A sentence whose cells are
missing (a run without that target or peer) is left out; a last sentence says so where any
cell behind them is unstable (stability.py).
"""

from elunumba.kernels.cpu import PARALLEL_THRESHOLD

from . import fmt, records, stability
from .sizes import format_size
from .sweep import speedup

# elunumba's cells in the order they stand for the call users write
USERS_CALL = ("auto-alloc", "parallel", "cpu")
NUMPY_PEERS = {"numpy-expm1": "NumPy's expm1 formula", "numpy-naive": "NumPy's exp(x) - 1 formula"}
OTHER_PEERS = {"torch": "torch", "numexpr": "numexpr"}
CALLS = {"forward": ("elu", "x", "y"), "backward": ("elu_backward", "g, y", "dx"),
         "fused": ("elu_value_and_grad", "x", "(y, dydx)"), "grad": ("elu_grad", "x", "dydx")}


def sentences(result):
    """Two or three sentences (strings) about this machine; none when the run measured no
    elunumba call beside a peer."""
    host = [c for c in result["cells"] if c["device"] == "host" and c["status"] == "ok"]
    op = _prefer([c["op"] for c in host], "forward")
    dtype = _prefer([c["dtype"] for c in host if c["op"] == op], "float32")
    cells = {(c["target"], c["size"]): c for c in host if (c["op"], c["dtype"]) == (op, dtype)}
    names = {name for name, _ in cells}
    target = next((t for t in USERS_CALL if t in names), None)
    numpy = next((p for p in NUMPY_PEERS if p in names), None)
    peers = [p for p in (numpy, *OTHER_PEERS) if p in names]
    sizes = sorted({size for name, size in cells if name == target
                    and any((p, size) in cells for p in peers)})
    if not sizes:
        return []
    size = sizes[-1]
    call = _call(op, target)
    lines = [(f"On this machine ({_machine(result['environment'])}), at {format_size(size)} "
              f"{dtype} elements{_alpha(result)}, {call} took "
              f"{fmt.seconds(cells[target, size]['median_s'])}: "
              f"{_against(cells, target, size, peers)}.")]
    used = [cells[name, size] for name in (target, *peers) if (name, size) in cells]
    if target == "auto-alloc" and ("parallel", size) in cells:
        # from PARALLEL_THRESHOLD on, target "auto" runs the parallel kernels: the two calls
        # differ only in the new result array
        allocating_costs = speedup(cells[target, size], cells["parallel", size])[0] > 1
        why = (": the difference is the new result array each call"
               if allocating_costs and size >= PARALLEL_THRESHOLD else "")
        lines.append(f"Writing into a preallocated array instead ({_call(op, 'parallel')}), it "
                     f"was {_against(cells, 'parallel', size, peers)}{why}.")
        used.append(cells["parallel", size])
    if numpy:
        paired = sorted(s for name, s in cells if name == target and (numpy, s) in cells)
        lines.append(_crossover(cells, target, numpy, call, paired))
        used += [cells[name, s] for s in paired for name in (target, numpy)]
    spreads = [stability.relative_spread(c) for c in used]
    widest = max((spread for spread in spreads if spread is not None), default=0)
    if widest >= stability.UNSTABLE_SPREAD:
        lines.append(f"The cells behind these sentences spread by up to ±{100 * widest:.0f}% "
                     f"(see the warning above): take them as rough.")
    return lines


def _prefer(names, preferred):
    return preferred if preferred in names else next(iter(names), None)


def _call(op, target):
    function, arguments, results = CALLS[op]
    if target == "auto-alloc":
        return f"{results.strip('()')} = elunumba.{function}({arguments})"
    return f"elunumba.{function}({arguments}, out={results}, target={target!r})"


def _against(cells, target, size, peers):
    """"29× as fast as NumPy's expm1 formula and 6.1× as fast as torch"."""
    parts = []
    for peer in (p for p in peers if (p, size) in cells):
        ratio, _ = speedup(cells[peer, size], cells[target, size])
        name = NUMPY_PEERS.get(peer) or OTHER_PEERS[peer]
        parts.append(f"{fmt.ratio(ratio)} as fast as {name}" + ("" if ratio >= 1 else
                                                                 " (slower)"))
    return " and ".join(parts)


def _crossover(cells, target, numpy, call, sizes):
    """Where NumPy's formula was faster than elunumba's call, of the ``sizes`` measured."""
    slower = [size for size in sizes
              if speedup(cells[numpy, size], cells[target, size])[0] < 1]
    faster = [size for size in sizes if size not in slower]
    name = NUMPY_PEERS[numpy]
    if not slower:
        return f"{call} was faster than {name} at every size measured ({_span(sizes, sizes)})."
    if not faster:
        return f"{name} was faster than {call} at every size measured ({_span(sizes, sizes)})."
    return f"{name} was faster at {_span(slower, sizes)}; {call} at {_span(faster, sizes)}."


def _span(chosen, sizes):
    """``chosen`` of the measured ``sizes`` in words, neighbours joined: "2^10 to 2^14 and 2^22
    elements"."""
    runs = []
    for size in chosen:
        if runs and sizes.index(size) == sizes.index(runs[-1][-1]) + 1:
            runs[-1].append(size)
        else:
            runs.append([size])
    words = [format_size(run[0]) if len(run) == 1 else
             f"{format_size(run[0])} to {format_size(run[-1])}" for run in runs]
    listed = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
    return f"{listed} elements"


def _machine(env):
    cpu = env.get("machine") or {}
    isa = f", {cpu['isa']}" if cpu.get("isa") else ""
    return f"{records.cpu_name(env)}{isa}, {env['numba_threads']} threads"


def _alpha(result):
    alpha = result["settings"].get("alpha", 1.0)
    return "" if alpha == 1.0 else f" (alpha {alpha:g})"
