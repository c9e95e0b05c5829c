"""Small animations for the book, as self-contained HTML (``FuncAnimation.to_jshtml``).

Each function draws a handful of frames with matplotlib and returns an HTML string with
the frames inlined as base64 PNGs and a small JavaScript player (play, pause, step, a
slider). Nothing is fetched from the web: the player's Font Awesome stylesheet link is
removed and its icons are replaced by plain characters, so the animations play in the
static, offline book.

    from IPython.display import HTML
    from lib.course import animations
    HTML(animations.unrolled_rnn_animation(hidden_states, inputs=x))
    HTML(animations.memory_span_animation(lags, {"RNN": [...], "LSTM": [...]}, chance=0.25))
"""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.patches import Rectangle

from .diagrams.drawing import Painter, heat_strip
from .style import GATE_COLORS, MODEL_COLORS

__all__ = ["unrolled_rnn_animation", "memory_span_animation"]

FIG_WIDTH = 6.5  # inches
DPI = 80
INK = "#333333"
MUTED = "#777777"

# the player's Font Awesome icons, as characters that need no web font
_ICONS = {
    "fa-minus": "\u2212",
    "fa-fast-backward": "\u21e4",
    "fa-step-backward": "\u2039",
    "fa-play fa-flip-horizontal": "\u25c0",
    "fa-pause": "\u275a\u275a",
    "fa-play": "\u25b6",
    "fa-step-forward": "\u203a",
    "fa-fast-forward": "\u21e5",
    "fa-plus": "+",
}


# ----------------------------------------------------------------------------- helpers


def _offline(html):
    """``html`` from ``to_jshtml`` without its link to a web font (icons become characters)."""
    html = re.sub(r'<link rel="stylesheet"\s+href="https?://[^"]*">', "", html)
    for icon, char in _ICONS.items():
        html = html.replace(f'<i class="fa {icon}"></i>', char)
    return html


def _to_html(fig, update, frames, interval, dpi):
    """Animate ``update(frame)`` over ``frames`` frames; return the HTML and close ``fig``."""
    anim = FuncAnimation(fig, update, frames=frames, interval=interval, repeat=True)
    try:
        with plt.rc_context({"savefig.dpi": dpi, "animation.embed_limit": 20.0}):
            html = anim.to_jshtml(default_mode="once")
    finally:
        plt.close(fig)
    return _offline(html)


def _hidden_matrix(hidden_states):
    """Hidden states as a (steps, hidden) float array; (steps, 1, hidden) is accepted."""
    h = np.asarray(hidden_states, dtype=float)
    if h.ndim == 3 and h.shape[1] == 1:
        h = h[:, 0]
    if h.ndim == 1:
        h = h[:, None]
    if h.ndim != 2 or h.shape[0] == 0:
        raise ValueError(
            f"hidden_states must have shape (steps, hidden) or (steps, 1, hidden), "
            f"got {np.shape(hidden_states)}"
        )
    return h


def _input_labels(steps, inputs, words):
    """One short text per step for under the cells, or input vectors to draw as strips."""
    if words is not None:
        if len(words) != steps:
            raise ValueError(f"words has {len(words)} items but hidden_states has {steps} steps")
        return [f'"{w}"' for w in words], None
    if inputs is None:
        return None, None
    x = np.asarray(inputs, dtype=float)
    if x.ndim == 3 and x.shape[1] == 1:
        x = x[:, 0]
    if x.shape[0] != steps:
        raise ValueError(f"inputs has {x.shape[0]} steps but hidden_states has {steps}")
    x = x.reshape(steps, -1)
    if x.shape[1] == 1:
        return [f"{v:g}" for v in x[:, 0]], None
    return None, x


# ------------------------------------------------------------------- 1. unrolled RNN

CHAIN_DX = 1.5  # data units between two cells
CHAIN_YLIM = (-2.45, 1.75)


def CHAIN_XLIM(steps):  # noqa: N802 (a limit, like CHAIN_YLIM)
    return (-1.4, (steps - 1) * CHAIN_DX + 0.75)


def _draw_chain(ax, h, t, labels, vectors):
    """The chain after reading ``t`` steps: cells 1..t solid, step t bold, the rest faded."""
    ax.clear()
    ax.set_axis_off()
    ax.set_aspect("equal")
    p = Painter(ax, highlight="now", groups={"now": ["now"]})
    hc, xc = GATE_COLORS["h"], GATE_COLORS["x"]
    steps, dx, top = h.shape[0], CHAIN_DX, 1.0

    def state(k):  # k = 1..steps
        return None if k < t else ("now" if k == t else "later")

    p.text(-1.05, 0, "$h_0$", fontsize=12)
    p.line([(-0.8, 0), (-0.45, 0)], color=hc, lw=1.8, parts="now" if t == 1 else None)
    for k in range(1, steps + 1):
        x, part = (k - 1) * dx, state(k)
        p.box(x, 0, "$A$", hc, w=0.9, h=0.8, fontsize=14, parts=part)
        p.line([(x, -0.95), (x, -0.4)], color=xc, parts=part)
        p.text(x, -1.15, f"$x_{{{k}}}$", fontsize=11, parts=part)
        if labels is not None:
            p.text(x, -1.6, labels[k - 1], fontsize=10, color=MUTED, parts=part)
        elif vectors is not None:
            heat_strip(ax, x, -1.75, vectors[k - 1], width=1.1, height=0.2)
        p.line([(x, 0.4), (x, top - 0.15)], color=hc, parts=part)
        p.text(x, top + 0.05, f"$h_{{{k}}}$", fontsize=11, parts=part)
        if k < steps:  # the arrow h_k -> cell k+1 lights up when step k+1 is read
            p.line([(x + 0.45, 0), (x + dx - 0.45, 0)], color=hc, lw=2.0, parts=state(k + 1))
        if k <= t:
            heat_strip(ax, x, top + 0.3, h[k - 1], width=1.3, height=0.32)
        if k == t:  # a frame around the state just written
            ax.add_patch(Rectangle((x - 0.68, top + 0.25), 1.36, 0.42, fc="none", ec=hc, lw=2))
    _heat_legend(ax, (steps - 1) * dx + 0.6, -2.2)
    ax.set_xlim(*CHAIN_XLIM(steps))
    ax.set_ylim(*CHAIN_YLIM)


def _heat_legend(ax, right, y):
    """A small key under the chain: blue -1, white 0, red +1."""
    heat_strip(ax, right - 0.5, y, np.linspace(-1, 1, 5), width=0.8, height=0.16)
    ax.text(right - 0.98, y + 0.08, "values in $h$: \u22121", ha="right", va="center",
            fontsize=8, color=MUTED)  # fmt: skip
    ax.text(right - 0.02, y + 0.08, "+1", ha="left", va="center", fontsize=8, color=MUTED)


def _chain_title(t, h):
    if t == 0:
        return "before reading: the memory $h_0$ is all zeros"
    size = np.abs(h[t - 1]).max()
    return f"step {t}: the cell reads $x_{{{t}}}$ and $h_{{{t - 1}}}$, writes $h_{{{t}}}$" + (
        f"   (largest $|h_{{{t}}}|$ = {size:.2f})"
    )


def unrolled_rnn_animation(hidden_states, inputs=None, words=None, interval=700, dpi=DPI):
    """An unrolled RNN reading its sequence one step per frame, as self-contained HTML.

    hidden_states: (steps, hidden) hidden states $h_1..h_T$ in [-1, 1] (a batch of one,
    (steps, 1, hidden), is accepted). Frame 0 shows the empty chain ($h_0 = 0$); frame t
    draws cells 1..t (cell t bold, later cells faded), lights the arrow $h_{t-1} \\to h_t$
    and shows each $h_k$ read so far as a heat strip (blue -1, white 0, red +1).

    inputs: optional (steps,) or (steps, input_size) inputs, written (scalars) or drawn
    as strips (vectors) under the cells; words: optional list of steps labels (wins over
    inputs). Returns the HTML of ``FuncAnimation.to_jshtml`` (steps + 1 frames).
    """
    h = _hidden_matrix(hidden_states)
    labels, vectors = _input_labels(h.shape[0], inputs, words)
    (x0, x1), (y0, y1) = CHAIN_XLIM(h.shape[0]), CHAIN_YLIM
    height = FIG_WIDTH * 0.98 * (y1 - y0) / (x1 - x0) + 0.35  # the data, and a title line
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, height), dpi=dpi)
    fig.patch.set_facecolor("white")
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=1 - 0.35 / height)

    def update(t):
        _draw_chain(ax, h, t, labels, vectors)
        ax.set_title(_chain_title(t, h), fontsize=11, color=INK)

    return _to_html(fig, update, h.shape[0] + 1, interval, dpi)


# ---------------------------------------------------------------- 2. memory span


_SPAN_STYLE = {"RNN": ("-", "o", 2.2), "LSTM": ("-", "o", 5.0), "GRU": ("--", "s", 1.8)}


def _span_data(lags, accuracies):
    """Lags and per-model mean accuracies as arrays, checked to have matching lengths."""
    lags = np.asarray(lags, dtype=float).reshape(-1)
    if lags.size == 0:
        raise ValueError("lags is empty")
    if not accuracies:
        raise ValueError("accuracies is empty: expected e.g. {'RNN': [...], 'LSTM': [...]}")
    curves = {}
    for name, acc in accuracies.items():
        acc = np.asarray(acc, dtype=float)
        if acc.ndim == 2:  # (lags, seeds): the mean over seeds
            acc = acc.mean(axis=1)
        if acc.shape != lags.shape:
            raise ValueError(
                f"accuracies[{name!r}] has {acc.shape[0] if acc.ndim else 0} values "
                f"but there are {lags.size} lags"
            )
        curves[name] = acc
    return lags, curves


def _span_axes(ax, lags, chance):
    """The fixed frame: axes, ticks at the lags, the dotted chance line."""
    ax.clear()
    if lags.min() > 0 and lags.max() / lags.min() >= 8:
        ax.set_xscale("log", base=2)
        ax.set_xlim(lags.min() / 1.3, lags.max() * 1.3)
    else:
        pad = 0.08 * (lags.max() - lags.min() or 1)
        ax.set_xlim(lags.min() - pad, lags.max() + pad)
    ax.set_xticks(lags, [f"{lag:g}" for lag in lags])
    ax.minorticks_off()
    ax.set_ylim(0, 1.05)
    ax.axhline(chance, color="#999999", ls=":", lw=1.5)
    ax.text(ax.get_xlim()[0], chance + 0.03, " chance", fontsize=8, color=MUTED)
    ax.set_xlabel("lag: steps between the symbol and the question", fontsize=9)
    ax.set_ylabel("test accuracy", fontsize=9)
    ax.tick_params(labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)


def _span_frame(ax, lags, curves, chance, k):
    """Frame ``k``: every curve up to lag number k, the newest points large and labelled."""
    _span_axes(ax, lags, chance)
    if ax.get_xscale() == "log":
        band = (lags[k] / 1.08, lags[k] * 1.08)
    else:
        half = 0.02 * np.ptp(ax.get_xlim())
        band = (lags[k] - half, lags[k] + half)
    ax.axvspan(*band, color="#eeeeee", zorder=0)
    for rank, (name, acc) in enumerate(curves.items()):
        ls, marker, lw = _SPAN_STYLE.get(name, ("-", "o", 2.0))
        color = MODEL_COLORS.get(name, INK)
        ax.plot(lags[: k + 1], acc[: k + 1], ls=ls, marker=marker, lw=lw, color=color,
                alpha=0.9, label=name, ms=5)  # fmt: skip
        size = max(12 - 2.5 * rank, 5)  # nested sizes: equal values stay visible
        ax.plot(lags[k], acc[k], marker=marker, ms=size, color=color, mec="white", zorder=5)
    ax.legend(frameon=False, fontsize=8.5, loc="center left")
    now = "   ".join(f"{name} {acc[k]:.2f}" for name, acc in curves.items())
    ax.set_title(f"lag {lags[k]:g}:   {now}", fontsize=10, color=INK)


def memory_span_animation(lags, accuracies, chance, interval=700, dpi=DPI):
    """The memory-span experiment revealed one lag per frame, as self-contained HTML.

    lags: the lags, increasing; accuracies: {"RNN": [...], "LSTM": [...], "GRU": [...]},
    one accuracy per lag (a (lags, seeds) array is averaged over seeds); chance: the
    accuracy of guessing, drawn as a dotted line. Frame k draws the curves up to
    ``lags[k]``, so they grow left to right and the plain RNN's fall towards chance
    appears as the lag grows. Colours from ``lib.course.style.MODEL_COLORS``. Returns the HTML
    of ``FuncAnimation.to_jshtml`` (one frame per lag).
    """
    lags, curves = _span_data(lags, accuracies)
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 3.0), dpi=dpi)
    fig.patch.set_facecolor("white")
    fig.subplots_adjust(left=0.11, right=0.98, bottom=0.17, top=0.89)

    def update(k):
        _span_frame(ax, lags, curves, chance, k)

    return _to_html(fig, update, lags.size, interval, dpi)
