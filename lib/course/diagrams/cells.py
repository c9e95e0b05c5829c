"""The RNN, LSTM and GRU cells drawn gate by gate (chapters 1, 3 and 4).

    from lib.course import diagrams
    fig = diagrams.lstm_cell(highlight="f")      # the forget gate bold, the rest faded
    fig = diagrams.lstm_cell(values=lib.functional.lstm_step(...)._asdict())

Each function returns a matplotlib Figure, or draws into ``ax`` and returns its Figure.
The figures are made with pyplot, so in a notebook they show once at the end of the cell;
end the cell with ``;`` (or assign the figure) so that it is not shown twice.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.colors import to_rgba
from matplotlib.patches import Circle

from ..style import GATE_COLORS
from .drawing import (
    CELL_SCALE,
    INK,
    Painter,
    cell_body,
    checked_values,
    fit_to_data,
    font_scale,
    new_figure,
)

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


def _cell_limits(ax, vals, prev_key, right):
    ax.set_xlim(-1.9 if vals is None or prev_key not in vals else -2.6, right)
    ax.set_ylim(*_YLIM)


def lstm_cell(values=None, highlight=None, ax=None):
    """The LSTM cell: cell state belt on top, gates f, i, g, o fed by $[h_{t-1}, x_t]$.

    values: optional dict of arrays, like ``lib.functional.lstm_step(...)._asdict()`` with
    batch 1 (keys i, f, g, o, c, h; shapes (1, H) or (H,)); the numbers are printed next to
    each gate. Extra keys "c_prev", "h_prev" and "x" are printed at the inputs if present.
    highlight: one of "f", "i", "g", "o", "c" to draw that part bold and fade the others.
    """
    vals = checked_values(values, ["i", "f", "g", "o", "c", "h"])
    fig, ax = new_figure(ax)
    _cell_limits(ax, vals, "c_prev", 13.4 if vals else 12.6)
    p = Painter(ax, highlight, LSTM_PARTS, fontscale=font_scale(ax, CELL_SCALE))
    C = GATE_COLORS
    by, gy, iy = _BELT_Y, _GATE_Y, _IN_Y
    xf, xi, xg, xo = 1.8, 3.6, 5.4, 7.3  # gate columns
    xig = (xi + xg) / 2  # the i * g product
    xt, xh = 9.0, 10.0  # tanh(c) and the h_t junction
    cell_body(ax, 0, 10.9, -0.1, 5.0)

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
    fit_to_data(fig, ax, scale=CELL_SCALE)
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
    vals = checked_values(values, ["r", "z", "n", "h"])
    fig, ax = new_figure(ax)
    _cell_limits(ax, vals, "h_prev", 13.4 if vals else 12.6)
    p = Painter(ax, highlight, GRU_PARTS, fontscale=font_scale(ax, CELL_SCALE))
    C = GATE_COLORS
    by, gy, iy = _BELT_Y, _GATE_Y, _IN_Y
    xz, xr, xm, xn = 1.8, 3.8, 5.6, 7.3  # z gate, r gate, reset product, candidate
    xone, xh = 4.6, 9.6
    cell_body(ax, 0, 10.9, -0.1, 5.0)

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
    ax.add_patch(Circle((xz, 3.25), 0.06, color=to_rgba(C["z"], p.emphasis("z")[0]), zorder=3))
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
    fit_to_data(fig, ax, scale=CELL_SCALE)
    return fig


def rnn_cell(values=None, ax=None):
    """The plain RNN cell, $h_t = \\tanh(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})$.

    Drawn at the same scale as ``lstm_cell`` (side by side: pass ``ax``). values: optional
    dict with key "h" (and optionally "h_prev", "x") to print the numbers.
    """
    vals = checked_values(values, ["h"])
    fig, ax = new_figure(ax)
    _cell_limits(ax, vals, "h_prev", 7.4 if vals else 6.7)
    p = Painter(ax, fontscale=font_scale(ax, CELL_SCALE))
    C = GATE_COLORS
    gy, iy = _GATE_Y, _IN_Y
    xb, xh = 2.6, 4.2
    cell_body(ax, 0, 5.0, -0.1, 5.0)
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
    fit_to_data(fig, ax, scale=CELL_SCALE)
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
