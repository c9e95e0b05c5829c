"""The boss-raise story drawn and made interactive: a bar chart of the step, its HTML
twin, a precomputed explorer for the static page and the live widget for a kernel.

    from lib.course import story, story_widgets
    story_widgets.live_story_widget()     # every weight, bias, input and state a slider
"""

from __future__ import annotations

import html
import io

import ipywidgets as widgets
import numpy
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from PIL import Image

from .story import CEILING, CONCAT, GATES, PRESET, UNITS, story_sentence, story_step
from .style import GATE_COLORS, GATE_NAMES
from .widgets import precomputed_explorer

# --------------------------------------------------------------------------- the chart

CHART_KEYS = ("f", "i", "g", "o", "c", "h")


class StoryChart:
    """A bar chart of f, i, g, o, c and h (mood and budget side by side), updated in place.

    chart = StoryChart(story_step()); chart.fig  (the Figure)
    chart.update(story_step(x=(1, 1, 1)))        (moves the bars, redraws nothing else)
    chart.png()                                  (the PNG bytes of the current state)
    """

    def __init__(self, values, figsize=(6.4, 3.2), dpi=80):
        # a figure outside pyplot: it is never shown twice, and its Agg canvas can blit
        self.fig = Figure(figsize=figsize, dpi=dpi)
        FigureCanvasAgg(self.fig)
        self.ax = self.fig.add_subplot()
        self.fig.patch.set_facecolor("white")
        ax = self.ax
        positions = range(len(CHART_KEYS))
        width = 0.36
        self.bars = []
        self.labels = []
        for unit, shift in enumerate((-width / 2, width / 2)):
            bars = ax.bar(
                [p + shift for p in positions],
                [0.0] * len(CHART_KEYS),
                width=width * 0.95,
                color=[GATE_COLORS[k] for k in CHART_KEYS],
                alpha=1.0 if unit == 0 else 0.55,
                hatch=None if unit == 0 else "//",
                edgecolor="white" if unit == 0 else "#555555",
                linewidth=0.6,
            )
            self.bars.append(bars)
            self.labels.append(
                [
                    ax.text(p + shift, 0, "", ha="center", fontsize=7.5, color="#333333")
                    for p in positions
                ]
            )
        ax.axhline(0, color="#333333", lw=0.8)
        ax.axhline(CEILING, color=GATE_COLORS["h"], lw=1, ls=":", zorder=0)
        margin = ax.get_yaxis_transform()  # x in axes fraction, y in data units
        ax.text(
            1.01, CEILING, "tanh(1)", transform=margin, fontsize=7, va="top", color=GATE_COLORS["h"]
        )
        ax.axhline(0.9, color="#999999", lw=1, ls="--", zorder=0)
        ax.text(
            1.01, 0.9, "0.9 (article)", transform=margin, fontsize=7, va="bottom", color="#777777"
        )
        ax.set_xticks(list(positions))
        ax.set_xticklabels([f"${k}$\n{GATE_NAMES[k]}" for k in CHART_KEYS], fontsize=8)
        ax.set_xlim(-0.6, 5.6)
        ax.set_ylim(-2.1, 2.1)
        ax.set_yticks([-2, -1, 0, 1, 2])
        ax.tick_params(axis="y", labelsize=8)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.legend(
            handles=[
                Patch(facecolor="#888888", label="mood (unit 1)"),
                Patch(
                    facecolor="#cccccc", hatch="//", edgecolor="#555555", label="budget (unit 2)"
                ),
            ],
            loc="lower left",
            fontsize=7.5,
            frameon=False,
        )
        self.fig.tight_layout()
        self._background = None
        self.update(values)

    def update(self, values):
        """Move the bars and their labels to ``values`` (an LSTMStep of (2,) arrays)."""
        for unit in range(2):
            for k, key in enumerate(CHART_KEYS):
                v = float(getattr(values, key)[unit])
                self.bars[unit][k].set_height(v)
                label = self.labels[unit][k]
                label.set_text(f"{v:.2f}")
                label.set_y(v + 0.06 if v >= 0 else v - 0.06)
                label.set_va("bottom" if v >= 0 else "top")
        return self

    def png(self):
        """The current state as PNG bytes (the figure stays open for further updates).

        Only the bars and their labels are drawn anew: everything else is drawn once and
        restored from a saved background (blitting), which keeps a slider move well under
        50 ms where a full matplotlib redraw takes about as long again.
        """
        canvas = self.fig.canvas
        moving = [artist for group in (*self.bars, *self.labels) for artist in group]
        if self._background is None:
            for artist in moving:
                artist.set_visible(False)
            canvas.draw()
            self._background = canvas.copy_from_bbox(self.fig.bbox)
            for artist in moving:
                artist.set_visible(True)
        canvas.restore_region(self._background)
        for artist in moving:
            self.ax.draw_artist(artist)
        buffer = io.BytesIO()
        Image.fromarray(numpy.asarray(canvas.buffer_rgba())).save(buffer, "png", compress_level=1)
        return buffer.getvalue()


# ------------------------------------------------------------ kernel-free HTML view


def _bar_html(value, color, scale=40):
    """A horizontal bar in HTML: right of the axis for positive values, left for negative."""
    width = min(abs(value), 2.0) * scale
    left = f"{2 * scale - width if value < 0 else 2 * scale:.0f}px"
    return (
        f'<div style="position:relative;width:{4 * scale}px;height:12px;'
        'background:#f4f4f4;display:inline-block;vertical-align:middle">'
        f'<div style="position:absolute;left:{2 * scale}px;top:0;width:1px;height:12px;'
        'background:#333"></div>'
        f'<div style="position:absolute;left:{left};top:2px;width:{width:.0f}px;'
        f'height:8px;background:{color}"></div></div>'
    )


def story_html(values, caption=None):
    """The values as an HTML table with bars (scale -2 .. 2) and the story's sentence."""
    rows = []
    for key in CHART_KEYS:
        v = getattr(values, key)
        color = GATE_COLORS[key]
        cells = "".join(
            f'<td style="padding:1px 6px;font-family:monospace">{v[u]:+.3f}</td>'
            f'<td style="padding:1px 6px">{_bar_html(float(v[u]), color)}</td>'
            for u in range(2)
        )
        rows.append(
            f'<tr><td style="padding:1px 6px;color:{color};font-weight:bold">{key}</td>'
            f'<td style="padding:1px 6px;white-space:nowrap">{GATE_NAMES[key]}</td>{cells}</tr>'
        )
    head = (
        '<tr><th></th><th></th><th colspan="2" style="text-align:left;padding:1px 6px">'
        'mood</th><th colspan="2" style="text-align:left;padding:1px 6px">budget</th></tr>'
    )
    title = f"<p style='margin:4px 0'><b>{html.escape(caption)}</b></p>" if caption else ""
    sentence = html.escape(story_sentence(values))
    return (
        f"<div style='font-size:13px;line-height:1.35'>{title}"
        f"<table style='border-collapse:collapse'>{head}{''.join(rows)}</table>"
        f"<p style='max-width:640px;margin:6px 0'>{sentence}</p></div>"
    )


EXPLORER_FORGET_BIAS = (-2.0, 0.0, 2.0, 4.0, 6.0, 8.0, 10.0)
EXPLORER_REVIEW = (-1.0, -0.5, 0.0, 0.5, 1.0)


def story_explorer(preset=PRESET, forget_bias=EXPLORER_FORGET_BIAS, review=EXPLORER_REVIEW):
    """Kernel-free sliders (``lib.course.widgets.precomputed_explorer``) over two knobs.

    forget_bias: values of the forget-gate bias b_f (the same for both units);
    review: values of today's input x[1], the review from your boss (-1 = ugly).
    Every view is HTML text with bars, computed now with ``story_step``.
    """

    def render(bias, x_review):
        x = (preset.x[0], x_review, preset.x[2])
        values = story_step(preset, b_f=(bias, bias), x=x)
        return story_html(values, caption=f"b_f = {bias:g}, review x[1] = {x_review:g}")

    return precomputed_explorer(
        {"forget-gate bias b_f": list(forget_bias), "review from your boss x[1]": list(review)},
        render,
        initial={"forget-gate bias b_f": preset.b_f[0], "review from your boss x[1]": preset.x[1]},
    )


# ------------------------------------------------------------------- live widget


def _slider(description, value, low, high, step=0.1):
    return widgets.FloatSlider(
        value=value,
        min=low,
        max=high,
        step=step,
        description=description,
        continuous_update=False,
        readout_format=".1f",
        style={"description_width": "110px"},
        layout=widgets.Layout(width="330px"),
    )


def live_story_widget(preset=PRESET):
    """Sliders for every input, weight and bias; needs a running Python kernel.

    Returns a VBox: tabs of sliders (inputs, then one tab per gate), the bar chart (a
    ``StoryChart`` whose bars move, shown as an image), the numbers and the sentence.
    """
    sliders = {}
    tabs = []
    titles = []
    inputs = []
    for name, labels, low, high in (
        ("c", [f"C {u}" for u in UNITS], -1.0, 1.0),
        ("h", [f"h {u}" for u in UNITS], -1.0, 1.0),
        ("x", [f"x {n}" for n in ("exam", "review", "time")], -1.0, 1.0),
    ):
        for k, label in enumerate(labels):
            s = _slider(label, getattr(preset, name)[k], low, high)
            sliders[(name, k)] = s
            inputs.append(s)
    tabs.append(widgets.GridBox(inputs, layout=widgets.Layout(grid_template_columns="1fr 1fr")))
    titles.append("inputs C, h, x")
    for gate in GATES:
        cells = []
        weights = getattr(preset, f"W_{gate}")
        for unit in range(2):
            for col in range(5):
                s = _slider(f"{UNITS[unit]} \u2190 {CONCAT[col]}", weights[unit][col], -6, 6)
                sliders[(f"W_{gate}", unit, col)] = s
                cells.append(s)
            s = _slider(f"{UNITS[unit]} bias", getattr(preset, f"b_{gate}")[unit], -10, 10)
            sliders[(f"b_{gate}", unit)] = s
            cells.append(s)
        tabs.append(widgets.GridBox(cells, layout=widgets.Layout(grid_template_columns="1fr 1fr")))
        titles.append(f"{gate}: {GATE_NAMES[gate]}")
    tab = widgets.Tab(children=tabs)
    for k, title in enumerate(titles):
        tab.set_title(k, title)

    values = story_step(preset)
    chart = StoryChart(values)
    image = widgets.Image(value=chart.png(), format="png")
    numbers = widgets.HTML(story_html(values))

    def current_preset():
        changes = {}
        for name in ("c", "h"):
            changes[name] = tuple(sliders[(name, k)].value for k in range(2))
        changes["x"] = tuple(sliders[("x", k)].value for k in range(3))
        for gate in GATES:
            changes[f"W_{gate}"] = tuple(
                tuple(sliders[(f"W_{gate}", u, col)].value for col in range(5)) for u in range(2)
            )
            changes[f"b_{gate}"] = tuple(sliders[(f"b_{gate}", u)].value for u in range(2))
        return preset.replace(**changes)

    def refresh(_change=None):
        new = story_step(current_preset())
        image.value = chart.update(new).png()
        numbers.value = story_html(new)

    for s in sliders.values():
        s.observe(refresh, names="value")
    box = widgets.VBox([tab, image, numbers])
    box.sliders, box.chart, box.refresh = sliders, chart, refresh
    return box
