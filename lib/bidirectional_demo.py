"""Figures for the chapter on bidirectional RNNs: the two-direction diagram and reading views.

fig = draw_bidirectional(steps=4)                  # x -> forward row, backward row -> outputs
fig, ax = plt.subplots(); draw_reading(ax, ["He", "needs", ...], t=0)
fig = position_view(tokens, t, marks, target, {"unidirectional": p_uni, "bidirectional": p_bi},
                    classes=["A", "B", "C", "D"])

The figures only draw: every number they show is computed by the caller with ``lib``.
"""

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from . import backend
from .style import GATE_COLORS

# The forward direction is the hidden state we already know (teal); the backward one gets
# a colour no gate uses. A bidirectional model is drawn in both (teal with olive hatching).
DIRECTION_COLORS = {"forward": GATE_COLORS["h"], "backward": "#bcbd22"}
FORWARD = r"$\overset{\rightarrow}{h}$"
BACKWARD = r"$\overset{\leftarrow}{h}$"


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


def draw_bidirectional(steps=4, ax=None):
    """The unrolled bidirectional layer: inputs, forward row, backward row, outputs.

    steps: how many time steps to draw (2..8). ax: draw into it, or a new figure.
    Returns the Figure.
    """
    if not isinstance(steps, int) or not 2 <= steps <= 8:
        raise ValueError(f"steps must be an integer from 2 to 8, got {steps!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(1.55 * steps + 2.6, 4.6))
    fwd_color, bwd_color = DIRECTION_COLORS["forward"], DIRECTION_COLORS["backward"]
    grey = GATE_COLORS["x"]
    gap, rows = 1.7, {"x": 0.0, "fwd": 1.4, "bwd": 2.8, "out": 4.2}
    half_w, half_h = 0.36, 0.25
    for k in range(steps):
        t = k + 1
        name = str(t) if k < steps - 1 else "T"
        col = k * gap
        _box(ax, col, rows["x"], f"$x_{{{name}}}$", grey, fill=0.15)
        _box(ax, col, rows["fwd"], FORWARD[:-1] + f"_{{{name}}}$", fwd_color)
        _box(ax, col, rows["bwd"], BACKWARD[:-1] + f"_{{{name}}}$", bwd_color)
        label = r"$[" + FORWARD[1:-1] + f"_{{{name}}};" + BACKWARD[1:-1] + f"_{{{name}}}]$"
        _box(ax, col, rows["out"], label, grey, width=1.2, fill=0.08, fontsize=11)
        # x_t feeds both directions; the backward row's input passes right of the forward box
        _arrow(ax, (col, rows["x"] + half_h), (col, rows["fwd"] - half_h), grey)
        side = col + half_w + 0.14
        ax.plot(
            [col + half_w, side, side],
            [rows["x"], rows["x"], rows["bwd"] - 0.45],
            color=grey,
            lw=1.2,
            zorder=1,
        )
        _arrow(
            ax,
            (side, rows["bwd"] - 0.45),
            (col + 0.15, rows["bwd"] - half_h),
            grey,
            lw=1.2,
            zorder=1,
        )
        # both directions feed the output; the forward one passes left of the backward box
        _arrow(ax, (col, rows["bwd"] + half_h), (col + 0.15, rows["out"] - half_h), bwd_color)
        other = col - half_w - 0.14
        ax.plot(
            [col, col, other, other],
            [rows["fwd"] + half_h, rows["fwd"] + 0.45, rows["fwd"] + 0.6, rows["out"] - 0.5],
            color=fwd_color,
            lw=1.5,
            zorder=1,
        )
        _arrow(
            ax, (other, rows["out"] - 0.5), (col - 0.15, rows["out"] - half_h), fwd_color, zorder=1
        )
        if k < steps - 1:  # recurrent links: forward to the right, backward to the left
            _arrow(
                ax,
                (col + half_w, rows["fwd"]),
                (col + gap - half_w, rows["fwd"]),
                fwd_color,
                lw=2.2,
                zorder=2.5,
            )
            _arrow(
                ax,
                (col + gap - half_w, rows["bwd"]),
                (col + half_w, rows["bwd"]),
                bwd_color,
                lw=2.2,
                zorder=2.5,
            )
    end = (steps - 1) * gap
    ax.text(-0.95, rows["fwd"], "0", ha="center", va="center", fontsize=11)
    _arrow(ax, (-0.8, rows["fwd"]), (-half_w, rows["fwd"]), fwd_color, lw=2.2)
    ax.text(end + 0.95, rows["bwd"], "0", ha="center", va="center", fontsize=11)
    _arrow(ax, (end + 0.8, rows["bwd"]), (end + half_w, rows["bwd"]), bwd_color, lw=2.2)
    ax.text(
        end + 1.2,
        rows["fwd"],
        "forward:\nreads $x_1 \\to x_T$",
        color=fwd_color,
        va="center",
        fontsize=10,
    )
    ax.text(
        -1.2,
        rows["bwd"],
        "backward:\nreads $x_T \\to x_1$",
        color=bwd_color,
        va="center",
        ha="right",
        fontsize=10,
    )
    ax.text(end + 0.75, rows["out"], "out[t]", va="center", fontsize=10, color=grey)
    ax.set_xlim(-2.6, end + 2.5)
    ax.set_ylim(-0.5, 4.65)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax.figure


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
    width = max(0.9, 0.2 * max(len(str(tok)) for tok in tokens) + 0.3)
    for k, token in enumerate(tokens):
        here = k == t
        _box(
            ax,
            k * width,
            0,
            str(token),
            "#222222" if here else GATE_COLORS["x"],
            width=0.9 * width,
            height=0.55,
            fill=0.12 if here else 0.05,
            fontsize=10,
            lw=2.4 if here else 1.0,
        )
        if marks is not None:
            ax.text(k * width, -0.5, marks[k], ha="center", va="top", fontsize=9)
    left, right, here = -0.45 * width, (count - 0.55) * width, t * width
    _arrow(ax, (left, 0.55), (here + 0.45 * width, 0.55), fwd_color, lw=5, style="-|>")
    ax.text(
        left, 0.78, f"forward has read {t + 1} of {count}", color=fwd_color, fontsize=9, va="bottom"
    )
    bottom = -1.15 if marks is not None else -0.55
    _arrow(ax, (right, bottom), (here - 0.45 * width, bottom), bwd_color, lw=5, style="-|>")
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
    bottom.set_ylim(0, 1.18)
    bottom.set_ylabel("probability")
    bottom.set_title(
        f"predicted label at position {t + 1} (right answer shaded: {classes[target]})", fontsize=10
    )
    bottom.legend(fontsize=8, loc="upper left", ncol=len(names), frameon=False)
    bottom.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig
