"""Fair comparisons of recurrent models: same task, same data, same training budget.

Chapters 4 (RNN vs LSTM vs GRU) and 5 (one layer vs two) use these helpers:

    task = recall_task(lag=30)
    row = train_and_score("GRU", task, hidden_size=24, epochs=4, seed=0)
    row["score"], row["parameters"], row["ms_per_step"]
    seed_summary([0.91, 0.95, 0.97])   # "0.94 ± 0.03 (0.91–0.97)", for tables and prose
    plot_seeds(ax, epochs, curves, label="GRU")   # curves: (seeds, epochs); mean and range

A *task* says how to make data and how to score a model on it; ``train_and_score``
builds the model, trains it with ``lib.fit`` and Adam, scores it on fresh test data and
times one training step (forward, backward, optimizer step) on one batch.
"""

import statistics
import time
from collections import namedtuple

import numpy as np

from lib.losses import cross_entropy, mse_loss
from lib.models import SequenceClassifier, SequenceRegressor
from lib.optim import Adam
from lib.recurrent import GRU, LSTM, RNN, count_parameters, set_keep_gate_bias
from lib.tasks import adding_problem, delayed_recall, running_parity
from lib.train import evaluate, fit

MODELS = {"RNN": RNN, "LSTM": LSTM, "GRU": GRU}

Task = namedtuple("Task", "name make classes readout metric")
Task.__doc__ = """A learning problem for ``train_and_score``.

name: a label for tables; make(n, seed) -> (x, y) with x: (n, seq_len, features);
classes: number of classes (None for regression, scored by mean squared error);
readout: "last" (one answer per sequence) or "all" (one per step);
metric: "accuracy" or "mse".
"""


def recall_task(lag=30, n_symbols=4, n_distractors=4):
    """Delayed recall: name the symbol shown ``lag`` steps before the end (chance 1/n_symbols)."""

    def make(n, seed):
        return delayed_recall(n, lag, n_symbols=n_symbols, n_distractors=n_distractors, seed=seed)

    return Task(f"delayed recall (lag {lag})", make, n_symbols, "last", "accuracy")


def adding_task(length=20):
    """The adding problem: add the two marked numbers (always answering 1 gives MSE ~ 1/6)."""

    def make(n, seed):
        return adding_problem(n, length, seed=seed)

    return Task(f"adding problem (length {length})", make, None, "last", "mse")


def parity_task(length=16):
    """Running parity of a bit stream, labelled at every step (chance 1/2)."""

    def make(n, seed):
        return running_parity(n, length, seed=seed)

    return Task(f"running parity (length {length})", make, 2, "all", "accuracy")


def hidden_size_for(kind, input_size, num_layers, budget):
    """The hidden size whose parameter count is closest to ``budget`` (ties: the smaller)."""
    sizes = range(1, 4 * budget + 2)
    return min(
        sizes, key=lambda h: (abs(count_parameters(kind, input_size, h, num_layers) - budget), h)
    )


def build(task, kind, input_size, hidden_size, num_layers=1, seed=0, keep_gate_bias=3.0):
    """A classifier or regressor (per ``task``) on a ``kind`` recurrent model, batch first.

    keep_gate_bias: the LSTM forget / GRU update gate bias (``lib.set_keep_gate_bias``),
    so that memory lasts from the start of training; ignored for the RNN; None to skip.
    """
    if kind not in MODELS:
        raise ValueError(f"kind must be one of {tuple(MODELS)}, got {kind!r}")
    rnn = MODELS[kind](input_size, hidden_size, num_layers=num_layers, batch_first=True, seed=seed)
    if keep_gate_bias is not None and kind != "RNN":
        set_keep_gate_bias(rnn, keep_gate_bias)
    if task.classes is None:
        return SequenceRegressor(rnn, 1, readout=task.readout, seed=seed)
    return SequenceClassifier(rnn, task.classes, readout=task.readout, seed=seed)


def time_per_step(model, x, y, loss_fn, repeats=5, lr=1e-3):
    """Seconds for one training step (forward, loss, backward, Adam step) on the batch (x, y).

    The best of ``repeats`` runs, after one warm-up run: the least disturbed by whatever
    else the machine is doing. The model is trained on a copy-free throwaway optimizer,
    so call it on a model whose weights you no longer need (or after training).
    """
    optimizer = Adam(model.modules, lr=lr)
    best = float("inf")
    for run in range(repeats + 1):
        start = time.perf_counter()
        loss, dpred = loss_fn(model.forward(x), y)
        model.backward(dpred)
        optimizer.step()
        if run:
            best = min(best, time.perf_counter() - start)
    return best


def train_and_score(
    kind,
    task,
    hidden_size,
    num_layers=1,
    epochs=4,
    n_train=1024,
    n_test=512,
    batch_size=32,
    lr=1e-2,
    clip=1.0,
    seed=0,
    keep_gate_bias=3.0,
    timing_repeats=5,
):
    """Train a ``kind`` model on ``task`` and measure it.

    Training data come from seed ``seed``, test data from ``seed + 1000``; the same seed
    gives every model the same data. Returns a dict: model, layers, hidden,
    parameters (recurrent part only, as ``num_parameters()``), metric, score (test
    accuracy or MSE after training), curve (the test score after each epoch),
    ms_per_step (one training step on one batch, see ``time_per_step``), seconds
    (wall time of the whole training).
    """
    x, y = task.make(n_train, seed)
    test = task.make(n_test, seed + 1000)
    model = build(task, kind, x.shape[-1], hidden_size, num_layers, seed, keep_gate_bias)
    loss_fn = mse_loss if task.classes is None else cross_entropy
    key = "eval_loss" if task.metric == "mse" else "eval_accuracy"
    start = time.perf_counter()
    history = fit(
        model,
        (x, y),
        loss_fn,
        Adam(model.modules, lr=lr),
        epochs=epochs,
        batch_size=batch_size,
        clip=clip,
        eval_data=test,
        progress=False,
        seed=seed,
    )
    seconds = time.perf_counter() - start
    final = evaluate(model, test, loss_fn)
    step = time_per_step(model, x[:batch_size], y[:batch_size], loss_fn, timing_repeats)
    return {
        "model": kind,
        "layers": num_layers,
        "hidden": hidden_size,
        "parameters": model.rnn.num_parameters(),
        "metric": task.metric,
        "score": final["loss" if task.metric == "mse" else "accuracy"],
        "curve": list(history[key]),
        "ms_per_step": 1000 * step,
        "seconds": seconds,
    }


def seed_summary(values, fmt="{:.2f}"):
    """The results of several seeds as "mean ± std (min–max)", each number formatted by ``fmt``.

    std is the sample standard deviation (n - 1 in the denominator); one value gives
    "value ± 0 (value–value)" so that every row of a table reads the same way.
    """
    values = [float(v) for v in values]
    if not values:
        raise ValueError("seed_summary needs at least one value")
    spread = statistics.stdev(values) if len(values) > 1 else 0.0
    mean, low, high = (fmt.format(v) for v in (statistics.fmean(values), min(values), max(values)))
    return f"{mean} ± {fmt.format(spread)} ({low}–{high})"


def plot_seeds(ax, x, values, offset=0.0, band_alpha=0.2, **style):
    """The mean over seeds as a line, and the range from the lowest to the highest seed as a band.

    values: (seeds, len(x)), one row per seed; offset: shifts the points along x, so that
    models with equal values stay visible side by side; style: passed to ``ax.plot``
    (color, marker, ls, label, ...). Returns the Line2D of the mean.
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 2 or values.shape[1] != len(x):
        raise ValueError(
            f"values should have shape (seeds, {len(x)}), one row per seed, got {values.shape}"
        )
    shifted = np.asarray(x, dtype=float) + offset
    (line,) = ax.plot(shifted, values.mean(axis=0), **style)
    band = ax.fill_between(shifted, values.min(axis=0), values.max(axis=0), alpha=band_alpha)
    band.set_color(line.get_color())
    band.set_linewidth(0)
    return line


def table_html(rows, columns, formats=None):
    """A small HTML table of ``rows`` (dicts) showing ``columns`` ({key: header}).

    formats: {key: format string such as "{:.3f}"}; other values print with str().
    """
    formats = formats or {}
    cell = 'style="padding: 2px 12px; text-align: left"'
    head = "".join(f"<th {cell}>{header}</th>" for header in columns.values())
    body = "".join(
        "<tr>"
        + "".join(f"<td {cell}>{formats.get(key, '{}').format(row[key])}</td>" for key in columns)
        + "</tr>"
        for row in rows
    )
    return f'<table class="compare-table"><tr>{head}</tr>{body}</table>'
