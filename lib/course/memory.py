"""How long does a recurrent network remember? The figures of chapter 1 (a pulse fading
through an RNN, a repeated multiplication, the seasonal forecast) and the memory-span
plot of chapters 1 and 3. Each function draws what it is given and returns its Figure.
"""

import matplotlib.pyplot as plt
import numpy

from lib import backend, functional

from .style import GATE_COLORS, MODEL_COLORS

# --------------------------------------------------------------------------------------


def plot_repeated_multiplication(start_values, factor=3.0, steps=6):
    """Multiply a few values by ``factor`` again and again, without and with tanh."""
    values = numpy.asarray(start_values, dtype=float)
    plain = [values]
    squashed = [values]
    for _ in range(steps):
        plain.append(plain[-1] * factor)
        squashed.append(numpy.tanh(squashed[-1] * factor))
    plain, squashed = numpy.array(plain), numpy.array(squashed)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.4))
    colors = plt.cm.viridis(numpy.linspace(0.1, 0.85, len(values)))
    for j, color in enumerate(colors):
        left.plot(plain[:, j], "o-", color=color, label=f"start {values[j]:g}")
        right.plot(squashed[:, j], "o-", color=color)
    left.set_yscale("symlog", linthresh=1.0)
    left.set_title(f"x <- {factor:g} x, again and again", fontsize=11)
    right.set_title(f"x <- tanh({factor:g} x): stays in [-1, 1]", fontsize=11)
    right.set_ylim(-1.15, 1.15)
    right.axhspan(-1, 1, color=GATE_COLORS["h"], alpha=0.08)
    for ax in (left, right):
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
    left.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
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


def plot_pulse_memory(weight, pulse, steps=25, dpi=80):
    """The input pulse (grey bars) and the hidden state it leaves behind (teal line)."""
    x, h = pulse_response(weight, pulse, steps)
    fig, ax = plt.subplots(figsize=(6, 3.2), dpi=dpi)
    t = numpy.arange(1, steps + 1)
    ax.bar(t, x, color=GATE_COLORS["x"], alpha=0.5, width=0.6, label="input $x_t$")
    ax.plot(t, h, "o-", color=GATE_COLORS["h"], markersize=4, label="hidden state $h_t$")
    ax.axhline(0, color="#999999", linewidth=0.8)
    ax.set_ylim(-0.3, 2.1)
    ax.set_xlabel("time step t")
    remaining = abs(h[-1]) / max(abs(h[0]), 1e-12)
    ax.set_title(
        f"$w_{{hh}}$ = {weight:g}, pulse = {pulse:g}: after {steps} steps "
        f"$h$ keeps {100 * remaining:.0f}% of $h_1$",
        fontsize=10,
    )
    ax.legend(fontsize=8, loc="upper right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def plot_forecast(series, split, predictions, window, model_name="RNN"):
    """A series (truth), where training stops, and one-step-ahead predictions.

    series: (n,), predictions: (n - window,) for the targets series[window:].
    """
    series = backend.to_numpy(series)
    predictions = backend.to_numpy(predictions).reshape(-1)
    t = numpy.arange(len(series))
    fig, ax = plt.subplots(figsize=(10, 3.4))
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
    ax.text(window + split + 1, ax.get_ylim()[1] * 0.97, "test months", va="top", fontsize=9)
    ax.set_xlabel("month")
    ax.set_ylabel("sales")
    ax.legend(fontsize=9, loc="upper left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def plot_memory_span(lags, accuracies, chance, model_name="RNN"):
    """Test accuracy of a model on delayed recall against the lag (steps to remember)."""
    fig, ax = plt.subplots(figsize=(6, 3.2))
    positions = numpy.arange(len(lags))
    ax.bar(positions, accuracies, color=MODEL_COLORS[model_name], width=0.6)
    for p, a in zip(positions, accuracies):
        ax.text(p, a + 0.02, f"{a:.2f}", ha="center", fontsize=9)
    ax.axhline(chance, color="#d62728", linestyle="--", linewidth=1, label="chance")
    ax.set_xticks(positions, [str(lag) for lag in lags])
    ax.set_xlabel("lag (steps between the symbol and the question)")
    ax.set_ylabel("test accuracy")
    ax.set_ylim(0, 1.12)
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------
# Chapter 2: why gradients vanish
# --------------------------------------------------------------------------------------
