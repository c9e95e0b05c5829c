"""Why gradients vanish: the figures of chapter 2 (the sigmoid's slope, the BPTT chain,
a shrinking product, gradient norms against distance, clipping).
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
# The figures
# --------------------------------------------------------------------------------------


def plot_sigmoid_and_slope():
    """sigma and its slope sigma' = sigma (1 - sigma) <= 1/4; tanh and tanh' <= 1 beside it."""
    a = numpy.linspace(-6, 6, 401)
    s = backend.to_numpy(functional.sigmoid(backend.xp().asarray(a)))
    t = numpy.tanh(a)
    fig, (left, right) = plt.subplots(1, 2, figsize=(7, 3))
    left.plot(a, s, color=GATE_COLORS["f"], linewidth=2, label=r"$\sigma(a)$")
    left.plot(a, s * (1 - s), color="#333333", linewidth=2, label=r"$\sigma'(a)$")
    left.axhline(0.25, color="#333333", linestyle=":", linewidth=1)
    left.text(-5.8, 0.3, "slope at most 1/4")
    right.plot(a, t, color=GATE_COLORS["h"], linewidth=2, label=r"$\tanh(a)$")
    right.plot(a, 1 - t * t, color="#333333", linewidth=2, label=r"$\tanh'(a)$")
    for ax in (left, right):
        ax.axhline(0, color="#999999", linewidth=0.8)
        ax.set_xlabel("a")
        ax.legend(loc="upper left")
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def draw_bptt_chain(steps=4):
    """An unrolled RNN with the loss at the last step and the gradient flowing back."""
    fig, ax = plt.subplots(figsize=(7, 2.9))
    _blank(ax, (-0.6, 1.9 * steps - 1.0), (-1.45, 1.7))
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
                fontsize=16,
                color=grad_color,
            )
    last = 1.9 * (steps - 1)
    _box(ax, last, 1.35, "loss $L$", width=0.9, height=0.45, face="#fde0e0", size=11)
    _arrow(ax, (last - 0.1, 0.3), (last - 0.1, 1.1), color=h_color)
    _arrow(ax, (last + 0.12, 1.1), (last + 0.12, 0.3), color=grad_color)
    fig.tight_layout()
    return fig


def plot_shrinking_product(factor=0.3, steps=4):
    """factor, factor^2, ... as bars: how quickly a product of small slopes vanishes."""
    powers = factor ** numpy.arange(1, steps + 1)
    fig, ax = plt.subplots(figsize=(6, 2.8))
    ax.bar(numpy.arange(1, steps + 1), powers, color=GATE_COLORS["f"], width=0.6)
    for k, p in enumerate(powers, start=1):
        ax.text(k, p + 0.01, f"{p:.4g}", ha="center")
    ax.set_xticks(numpy.arange(1, steps + 1))
    ax.set_xlabel(f"number of factors {factor:g} multiplied together")
    ax.set_ylim(0, factor * 1.25)
    fig.tight_layout()
    return fig


_LINE_STYLES = [("-", "o"), ("--", "s"), (":", "^"), ("-.", "D")]  # one per line, in turn


def plot_gradient_flow(
    curves,
    title="",
    ylim=(1e-16, 1e4),
    figsize=(7, 3.6),
    dpi=80,
    ylabel=r"$\|\partial L / \partial h_{T-k}\|$",
):
    """Log-scale gradient norms against the distance k from the loss, one line per curve.

    curves: {name ("RNN", "LSTM", "GRU" or "<model>, <detail>"): norms by distance}; the
    first word picks the model's colour, and each line gets its own dash and marker (every
    fifth point), so that no line can hide another. A fixed ``ylim`` lets several
    figures (a widget's views) be compared.
    """
    fig, ax = plt.subplots(figsize=figsize, dpi=dpi)
    for (name, norms), (dashes, marker) in zip(curves.items(), _LINE_STYLES * len(curves)):
        norms = numpy.maximum(numpy.asarray(norms, dtype=float), ylim[0])
        color = MODEL_COLORS.get(name.split()[0].rstrip(","), "#333333")
        ax.semilogy(
            numpy.arange(len(norms)),
            norms,
            dashes,
            marker=marker,
            markevery=5,
            color=color,
            linewidth=2,
            markersize=5,
            label=name,
        )
    ax.axhline(1.0, color="#999999", linewidth=0.8, linestyle=":")
    ax.set_ylim(*ylim)
    ax.set_xlabel("distance from the loss, k (steps back)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(loc="lower left")
    ax.grid(alpha=0.3, which="major")
    fig.tight_layout()
    return fig


def plot_clipping(runs, max_norm, updates):
    """Training loss and gradient norm per update (log scales), with and without clipping.

    runs: {label: [run, ...]}, one run per seed, each {"loss": [...], "grad_norm": [...]};
    a run that overflowed stops early and ends in a cross. max_norm: the clipping
    threshold; updates: the number of updates a run that never overflows makes.
    """
    fig, (left, right) = plt.subplots(1, 2, figsize=(7, 3.2), sharex=True)
    styles = [("#d62728", "-"), ("#2ca02c", "--"), ("#1f77b4", ":")]
    for (color, dashes), (label, seed_runs) in zip(styles, runs.items()):
        for k, run in enumerate(seed_runs):
            name = label if k == 0 else None
            left.semilogy(run["loss"], dashes, color=color, linewidth=1.4, label=name)
            right.semilogy(run["grad_norm"], dashes, color=color, linewidth=1.4, label=name)
            if len(run["loss"]) < updates:
                left.plot(len(run["loss"]) - 1, run["loss"][-1], "x", color=color, markersize=8)
    right.axhline(
        max_norm,
        color="#333333",
        linestyle=":",
        linewidth=1,
        label=f"clipping threshold {max_norm:g}",
    )
    left.set_title("training loss")
    right.set_title("gradient norm before clipping")
    for ax in (left, right):
        ax.set_xlabel("update")
        ax.grid(alpha=0.3)
    fig.legend(*right.get_legend_handles_labels(), loc="lower center", ncols=3, frameon=False)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig
