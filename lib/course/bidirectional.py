"""Figures for the chapter on bidirectional RNNs: what each direction has read at step t.

(The diagram of the layer itself is ``lib.course.diagrams.bidirectional``.)

fig, ax = plt.subplots(); draw_reading(ax, ["He", "needs", ...], t=0)
fig = position_view(tokens, t, marks, target, {"unidirectional": p_uni, "bidirectional": p_bi},
                    classes=["A", "B", "C", "D"])

The figures only draw: every number they show is computed by the caller with ``lib``.
"""

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from lib import backend

from .diagrams.drawing import BACKWARD_COLOR
from .style import GATE_COLORS

# The forward direction is the hidden state we already know (teal); the backward one has
# the colour lib.course.diagrams gives it. A bidirectional model is drawn in both (teal, olive
# hatching).
DIRECTION_COLORS = {"forward": GATE_COLORS["h"], "backward": BACKWARD_COLOR}


def _box(ax, x, y, text, color, width=0.72, height=0.5, fill=0.25, fontsize=12, lw=1.6):
    """A rounded box centred at (x, y) with ``text`` inside."""
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle="round,pad=0.02,rounding_size=0.08",
            facecolor=_tint(color, fill),
            edgecolor=color,
            linewidth=lw,
            zorder=3,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=4)


def _arrow(ax, start, end, color, lw=1.5, style="-|>", zorder=2, **kwargs):
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle=style,
            mutation_scale=12,
            color=color,
            linewidth=lw,
            zorder=zorder,
            shrinkA=0,
            shrinkB=0,
            **kwargs,
        )
    )


def _tint(color, amount):
    """``color`` mixed with white: amount 1 is the colour itself, 0 is white."""
    red, green, blue = (int(color[k : k + 2], 16) / 255 for k in (1, 3, 5))
    return tuple(1 - amount * (1 - c) for c in (red, green, blue))


def draw_reading(ax, tokens, t, marks=None, title=None):
    """What each direction has read when it reaches position ``t`` (0-based) of ``tokens``.

    The forward direction has read tokens[0..t] (a teal arrow pointing right above them),
    the backward direction tokens[t..end] (an olive arrow pointing left below them).
    marks: optional list of short strings, one per token, written under each token.
    """
    count = len(tokens)
    if count == 0:
        raise ValueError("tokens is empty")
    if not 0 <= t < count:
        raise ValueError(f"t must be a position in 0..{count - 1}, got {t}")
    if marks is not None and len(marks) != count:
        raise ValueError(f"marks needs one entry per token ({count}), got {len(marks)}")
    fwd_color, bwd_color = DIRECTION_COLORS["forward"], DIRECTION_COLORS["backward"]
    # each box as wide as its token needs (at least one letter's worth), with a small gap
    widths = [0.75 + 0.17 * len(str(token)) for token in tokens]
    centres = [sum(widths[:k]) + widths[k] / 2 for k in range(count)]
    for k, token in enumerate(tokens):
        here = k == t
        _box(
            ax,
            centres[k],
            0,
            str(token),
            "#222222" if here else GATE_COLORS["x"],
            width=widths[k] - 0.12,
            height=0.55,
            fill=0.12 if here else 0.05,
            fontsize=10,
            lw=2.4 if here else 1.0,
        )
        if marks is not None:
            ax.text(centres[k], -0.5, marks[k], ha="center", va="top", fontsize=9)
    left, right = 0.06, sum(widths) - 0.06
    start, end = centres[t] - widths[t] / 2 + 0.06, centres[t] + widths[t] / 2 - 0.06
    _arrow(ax, (left, 0.55), (end, 0.55), fwd_color, lw=5, style="-|>")
    ax.text(
        left, 0.78, f"forward has read {t + 1} of {count}", color=fwd_color, fontsize=9, va="bottom"
    )
    bottom = -1.15 if marks is not None else -0.55
    _arrow(ax, (right, bottom), (start, bottom), bwd_color, lw=5, style="-|>")
    ax.text(
        right,
        bottom - 0.22,
        f"backward has read {count - t} of {count}",
        color=bwd_color,
        fontsize=9,
        va="top",
        ha="right",
    )
    if title:
        ax.set_title(title, fontsize=10)
    ax.set_xlim(left - 0.1, right + 0.1)
    ax.set_ylim(bottom - 0.7, 1.2)
    ax.axis("off")
    return ax


def position_view(tokens, t, marks, target, probabilities, classes, figsize=(6.4, 3.6), dpi=80):
    """The widget's view at position ``t``: the reading picture and each model's prediction.

    probabilities: {model name: (len(classes),) probabilities at position t};
    target: the index of the right class. Returns the Figure.
    """
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=figsize, dpi=dpi, gridspec_kw={"height_ratios": [1.25, 1]}
    )
    draw_reading(top, tokens, t, marks)
    names = list(probabilities)
    bar_height = 0.8 / len(names)
    for row, name in enumerate(names):
        p = backend.to_numpy(probabilities[name]).tolist()
        if len(p) != len(classes):
            raise ValueError(f"{name}: expected {len(classes)} probabilities, got {len(p)}")
        hatch = "///" if name.startswith("bi") else None
        positions = [k + (row - (len(names) - 1) / 2) * bar_height for k in range(len(p))]
        bottom.bar(
            positions,
            p,
            width=bar_height,
            color=DIRECTION_COLORS["forward"],
            hatch=hatch,
            edgecolor=DIRECTION_COLORS["backward"] if hatch else "white",
            label=name,
        )
        guess = max(range(len(p)), key=p.__getitem__)
        bottom.text(positions[guess], p[guess] + 0.03, "guess", ha="center", fontsize=8)
    bottom.axvspan(target - 0.45, target + 0.45, color="#2ca02c", alpha=0.12, zorder=0)
    bottom.set_xticks(range(len(classes)), [str(c) for c in classes])
    bottom.set_ylim(0, 1.5)
    bottom.set_ylabel("probability")
    bottom.set_yticks([0, 0.5, 1])
    bottom.set_title(
        f"predicted label at position {t + 1} (right answer shaded: {classes[target]})", fontsize=10
    )
    bottom.legend(fontsize=8, loc="upper right", ncol=len(names), frameon=False)
    bottom.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig
