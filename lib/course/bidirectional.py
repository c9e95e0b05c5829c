"""Chapter 6, bidirectional RNNs: how the two directions are merged, and its figures.

merged = merge_directions(out, "sum")          # out: (..., 2H) -> (..., H), as Keras's merge_mode
model = MergedClassifier(lib.LSTM(5, 16, batch_first=True, bidirectional=True), 4, "sum")
fig, ax = plt.subplots(); draw_reading(ax, ["He", "needs", ...], t=0)
fig = position_view(tokens, t, marks, target, {"unidirectional": p_uni, "bidirectional": p_bi},
                    classes=["A", "B", "C", "D"])

lib's models, like PyTorch's, always concatenate the two directions; the other merge
modes live here, for the chapter's comparison. (The diagram of the layer itself is
``lib.course.diagrams.bidirectional``.) The figures only draw: every number they show is
computed by the caller with ``lib``.
"""

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from lib import backend, checks
from lib.linear import Linear
from lib.models import SequenceClassifier

from .diagrams.drawing import BACKWARD_COLOR
from .style import GATE_COLORS

# The forward direction is the hidden state we already know (teal); the backward one has
# the colour lib.course.diagrams gives it. A bidirectional model is drawn in both (teal, olive
# hatching).
DIRECTION_COLORS = {"forward": GATE_COLORS["h"], "backward": BACKWARD_COLOR}

# Keras's names (``keras.layers.Bidirectional(merge_mode=...)``); PyTorch and lib concatenate.
MERGE_MODES = ("concat", "sum", "ave", "mul")


def _halves(name, out):
    """The forward and backward halves of a bidirectional output out: (..., 2H)."""
    if out.ndim == 0 or out.shape[-1] % 2:
        raise ValueError(
            f"{name} should have an even last dimension (..., 2 * hidden_size): the forward "
            f"half, then the backward half; got shape {tuple(out.shape)}"
        )
    size = out.shape[-1] // 2
    return out[..., :size], out[..., size:]


def _merge_mode(mode):
    if mode not in MERGE_MODES:
        raise ValueError(f"mode must be one of {MERGE_MODES}, got {mode!r}")
    return mode


def merge_directions(out, mode="concat"):
    """One vector per step from the two directions, as Keras's ``merge_mode`` combines them.

    out: (..., 2H), the forward state then the backward state (lib's and PyTorch's layout).
    concat: [h_fwd; h_bwd], out itself, (..., 2H); sum: h_fwd + h_bwd; ave:
    (h_fwd + h_bwd) / 2; mul: h_fwd * h_bwd (element-wise); the last three (..., H).
    """
    _merge_mode(mode)
    out = backend.asarray(out)
    dtype = "float64" if out.dtype == "float64" else "float32"
    out = checks.array("out", out, dtype, layout="(..., 2 * hidden_size)")
    forward, backward = _halves("out", out)
    if mode == "concat":
        return out
    if mode == "sum":
        return forward + backward
    if mode == "ave":
        return (forward + backward) / 2
    return forward * backward


def merge_directions_grad(dmerged, out, mode="concat"):
    """The gradient for ``out`` given the one for ``merge_directions(out, mode)``.

    sum: [d; d]; ave: [d / 2; d / 2]; mul: [d * h_bwd; d * h_fwd]; concat: d itself.
    dmerged: shaped like the merged output; out: (..., 2H) -> (..., 2H).
    """
    _merge_mode(mode)
    if mode == "concat":
        return dmerged
    forward, backward = _halves("out", out)
    if dmerged.shape != forward.shape:
        raise ValueError(
            f"dmerged should have the merged shape {tuple(forward.shape)}, "
            f"got {tuple(dmerged.shape)}"
        )
    xp = backend.xp()
    if mode == "sum":
        return xp.concatenate([dmerged, dmerged], axis=-1)
    if mode == "ave":
        return xp.concatenate([dmerged / 2, dmerged / 2], axis=-1)
    return xp.concatenate([dmerged * backward, dmerged * forward], axis=-1)


class MergedClassifier(SequenceClassifier):
    """A ``lib.SequenceClassifier`` whose bidirectional features are merged before the readout.

    merge: one of MERGE_MODES; "concat" is SequenceClassifier itself (the readout reads 2H
    features), the others give the readout H features. rnn: a bidirectional lib RNN, LSTM
    or GRU with batch_first=True; readout: "last" or "all", as for SequenceClassifier.
    """

    def __init__(self, rnn, num_classes, merge="concat", readout="all", seed=None):
        if not getattr(rnn, "bidirectional", False):
            raise ValueError("merging directions needs a model built with bidirectional=True")
        super().__init__(rnn, num_classes, readout=readout, seed=seed)
        self.merge = _merge_mode(merge)
        if merge != "concat":
            self.head = Linear(rnn.hidden_size, num_classes, dtype=rnn.dtype, seed=seed)
        self._both = None

    def _features(self, out):
        self._both = super()._features(out)  # (..., 2H): the forward half, then the backward half
        return merge_directions(self._both, self.merge)

    def _features_grad(self, dfeatures):
        return super()._features_grad(merge_directions_grad(dfeatures, self._both, self.merge))


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
            ax.text(centres[k], -0.5, marks[k], ha="center", va="top", fontsize=10)
    left, right = 0.06, sum(widths) - 0.06
    start, end = centres[t] - widths[t] / 2 + 0.06, centres[t] + widths[t] / 2 - 0.06
    _arrow(ax, (left, 0.55), (end, 0.55), fwd_color, lw=5, style="-|>")
    ax.text(
        left,
        0.78,
        f"forward has read {t + 1} of {count}",
        color=fwd_color,
        fontsize=10,
        va="bottom",
    )
    bottom = -1.15 if marks is not None else -0.55
    _arrow(ax, (right, bottom), (start, bottom), bwd_color, lw=5, style="-|>")
    ax.text(
        right,
        bottom - 0.22,
        f"backward has read {count - t} of {count}",
        color=bwd_color,
        fontsize=10,
        va="top",
        ha="right",
    )
    if title:
        ax.set_title(title, fontsize=11)
    ax.set_xlim(left - 0.1, right + 0.1)
    ax.set_ylim(bottom - 0.7, 1.2)
    ax.axis("off")
    return ax


def position_view(tokens, t, marks, target, probabilities, classes, figsize=(6.4, 3.8), dpi=80):
    """The widget's view at position ``t``: the reading picture and each model's prediction.

    probabilities: {model name: (len(classes),) probabilities at position t};
    target: the index of the right class. Each model's most probable class is labelled
    with its probability, so a confident answer (0.97) and a near-uniform one (0.30) read
    differently. Returns the Figure.
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
        top_pick = max(range(len(p)), key=p.__getitem__)
        bottom.text(
            positions[top_pick], p[top_pick] + 0.03, f"{p[top_pick]:.2f}", ha="center", fontsize=10
        )
    bottom.axvspan(target - 0.45, target + 0.45, color="#2ca02c", alpha=0.12, zorder=0)
    bottom.set_xticks(range(len(classes)), [str(c) for c in classes])
    bottom.set_ylim(0, 1.2)
    bottom.set_ylabel("probability")
    bottom.set_yticks([0, 0.5, 1])
    bottom.set_title(
        f"predicted label at position {t + 1} (right answer shaded: {classes[target]})", fontsize=11
    )
    # below the class names, where it cannot cover a bar or the shaded answer
    bottom.legend(
        fontsize=10, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=len(names), frameon=False
    )
    bottom.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig
