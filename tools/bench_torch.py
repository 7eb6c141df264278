"""elunumba.torch against torch.nn.ELU on the CPU: the activation alone and a small training step.

Three measurements (four with --compile), each timed side by side (the two contenders
alternate, and their order flips every repeat) and summarised as the median of the paired
ratios torch / elunumba, so a figure above 1 means elunumba.torch is faster:

* forward: ``ELU()(x)`` without gradients on a float32 batch of activations;
* forward + backward: ``ELU()(x).backward(g)`` on the same batch;
* training step: one SGD step (forward, cross-entropy, backward, update) of the examples' CNN
  (two 3x3 convolutions with ELU(inplace=True), batch norm, max pooling, a classifier with ELU),
  on a batch of 32x32 RGB images, whose ELUs are torch's or elunumba's;
* with --compile, the same training step with the model under ``torch.compile`` (the default
  backend, inductor) on both sides; the first call of each, which compiles, is the warm-up.

    python -m tools.bench_torch --json bench_results/benchmarks/torch.json
    python -m tools.bench_torch --quick          # fewer repeats, smaller batches
    python -m tools.bench_torch --compile --json bench_results/benchmarks/torch-compile.json
"""

import argparse
import json
import os
import statistics
import sys
import time

import numba
import torch
from torch import nn

import elunumba
import elunumba.torch as elunumba_torch
from elunumba.lab import machine
from elunumba.lab.files import atomic_output, check_output_path
from elunumba.lab.bench import env


class ConvNetELU(nn.Module):
    """The CNN of the ELU examples, as written there except that the ELU class is a parameter
    (tests/faces/test_torch.py trains it with both)."""

    def __init__(self, ELU, num_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, 3, padding=1), ELU(alpha=1.0, inplace=True), nn.BatchNorm2d(64),
            nn.MaxPool2d(2),
            nn.Conv2d(64, 128, 3, padding=1), ELU(alpha=1.0, inplace=True), nn.BatchNorm2d(128),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Linear(128 * 8 * 8, 256), ELU(alpha=1.0, inplace=True), nn.Dropout(0.5),
            nn.Linear(256, num_classes),
        )

    def forward(self, x):
        x = self.features(x)
        x = x.view(x.size(0), -1)
        return self.classifier(x)


def paired(first, second, repeats):
    """(median seconds of each, median of first/second over pairs), after one warm-up each."""
    first(), second()
    times_first, times_second, ratios = [], [], []
    for repeat in range(repeats):
        pair = (first, second) if repeat % 2 == 0 else (second, first)
        seconds = {}
        for function in pair:
            began = time.perf_counter()
            function()
            seconds[function] = time.perf_counter() - began
        times_first.append(seconds[first])
        times_second.append(seconds[second])
        ratios.append(seconds[first] / seconds[second])
    return (statistics.median(times_first), statistics.median(times_second),
            statistics.median(ratios))


def activation_cases(shape):
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(shape, generator=generator)
    grad = torch.randn(shape, generator=generator)
    leaf = x.clone().requires_grad_()

    def forward(module):
        def run():
            with torch.no_grad():
                module(x)
        return run

    def forward_backward(module):
        def run():
            leaf.grad = None
            module(leaf).backward(grad)
        return run

    return {"forward": forward, "forward + backward": forward_backward}


def training_step(ELU, batch, compiled=False):
    torch.manual_seed(0)
    model = ConvNetELU(ELU)
    step_model = torch.compile(model) if compiled else model
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    generator = torch.Generator().manual_seed(1)
    images = torch.randn(batch, 3, 32, 32, generator=generator)
    labels = torch.randint(0, 10, (batch,), generator=generator)

    def run():
        optimizer.zero_grad()
        nn.functional.cross_entropy(step_model(images), labels).backward()
        optimizer.step()
    return run


def measure(quick, repeats, compiled=False):
    shape = (16, 64, 32, 32) if quick else (64, 64, 32, 32)
    batch = 16 if quick else 64
    load_before = os.getloadavg()
    commit, dirty = env.git_state()  # before measuring: the code that is measured
    rows = []
    for name, case in activation_cases(shape).items():
        t_torch, t_ours, ratio = paired(case(nn.ELU()), case(elunumba_torch.ELU()), repeats)
        rows.append({"case": f"activation {name}", "elements": int(torch.Size(shape).numel()),
                     "torch_s": t_torch, "elunumba_s": t_ours, "speedup": ratio})
    t_torch, t_ours, ratio = paired(training_step(nn.ELU, batch),
                                    training_step(elunumba_torch.ELU, batch), max(1, repeats // 4))
    rows.append({"case": f"training step, batch {batch}", "elements": None, "torch_s": t_torch,
                 "elunumba_s": t_ours, "speedup": ratio})
    if compiled:
        t_torch, t_ours, ratio = paired(training_step(nn.ELU, batch, compiled=True),
                                        training_step(elunumba_torch.ELU, batch, compiled=True),
                                        max(1, repeats // 4))
        rows.append({"case": f"training step, batch {batch}, torch.compile", "elements": None,
                     "torch_s": t_torch, "elunumba_s": t_ours, "speedup": ratio})
    return {
        "command": " ".join(["python", "-m", "tools.bench_torch"] + sys.argv[1:]),
        "machine": machine.record(), "logical_cores": os.cpu_count(),
        "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "torch_threads": torch.get_num_threads(), "numba_threads": numba.get_num_threads(),
        "load_average_before": load_before, "load_average_after": os.getloadavg(),
        "versions": {"torch": torch.__version__, "numba": numba.__version__,
                     "elunumba": elunumba.__version__},
        "git_commit": commit, "git_dirty": dirty,
        "dtype": "float32", "rows": rows,
    }


def markdown(record):
    lines = [f"`{record['command']}` on {record['machine']['model']['name']} "
             f"({machine.line(record['machine'])}, PyTorch's {record['torch_cpu_capability']}, "
             f"{record['torch_threads']} torch / {record['numba_threads']} Numba threads, "
             f"load average {record['load_average_before'][0]:.1f} before, "
             f"{record['load_average_after'][0]:.1f} after), float32, "
             f"torch {record['versions']['torch']}, elunumba commit {record['git_commit'][:12]}:",
             "", "| case | torch.nn.ELU | elunumba.torch.ELU | speedup (median of paired ratios) |",
             "|---|---|---|---|"]
    for row in record["rows"]:
        size = f" ({row['elements']:,} elements)" if row["elements"] else ""
        lines.append(f"| {row['case']}{size} | {row['torch_s'] * 1e3:.2f} ms | "
                     f"{row['elunumba_s'] * 1e3:.2f} ms | {row['speedup']:.2f}x |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller batches, fewer repeats")
    parser.add_argument("--repeats", type=int, default=None,
                        help="paired repeats for the activation (default 40, quick 10)")
    parser.add_argument("--compile", action="store_true",
                        help="also time the training step with both models under torch.compile")
    parser.add_argument("--json", metavar="PATH", help="also write the record as JSON")
    args = parser.parse_args(argv)
    repeats = args.repeats if args.repeats is not None else 10 if args.quick else 40
    if repeats < 1:
        parser.error(f"--repeats must be >= 1, got {repeats}")
    if args.json:
        try:
            check_output_path(args.json, (".json",))
        except ValueError as error:
            parser.error(str(error))
    record = measure(args.quick, repeats, args.compile)
    print(markdown(record))
    if args.json:
        with atomic_output(args.json) as file:
            json.dump(record, file, indent=1)
            file.write("\n")


if __name__ == "__main__":
    main()
