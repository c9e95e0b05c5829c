"""Chapter 8's experiments: recurrent, minimal-recurrent and attention models on the same
tasks, with the same data, seeds and training budget.

    spec = RECALL.at(40)                                   # delayed recall, lag 40
    accuracy = train_and_score("minGRU", spec, seed=0)     # test accuracy after training
    results = sweep(["GRU", "minGRU"], [RECALL.at(10), RECALL.at(40)], seeds=[0, 1, 2])

The sweep behind the chapter's accuracy table runs from ``book/experiments/after_the_lstm.py``
(it takes longer than a chapter may) and is stored in ``after_the_lstm.json`` beside it;
``load_results`` reads it back and ``tests/book/test_after_the_lstm_results.py`` re-runs a
slice of it.
"""

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy

import lib
from lib import tasks
from lib.attention_models import AttentionClassifier, SelfAttention
from lib.minimal_rnn import MinGRU
from lib.models import SequenceClassifier
from lib.recurrent import GRU, LSTM, set_keep_gate_bias

MODELS = ("GRU", "LSTM", "minGRU", "minGRU x2", "attention", "LSTM + attention")
RESULTS_PATH = Path(__file__).resolve().parents[2] / "book" / "experiments" / "after_the_lstm.json"
KEEP_GATE_BIAS = 3.0  # the recurrent models start out keeping sigma(3) = 0.95 per step


@dataclass(frozen=True)
class Task:
    """One task at one difficulty: delayed recall at a lag, or selective copying at a length.

    name: "recall" or "copying"; size: the lag or the length; answers: how many answers
    each sequence asks for at its end (1 for recall, the tokens to copy for copying).
    """

    name: str
    size: int
    answers: int = 1
    symbols: int = 4

    def make(self, n, seed):
        """(x, y) batch-first, from lib.tasks."""
        if self.name == "recall":
            return tasks.delayed_recall(n, self.size, n_symbols=self.symbols, seed=seed)
        return tasks.selective_copying(
            n, self.size, n_tokens=self.answers, n_symbols=self.symbols, seed=seed
        )

    @property
    def readout(self):
        return "last" if self.name == "recall" else self.answers

    @property
    def label(self):
        return f"{self.name} {self.size}"


@dataclass(frozen=True)
class TaskFamily:
    name: str
    answers: int = 1

    def at(self, size):
        return Task(self.name, int(size), self.answers)


RECALL = TaskFamily("recall")
COPYING = TaskFamily("copying", answers=2)


@dataclass(frozen=True)
class Budget:
    """The training every model gets: the same data, epochs, batches and optimiser."""

    n_train: int = 2048
    n_test: int = 512
    epochs: int = 10
    batch_size: int = 64
    lr: float = 0.01
    clip: float = 1.0
    hidden_size: int = 32


def build(name, task, input_size, seed, hidden_size=32):
    """A classifier for ``task`` on the model called ``name`` (one of MODELS)."""
    if name not in MODELS:
        raise ValueError(f"model must be one of {MODELS}, got {name!r}")
    if name == "LSTM + attention":
        if task.readout != "last":
            raise ValueError("LSTM + attention answers one question per sequence (recall only)")
        lstm = LSTM(input_size, hidden_size, batch_first=True, seed=seed)
        set_keep_gate_bias(lstm, KEEP_GATE_BIAS)
        return AttentionClassifier(lstm, task.symbols, query="last", seed=seed)
    layer = {
        "GRU": lambda: GRU(input_size, hidden_size, batch_first=True, seed=seed),
        "LSTM": lambda: LSTM(input_size, hidden_size, batch_first=True, seed=seed),
        "minGRU": lambda: MinGRU(input_size, hidden_size, batch_first=True, seed=seed),
        "minGRU x2": lambda: MinGRU(
            input_size, hidden_size, num_layers=2, batch_first=True, seed=seed
        ),
        "attention": lambda: SelfAttention(input_size, hidden_size, seed=seed),
    }[name]()
    if name != "attention":
        set_keep_gate_bias(layer, KEEP_GATE_BIAS)
    return SequenceClassifier(layer, task.symbols, readout=task.readout, seed=seed)


def train_and_score(name, task, seed, budget=Budget()):
    """Train model ``name`` on ``task`` from ``seed``; return its test accuracy (a float).

    Training data come from ``seed``, test data from ``seed + 1000``, so every model sees
    the same sequences for the same seed.
    """
    x, y = task.make(budget.n_train, seed)
    test = task.make(budget.n_test, seed + 1000)
    model = build(name, task, x.shape[-1], seed, budget.hidden_size)
    optimizer = lib.Adam(model.modules, lr=budget.lr)
    lib.fit(
        model,
        (x, y),
        lib.cross_entropy,
        optimizer,
        epochs=budget.epochs,
        batch_size=budget.batch_size,
        clip=budget.clip,
        progress=False,
        seed=seed,
    )
    return lib.evaluate(model, test, lib.cross_entropy)["accuracy"]


def sweep(names, task_list, seeds, budget=Budget(), log=print):
    """Every model on every task with every seed: a list of result rows (dicts)."""
    rows = []
    for task in task_list:
        for name in names:
            if name == "LSTM + attention" and task.readout != "last":
                continue
            for seed in seeds:
                start = time.perf_counter()
                accuracy = train_and_score(name, task, seed, budget)
                seconds = time.perf_counter() - start
                rows.append(
                    {"task": task.name, "size": task.size, "answers": task.answers,
                     "model": name, "seed": seed, "accuracy": accuracy, "seconds": seconds}
                )  # fmt: skip
                log(f"{task.label:12} {name:16} seed {seed}: {accuracy:.3f} ({seconds:.0f} s)")
    return rows


def save_results(path, rows, budget, note=""):
    """Write the rows and the budget that produced them as JSON."""
    payload = {"budget": vars(budget), "note": note, "rows": rows}
    with open(path, "w") as handle:
        json.dump(payload, handle, indent=1)
        handle.write("\n")


def load_results(path):
    """(rows, budget) from a file written by ``save_results``."""
    with open(path) as handle:
        payload = json.load(handle)
    return payload["rows"], Budget(**payload["budget"])


def summary(rows, task_name):
    """{model: {size: (mean, std, n)}} of the accuracies on one task, over seeds."""
    table = {}
    for row in rows:
        if row["task"] == task_name:
            table.setdefault(row["model"], {}).setdefault(row["size"], []).append(row["accuracy"])
    return {
        model: {
            size: (float(numpy.mean(v)), float(numpy.std(v)), len(v))
            for size, v in sorted(by_size.items())
        }
        for model, by_size in table.items()
    }


def slug(model):
    """A model's name as part of a Python identifier: "LSTM + attention" -> "lstm_attention"."""
    return model.lower().replace(" + ", "_").replace(" ", "_")


def published_accuracies(tables):
    """{"recall160_gru": "0.98 ± 0.01", ...}: every cell of the tables, for the prose."""
    return {
        f"{task}{size}_{slug(model)}": f"{mean:.2f} ± {std:.2f}"
        for task, table in tables.items()
        for model, by_size in table.items()
        for size, (mean, std, _) in by_size.items()
    }
