"""How long does a recurrent network remember? Chapter 1's figures (a pulse fading through
an RNN, a repeated multiplication, the seasonal forecast) and its memory-span experiment
(a plain RNN on delayed recall, from two starting points, over several seeds). Each plot
function draws what it is given and returns its Figure.
"""

import matplotlib.pyplot as plt
import numpy

import lib
from lib import backend, functional, tasks

from .recurrent_init import orthogonal_recurrent
from .style import GATE_COLORS, MODEL_COLORS

# The two starts of chapter 1's memory-span experiment: lib's (and PyTorch's) default
# uniform(-1/sqrt(H), 1/sqrt(H)) weights, and W_hh a random orthogonal matrix (all
# singular values 1).
STARTS = ("default", "orthogonal")
SPAN_TRAINING = {
    "hidden_size": 32,
    "n_train": 1000,
    "n_test": 500,
    "epochs": 10,
    "batch_size": 50,
    "lr": 1e-2,
}


def plot_repeated_multiplication(start_values, factor=3.0, steps=6):
    """Multiply a few values by ``factor`` again and again, without and with tanh."""
    values = numpy.asarray(start_values, dtype=float)
    plain = [values]
    squashed = [values]
    for _ in range(steps):
        plain.append(plain[-1] * factor)
        squashed.append(numpy.tanh(squashed[-1] * factor))
    plain, squashed = numpy.array(plain), numpy.array(squashed)
    fig, (left, right) = plt.subplots(1, 2, figsize=(7, 3.4))
    colors = plt.cm.viridis(numpy.linspace(0.0, 0.7, len(values)))
    styles = [("o", "-"), ("s", "--"), ("^", ":")] * len(values)  # equal values stay visible
    for j, (color, (marker, dashes)) in enumerate(zip(colors, styles)):
        style = {"color": color, "marker": marker, "linestyle": dashes, "markerfacecolor": "none"}
        left.plot(plain[:, j], label=f"start {values[j]:g}", **style)
        right.plot(squashed[:, j], **style)
    left.set_yscale("symlog", linthresh=1.0)
    left.set_title(f"$x \\leftarrow {factor:g}\\,x$, again and again")
    right.set_title(f"$x \\leftarrow \\tanh({factor:g}\\,x)$: stays in [-1, 1]")
    right.set_ylim(-1.15, 1.15)
    right.axhspan(-1, 1, color=GATE_COLORS["h"], alpha=0.08)
    for ax in (left, right):
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
    fig.legend(loc="lower center", ncols=len(values), frameon=False)
    fig.tight_layout(rect=(0, 0.09, 1, 1))
    return fig


def pulse_response(weight, pulse, steps=25, input_weight=1.0):
    """The hidden state of a one-unit tanh RNN after a single input pulse at step 1.

    h_t = tanh(input_weight * x_t + weight * h_{t-1}), x_1 = pulse, x_t = 0 afterwards,
    h_0 = 0, computed with ``lib.functional.rnn_step``. Returns (x, h), each (steps,).
    """
    xp = backend.xp()
    w_ih = xp.asarray([[input_weight]], dtype="float64")
    w_hh = xp.asarray([[weight]], dtype="float64")
    x = numpy.zeros(steps)
    x[0] = pulse
    h = xp.zeros((1, 1), dtype="float64")
    hs = []
    for t in range(steps):
        h = functional.rnn_step(xp.asarray([[x[t]]]), h, w_ih, w_hh).h
        hs.append(float(h[0, 0]))
    return x, numpy.array(hs)


def plot_forecast(series, split, predictions, window, model_name="RNN"):
    """A series (truth), where training stops, and one-step-ahead predictions.

    series: (n,), predictions: (n - window,) for the targets series[window:].
    """
    series = backend.to_numpy(series)
    predictions = backend.to_numpy(predictions).reshape(-1)
    t = numpy.arange(len(series))
    fig, ax = plt.subplots(figsize=(7, 3.2))
    ax.plot(t, series, color="#333333", linewidth=1.2, label="truth")
    ax.plot(
        t[window:],
        predictions,
        "--",
        color=MODEL_COLORS[model_name],
        linewidth=2,
        label=f"{model_name}: next-value prediction",
    )
    ax.axvspan(window + split, len(series) - 0.5, color="#1f77b4", alpha=0.07)
    ax.text(window + split + 1, ax.get_ylim()[1] * 0.97, "test months", va="top")
    ax.set_xlabel("month")
    ax.set_ylabel("sales")
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def memory_span(lags, seeds, start="default", training=None):
    """Test accuracy of a tanh RNN trained on delayed recall, for every lag and seed.

    Each run builds ``lib.RNN(8, H)`` from ``seed`` (``start="orthogonal"`` then sets
    W_hh to a random orthogonal matrix drawn from the same seed), puts a linear readout
    on its last state and trains it with Adam on ``tasks.delayed_recall`` (training data
    from seed 1, test data from seed 2, the same for every run; the seed also orders the
    batches).
    training: overrides of ``SPAN_TRAINING``. Returns a (len(lags), len(seeds)) array.
    """
    if start not in STARTS:
        raise ValueError(f"start must be one of {STARTS}, got {start!r}")
    settings = {**SPAN_TRAINING, **(training or {})}
    accuracy = numpy.empty((len(lags), len(seeds)))
    for row, lag in enumerate(lags):
        train = tasks.delayed_recall(settings["n_train"], lag, seed=1)
        test = tasks.delayed_recall(settings["n_test"], lag, seed=2)
        for column, seed in enumerate(seeds):
            rnn = lib.RNN(8, settings["hidden_size"], batch_first=True, seed=seed)
            if start == "orthogonal":
                orthogonal_recurrent(rnn, seed=seed)
            model = lib.SequenceClassifier(rnn, 4, seed=seed)
            optimizer = lib.Adam(model.modules, lr=settings["lr"])
            lib.fit(
                model,
                train,
                lib.cross_entropy,
                optimizer,
                epochs=settings["epochs"],
                batch_size=settings["batch_size"],
                progress=False,
                seed=seed,
            )
            accuracy[row, column] = lib.evaluate(model, test, lib.cross_entropy)["accuracy"]
    return accuracy


_SPAN_BARS = [  # (face colour, hatch) per model, in the order given
    (MODEL_COLORS["RNN"], ""),
    ("#ffffff", "///"),
]


def plot_memory_span(lags, accuracies, chance):
    """Delayed-recall test accuracy against the lag: the mean over seeds as a bar, each
    seed as a dot. accuracies: {model name: (len(lags), seeds) array}, at most two models."""
    if len(accuracies) > len(_SPAN_BARS):
        raise ValueError(f"at most {len(_SPAN_BARS)} models side by side, got {len(accuracies)}")
    fig, ax = plt.subplots(figsize=(7, 3.6))
    positions = numpy.arange(len(lags))
    width = 0.8 / len(accuracies)
    for k, ((name, grid), (color, hatch)) in enumerate(zip(accuracies.items(), _SPAN_BARS)):
        grid = numpy.asarray(grid, dtype=float)
        x = positions + (k - (len(accuracies) - 1) / 2) * width
        ax.bar(
            x,
            grid.mean(axis=1),
            width=0.9 * width,
            color=color,
            hatch=hatch,
            edgecolor="#333333",
            linewidth=1,
            label=name,
        )
        spread = numpy.linspace(-0.25, 0.25, grid.shape[1]) * width  # the seeds side by side
        for column in range(grid.shape[1]):
            ax.plot(
                x + spread[column],
                grid[:, column],
                "o",
                color="#111111",
                markerfacecolor="none",
                markersize=5,
                label="one seed" if k == column == 0 else None,
            )
    ax.axhline(chance, color="#d62728", linestyle="--", linewidth=1.2, label="chance")
    ax.set_xticks(positions, [str(lag) for lag in lags])
    ax.set_xlabel("lag (steps between the symbol and the question)")
    ax.set_ylabel("test accuracy")
    ax.set_ylim(0, 1.05)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, frameon=False)
    fig.tight_layout()
    return fig
