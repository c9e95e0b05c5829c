"""Why gradients vanish: the figures of chapter 2 (the sigmoid's slope, the BPTT chain,
a shrinking product, gradient norms against distance, clipping, accuracy curves).
Each function draws what it is given and returns its Figure.
"""

import matplotlib.pyplot as plt
import numpy
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from lib import backend, functional

from .style import GATE_COLORS, MODEL_COLORS

# --------------------------------------------------------------------------------------
# Shared drawing helpers (diagrams as boxes and arrows)
# --------------------------------------------------------------------------------------

_CELL_FACE = "#fdf3e1"
_CELL_EDGE = "#555555"


def _box(ax, x, y, text, width=0.8, height=0.6, face=_CELL_FACE, edge=_CELL_EDGE, size=12):
    """A rounded box centred at (x, y) with a label."""
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle="round,pad=0.02,rounding_size=0.08",
            facecolor=face,
            edgecolor=edge,
            linewidth=1.5,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=size)


def _arrow(ax, start, end, color="#333333", width=1.6, style="-|>", rad=0.0, ls="-"):
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle=style,
            mutation_scale=14,
            color=color,
            linewidth=width,
            linestyle=ls,
            connectionstyle=f"arc3,rad={rad}",
            shrinkA=0,
            shrinkB=0,
        )
    )


def _dot(ax, x, y, text, color, size=11):
    """A circle for an input or output value."""
    ax.add_patch(plt.Circle((x, y), 0.22, facecolor=color, edgecolor="none", alpha=0.9))
    ax.text(x, y, text, ha="center", va="center", fontsize=size, color="white")


def _blank(ax, xlim, ylim):
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")


# --------------------------------------------------------------------------------------
# Chapter 1: how an RNN remembers
def plot_sigmoid_and_slope():
    """sigma and its slope sigma' = sigma (1 - sigma) <= 1/4; tanh and tanh' <= 1 beside it."""
    a = numpy.linspace(-6, 6, 401)
    s = backend.to_numpy(functional.sigmoid(backend.xp().asarray(a)))
    t = numpy.tanh(a)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.2))
    left.plot(a, s, color=GATE_COLORS["f"], linewidth=2, label=r"$\sigma(a)$")
    left.plot(a, s * (1 - s), color="#333333", linewidth=2, label=r"$\sigma'(a)$")
    left.axhline(0.25, color="#333333", linestyle=":", linewidth=1)
    left.text(-5.8, 0.28, "slope at most 1/4", fontsize=9)
    right.plot(a, t, color=GATE_COLORS["h"], linewidth=2, label=r"$\tanh(a)$")
    right.plot(a, 1 - t * t, color="#333333", linewidth=2, label=r"$\tanh'(a)$")
    for ax in (left, right):
        ax.axhline(0, color="#999999", linewidth=0.8)
        ax.set_xlabel("a")
        ax.legend(fontsize=9, loc="upper left")
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def draw_bptt_chain(steps=4):
    """An unrolled RNN with the loss at the last step and the gradient flowing back."""
    fig, ax = plt.subplots(figsize=(10, 3.4))
    _blank(ax, (-1.2, 1.9 * steps + 0.6), (-1.5, 1.75))
    h_color, grad_color = GATE_COLORS["h"], GATE_COLORS["f"]
    for k in range(steps):
        cx = 1.9 * k
        _box(ax, cx, 0.0, f"$h_{k + 1}$", width=0.75, height=0.55, size=13)
        _dot(ax, cx, -1.1, f"$x_{k + 1}$", GATE_COLORS["x"], size=10)
        _arrow(ax, (cx, -0.88), (cx, -0.3))
        if k > 0:
            _arrow(ax, (cx - 1.52, 0.08), (cx - 0.38, 0.08), color=h_color, width=2)
            _arrow(ax, (cx - 0.38, -0.2), (cx - 1.52, -0.2), color=grad_color, width=1.6)
            ax.text(
                cx - 0.95,
                0.42,
                rf"$\frac{{\partial h_{k + 1}}}{{\partial h_{k}}}$",
                ha="center",
                fontsize=13,
                color=grad_color,
            )
    last = 1.9 * (steps - 1)
    _box(ax, last, 1.35, "loss $L$", width=0.9, height=0.45, face="#fde0e0", size=11)
    _arrow(ax, (last - 0.1, 0.3), (last - 0.1, 1.1), color=h_color)
    _arrow(ax, (last + 0.12, 1.1), (last + 0.12, 0.3), color=grad_color)
    ax.text(
        0.95 * (steps - 1),
        -1.55,
        "forward: the state moves right.   backward: the gradient moves left, "
        "multiplied by one Jacobian per step",
        ha="center",
        fontsize=9.5,
        color="#555555",
    )
    return fig


def plot_shrinking_product(factor=0.3, steps=4):
    """factor, factor^2, ... as bars: how quickly a product of small slopes vanishes."""
    powers = factor ** numpy.arange(1, steps + 1)
    fig, ax = plt.subplots(figsize=(6, 2.8))
    ax.bar(numpy.arange(1, steps + 1), powers, color=GATE_COLORS["f"], width=0.6)
    for k, p in enumerate(powers, start=1):
        ax.text(k, p + 0.01, f"{p:.4g}", ha="center", fontsize=9)
    ax.set_xticks(numpy.arange(1, steps + 1))
    ax.set_xlabel(f"number of factors {factor:g} multiplied together")
    ax.set_ylim(0, factor * 1.25)
    fig.tight_layout()
    return fig


def plot_gradient_flow(curves, title="", ylim=(1e-16, 1e4), figsize=(6, 3.5), dpi=80):
    """Log-scale ||dL/dh_{T-k}|| against the distance k, one line per model.

    curves: {model name ("RNN", "LSTM", "GRU" or "<name> <detail>"): norms by distance}.
    A fixed ``ylim`` lets several figures (a widget's views) be compared.
    """
    fig, ax = plt.subplots(figsize=figsize, dpi=dpi)
    for name, norms in curves.items():
        norms = numpy.maximum(numpy.asarray(norms, dtype=float), ylim[0])
        color = MODEL_COLORS.get(name.split()[0], "#333333")
        ax.semilogy(numpy.arange(len(norms)), norms, color=color, linewidth=2.2, label=name)
    ax.axhline(1.0, color="#999999", linewidth=0.8, linestyle=":")
    ax.set_ylim(*ylim)
    ax.set_xlabel("distance from the loss, k (steps back)")
    ax.set_ylabel(r"$\|\partial L / \partial h_{T-k}\|$")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="lower left")
    ax.grid(alpha=0.3, which="major")
    fig.tight_layout()
    return fig


def plot_clipping(runs, max_norm):
    """Training loss and gradient norm per update (log scales), with and without clipping.

    runs: {label: {"loss": [...], "grad_norm": [...]}} (a run that overflowed simply
    stops early); max_norm: the clipping threshold.
    """
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
    colors = ["#d62728", "#2ca02c", "#1f77b4"]
    for color, (label, run) in zip(colors, runs.items()):
        left.semilogy(run["loss"], color=color, linewidth=1.6, label=label)
        right.semilogy(run["grad_norm"], color=color, linewidth=1.4, label=label)
        if len(run["loss"]) < max(len(r["loss"]) for r in runs.values()):
            left.plot(len(run["loss"]) - 1, run["loss"][-1], "x", color=color, markersize=9)
            left.annotate(
                "overflow: training stops",
                (len(run["loss"]) - 1, run["loss"][-1]),
                xytext=(8, -4),
                textcoords="offset points",
                fontsize=8,
                color=color,
                va="top",
            )
    right.axhline(max_norm, color="#333333", linestyle=":", linewidth=1)
    right.annotate(
        f"threshold {max_norm:g}",
        (1.0, max_norm),
        xycoords=("axes fraction", "data"),
        xytext=(-4, 3),
        textcoords="offset points",
        ha="right",
        fontsize=8,
    )
    left.set_title("training loss (log scale)", fontsize=10)
    right.set_title("gradient norm before clipping", fontsize=10)
    for ax in (left, right):
        ax.set_xlabel("update")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


def plot_accuracy_curves(histories, key="eval_accuracy", chance=None, title=""):
    """Accuracy per epoch for several models: {model name: fit history}."""
    fig, ax = plt.subplots(figsize=(6, 3.2))
    for name, history in histories.items():
        values = history[key]
        color = MODEL_COLORS.get(name.split()[0], "#333333")
        ax.plot(numpy.arange(1, len(values) + 1), values, "o-", color=color, label=name)
    if chance is not None:
        ax.axhline(chance, color="#999999", linestyle="--", linewidth=1, label="chance")
    ax.set_ylim(0.3, 1.05)
    ax.set_xticks(numpy.arange(1, max(len(h[key]) for h in histories.values()) + 1))
    ax.set_xlabel("epoch")
    ax.set_ylabel("test accuracy")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
