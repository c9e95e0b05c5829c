"""Cell diagrams drawn in code, shared by every chapter.

Every function returns a matplotlib Figure (white background, about 8 x 3.5 inches) and
uses the colours of ``lib.style.GATE_COLORS``. Functions that take ``ax`` draw into an
existing Axes (for side-by-side figures) and return its Figure.

    from lib import diagrams
    fig = diagrams.lstm_cell(highlight="f")      # the forget gate bold, the rest faded
    fig = diagrams.lstm_cell(values=lib.functional.lstm_step(...)._asdict())

The figures are made with pyplot, so in a notebook they show once at the end of the cell;
end the cell with ``;`` (or assign the figure) so that it is not shown twice.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import patheffects
from matplotlib.colors import to_rgba
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Rectangle
from matplotlib.path import Path

from .style import GATE_COLORS

INK = "#333333"  # lines that carry data
FADED = 0.16  # alpha of parts that are not highlighted
CELL_FILL = "#f7f7f7"
CELL_EDGE = "#9a9a9a"
BACKWARD_COLOR = "#bcbd22"  # the backward direction of a bidirectional layer
GRAD_COLOR = "#222222"  # gradient arrows
FIGSIZE = (8, 3.5)
CELL_SCALE = 0.55  # inches per data unit of the cell diagrams (same scale for all three)

__all__ = [
    "unrolled_rnn",
    "sequence_shapes",
    "rnn_cell",
    "lstm_cell",
    "gru_cell",
    "cell_row",
    "stacked_grid",
    "bidirectional",
    "gradient_paths",
    "format_vector",
]


# ----------------------------------------------------------------------------- helpers


def _figure(ax, figsize=FIGSIZE):
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        fig.patch.set_facecolor("white")
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.99)
        fig._diagram_owned = True
    else:
        fig = ax.figure
    ax.set_axis_off()
    ax.set_aspect("equal")
    return fig, ax


def _fit(fig, ax, width=FIGSIZE[0], scale=None, extra_height=0.0):
    """Size a figure made by ``_figure`` to its data: ``width`` inches, or ``scale`` in/unit."""
    if not getattr(fig, "_diagram_owned", False):
        return
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    if scale is not None:
        width = (x1 - x0) * scale / 0.98
    fig.set_size_inches(width, width * 0.98 * (y1 - y0) / (x1 - x0) / 0.98 + extra_height)


def format_vector(v, digits=2, max_items=4, column=False):
    """A short text for a vector: ``[0.12, -0.95]`` (batch 1 arrays are flattened).

    column=True puts one number a line (as a column vector); longer vectors end in "…".
    """
    v = np.asarray(v, dtype=float).reshape(-1)
    items = [f"{x:.{digits}f}" for x in v[:max_items]]
    if v.size > max_items:
        items[-1] = "…"
    if column:
        return "\n".join(f"{item:>5}" for item in items)
    return "[" + ", ".join(items) + "]"


class _Painter:
    """Draws boxes, circles, lines and labels; parts outside ``highlight`` are faded."""

    def __init__(self, ax, highlight=None, groups=None, fontscale=1.0):
        self.ax = ax
        self.fs = fontscale
        groups = groups or {}
        if highlight is not None and highlight not in groups:
            raise ValueError(
                f"highlight must be one of {sorted(groups)} or None, got {highlight!r}"
            )
        self.active = None if highlight is None else set(groups[highlight])

    def _on(self, parts):
        """Alpha and line-width factor for an element that belongs to ``parts``."""
        if self.active is None or parts is None:
            return 1.0, 1.0
        if isinstance(parts, str):
            parts = (parts,)
        return (1.0, 1.6) if self.active & set(parts) else (FADED, 1.0)

    def box(self, x, y, text, color, w=0.9, h=0.7, parts=None, fontsize=13, fill=0.22):
        alpha, bold = self._on(parts)
        self.ax.add_patch(
            FancyBboxPatch(
                (x - w / 2, y - h / 2),
                w,
                h,
                boxstyle="round,pad=0,rounding_size=0.12",
                fc=to_rgba(color, fill * alpha + (1 - alpha) * 0.03),
                ec=to_rgba(color, alpha),
                lw=1.8 * bold,
                zorder=4,
            )
        )
        self.ax.text(
            x, y, text, ha="center", va="center", fontsize=fontsize * self.fs, alpha=alpha,
            zorder=5, fontweight="bold" if bold > 1 else "normal",
        )  # fmt: skip

    def circle(self, x, y, text, color=INK, r=0.24, parts=None, fontsize=13, fill="white"):
        alpha, bold = self._on(parts)
        self.ax.add_patch(
            Circle((x, y), r, fc=fill, ec=to_rgba(color, alpha), lw=1.6 * bold, zorder=6)
        )
        self.ax.text(
            x, y, text, ha="center", va="center_baseline", fontsize=fontsize * self.fs,
            color=to_rgba(INK, alpha), zorder=7,
        )  # fmt: skip

    def line(self, pts, color=INK, lw=1.5, parts=None, arrow=True, zorder=2, halo=False):
        """A polyline through ``pts``; with an arrow head at its end unless arrow=False."""
        alpha, bold = self._on(parts)
        codes = [Path.MOVETO] + [Path.LINETO] * (len(pts) - 1)
        patch = FancyArrowPatch(
            path=Path(np.asarray(pts, dtype=float), codes),
            arrowstyle="-|>,head_length=0.45,head_width=0.22" if arrow else "-",
            mutation_scale=10 + 2 * bold,
            color=to_rgba(color, alpha),
            lw=lw * bold,
            joinstyle="round",
            capstyle="butt",
            zorder=zorder,
        )
        if halo:
            patch.set_path_effects(
                [patheffects.withStroke(linewidth=lw * bold + 5, foreground="white")]
            )
        self.ax.add_patch(patch)

    def text(self, x, y, s, parts=None, color=INK, fontsize=12, **kw):
        alpha, _ = self._on(parts)
        kw.setdefault("ha", "center")
        kw.setdefault("va", "center")
        color = to_rgba(color, alpha)
        return self.ax.text(x, y, s, color=color, fontsize=fontsize * self.fs, zorder=8, **kw)

    def value(self, x, y, v, color, parts=None, ha="left", va="center", column=False):
        """The numbers of a vector, in a small rounded tag in the gate's colour."""
        alpha, _ = self._on(parts)
        text = format_vector(v, max_items=3, column=True) if column else format_vector(v)
        return self.ax.text(
            x, y, text, color=to_rgba(color, max(alpha, 0.35)), fontsize=8.5 * self.fs,
            ha=ha, va=va, zorder=9, family="monospace",
            bbox=dict(boxstyle="round,pad=0.18", fc="white", ec=to_rgba(color, alpha / 2), lw=0.8),
        )  # fmt: skip


def _cell_limits(ax, vals, prev_key, right):
    ax.set_xlim(-1.9 if vals is None or prev_key not in vals else -2.6, right)
    ax.set_ylim(*_YLIM)


def _font_scale(ax, scale):
    """Font sizes shrink with the drawing when it is put in a smaller Axes than its own."""
    fig = ax.figure
    if getattr(fig, "_diagram_owned", False):
        return 1.0
    box = ax.get_position()
    w, h = fig.get_size_inches()
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    inches_per_unit = min(box.width * w / (x1 - x0), box.height * h / (y1 - y0))
    return float(np.clip(inches_per_unit / scale, 0.4, 1.0))


def _cell_body(ax, x0, x1, y0, y1):
    ax.add_patch(
        FancyBboxPatch(
            (x0, y0),
            x1 - x0,
            y1 - y0,
            boxstyle="round,pad=0,rounding_size=0.35",
            fc=CELL_FILL,
            ec=CELL_EDGE,
            lw=1.4,
            zorder=0,
        )
    )


def _values(values, keys):
    """The dict of values (a namedtuple is accepted), checking the keys a diagram needs."""
    if values is None:
        return None
    if hasattr(values, "_asdict"):
        values = values._asdict()
    missing = [k for k in keys if k not in values]
    if missing:
        raise KeyError(f"values is missing {missing}; expected the keys {keys}")
    return {k: np.asarray(v) for k, v in values.items()}


# ------------------------------------------------------------------- 1. unrolled RNN


def _heat_strip(ax, x, y, v, width=1.2, height=0.22, cmap="RdBu_r"):
    """One row of squares, one per hidden unit, coloured by value in [-1, 1]."""
    v = np.asarray(v, dtype=float).reshape(-1)
    n = v.size
    w = min(width / n, 0.35)
    left = x - n * w / 2
    colors = plt.get_cmap(cmap)((np.clip(v, -1, 1) + 1) / 2)
    for k in range(n):
        ax.add_patch(
            Rectangle((left + k * w, y), w, height, fc=colors[k], ec="white", lw=0.5, zorder=5)
        )
    ax.add_patch(Rectangle((left, y), n * w, height, fc="none", ec="#777777", lw=0.7, zorder=6))
    if n <= 3:
        for k in range(n):
            ax.text(
                left + (k + 0.5) * w, y + height / 2, f"{v[k]:.2f}", ha="center", va="center",
                fontsize=6.5, zorder=7,
            )  # fmt: skip


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
    fig, ax = _figure(ax)
    p = _Painter(ax)
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
            _heat_strip(ax, x, top + 0.22, values[t])
    xmid = x0 + (steps - 1) * dx / 2
    p.text(xmid, -1.75, "the same cell unrolled over time", fontsize=9.5, color="#555555")
    ymax = top + (0.65 if values is not None else 0.35)
    if title:
        p.text(xmid, ymax + 0.2, title, fontsize=12)
        ymax += 0.5
    right = x0 + (steps - 1) * dx + 0.8
    ax.set_xlim(-1.25, right)
    ax.set_ylim(-2.1, ymax)
    _fit(fig, ax)
    return fig


# ----------------------------------------------------------------- 2. sequence shapes


def sequence_shapes():
    """Four small panels: one-to-many, many-to-one, many-to-many (synced), encoder-decoder."""
    panels = [
        ("one to many", "e.g. generate music", 4, [0], [0, 1, 2, 3]),
        ("many to one", "e.g. sentiment of a review", 4, [0, 1, 2, 3], [3]),
        ("many to many (synced)", "e.g. tag every word", 4, [0, 1, 2, 3], [0, 1, 2, 3]),
        ("many to many (encoder-decoder)", "e.g. translate a sentence", 6, [0, 1, 2], [3, 4, 5]),
    ]
    fig, axes = plt.subplots(
        1, 4, figsize=(11, 2.6), gridspec_kw={"width_ratios": [4.3, 4.3, 4.3, 6.3]}
    )
    fig.patch.set_facecolor("white")
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.84, wspace=0.08)
    hc, xc = GATE_COLORS["h"], GATE_COLORS["x"]
    for ax, (name, example, steps, ins, outs) in zip(axes, panels):
        ax.set_axis_off()
        ax.set_aspect("equal")
        p = _Painter(ax)
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
        ax.set_title(f"{name}\n{example}", fontsize=10, color=INK)
        ax.set_xlim(-0.65, steps - 1 + 0.65)
        ax.set_ylim(-0.4, 2.8)
    axes[0].text(-0.5, 0, "in", fontsize=8, ha="right", va="center", color="#555555")
    axes[0].text(-0.5, 2.4, "out", fontsize=8, ha="right", va="center", color="#555555")
    axes[0].set_xlim(-1.0, 3.65)
    return fig


# ---------------------------------------------------------- 3-5. RNN, LSTM, GRU cells

# shared geometry of the three cells, so that they line up side by side
_BELT_Y = 4.3  # the LSTM's cell state / the GRU's state line
_GATE_Y = 2.0  # the centres of the gate boxes
_IN_Y = 0.8  # the line that carries [h_{t-1}, x_t] to the gates
_X_IN = 0.6  # where x_t joins from below
_YLIM = (-1.0, 5.65)

LSTM_PARTS = {
    "f": ("f",),
    "i": ("i",),
    "g": ("g",),
    "o": ("o",),
    "c": ("c",),
}


def lstm_cell(values=None, highlight=None, ax=None):
    """The LSTM cell: cell state belt on top, gates f, i, g, o fed by $[h_{t-1}, x_t]$.

    values: optional dict of arrays, like ``lib.functional.lstm_step(...)._asdict()`` with
    batch 1 (keys i, f, g, o, c, h; shapes (1, H) or (H,)); the numbers are printed next to
    each gate. Extra keys "c_prev", "h_prev" and "x" are printed at the inputs if present.
    highlight: one of "f", "i", "g", "o", "c" to draw that part bold and fade the others.
    """
    vals = _values(values, ["i", "f", "g", "o", "c", "h"])
    fig, ax = _figure(ax)
    _cell_limits(ax, vals, "c_prev", 13.4 if vals else 12.6)
    p = _Painter(ax, highlight, LSTM_PARTS, fontscale=_font_scale(ax, CELL_SCALE))
    C = GATE_COLORS
    by, gy, iy = _BELT_Y, _GATE_Y, _IN_Y
    xf, xi, xg, xo = 1.8, 3.6, 5.4, 7.3  # gate columns
    xig = (xi + xg) / 2  # the i * g product
    xt, xh = 9.0, 10.0  # tanh(c) and the h_t junction
    _cell_body(ax, 0, 10.9, -0.1, 5.0)

    # cell state belt: c_{t-1} -> x (forget) -> + (input) -> c_t
    belt = dict(color=C["c"], lw=5, zorder=3)
    p.line([(-0.55, by), (xf - 0.2, by)], parts=("c", "f"), arrow=False, **belt)
    p.line([(xf + 0.2, by), (xig - 0.2, by)], parts=("c", "f", "i", "g"), arrow=False, **belt)
    p.line([(xig + 0.2, by), (11.6, by)], parts=("c", "o", "i", "g"), **belt)
    p.text(-0.8, by, "$c_{t-1}$", ha="right")
    p.text(11.9, by, "$c_t$", ha="left")
    p.circle(xf, by, r"$\times$", C["f"], parts=("f", "c"))
    p.circle(xig, by, "$+$", C["i"], parts=("i", "g", "c"))

    # inputs: h_{t-1} from the left, x_t from below, concatenated
    p.text(-0.8, iy, "$h_{t-1}$", ha="right")
    p.line([(-0.55, iy), (xo, iy)], arrow=False, lw=1.8)
    p.line([(_X_IN, -0.55), (_X_IN, iy)], color=C["x"], arrow=False, lw=1.8)
    p.text(_X_IN, -0.55, "$x_t$", va="top")
    ax.add_patch(Circle((_X_IN, iy), 0.06, color=INK, zorder=3))

    # the four gates
    gates = [
        ("f", xf, r"$\sigma$"),
        ("i", xi, r"$\sigma$"),
        ("g", xg, r"$\tanh$"),
        ("o", xo, r"$\sigma$"),
    ]
    for name, x, fn in gates:
        p.line([(x, iy), (x, gy - 0.35)], parts=name, lw=1.5)
        p.box(x, gy, fn, C[name], parts=name, fontsize=12 if name == "g" else 14)
    # f_t up to the forget x
    p.line([(xf, gy + 0.35), (xf, by - 0.24)], color=C["f"], parts="f")
    p.text(xf - 0.15, 3.2, "$f_t$", parts="f", ha="right", color=C["f"])
    # i_t and g_t meet at their product, which goes up to the +
    p.line([(xi, gy + 0.35), (xi, 3.25), (xig - 0.24, 3.25)], color=C["i"], parts="i")
    p.line([(xg, gy + 0.35), (xg, 3.25), (xig + 0.24, 3.25)], color=C["g"], parts="g")
    p.circle(xig, 3.25, r"$\times$", C["i"], parts=("i", "g"))
    p.line([(xig, 3.49), (xig, by - 0.24)], parts=("i", "g"))
    p.text(xi - 0.15, 2.75, "$i_t$", parts="i", ha="right", color=C["i"])
    p.text(xg + 0.15, 2.75, "$g_t$", parts="g", ha="left", color=C["g"])
    # output: tanh(c_t) times o_t gives h_t
    p.line([(xt, by), (xt, 3.45)], color=C["c"], parts=("o", "c"), lw=2)
    p.circle(xt, 3.2, r"$\tanh$", C["c"], r=0.3, parts=("o",), fontsize=9)
    p.line([(xt, 2.9), (xt, gy + 0.24)], parts="o")
    p.line([(xo + 0.45, gy), (xt - 0.24, gy)], color=C["o"], parts="o")
    p.text((xo + xt) / 2 + 0.05, gy + 0.22, "$o_t$", parts="o", color=C["o"], va="bottom")
    p.circle(xt, gy, r"$\times$", C["o"], parts="o")
    # h_t leaves to the right (next step) and through the top (output)
    p.line([(xt + 0.24, gy), (xh, gy), (xh, iy), (11.6, iy)], color=C["h"], parts="o", lw=2)
    p.line([(xh, gy), (xh, 5.35)], color=C["h"], parts="o", lw=2, halo=True, zorder=4)
    p.text(11.9, iy, "$h_t$", ha="left")
    p.text(xh + 0.2, 5.3, "$h_t$", ha="left", va="top")

    if vals is not None:
        vy = 1.22  # just under the gate boxes, right of their input lines
        for name, x, _ in gates:
            p.value(x + 0.12, vy, vals[name], C[name], parts=name, column=True)
        p.value(11.6, by - 0.25, vals["c"], C["c"], parts=("c",), ha="left", va="top")
        p.value(11.6, iy - 0.25, vals["h"], C["h"], parts=("o",), ha="left", va="top")
        if "c_prev" in vals:
            p.value(-0.6, by - 0.25, vals["c_prev"], C["c"], ha="right", va="top")
        if "h_prev" in vals:
            p.value(-0.6, iy - 0.25, vals["h_prev"], C["h"], ha="right", va="top")
        if "x" in vals:
            p.value(_X_IN + 0.25, -0.55, vals["x"], C["x"], va="top")
    _fit(fig, ax, scale=CELL_SCALE)
    return fig


GRU_PARTS = {"r": ("r",), "z": ("z",), "n": ("n",), "h": ("h",)}


def gru_cell(values=None, highlight=None, ax=None):
    """The GRU cell in PyTorch's convention: $h_t = (1 - z_t) \\odot n_t + z_t \\odot h_{t-1}$.

    The reset gate scales the recurrent part of the candidate,
    $n_t = \\tanh(W_{in} x_t + b_{in} + r_t \\odot (W_{hn} h_{t-1} + b_{hn}))$.
    values: optional dict like ``lib.functional.gru_step(...)._asdict()`` (keys r, z, n, h;
    batch 1); extra keys "h_prev" and "x" are printed at the inputs if present.
    highlight: one of "r", "z", "n", "h" (the state line) to draw bold, fading the others.
    """
    vals = _values(values, ["r", "z", "n", "h"])
    fig, ax = _figure(ax)
    _cell_limits(ax, vals, "h_prev", 13.4 if vals else 12.6)
    p = _Painter(ax, highlight, GRU_PARTS, fontscale=_font_scale(ax, CELL_SCALE))
    C = GATE_COLORS
    by, gy, iy = _BELT_Y, _GATE_Y, _IN_Y
    xz, xr, xm, xn = 1.8, 3.8, 5.6, 7.3  # z gate, r gate, reset product, candidate
    xone, xh = 4.6, 9.6
    _cell_body(ax, 0, 10.9, -0.1, 5.0)

    # the state line on top: h_{t-1} -> x z -> + -> h_t
    state = dict(color=C["h"], lw=3.5, zorder=3)
    p.line([(-0.55, by), (xz - 0.24, by)], parts=("h", "z"), arrow=False, **state)
    p.line([(xz + 0.24, by), (xn - 0.24, by)], parts=("h", "z"), arrow=False, **state)
    p.line([(xn + 0.24, by), (11.6, by)], parts=("h", "z", "n"), **state)
    p.text(-0.8, by, "$h_{t-1}$", ha="right")
    p.text(11.9, by, "$h_t$", ha="left")
    p.line([(xh, by), (xh, 5.35)], parts=("h",), **state)
    p.text(xh + 0.2, 5.3, "$h_t$", ha="left", va="top")
    p.circle(xz, by, r"$\times$", C["z"], parts=("z", "h"))
    p.circle(xn, by, "$+$", C["n"], parts=("n", "z", "h"))

    # h_{t-1} also goes down to meet x_t
    p.line([(0.3, by), (0.3, iy)], color=C["h"], arrow=False, lw=1.8)
    p.line([(0.3, iy), (xn, iy)], arrow=False, lw=1.8)
    p.line([(_X_IN, -0.55), (_X_IN, iy)], color=C["x"], arrow=False, lw=1.8)
    p.text(_X_IN, -0.55, "$x_t$", va="top")
    for x in (0.3, _X_IN):
        ax.add_patch(Circle((x, iy if x == _X_IN else by), 0.06, color=INK, zorder=3))

    # gates
    for name, x in (("z", xz), ("r", xr)):
        p.line([(x, iy), (x, gy - 0.35)], parts=name)
        p.box(x, gy, r"$\sigma$", C[name], parts=name, fontsize=14)
    # z_t: up to the x on the state line, and through 1 - z_t to the candidate's product
    p.line([(xz, gy + 0.35), (xz, by - 0.24)], color=C["z"], parts="z")
    p.text(xz - 0.15, 2.75, "$z_t$", parts="z", ha="right", color=C["z"])
    p.line([(xz, 3.25), (xone - 0.27, 3.25)], color=C["z"], parts="z")
    ax.add_patch(Circle((xz, 3.25), 0.06, color=to_rgba(C["z"], p._on("z")[0]), zorder=3))
    p.circle(xone, 3.25, "1−", C["z"], r=0.27, parts="z", fontsize=9)
    p.line([(xone + 0.27, 3.25), (xn - 0.24, 3.25)], color=C["z"], parts=("z", "n"))
    p.text((xone + xn) / 2, 3.3, "$1-z_t$", parts="z", color=C["z"], va="bottom", fontsize=11)
    # r_t scales W_hn h_{t-1} + b_hn, which then joins W_in x_t in the candidate
    p.line([(xr + 0.45, gy), (xm - 0.24, gy)], color=C["r"], parts="r")
    p.text((xr + xm) / 2 - 0.05, gy + 0.12, "$r_t$", parts="r", color=C["r"], va="bottom")
    p.line([(xm, iy), (xm, gy - 0.24)], parts=("r", "n"))
    p.circle(xm, gy, r"$\times$", C["r"], parts=("r", "n"))
    p.line([(xm + 0.24, gy), (xn - 0.45, gy)], parts=("r", "n"))
    p.line([(xn, iy), (xn, gy - 0.35)], parts="n")
    p.box(xn, gy, r"$\tanh$", C["n"], parts="n", fontsize=12)
    p.line([(xn, gy + 0.35), (xn, 3.25 - 0.24)], color=C["n"], parts="n")
    p.text(xn + 0.15, 2.65, "$n_t$", parts="n", ha="left", color=C["n"])
    p.circle(xn, 3.25, r"$\times$", C["n"], parts=("n", "z"))
    p.line([(xn, 3.49), (xn, by - 0.24)], parts=("n", "z"))
    p.text(xm - 0.1, 0.42, "$W_{hn}h_{t-1}$", fontsize=9, color="#555555", ha="center")
    p.text(xn + 0.1, 0.42, "$W_{in}x_t$", fontsize=9, color="#555555", ha="center")
    p.text(10.8, -0.5, "$h_t = (1-z_t)\\odot n_t + z_t \\odot h_{t-1}$", fontsize=10.5,
           ha="right", va="top")  # fmt: skip

    if vals is not None:
        for name, x in (("z", xz), ("r", xr)):
            p.value(x + 0.12, 1.22, vals[name], C[name], parts=name, column=True)
        p.value(xn + 0.55, gy, vals["n"], C["n"], parts="n", column=True)
        p.value(11.6, by - 0.25, vals["h"], C["h"], parts="h", ha="left", va="top")
        if "h_prev" in vals:
            p.value(-0.6, by - 0.25, vals["h_prev"], C["h"], ha="right", va="top")
        if "x" in vals:
            p.value(_X_IN + 0.25, -0.55, vals["x"], C["x"], va="top")
    _fit(fig, ax, scale=CELL_SCALE)
    return fig


def rnn_cell(values=None, ax=None):
    """The plain RNN cell, $h_t = \\tanh(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})$.

    Drawn at the same scale as ``lstm_cell`` (side by side: pass ``ax``). values: optional
    dict with key "h" (and optionally "h_prev", "x") to print the numbers.
    """
    vals = _values(values, ["h"])
    fig, ax = _figure(ax)
    _cell_limits(ax, vals, "h_prev", 7.4 if vals else 6.7)
    p = _Painter(ax, fontscale=_font_scale(ax, CELL_SCALE))
    C = GATE_COLORS
    gy, iy = _GATE_Y, _IN_Y
    xb, xh = 2.6, 4.2
    _cell_body(ax, 0, 5.0, -0.1, 5.0)
    p.text(-0.8, iy, "$h_{t-1}$", ha="right")
    p.line([(-0.55, iy), (xb, iy)], arrow=False, lw=1.8)
    p.line([(_X_IN, -0.55), (_X_IN, iy)], color=C["x"], arrow=False, lw=1.8)
    p.text(_X_IN, -0.55, "$x_t$", va="top")
    ax.add_patch(Circle((_X_IN, iy), 0.06, color=INK, zorder=3))
    p.line([(xb, iy), (xb, gy - 0.35)])
    p.box(xb, gy, r"$\tanh$", C["h"], fontsize=12)
    p.line([(xb + 0.45, gy), (xh, gy), (xh, iy), (5.7, iy)], color=C["h"], lw=2)
    p.line([(xh, gy), (xh, 5.35)], color=C["h"], lw=2)
    p.text(6.0, iy, "$h_t$", ha="left")
    p.text(xh + 0.2, 5.3, "$h_t$", ha="left", va="top")
    if vals is not None:
        p.value(5.7, iy - 0.25, vals["h"], C["h"], ha="left", va="top")
        if "h_prev" in vals:
            p.value(-0.6, iy - 0.25, vals["h_prev"], C["h"], ha="right", va="top")
        if "x" in vals:
            p.value(_X_IN + 0.25, -0.55, vals["x"], C["x"], va="top")
    _fit(fig, ax, scale=CELL_SCALE)
    return fig


def cell_row(*kinds, scale=0.4, titles=True):
    """Cells side by side at one scale, e.g. ``cell_row("rnn", "lstm")`` or ("lstm", "gru").

    kinds: "rnn", "lstm", "gru". scale: inches per unit (0.4 gives about 9 in for two cells).
    """
    draw = {"rnn": rnn_cell, "lstm": lstm_cell, "gru": gru_cell}
    names = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}
    widths = [8.6 if kind == "rnn" else 14.5 for kind in kinds]
    height = _YLIM[1] - _YLIM[0] + (0.8 if titles else 0)
    fig, axes = plt.subplots(
        1, len(kinds), figsize=(sum(widths) * scale, height * scale),
        gridspec_kw={"width_ratios": widths}, squeeze=False,
    )  # fmt: skip
    fig.patch.set_facecolor("white")
    top = 1 - (0.8 / height if titles else 0)
    fig.subplots_adjust(left=0, right=1, bottom=0, top=top, wspace=0)
    for kind, ax in zip(kinds, axes[0]):
        draw[kind](ax=ax)
        if titles:
            ax.set_title(names[kind], fontsize=12, color=INK)
    return fig


# ------------------------------------------------------------------- 6. stacked grid


def stacked_grid(layers=2, steps=4, cell_label="", ax=None):
    """A stack of ``layers`` recurrent layers unrolled over ``steps``.

    h moves right within a layer; each layer's outputs are the next layer's inputs; the top
    layer's states are ``out`` and the last column's states are ``h_n`` (one per layer).
    """
    fig, ax = _figure(ax, figsize=(8, 1.2 + 1.1 * (layers + 1)))
    p = _Painter(ax)
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
    _fit(fig, ax)
    return fig


# ------------------------------------------------------------------ 7. bidirectional


def bidirectional(steps=None, words=None, ax=None):
    """A bidirectional layer: a forward chain and a backward chain over the same inputs.

    The output at each step is the two states stacked, $[\\overrightarrow{h}_t;
    \\overleftarrow{h}_t]$ (forward on top). words: the inputs (default "He needs to work
    harder"); steps: use the first ``steps`` words (extra steps are labelled $x_t$).
    """
    words = list(words or ["He", "needs", "to", "work", "harder"])
    if steps is not None:
        words = (words + [f"$x_{{{t + 1}}}$" for t in range(len(words), steps)])[:steps]
    steps = len(words)
    fig, ax = _figure(ax)
    p = _Painter(ax)
    fc, bc, xc = GATE_COLORS["h"], BACKWARD_COLOR, GATE_COLORS["x"]
    dx, w, h = 1.9, 0.9, 0.62
    yf, yb, yo = 1.3, 2.55, 3.75
    bw, bh = 0.5, 0.3  # each half of the output box
    for t, word in enumerate(words):
        x = t * dx
        p.text(x, 0.05, word, fontsize=12)
        p.line([(x, 0.3), (x, yf - h / 2)], color=xc)
        # the same input also goes up, left of the forward cell, to the backward cell
        p.line(
            [(x, 0.45), (x - 0.62, 0.45), (x - 0.62, yb - 0.45), (x - 0.2, yb - 0.45),
             (x - 0.2, yb - h / 2)],
            color=xc, halo=True, zorder=1,
        )  # fmt: skip
        p.box(x, yf, rf"$\overrightarrow{{h}}_{{{t + 1}}}$", fc, w=w, h=h, fontsize=12)
        p.box(x, yb, rf"$\overleftarrow{{h}}_{{{t + 1}}}$", bc, w=w, h=h, fontsize=12)
        if t < steps - 1:
            p.line([(x + w / 2, yf), (x + dx - w / 2, yf)], color=fc, lw=1.8)
            p.line([(x + dx - w / 2, yb), (x + w / 2, yb)], color=bc, lw=1.8)
        # the output box: forward half on top, backward half below
        for y0, col in ((yo, fc), (yo - bh, bc)):
            ax.add_patch(
                FancyBboxPatch(
                    (x - bw / 2, y0), bw, bh, boxstyle="round,pad=0,rounding_size=0.05",
                    fc=to_rgba(col, 0.45), ec=col, lw=1.3, zorder=4,
                )
            )  # fmt: skip
        p.text(x, yo + bh / 2, r"$\rightarrow$", fontsize=9)
        p.text(x, yo - bh / 2, r"$\leftarrow$", fontsize=9)
        p.line([(x, yb + h / 2), (x, yo - bh)], color=bc)
        # forward output: up the gap right of the backward cell, into the top half
        p.line(
            [(x + 0.3, yf + h / 2), (x + 0.3, yf + 0.55), (x + 0.65, yf + 0.55),
             (x + 0.65, yo + bh / 2), (x + bw / 2, yo + bh / 2)],
            color=fc, halo=True, zorder=1,
        )  # fmt: skip
    xl = (steps - 1) * dx
    p.line([(-0.95, yf), (-w / 2, yf)], color=fc, lw=1.8)
    p.line([(xl + 1.0, yb), (xl + w / 2, yb)], color=bc, lw=1.8, zorder=0)
    p.text(-1.25, yf, "forward", ha="right", fontsize=11, color=fc)
    p.text(-1.25, yb, "backward", ha="right", fontsize=11, color="#8c8d16")
    p.text(-1.25, yo, "output", ha="right", fontsize=11, color="#555555")
    p.text(-1.25, yo - 0.45, r"$[\overrightarrow{h}_t;\overleftarrow{h}_t]$", ha="right",
           fontsize=11)  # fmt: skip
    p.text(-1.25, 0.05, "inputs", ha="right", fontsize=11, color="#555555")
    ax.set_xlim(-2.9, xl + 1.2)
    ax.set_ylim(-0.35, yo + bh + 0.25)
    _fit(fig, ax)
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
        p = _Painter(ax)
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
