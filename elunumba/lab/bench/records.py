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
import json

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
    with atomic_output(path) as f:
        json.dump(result, f, indent=1, allow_nan=False)
        f.write("\n")


def load_json(path):
    """The results object in ``path``, checked field by field; ResultsFileError (one line,
    naming the field and what it must be) for anything else. Cell fields that files from older
    versions lack (the raw samples, the spreads) read as None."""
    try:
        with open(path) as f:
            result = json.load(f)
    except (OSError, ValueError) as error:
        raise ResultsFileError(f"cannot read {path}: {error}") from None
    if not isinstance(result, dict) or result.get("schema") not in READABLE_SCHEMAS:
        raise ResultsFileError(f"{path} is not an elunumba bench results file (schema {SCHEMA})")
    try:
        _check_fields(result, RESULT_TYPES, "")
        _check_fields(result["environment"], ENVIRONMENT_TYPES, "environment.")
        _check_fields(result["summary"], {"entries": list}, "summary.")
        for i, cell in enumerate(result["cells"]):
            if not isinstance(cell, dict):
                raise ValueError(f"cells[{i}] must be an object")
            missing = [name for name in REQUIRED_CELL_FIELDS if name not in cell]
            if missing:
                raise ValueError(f"cells[{i}] lacks {', '.join(missing)}: 'cells' must be a "
                                 f"list of objects with the fields {', '.join(CELL_FIELDS)}")
            result["cells"][i] = cell = new_cell(**{k: v for k, v in cell.items()
                                                    if k in CELL_FIELDS})
            _check_fields(cell, CELL_TYPES, f"cells[{i}].")
            _check_rounds(cell, f"cells[{i}].")
    except ValueError as error:
        raise ResultsFileError(f"{path}: {error}") from None
    return result


NUMBER = (int, float)
RESULT_TYPES = {"created": str, "command": str, "environment": dict, "settings": dict,
                "interrupted": bool, "skipped": list, "copies": list, "summary": dict,
                "cells": list}
ENVIRONMENT_TYPES = {"cpu": str, "usable_cores": int, "logical_cores": int,
                     "memory_total_bytes": int, "numba_threads": int, "threading_layer": str,
                     "versions": dict, "platform": str, "git_commit": str, "git_dirty": bool}
# the fields every version of the file has; the others may be missing (read as None)
REQUIRED_CELL_FIELDS = ("op", "dtype", "target", "kind", "device", "size", "bytes", "status",
                        "median_s")
CELL_TYPES = {**{name: NUMBER + (type(None),) for name in CELL_FIELDS},
              **{name: str for name in ("op", "dtype", "target", "kind", "device", "status")},
              "size": int, "bytes": int, "reason": (str, type(None)),
              "best_peer": (str, type(None)), "allocates": (bool, type(None)),
              **{name: (list, type(None)) for name in LIST_FIELDS}}
TYPE_NAMES = {str: "a string", int: "a whole number", float: "a number", bool: "true or false",
              list: "a list", dict: "an object", type(None): "null"}


def _check_fields(record, types, where):
    for name, expected in types.items():
        if name not in record:
            raise ValueError(f"'{where}{name}' is missing")
        expected_types = expected if isinstance(expected, tuple) else (expected,)
        value = record[name]
        # bool is an int to Python, never to this file
        wrong = isinstance(value, bool) and bool not in expected_types
        if wrong or not isinstance(value, expected_types):
            names = " or ".join(dict.fromkeys(TYPE_NAMES[t] for t in expected_types
                                              if not (t is int and float in expected_types)))
            raise ValueError(f"'{where}{name}' must be {names}, not {json.dumps(value)[:40]}")
        if isinstance(value, list) and name in LIST_FIELDS and not all(
                isinstance(v, NUMBER) and not isinstance(v, bool) for v in value):
            raise ValueError(f"'{where}{name}' must be a list of numbers")


def _check_rounds(cell, where):
    rounds, samples = cell["sample_rounds"], cell["samples_s"] or ()
    if rounds is not None and len(rounds) != len(samples):
        raise ValueError(f"'{where}sample_rounds' must give the round of each of "
                         f"'{where}samples_s': {len(rounds)} rounds for {len(samples)} samples")


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
                             f"clock {fmt.number(clock / 1e6) + ' GHz' if clock else NOT_RECORDED}, "
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
