"""The results file: its schema, and the JSON, CSV and markdown writers.

A results file is one JSON object::

    schema        "elunumba-bench/2" (version 1 lacked the auto-alloc target and the cells'
                  ``allocates``; files of either version are read)
    created       ISO 8601 time the sweep finished (UTC)
    command       the command line that produced it
    environment   machine, versions, threads, git commit, GPU (see env.py)
    settings      axes of the sweep and how each cell was timed
    interrupted   true when Ctrl-C stopped the sweep (the cells are those measured until then)
    skipped       [{name, device, reason}]: targets and peers that could not run here
    copies        [{device, bytes, status, reason, method, median_s, ..., gbps}]: the copy
                  baseline for each byte count a cell moves
    summary       {entries: [{name, size, value, unit, goal, met}], small_call: {size, elu_s,
                  expm1_s, ratio, kernel_s, kernel_ratio, general_s, general_ratio} (each
                  ratio is over np.expm1, the median of side-by-side samples; see summary.py)}
    cells         one object per cell, with the CELL_FIELDS below

CSV holds the cells, one row each in CSV_FIELDS order (CELL_FIELDS without the raw samples),
and nothing else. Markdown holds all of it as tables.
"""

import csv

from elunumba.lab import files, schema
from elunumba.lab.files import atomic_output

from .. import machine
from ..markdown import table as markdown_table
from . import fmt

SCHEMA = "elunumba-bench/2"
READABLE_SCHEMAS = ("elunumba-bench/1", SCHEMA)
NOT_RECORDED = "not recorded"

CELL_FIELDS = {
    "op": "forward, backward, fused or grad (the derivative from the input)",
    "dtype": "float16, float32 or float64",
    "target": "elunumba target (cpu, parallel, parallel-cr, cuda: each writing into "
              "preallocated out= arrays; auto-alloc: y = elunumba.elu(x), target auto, a new "
              "result each call) or peer (numpy-naive, numpy-expm1, numexpr, torch, cupy)",
    "kind": "target or peer",
    "device": "host or cuda",
    "allocates": "true when each call returns a new result array (auto-alloc, the NumPy and "
                 "CuPy peers), false when it writes into preallocated ones; null in files of "
                 "schema version 1",
    "size": "elements per array",
    "bytes": "bytes one call reads and writes: streams x size x itemsize (forward 2 streams, "
             "backward and fused 3)",
    "status": "ok or failed",
    "reason": "why the cell failed; null when ok",
    "median_s": "median seconds per call",
    "q1_s": "first quartile of seconds per call",
    "q3_s": "third quartile of seconds per call",
    "iqr_s": "q3_s - q1_s",
    "min_s": "fastest sample, seconds per call",
    "max_s": "slowest sample, seconds per call",
    "repeats": "samples taken after warm-up, over all rounds",
    "calls_per_sample": "calls timed back to back in one sample (tiny calls are batched)",
    "gelems": "10^9 elements per second: size / median_s / 1e9",
    "gbps": "10^9 bytes per second: bytes / median_s / 1e9",
    "copy_gbps": "GB/s of a copy moving the same bytes on the same device: on the host sampled "
                 "in turn with the cell (the fastest copy; for one-thread implementations the "
                 "one-thread np.copyto), on a GPU earlier in the same run",
    "fraction_of_copy": "gbps / copy_gbps; on the host the median over side-by-side samples",
    "fraction_of_copy_iqr": "host: interquartile range of the side-by-side fractions",
    "peak_gbps": "cuda only: the GPU's theoretical bandwidth, 2 x memory clock x bus width",
    "fraction_of_peak": "cuda only: gbps / peak_gbps",
    "speedup_vs_numpy": "numpy-naive's time / this cell's, same op, dtype and size; on the host "
                        "the median of side-by-side sample ratios",
    "speedup_vs_numpy_iqr": "host: interquartile range of those ratios",
    "best_peer": "targets only: the fastest peer on the same device",
    "speedup_vs_best_peer": "targets only: best_peer's time / this cell's, paired as "
                            "speedup_vs_numpy",
    "speedup_vs_best_peer_iqr": "host: interquartile range of those ratios",
    "with_transfers_s": "cuda target only: median seconds of the same call on NumPy arrays, "
                        "host-device transfers included",
    "samples_s": "every sample, seconds per call, in the order taken (JSON only)",
    "copy_samples_s": "host: the copy baseline's samples, taken in turn with samples_s (JSON "
                      "only)",
    "sample_rounds": "the round (pass through the whole sweep, from 0) in which each of "
                     "samples_s was taken (JSON only)",
}


# the raw samples and their rounds are lists: in the JSON only
LIST_FIELDS = ("samples_s", "copy_samples_s", "sample_rounds")
CSV_FIELDS = [name for name in CELL_FIELDS if name not in LIST_FIELDS]


class ResultsFileError(ValueError):
    """A file that is not a readable elunumba bench results file."""


def new_cell(**fields):
    """A cell record with every CELL_FIELDS key, None where not given."""
    unknown = set(fields) - set(CELL_FIELDS)
    if unknown:
        raise KeyError(f"not cell fields: {', '.join(sorted(unknown))}")
    return {name: fields.get(name) for name in CELL_FIELDS}


def write_json(result, path):
    files.write_json(path, result, allow_nan=False)


def load_json(path):
    """The results object in ``path``, checked field by field; ResultsFileError (one line,
    naming the file, the field and what it must be) for anything else: a wrong type, a time
    that is not finite and > 0, a count that is not a whole number within bounds. Cell fields
    that files from older versions lack (the raw samples, the spreads) read as None."""
    try:
        result = files.read_json(path)
    except files.InputFileError as error:
        raise ResultsFileError(str(error)) from None
    if not isinstance(result, dict) or result.get("schema") not in READABLE_SCHEMAS:
        raise ResultsFileError(f"{path} is not an elunumba bench results file (schema {SCHEMA})")
    try:
        schema.check(result, RESULT_SHAPE, "")
        for i, cell in enumerate(result["cells"]):
            if not isinstance(cell, dict):
                raise ValueError(f"cells[{i}] must be an object")
            missing = [name for name in REQUIRED_CELL_FIELDS if name not in cell]
            if missing:
                raise ValueError(f"cells[{i}] lacks {', '.join(missing)}: 'cells' must be a "
                                 f"list of objects with the fields {', '.join(CELL_FIELDS)}")
            result["cells"][i] = cell = new_cell(**{k: v for k, v in cell.items()
                                                    if k in CELL_FIELDS})
            schema.check(cell, CELL_SHAPE, f"cells[{i}]")
            _check_measured(cell, f"cells[{i}].")
    except ValueError as error:
        raise ResultsFileError(f"{path}: {error}") from None
    return result


# sizes, bytes and counts beyond 2^53 are not exact in a float, and no machine holds them
COUNT = schema.Number(lowest=1, highest=2**53, whole=True)
# a picosecond is below one clock cycle, a million seconds beyond any sample: within these
# bounds no ratio of two times overflows or rounds to zero
SECONDS = schema.Number(lowest=1e-12, highest=1e6, unit="seconds")
RATE = schema.Number(lowest=0, strict=True, highest=1e12)  # rates, fractions, speedups
SPREAD = schema.Number(lowest=0)
ROUND = schema.Number(lowest=0, highest=2**53, whole=True)
TEXT = schema.Nullable(str)
MACHINE_SHAPE = {"model": {"name": str}, "isa": str, "llvm_cpu": str,
                 "vector_bits": schema.Nullable(schema.Number(lowest=0, highest=2**20,
                                                              whole=True)),
                 "float32_lanes": schema.Optional(schema.Nullable(
                     schema.Number(lowest=0, highest=2**20, whole=True))),
                 "cpu_override": schema.Optional(schema.Nullable(bool)),
                 "numpy_simd": {"baseline": [str], "dispatched": [str]}}
GPU_SHAPE = {"name": str, "compute_capability": schema.Optional(object),
             "driver": schema.Optional(object),
             "clock_khz": schema.Optional(schema.Nullable(RATE)),
             "peak_gbps": schema.Nullable(RATE)}
ENVIRONMENT_SHAPE = {"cpu": str, "usable_cores": COUNT, "logical_cores": COUNT,
                     "memory_total_bytes": COUNT, "numba_threads": COUNT,
                     "threading_layer": str, "versions": schema.MapOf(TEXT), "platform": str,
                     "git_commit": str, "git_dirty": bool,
                     "machine": schema.Optional(schema.Nullable(MACHINE_SHAPE)),
                     "gpu": schema.Optional(schema.Nullable(GPU_SHAPE))}
SUMMARY_ENTRY_SHAPE = {"name": str, "size": schema.Nullable(COUNT), "value": schema.Nullable(RATE),
                       "unit": schema.OneOf("fraction", "ratio"), "goal": TEXT,
                       "met": schema.Nullable(bool), "set_for": schema.Optional(TEXT),
                       "note": schema.Optional(str)}
COPY_SHAPE = {"device": str, "bytes": COUNT, "status": str, "reason": TEXT, "method": TEXT,
              "median_s": schema.Nullable(SECONDS), "gbps": schema.Nullable(RATE)}
RESULT_SHAPE = {"created": str, "command": str, "environment": ENVIRONMENT_SHAPE,
                "settings": {"alpha": schema.Optional(schema.Number(lowest=0))},
                "interrupted": bool,
                "skipped": [{"name": str, "device": schema.Optional(TEXT), "reason": str}],
                "copies": [COPY_SHAPE], "summary": {"entries": [SUMMARY_ENTRY_SHAPE]},
                "cells": list}
# the fields every version of the file has; the others may be missing (read as None)
REQUIRED_CELL_FIELDS = ("op", "dtype", "target", "kind", "device", "size", "bytes", "status",
                        "median_s")
CELL_SHAPE = {
    **{name: schema.Nullable(RATE) for name in CELL_FIELDS},
    **{name: str for name in ("op", "dtype", "target")},
    "kind": schema.OneOf("target", "peer"), "device": schema.OneOf("host", "cuda"),
    "status": schema.OneOf("ok", "failed"), "size": COUNT, "bytes": COUNT,
    "reason": TEXT, "best_peer": TEXT,
    **{name: schema.Nullable(SECONDS) for name in ("median_s", "q1_s", "q3_s", "min_s",
                                                   "max_s", "with_transfers_s")},
    **{name: schema.Nullable(SPREAD) for name in ("iqr_s", "fraction_of_copy_iqr",
                                                  "speedup_vs_numpy_iqr",
                                                  "speedup_vs_best_peer_iqr")},
    "repeats": schema.Nullable(COUNT), "calls_per_sample": schema.Nullable(COUNT),
    "samples_s": schema.Nullable([SECONDS]), "copy_samples_s": schema.Nullable([SECONDS]),
    "sample_rounds": schema.Nullable([ROUND]),
    "allocates": schema.Optional(schema.Nullable(bool)),  # from elunumba-bench/2 on
}


def _check_measured(cell, where):
    """What the shape alone cannot say: an ok cell has its time, and the paired lists pair."""
    if cell["status"] == "ok" and cell["median_s"] is None:
        raise ValueError(f"'{where}median_s' must be a number of seconds for a cell whose "
                         "status is ok")
    samples = cell["samples_s"] or ()
    for name in ("sample_rounds", "copy_samples_s"):
        paired = cell[name]
        if paired is not None and len(paired) != len(samples):
            raise ValueError(f"'{where}{name}' must pair with each of '{where}samples_s': "
                             f"{len(paired)} items for {len(samples)} samples")


def write_csv(result, path):
    """One row a cell, the fields in CSV_FIELDS order; nothing else (metadata lives in the
    JSON), so that any CSV reader takes it as it is."""
    with atomic_output(path, newline="") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_FIELDS, lineterminator="\n",
                                extrasaction="ignore")
        writer.writeheader()
        writer.writerows(result["cells"])


def write_markdown(result, path):
    with atomic_output(path) as f:
        f.write(markdown(result))


def markdown(result):
    env = result["environment"]
    parts = [
        "# elunumba bench",
        f"`{result['command']}`" + (" — **interrupted**: partial results" if
                                    result["interrupted"] else ""),
        "## Environment\n\n" + "\n".join(f"- {key}: {value}" for key, value in
                                          environment_lines(env)),
        "## Summary\n\n" + markdown_table(fmt.SUMMARY_COLUMNS, [
            fmt.summary_row(e) for e in result["summary"]["entries"]]) + "".join(
            f"\n- {line}" for line in fmt.summary_notes(result["summary"]["entries"])),
    ]
    for (op, dtype), rows in fmt.groups(result["cells"]).items():
        parts.append(f"## {op} {dtype}\n\n" + markdown_table(
            fmt.CELL_COLUMNS, [fmt.cell_row(r, spreads=True) for r in rows]))
    parts.append("## Copy baseline\n\n" + markdown_table(
        ("device", "bytes moved", "method", "median", "GB/s"),
        [(c["device"], c["bytes"], c["method"] or f"failed: {c['reason']}",
          fmt.seconds(c["median_s"]), fmt.number(c["gbps"])) for c in result["copies"]]))
    transfers = [c for c in result["cells"] if c["with_transfers_s"] is not None]
    if transfers:
        parts.append("## Host-device transfers\n\n" + "\n".join(f"- {fmt.transfer_line(c)}"
                                                                for c in transfers))
    if result["skipped"]:
        parts.append("## Skipped\n\n" + "\n".join(f"- {fmt.skipped_line(s)}"
                                                  for s in result["skipped"]))
    return "\n\n".join(parts) + "\n"


def commit_text(env):
    if env["git_commit"] == "unknown":
        return "not a git checkout"
    return env["git_commit"][:12] + (" with uncommitted changes" if env["git_dirty"] else "")


def environment_lines(env):
    """(label, text) pairs describing the environment, for markdown and the terminal; fields a
    file from an older version lacks read "not recorded"."""
    versions = ", ".join(f"{name} {version}" for name, version in env["versions"].items())
    cpu = env.get("machine")
    lines = [
        ("CPU", f"{cpu_name(env)} ({env['usable_cores']} of {env['logical_cores']} logical "
                f"cores)"),
        ("kernels compiled for", machine.isa_text(cpu) if cpu else NOT_RECORDED),
        ("NumPy SIMD", machine.numpy_simd_text(cpu["numpy_simd"]) if cpu else NOT_RECORDED),
        ("memory", f"{env['memory_total_bytes'] / 2**30:.1f} GiB"),
        ("Numba threads", f"{env['numba_threads']} ({env['threading_layer']} threading layer)"),
        ("versions", versions),
        ("platform", env["platform"]),
        ("git commit", commit_text(env)),
    ]
    gpu = env.get("gpu")
    if gpu:
        clock = gpu.get("clock_khz")
        lines.append(("GPU", f"{gpu['name']} (compute capability {gpu['compute_capability']}, "
                             f"driver {gpu['driver']}, "
                             "clock "
                             f"{fmt.number(clock / 1e6) + ' GHz' if clock else NOT_RECORDED}, "
                             f"peak {fmt.number(gpu['peak_gbps'])} GB/s)"))
    return lines


def cpu_name(env):
    """"AMD EPYC, family 25 model 1"; the family only where it was recorded."""
    model = (env.get("machine") or {}).get("model")
    if not model or model.get("family") is None:
        return env["cpu"]
    return f"{model['name']}, family {model['family']} model {model['model']}"


def machine_caption(env):
    """One line naming the machine, for table captions and plot titles."""
    cpu = env.get("machine")
    isa = f"{cpu['isa']}, {cpu['vector_bits']}-bit vectors" if cpu and cpu.get("vector_bits") \
        else f"vector ISA {NOT_RECORDED}"
    return (f"{cpu_name(env)} ({isa}), {env['numba_threads']} Numba threads "
            f"({env['threading_layer']}), {env['memory_total_bytes'] / 2**30:.0f} GiB")
