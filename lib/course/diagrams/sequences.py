"""Diagrams of whole sequences: the unrolled RNN, input/output shapes, a stack of layers,
a bidirectional layer and the paths a gradient takes back in time (chapters 1, 2, 5, 6).

Each function returns a matplotlib Figure, or draws into ``ax`` and returns its Figure.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import to_rgba
from matplotlib.patches import FancyBboxPatch

from ..style import GATE_COLORS
from .drawing import BACKWARD_COLOR, GRAD_COLOR, INK, Painter, fit_to_data, heat_strip, new_figure

# ------------------------------------------------------------------- 1. unrolled RNN


def unrolled_rnn(steps=4, values=None, title=None, cell_label="A", ax=None):
    """The recurrent cell with its self-loop, "=", and the same cell unrolled over ``steps``.

    values: optional array (steps, hidden) of hidden states (in [-1, 1]); each $h_t$ then
    gets a heat strip (blue -1, white 0, red +1), with the numbers when hidden <= 3.
    """
    if values is not None:
        values = np.asarray(values, dtype=float)
        if values.ndim == 3:  # (steps, 1, hidden): batch of one
            values = values[:, 0]
        if values.ndim == 1:
            values = values[:, None]
        if values.shape[0] != steps:
            raise ValueError(f"values has {values.shape[0]} rows, expected steps={steps}")
    fig, ax = new_figure(ax)
    p = Painter(ax)
    hc, xc = GATE_COLORS["h"], GATE_COLORS["x"]
    top = 1.25 if values is None else 1.1

    # the folded cell with its loop
    p.box(0, 0, f"${cell_label}$", hc, w=0.9, h=0.8, fontsize=15)
    p.line([(0, -1.0), (0, -0.4)], color=xc)
    p.text(0, -1.22, "$x_t$")
    p.line([(0, 0.4), (0, top - 0.2)], color=hc, halo=True, zorder=3)
    p.text(0, top, "$h_t$")
    loop = [(0.45, 0.15), (0.95, 0.15), (0.95, 0.65), (-0.95, 0.65), (-0.95, -0.15)]
    loop += [(-0.45, -0.15)]
    p.line(loop, color=hc, lw=1.6, zorder=1)
    p.text(0, -1.75, "RNN cell with\na self-loop", fontsize=9.5, color="#555555")
    p.text(1.55, 0, "$=$", fontsize=22)

    # the unrolled chain
    x0, dx = 3.3, 1.7
    p.text(x0 - 1.08, 0, "$h_0$")
    p.line([(x0 - 0.85, 0), (x0 - 0.45, 0)], color=hc)
    for t in range(steps):
        x = x0 + t * dx
        p.box(x, 0, f"${cell_label}$", hc, w=0.9, h=0.8, fontsize=15)
        p.line([(x, -1.0), (x, -0.4)], color=xc)
        p.text(x, -1.22, f"$x_{{{t + 1}}}$")
        p.line([(x, 0.4), (x, top - 0.2)], color=hc)
        p.text(x, top, f"$h_{{{t + 1}}}$")
        if t < steps - 1:
            p.line([(x + 0.45, 0), (x + dx - 0.45, 0)], color=hc, lw=1.8)
        if values is not None:
            heat_strip(ax, x, top + 0.22, values[t])
    xmid = x0 + (steps - 1) * dx / 2
    p.text(xmid, -1.75, "the same cell unrolled over time", fontsize=9.5, color="#555555")
    ymax = top + (0.65 if values is not None else 0.35)
    if title:
        p.text(xmid, ymax + 0.2, title, fontsize=12)
        ymax += 0.5
    right = x0 + (steps - 1) * dx + 0.8
    ax.set_xlim(-1.25, right)
    ax.set_ylim(-2.1, ymax)
    fit_to_data(fig, ax)
    return fig


# ----------------------------------------------------------------- 2. sequence shapes


def sequence_shapes():
    """Four panels, two by two: one-to-many, many-to-one, many-to-many (synced) and
    encoder-decoder; inputs grey at the bottom, outputs teal at the top."""
    panels = [
        ("one to many", "e.g. generate music", 4, [0], [0, 1, 2, 3]),
        ("many to one", "e.g. sentiment of a review", 4, [0, 1, 2, 3], [3]),
        ("many to many (synced)", "e.g. tag every word", 4, [0, 1, 2, 3], [0, 1, 2, 3]),
        ("encoder-decoder", "e.g. translate a sentence", 6, [0, 1, 2], [3, 4, 5]),
    ]
    fig, axes = plt.subplots(2, 2, figsize=(7, 4.4))
    fig.patch.set_facecolor("white")
    fig.subplots_adjust(left=0.06, right=0.99, bottom=0.02, top=0.88, wspace=0.1, hspace=0.45)
    hc, xc = GATE_COLORS["h"], GATE_COLORS["x"]
    for ax, (name, example, steps, ins, outs) in zip(axes.flat, panels):
        ax.set_axis_off()
        ax.set_aspect("equal")
        p = Painter(ax)
        for t in range(steps):
            p.box(t, 1.2, "", "#777777", w=0.6, h=0.6, fill=0.12)
            if t < steps - 1:
                p.line([(t + 0.3, 1.2), (t + 0.7, 1.2)], color=INK, lw=1.3)
            if t in ins:
                p.box(t, 0, "", xc, w=0.6, h=0.5, fill=0.45)
                p.line([(t, 0.25), (t, 0.9)], color=xc, lw=1.3)
            if t in outs:
                p.box(t, 2.4, "", hc, w=0.6, h=0.5, fill=0.55)
                p.line([(t, 1.5), (t, 2.15)], color=hc, lw=1.3)
        ax.set_title(f"{name}\n{example}", color=INK)
        ax.set_xlim(-1.0, 5.65)  # the same scale in every panel: six steps fit
        ax.set_ylim(-0.4, 2.8)
    for ax in axes[:, 0]:
        ax.text(-0.5, 0, "in", ha="right", va="center", color="#555555")
        ax.text(-0.5, 2.4, "out", ha="right", va="center", color="#555555")
    return fig


# ------------------------------------------------------------------- 6. stacked grid


def stacked_grid(layers=2, steps=4, cell_label="", ax=None):
    """A stack of ``layers`` recurrent layers unrolled over ``steps``.

    h moves right within a layer; each layer's outputs are the next layer's inputs; the top
    layer's states are ``out`` and the last column's states are ``h_n`` (one per layer).
    """
    fig, ax = new_figure(ax, figsize=(8, 1.2 + 1.1 * (layers + 1)))
    p = Painter(ax)
    C = GATE_COLORS
    dx, dy, w, h = 1.9, 1.35, 1.0, 0.7
    for t in range(steps):
        x = t * dx
        p.text(x, -0.1, f"$x_{{{t + 1}}}$", fontsize=12)
        p.line([(x, 0.15), (x, dy - h / 2)], color=C["x"])
        for k in range(1, layers + 1):
            y = k * dy
            label = cell_label or f"$h^{{({k})}}_{{{t + 1}}}$"
            p.box(x, y, label, C["h"], w=w, h=h, fontsize=12)
            up = (k + 1) * dy - h / 2 if k < layers else (layers + 0.62) * dy
            p.line([(x, y + h / 2), (x, up)], color=C["h"] if k < layers else INK)
            if t < steps - 1:
                p.line([(x + w / 2, y), (x + dx - w / 2, y)], color=C["h"], lw=1.8)
        p.text(x, (layers + 0.82) * dy, f"out[{t}]", fontsize=10, family="monospace")
    for k in range(1, layers + 1):
        y = k * dy
        p.text(-1.45, y, f"layer {k}", ha="right", fontsize=11)
        p.text(-1.0, y, "$0$", ha="center", fontsize=10, color="#777777")
        p.line([(-0.85, y), (-w / 2, y)], color=C["h"], lw=1.8)
        xl = (steps - 1) * dx
        p.line([(xl + w / 2, y), (xl + w / 2 + 0.55, y)], color=C["h"], lw=1.8)
        p.text(xl + w / 2 + 0.65, y, f"h_n[{k - 1}]", ha="left", fontsize=10, family="monospace")
    p.text(-1.45, 0.0, "inputs", ha="right", fontsize=11, color="#555555")
    p.text(-1.45, (layers + 0.82) * dy, "outputs", ha="right", fontsize=11, color="#555555")
    p.line([(0, -0.55), ((steps - 1) * dx, -0.55)], color="#999999", lw=1)
    p.text((steps - 1) * dx / 2, -0.75, "time", fontsize=10, color="#777777", va="top")
    ax.set_xlim(-2.75, (steps - 1) * dx + 2.1)
    ax.set_ylim(-1.15, (layers + 1.05) * dy)
    fit_to_data(fig, ax)
    return fig


# ------------------------------------------------------------------ 7. bidirectional


def bidirectional(steps=None, words=None, ax=None):
    """A bidirectional layer: a forward chain and a backward chain over the same inputs.

    Each word feeds both chains; the output at each step is the two states side by side,
    $[\\overrightarrow{h}_t; \\overleftarrow{h}_t]$ (forward first). The two cells of a
    step are drawn a little apart, so that every wire runs straight up. words: the inputs
    (default "He needs to work harder"); steps: use the first ``steps`` words (extra steps
    are labelled $x_t$). The backward chain enters from the right: it starts at the end
    of the sequence, which may lie beyond the words drawn.
    """
    words = list(words or ["He", "needs", "to", "work", "harder"])
    if steps is not None:
        words = (words + [f"$x_{{{t + 1}}}$" for t in range(len(words), steps)])[:steps]
    steps = len(words)
    fig, ax = new_figure(ax)
    p = Painter(ax)
    fc, bc, xc = GATE_COLORS["h"], BACKWARD_COLOR, GATE_COLORS["x"]
    dx, w, h, half = 2.1, 0.8, 0.62, 0.45  # half: each cell's offset from its word
    yf, yb, yo = 1.3, 2.6, 3.75  # forward row, backward row, output row
    fork = 0.6  # where a word's wire splits towards its two cells
    for t, word in enumerate(words):
        x = t * dx
        xf, xb = x - half, x + half
        p.text(x, 0.0, word, fontsize=12)
        p.line([(x, 0.25), (x, fork)], color=xc, arrow=False)
        p.line([(x, fork), (xf, fork), (xf, yf - h / 2)], color=xc)
        p.line([(x, fork), (xb, fork), (xb, yb - h / 2)], color=xc, halo=True, zorder=3)
        p.box(xf, yf, rf"$\overrightarrow{{h}}_{{{t + 1}}}$", fc, w=w, h=h, fontsize=12)
        p.box(xb, yb, rf"$\overleftarrow{{h}}_{{{t + 1}}}$", bc, w=w, h=h, fontsize=12)
        if t < steps - 1:
            p.line([(xf + w / 2, yf), (xf + dx - w / 2, yf)], color=fc, lw=1.8)
            p.line([(xb + dx - w / 2, yb), (xb + w / 2, yb)], color=bc, lw=1.8)
        # the output: the forward state (left half) beside the backward state (right half)
        p.line([(xf, yf + h / 2), (xf, yo - 0.2)], color=fc, halo=True, zorder=3)
        p.line([(xb, yb + h / 2), (xb, yo - 0.2)], color=bc)
        for x0, col, arrow in ((xf - 0.3, fc, r"$\rightarrow$"), (x, bc, r"$\leftarrow$")):
            width = half + 0.3
            ax.add_patch(
                FancyBboxPatch(
                    (x0, yo - 0.2), width, 0.4, boxstyle="round,pad=0,rounding_size=0.06",
                    fc=to_rgba(col, 0.35), ec=col, lw=1.3, zorder=4,
                )
            )  # fmt: skip
            p.text(x0 + width / 2, yo, arrow, fontsize=11)
        p.text(x, yo + 0.45, f"out[{t}]", fontsize=10, family="monospace")
    xl = (steps - 1) * dx
    p.text(-1.55, yf, "0", fontsize=11, color="#777777")
    p.line([(-1.35, yf), (-half - w / 2, yf)], color=fc, lw=1.8)
    p.line([(xl + 2.6, yb), (xl + half + w / 2, yb)], color=bc, lw=1.8)
    p.text(xl + 1.95, yb + 0.32, "from the end", fontsize=10, color="#555555")
    for y, label, color in (
        (0.0, "inputs", "#555555"),
        (yf, "forward", fc),
        (yb, "backward", "#8c8d16"),
        (yo, "output", "#555555"),
    ):
        p.text(-1.9, y, label, ha="right", fontsize=11, color=color)
    ax.set_xlim(-3.35, xl + 2.7)
    ax.set_ylim(-0.35, yo + 0.7)
    fit_to_data(fig, ax)
    return fig


# ----------------------------------------------------------------- 8. gradient paths


def gradient_paths(steps=6, rnn_factor=0.6, lstm_factor=0.97):
    """Backward gradients through an RNN (shrinking) and through the LSTM's cell state.

    Arrow widths: ``rnn_factor ** k`` and ``lstm_factor ** k`` after k steps back.
    """
    ylims = [(-1.2, 0.5), (-0.45, 1.75)]
    xr = (steps - 1) * 1.5 + 4.3
    heights = [y1 - y0 for y0, y1 in ylims]
    fig, axes = plt.subplots(
        2, 1, figsize=(8, 7.84 * sum(heights) / xr + 0.75),
        gridspec_kw={"height_ratios": heights},
    )  # fmt: skip
    fig.patch.set_facecolor("white")
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.92, hspace=0.35)
    C = GATE_COLORS
    dx, w, h = 1.5, 0.8, 0.6
    xl = (steps - 1) * dx
    titles = [
        r"RNN: multiplied by $W_{hh}$ and $\tanh'$ at every step",
        r"LSTM: the cell state path is multiplied by $f_t$ only",
    ]
    for row, ax in enumerate(axes):
        ax.set_axis_off()
        ax.set_aspect("equal")
        p = Painter(ax)
        lstm = row == 1
        factor = lstm_factor if lstm else rnn_factor
        ax.set_title(titles[row], fontsize=11.5, color=INK, loc="left")
        for t in range(steps):
            x = t * dx
            p.box(x, 0, f"$h_{{{t + 1}}}$", C["h"], w=w, h=h, fontsize=11)
            if t < steps - 1 and not lstm:
                p.line([(x + w / 2, 0), (x + dx - w / 2, 0)], color="#b0b0b0", lw=1.2)
            if t < steps - 1 and lstm:
                p.line([(x + w / 2, 0), (x + dx - w / 2, 0)], color="#b0b0b0", lw=1.2)
        if lstm:
            # the belt above the cells, carrying c_t
            p.line([(-0.6, 0.75), (xl + 0.6, 0.75)], color=C["c"], lw=4, arrow=False, zorder=1)
            for t in range(steps):
                p.line([(t * dx, h / 2), (t * dx, 0.75)], color=C["c"], lw=1, arrow=False)
                p.text(t * dx + 0.12, 0.98, f"$c_{{{t + 1}}}$", fontsize=10, color=C["c"])
        # the loss at the end
        p.box(xl + 1.45, 0, r"$\mathcal{L}$", "#555555", w=0.7, h=h, fontsize=13)
        src_y = 0.75 if lstm else 0
        p.line([(xl + 1.1, 0 if not lstm else 0.2), (xl + w / 2 + 0.05, src_y)],
               color=GRAD_COLOR, lw=4.5)  # fmt: skip
        # gradients flowing back, step by step, below the chain (above for the belt)
        ygrad = 1.35 if lstm else -0.75
        for k in range(steps - 1):
            x1, x0 = (steps - 1 - k) * dx, (steps - 2 - k) * dx
            lw = max(4.5 * factor ** (k + 1), 0.25)
            p.line([(x1 - 0.15, ygrad), (x0 + 0.15, ygrad)], color=GRAD_COLOR, lw=lw)
            mid = (x0 + x1) / 2
            if lstm:
                p.text(mid, ygrad + 0.28, rf"$\times f_{{{steps - k}}}$", fontsize=10,
                       color=C["f"])  # fmt: skip
            else:
                p.text(mid, ygrad - 0.33, f"{factor ** (k + 1):.2f}", fontsize=9,
                       color="#666666")  # fmt: skip
        label = (
            r"$\partial\mathcal{L}/\partial c_t$" if lstm else r"$\partial\mathcal{L}/\partial h_t$"
        )
        p.text(-0.65, ygrad, label, ha="right", fontsize=11, color=GRAD_COLOR)
        if not lstm:
            p.text(xl + 0.5, ygrad - 0.33, "relative size", ha="left", fontsize=9, color="#666666")
        ax.set_xlim(-2.3, xl + 2.0)
        ax.set_ylim(*ylims[row])
    return fig
