"""The drawing kit of the course's diagrams: a figure sized to its data, a painter that
fades what is not highlighted, value tags and heat strips, and the shared colours.

Every diagram uses the colours of ``lib.course.style.GATE_COLORS``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import patheffects
from matplotlib.colors import to_rgba
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Rectangle
from matplotlib.path import Path

INK = "#333333"  # lines that carry data
FADED = 0.16  # alpha of parts that are not highlighted
CELL_FILL = "#f7f7f7"
CELL_EDGE = "#9a9a9a"
BACKWARD_COLOR = "#bcbd22"  # the backward direction of a bidirectional layer
GRAD_COLOR = "#222222"  # gradient arrows
FIGSIZE = (8, 3.5)
CELL_SCALE = 0.55  # inches per data unit of the cell diagrams (same scale for all three)


def new_figure(ax, figsize=FIGSIZE):
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


def fit_to_data(fig, ax, width=FIGSIZE[0], scale=None, extra_height=0.0):
    """Size a figure made by ``new_figure`` to its data: ``width`` inches, or ``scale`` in/unit."""
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


class Painter:
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

    def emphasis(self, parts):
        """Alpha and line-width factor for an element that belongs to ``parts``."""
        if self.active is None or parts is None:
            return 1.0, 1.0
        if isinstance(parts, str):
            parts = (parts,)
        return (1.0, 1.6) if self.active & set(parts) else (FADED, 1.0)

    def box(self, x, y, text, color, w=0.9, h=0.7, parts=None, fontsize=13, fill=0.22):
        alpha, bold = self.emphasis(parts)
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
        alpha, bold = self.emphasis(parts)
        self.ax.add_patch(
            Circle((x, y), r, fc=fill, ec=to_rgba(color, alpha), lw=1.6 * bold, zorder=6)
        )
        self.ax.text(
            x, y, text, ha="center", va="center_baseline", fontsize=fontsize * self.fs,
            color=to_rgba(INK, alpha), zorder=7,
        )  # fmt: skip

    def line(self, pts, color=INK, lw=1.5, parts=None, arrow=True, zorder=2, halo=False):
        """A polyline through ``pts``; with an arrow head at its end unless arrow=False."""
        alpha, bold = self.emphasis(parts)
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
        alpha, _ = self.emphasis(parts)
        kw.setdefault("ha", "center")
        kw.setdefault("va", "center")
        color = to_rgba(color, alpha)
        return self.ax.text(x, y, s, color=color, fontsize=fontsize * self.fs, zorder=8, **kw)

    def value(self, x, y, v, color, parts=None, ha="left", va="center", column=False):
        """The numbers of a vector, in a small rounded tag in the gate's colour."""
        alpha, _ = self.emphasis(parts)
        text = format_vector(v, max_items=3, column=True) if column else format_vector(v)
        return self.ax.text(
            x, y, text, color=to_rgba(color, max(alpha, 0.35)), fontsize=8.5 * self.fs,
            ha=ha, va=va, zorder=9, family="monospace",
            bbox=dict(boxstyle="round,pad=0.18", fc="white", ec=to_rgba(color, alpha / 2), lw=0.8),
        )  # fmt: skip


def font_scale(ax, scale):
    """Font sizes shrink with the drawing when it is put in a smaller Axes than its own."""
    fig = ax.figure
    if getattr(fig, "_diagram_owned", False):
        return 1.0
    box = ax.get_position()
    w, h = fig.get_size_inches()
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    inches_per_unit = min(box.width * w / (x1 - x0), box.height * h / (y1 - y0))
    return float(np.clip(inches_per_unit / scale, 0.4, 1.0))


def cell_body(ax, x0, x1, y0, y1):
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


def checked_values(values, keys):
    """The dict of values (a namedtuple is accepted), checking the keys a diagram needs."""
    if values is None:
        return None
    if hasattr(values, "_asdict"):
        values = values._asdict()
    missing = [k for k in keys if k not in values]
    if missing:
        raise KeyError(f"values is missing {missing}; expected the keys {keys}")
    return {k: np.asarray(v) for k, v in values.items()}


def heat_strip(ax, x, y, v, width=1.2, height=0.22, cmap="RdBu_r"):
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
