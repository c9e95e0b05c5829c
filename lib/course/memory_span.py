"""How long can each cell remember? Chapter 3's memory-span experiment, its data and figure.

The task is delayed recall (``lib.tasks.delayed_recall``): a symbol (one of 4) at the
first step, then ``lag`` random distractors, then the question "which symbol came
first?" (chance: 1/4). Four models train with the same hidden size, data, optimiser and
number of updates (``TRAINING``), each from its own fair start:

- "RNN": a tanh RNN with lib's (and PyTorch's) default uniform weights;
- "RNN, orthogonal": the same RNN with every W_hh a random orthogonal matrix
  (``recurrent_init.orthogonal_recurrent``: all singular values 1, in the spirit of
  Le et al. 2015's identity start);
- "LSTM" and "GRU": lib's default weights and the keep-gate bias ``KEEP_GATE_BIAS``
  (``lib.set_keep_gate_bias``: the forget gate f, the update gate z), so each step starts
  out keeping sigma(4) = 98% of the memory.

The grid (every model at every lag, for several seeds) takes minutes, more than a
chapter may spend, so a script computes it once and the chapter loads the result;
``tests/course/test_memory_span.py`` re-runs a slice and checks that it reproduces it:

    python -m lib.course.memory_span             # writes book/data/memory_span.json
    results = load()                             # {"accuracy": {model: (lags, seeds)}, ...}
    plot(results)                                # mean over seeds, bars from min to max
    span(results, "GRU")                         # the longest lag every seed solves
"""

import argparse
import json
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy

from .comparison import recall_task, train_and_score
from .style import MODEL_COLORS

DATA = Path(__file__).resolve().parents[2] / "book" / "data" / "memory_span.json"
LAGS = (5, 10, 20, 40, 80, 160, 320, 640)
SEEDS = (0, 1, 2, 3, 4)
KEEP_GATE_BIAS = 4.0
CHANCE = 0.25  # one symbol in four
MODELS = {  # name: (kind, recurrent_init)
    "RNN": ("RNN", None),
    "RNN, orthogonal": ("RNN", "orthogonal"),
    "LSTM": ("LSTM", None),
    "GRU": ("GRU", None),
}
TRAINING = {  # the same for every model: 6 epochs of 16 updates on 2048 sequences
    "hidden_size": 16,
    "epochs": 6,
    "n_train": 2048,
    "n_test": 512,
    "batch_size": 128,
    "lr": 0.01,
    "clip": 1.0,
}


def recall_accuracy(model, lag, seed):
    """Test accuracy of ``model`` (a key of MODELS) trained on delayed recall at ``lag``."""
    if model not in MODELS:
        raise ValueError(f"model must be one of {tuple(MODELS)}, got {model!r}")
    kind, init = MODELS[model]
    row = train_and_score(
        kind,
        recall_task(lag=lag),
        seed=seed,
        keep_gate_bias=KEEP_GATE_BIAS,
        recurrent_init=init,
        timing_repeats=0,
        **TRAINING,
    )
    return row["score"]


def run(models=tuple(MODELS), lags=LAGS, seeds=SEEDS, report=print):
    """Train every model at every lag for every seed; returns the results ``save`` writes.

    report: called with one line of text per trained model (None for silence).
    """
    start = time.process_time()
    accuracy = {}
    for model in models:
        grid = []
        for lag in lags:
            row = []
            for seed in seeds:
                row.append(recall_accuracy(model, lag, seed))
                if report is not None:
                    report(f"{model:<16} lag {lag:<4} seed {seed}: {row[-1]:.3f}")
            grid.append(row)
        accuracy[model] = grid
    return {
        "command": "python -m lib.course.memory_span",
        "task": "delayed recall, 4 symbols, 4 distractor symbols",
        "training": TRAINING,
        "keep_gate_bias": KEEP_GATE_BIAS,
        "models": {name: list(MODELS[name]) for name in models},
        "lags": list(lags),
        "seeds": list(seeds),
        "accuracy": accuracy,  # accuracy[model][lag index][seed index]
        "cpu_seconds": round(time.process_time() - start, 1),
    }


def save(results, path=DATA):
    """Write ``results`` (from ``run``) as JSON, one model's grid per line block."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1) + "\n")


def load(path=DATA):
    """The stored results, with each model's accuracies as a (lags, seeds) NumPy array."""
    results = json.loads(Path(path).read_text())
    results["accuracy"] = {
        name: numpy.asarray(grid, dtype=float) for name, grid in results["accuracy"].items()
    }
    return results


def span(results, model, solved=0.9):
    """The longest lag up to which every seed of ``model`` reaches accuracy ``solved``.

    results: as returned by ``load`` (or ``run``). The lags are taken in order from the
    shortest; the first lag at which some seed stays below ``solved`` ends the span.
    Returns that span's last lag, or None when a seed fails even the shortest lag.
    """
    worst = numpy.asarray(results["accuracy"][model], dtype=float).min(axis=1)
    longest = None
    for lag, accuracy in zip(results["lags"], worst):
        if accuracy < solved:
            break
        longest = lag
    return longest


STYLE = {  # model: (colour, line style, marker, marker face); a shift keeps equal points apart
    "RNN": (MODEL_COLORS["RNN"], "-", "o", "full"),
    "RNN, orthogonal": ("#333333", "--", "s", "none"),
    "LSTM": (MODEL_COLORS["LSTM"], "-", "D", "full"),
    "GRU": (MODEL_COLORS["GRU"], ":", "^", "full"),
}


def plot(results, figsize=(7.0, 3.8)):
    """Accuracy against lag: each model's mean over seeds, with a bar from min to max.

    The x axis is logarithmic (base 2); the models are shifted slightly left and right of
    each lag so that equal values (all at 1.0, or all at chance) stay visible.
    """
    lags = numpy.asarray(results["lags"], dtype=float)
    fig, ax = plt.subplots(figsize=figsize)
    names = list(results["accuracy"])
    for rank, name in enumerate(names):
        acc = numpy.asarray(results["accuracy"][name], dtype=float)
        color, line, marker, face = STYLE.get(name, ("#333333", "-", "o", "full"))
        shifted = lags * 2 ** (0.09 * (rank - (len(names) - 1) / 2))
        mean = acc.mean(axis=1)
        below, above = mean - acc.min(axis=1), acc.max(axis=1) - mean
        ax.errorbar(
            shifted, mean, yerr=[below, above], color=color, ls=line, marker=marker,
            mfc="white" if face == "none" else color, ms=6, lw=1.8, capsize=3,
            label=name,
        )  # fmt: skip
    ax.axhline(CHANCE, color="#999999", ls="--", lw=1)
    ax.text(lags[0] / 1.15, CHANCE + 0.02, "chance", color="#666666", va="bottom")
    ax.set_xscale("log", base=2)
    ax.set_xticks(lags, [f"{lag:g}" for lag in lags])
    ax.minorticks_off()
    ax.set_xlabel("lag: steps between the symbol and the question")
    ax.set_ylabel("test accuracy")
    ax.set_ylim(0, 1.08)
    ax.legend(loc="lower left", frameon=False, ncols=2)
    fig.tight_layout()
    return fig


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATA, help="where to write the JSON")
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    parser.add_argument("--lags", type=int, nargs="+", default=list(LAGS))
    args = parser.parse_args(argv)
    results = run(lags=tuple(args.lags), seeds=tuple(args.seeds))
    save(results, args.out)
    print(f"wrote {args.out} ({results['cpu_seconds']} s of CPU)")


if __name__ == "__main__":
    main()
