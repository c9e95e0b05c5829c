"""A small training loop with a progress bar and a history for plots.

model = SequenceClassifier(lib.GRU(8, 32, batch_first=True), num_classes=4)
history = fit(model, (x, y), cross_entropy, Adam(model.modules, lr=1e-2), epochs=20)
plt.plot(history["loss"])
"""

import math

import numpy

from . import backend, checks
from .losses import accuracy
from .optim import clip_grad_norm


def fit(
    model,
    data,
    loss_fn,
    optimizer,
    epochs=10,
    batch_size=32,
    clip=None,
    eval_data=None,
    progress=True,
    seed=None,
):
    """Train ``model`` on ``data`` for ``epochs`` passes of shuffled mini-batches.

    model: has forward(x), backward(dpred) and modules (for example a SequenceClassifier);
    data, eval_data: (x, y) with x: (n, seq_len, features), y: (n, ...);
    loss_fn: loss, dpred = loss_fn(pred, y), such as cross_entropy or mse_loss;
    optimizer: has step(), built on model.modules; clip: max gradient norm, or None.
    Each batch: pred = forward(x), backward(dpred), clip, step.
    Returns history, a dict of per-epoch lists: "loss", plus "accuracy" when y holds
    integer labels, plus "eval_loss" (and "eval_accuracy") when eval_data is given.
    The training numbers are averages over the epoch's batches, taken before each step.
    """
    x, y = _pair("data", data)
    epochs = checks.positive_int("epochs", epochs)
    batch_size = checks.positive_int("batch_size", batch_size)
    rng = numpy.random.default_rng(seed)

    def learn(dpred):
        model.backward(dpred)
        if clip is not None:
            clip_grad_norm(model.modules, clip)
        optimizer.step()

    history = {}
    from tqdm.auto import trange  # here, not at import: in a notebook it loads ipywidgets

    bar = trange(epochs, desc="training", unit="epoch", disable=not progress)
    for epoch in bar:
        order = backend.xp().asarray(rng.permutation(len(x)))  # host -> backend
        metrics = _one_pass(model, x, y, loss_fn, batch_size, order, learn)
        if eval_data is not None:
            evaluated = evaluate(model, eval_data, loss_fn, batch_size)
            metrics.update({f"eval_{key}": value for key, value in evaluated.items()})
        if not math.isfinite(metrics["loss"]):
            raise FloatingPointError(
                f"the training loss became {metrics['loss']} in epoch {epoch + 1}: "
                "lower the learning rate or clip the gradients (clip=1.0)"
            )
        for key, value in metrics.items():
            history.setdefault(key, []).append(value)
        bar.set_postfix({key: f"{value:.4f}" for key, value in metrics.items()})
    return history


def evaluate(model, data, loss_fn, batch_size=256):
    """Mean loss (and accuracy, for integer labels) of ``model`` on ``data`` = (x, y).

    Runs forward only, in batches of ``batch_size``. Returns a dict like {"loss": ...}.
    """
    x, y = _pair("eval_data", data)
    batch_size = checks.positive_int("batch_size", batch_size)
    return _one_pass(model, x, y, loss_fn, batch_size, backend.xp().arange(len(x)))


def _one_pass(model, x, y, loss_fn, batch_size, order, learn=None):
    """Average loss (and accuracy) over batches taken in ``order``; learn(dpred) if given."""
    totals = {"loss": 0.0}
    if y.dtype.kind in "iu":
        totals["accuracy"] = 0.0
    for start in range(0, len(order), batch_size):
        index = order[start : start + batch_size]
        pred = model.forward(x[index])
        loss, dpred = loss_fn(pred, y[index])
        if learn is not None:
            learn(dpred)
        totals["loss"] += loss * len(index)
        if "accuracy" in totals:
            totals["accuracy"] += accuracy(pred, y[index]) * len(index)
    return {key: total / len(order) for key, total in totals.items()}


def _pair(name, data):
    """(x, y) as backend arrays with the same number of examples."""
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise TypeError(f"{name} must be a pair (x, y), got {type(data).__name__}")
    x, y = (backend.asarray(part) for part in data)
    if x.ndim == 0 or y.ndim == 0 or len(x) != len(y):
        raise ValueError(
            f"{name}: x and y must hold the same number of examples along their first "
            f"dimension, got shapes {tuple(x.shape)} and {tuple(y.shape)}"
        )
    if len(x) == 0:
        raise ValueError(f"{name} is empty")
    return x, y
