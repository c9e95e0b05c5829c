"""lib against PyTorch, in one process: RNN, LSTM and GRU, forward and forward+backward.

    python benchmarks/run.py              # CPU table (and GPU rows when CuPy sees a GPU)
    python benchmarks/run.py --quick      # fewer repeats, reference size only
    python benchmarks/run.py --json out.json

Each row times lib and torch alternately (so both see the same machine state) and
reports medians, their ratio, and the matrix-product bound: the time of the matrix
products lib's algorithm must do anyway (the input projection of all steps, one
h_{t-1} @ W_hh.T per step, and for backward the three products per step of the
gradients), measured with the same array library in the same run. A ratio below 1
means lib is faster. Nothing here is asserted: benchmarks report, tests check.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import lib  # noqa: E402
from lib import backend  # noqa: E402

GATES = {"RNN": 1, "LSTM": 4, "GRU": 3}
TEACHING = [(50, 16, 8, 16), (50, 32, 8, 32), (100, 64, 8, 64)]
REFERENCE = (100, 64, 128, 256)
GPU_SIZE = (200, 256, 512, 1024)


def synchronize():
    if backend.name() == "cupy":
        backend.xp().cuda.Device().synchronize()
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def timed(run):
    synchronize()
    start = time.perf_counter()
    run()
    synchronize()
    return time.perf_counter() - start


def alternate(runs, repeats):
    """Median seconds of each callable, run in turn ``repeats`` times after one warm-up."""
    for run in runs.values():
        run()
    samples = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            samples[name].append(timed(run))
    return {name: statistics.median(values) for name, values in samples.items()}


def matmul_bound(kind, size, with_backward, repeats):
    """Seconds for the matrix products of one layer-direction, as lib performs them."""
    xp = backend.xp()
    steps, batch, inputs, hidden = size
    rows = GATES[kind] * hidden

    def small(*shape):  # small values: repeated products stay finite (no inf slow paths)
        return xp.full(shape, 1e-3, dtype=xp.float32)

    x, w_ih, w_hh = small(steps * batch, inputs), small(rows, inputs), small(rows, hidden)
    h, gates, dgates = small(batch, hidden), small(batch, rows), small(steps * batch, rows)

    def products():
        x @ w_ih.T
        for _ in range(steps):
            xp.matmul(h, w_hh.T, out=gates)
        if with_backward:
            for _ in range(steps):
                xp.matmul(gates, w_hh, out=h)
            dgates.T @ x, dgates.T @ dgates[:, :hidden], dgates @ w_ih

    return alternate({"bound": products}, repeats)["bound"]


def flops(kind, size, with_backward):
    steps, batch, inputs, hidden = size
    forward = 2 * steps * batch * GATES[kind] * hidden * (inputs + hidden)
    return forward * (3 if with_backward else 1)


def bench_row(kind, size, with_backward, repeats, device):
    steps, batch, inputs, hidden = size
    xp = backend.xp()
    model = getattr(lib, kind)(inputs, hidden, seed=0)
    reference = getattr(torch.nn, kind)(inputs, hidden).to(device)
    x_np = np.random.default_rng(0).standard_normal((steps, batch, inputs)).astype(np.float32)
    x = xp.asarray(x_np)
    x_torch = torch.tensor(x_np, device=device, requires_grad=with_backward)

    def lib_run():
        out, _ = model(x)
        if with_backward:
            model.backward(out)

    def torch_run():
        if with_backward:
            out, _ = reference(x_torch)
            out.backward(out.detach())
        else:
            with torch.no_grad():
                reference(x_torch)

    times = alternate({"lib": lib_run, "torch": torch_run}, repeats)
    bound = matmul_bound(kind, size, with_backward, repeats)
    return {
        "device": device,
        "model": kind,
        "pass": "forward+backward" if with_backward else "forward",
        "T": steps, "B": batch, "D": inputs, "H": hidden,
        "lib_ms": 1e3 * times["lib"],
        "torch_ms": 1e3 * times["torch"],
        "ratio": times["lib"] / times["torch"],
        "bound_ms": 1e3 * bound,
        "lib_over_bound": times["lib"] / bound,
        "gflops_lib": flops(kind, size, with_backward) / times["lib"] / 1e9,
    }  # fmt: skip


def print_table(rows):
    header = (
        f"{'dev':4} {'model':5} {'pass':17} {'T':>4} {'B':>4} {'D':>4} {'H':>5} "
        f"{'lib ms':>9} {'torch ms':>9} {'lib/torch':>9} {'bound ms':>9} {'lib/bound':>9}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['device']:4} {r['model']:5} {r['pass']:17} {r['T']:>4} {r['B']:>4} {r['D']:>4} "
            f"{r['H']:>5} {r['lib_ms']:>9.2f} {r['torch_ms']:>9.2f} {r['ratio']:>9.2f} "
            f"{r['bound_ms']:>9.2f} {r['lib_over_bound']:>9.2f}",
            flush=True,
        )


def run_rows(sizes, device, repeats, rows):
    for size in sizes:
        for kind in ("RNN", "LSTM", "GRU"):
            for with_backward in (False, True):
                row = bench_row(kind, size, with_backward, repeats, device)
                rows.append(row)
                print_table([row]) if len(rows) > 1 else print_table(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="reference size only, 3 repeats")
    parser.add_argument("--repeats", type=int, default=None, help="timed runs per row")
    parser.add_argument("--json", default="_build/bench/latest.json", help="where to write")
    parser.add_argument("--no-gpu", action="store_true", help="skip the GPU rows")
    parser.add_argument("--gpu-only", action="store_true", help="only the GPU rows")
    args = parser.parse_args()
    repeats = args.repeats or (3 if args.quick else 7)
    rows = []
    print(
        f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, numpy "
        f"{np.__version__}, torch {torch.__version__} ({torch.get_num_threads()} threads)"
    )
    if not args.gpu_only:
        backend.use("numpy")
        run_rows(([] if args.quick else TEACHING) + [REFERENCE], "cpu", repeats, rows)
    gpu_reason = backend.gpu_unavailable_reason()
    if args.no_gpu:
        pass
    elif gpu_reason is None and torch.cuda.is_available():
        backend.use("cupy")
        # Same arithmetic on both sides: plain float32, no TF32 tensor-core shortcuts.
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cuda.matmul.allow_tf32 = False
        print(f"# GPU: {torch.cuda.get_device_name()}, cuDNN {torch.backends.cudnn.version()}")
        run_rows([GPU_SIZE], "cuda", repeats, rows)
        backend.use("numpy")
    else:
        print(f"# GPU rows skipped: {gpu_reason or 'torch sees no CUDA device'}")
    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rows, indent=1))
    print(f"# wrote {path}")


if __name__ == "__main__":
    main()
