"""lib against PyTorch, in one process: RNN, LSTM and GRU, forward and forward+backward.

    python benchmarks/run.py              # CPU table (and GPU rows when CuPy sees a GPU)
    python benchmarks/run.py --quick      # fewer repeats, reference size only
    python benchmarks/run.py --json out.json
    python benchmarks/run.py --lm-only    # only the character language model of chapter 7

Each row times lib and torch alternately (so both see the same machine state) and
reports medians, their ratio, and the matrix-product bound: the time of the matrix
products lib's algorithm must do anyway (the input projection of all steps, one
h_{t-1} @ W_hh.T per step, and for backward the three products per step of the
gradients), measured with the same array library in the same run. A ratio below 1
means lib is faster. Nothing here is asserted: benchmarks report, tests check.

The language-model row trains chapter 7's model (embedding, LSTM, linear decoder over
every step; cross-entropy, gradient clipping and Adam included) on windows of
(seq_len, batch) characters in lib and in an identical torch model, and reports
characters per second. Both sides use the same number of threads: torch takes
OPENBLAS_NUM_THREADS when it is set (OPENBLAS_NUM_THREADS=1 gives steadier numbers on a
shared machine).
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
# Chapter 7's language model: (seq_len, batch, vocab, embedding, hidden), one LSTM layer.
LANGUAGE_MODEL = (64, 32, 63, 32, 256)
if os.environ.get("OPENBLAS_NUM_THREADS"):
    torch.set_num_threads(int(os.environ["OPENBLAS_NUM_THREADS"]))


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


class TorchLanguageModel(torch.nn.Module):
    """lib.LanguageModel's twin: embedding, LSTM, linear decoder at every step."""

    def __init__(self, vocab, embedding, hidden):
        super().__init__()
        self.embedding = torch.nn.Embedding(vocab, embedding)
        self.rnn = torch.nn.LSTM(embedding, hidden)
        self.decoder = torch.nn.Linear(hidden, vocab)

    def forward(self, x):
        out, _ = self.rnn(self.embedding(x))
        return self.decoder(out)


def bench_language_model(repeats, size=LANGUAGE_MODEL):
    """Characters per second of one training step (forward, loss, backward, clip, Adam)."""
    steps, batch, vocab, embedding, hidden = size
    model = lib.LanguageModel(vocab, embedding, hidden, cell="LSTM", seed=0)
    optimizer = lib.Adam(model.modules, lr=1e-3)
    reference = TorchLanguageModel(vocab, embedding, hidden)
    reference.load_state_dict({k: torch.from_numpy(v) for k, v in model.state_dict().items()})
    torch_optimizer = torch.optim.Adam(reference.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)
    x_np, y_np = rng.integers(vocab, size=(2, steps, batch))
    x, y = backend.xp().asarray(x_np), backend.xp().asarray(y_np)
    x_torch, y_torch = torch.from_numpy(x_np), torch.from_numpy(y_np).reshape(-1)

    def lib_step():
        logits, _ = model(x)
        _, dlogits = lib.cross_entropy(logits, y)
        model.backward(dlogits)
        lib.clip_grad_norm(model.modules, 5.0)
        optimizer.step()

    def torch_step():
        torch_optimizer.zero_grad()
        logits = reference(x_torch)
        torch.nn.functional.cross_entropy(logits.reshape(-1, vocab), y_torch).backward()
        torch.nn.utils.clip_grad_norm_(reference.parameters(), 5.0)
        torch_optimizer.step()

    times = alternate({"lib": lib_step, "torch": torch_step}, repeats)
    chars = steps * batch
    return {
        "T": steps, "B": batch, "V": vocab, "E": embedding, "H": hidden,
        "lib_chars_per_s": chars / times["lib"],
        "torch_chars_per_s": chars / times["torch"],
        "ratio": times["lib"] / times["torch"],
    }  # fmt: skip


def print_language_model(row):
    print(
        f"# character LM training (LSTM, T={row['T']} B={row['B']} V={row['V']} "
        f"E={row['E']} H={row['H']}): lib {row['lib_chars_per_s']:.0f} chars/s, torch "
        f"{row['torch_chars_per_s']:.0f} chars/s, lib/torch time {row['ratio']:.2f}",
        flush=True,
    )


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
    parser.add_argument("--lm-only", action="store_true", help="only the language-model row")
    args = parser.parse_args()
    repeats = args.repeats or (3 if args.quick else 7)
    rows = []
    print(
        f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, numpy "
        f"{np.__version__}, torch {torch.__version__} ({torch.get_num_threads()} threads)"
    )
    if not args.gpu_only:
        backend.use("numpy")
        language_model = bench_language_model(repeats)
        print_language_model(language_model)
        rows.append({"device": "cpu", "model": "LanguageModel", **language_model})
    if not args.gpu_only and not args.lm_only:
        backend.use("numpy")
        run_rows(([] if args.quick else TEACHING) + [REFERENCE], "cpu", repeats, rows)
    gpu_reason = backend.gpu_unavailable_reason()
    if args.no_gpu or args.lm_only:
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
