"""Views drawn in advance, for what only Python can compute (trained models, figures).

Every view is rendered now, in Python, for every combination of the sliders' values; in
the page (and in a notebook) a slider picks one. It is an explorable like the others
(``lib.course.explorables``), so it needs no ipywidgets manager in the static book.

    explorer = precomputed_explorer(
        {"weight scale": [0.5, 1.0, 1.5]},
        render=lambda scale: gradient_figure(scale),   # a Figure, HTML text, or a tuple of both
    )
"""

import base64
import io
import itertools

import matplotlib.pyplot as plt
import traitlets

from .explorables import Explorable, module_source


def figure_png(fig):
    """The PNG bytes of a matplotlib figure, which is then closed (it is drawn once, here)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def _parts(rendered):
    """What ``render`` returned as a list of view parts: {"png": base64} or {"html": text}."""
    if isinstance(rendered, tuple):
        return [part for item in rendered for part in _parts(item)]
    if isinstance(rendered, str):
        return [{"html": rendered}]
    return [{"png": base64.b64encode(figure_png(rendered)).decode("ascii")}]


def _label(value):
    return f"{value:g}" if isinstance(value, float) else str(value)


class PrecomputedExplorer(Explorable):
    """Sliders over precomputed views. axes: [{"name", "labels"}]; views: one list of parts
    per combination (the last axis varies fastest); index: the slider positions."""

    _esm = module_source("precomputed.js")
    axes = traitlets.List().tag(sync=True)
    views = traitlets.List().tag(sync=True)
    index = traitlets.List(traitlets.Int()).tag(sync=True)
    play = traitlets.Bool(False).tag(sync=True)
    interval = traitlets.Int(600, help="milliseconds between Play steps").tag(sync=True)
    description = traitlets.Unicode("Figure").tag(sync=True)


def precomputed_explorer(axes, render, initial=None, play=False, description="Figure"):
    """Sliders over the values in ``axes`` ({name: [values]}), every view drawn in advance.

    render(*values) is called once per combination (keep the grid small: its size is the
    product of the axes' lengths) and returns a Figure, HTML text or a tuple of them.
    initial: {name: value} to show first (default: the middle of each axis). play: a Play
    button that steps the first slider. description: what the figures show, the start of
    each image's alt text (the slider values follow).
    """
    names = list(axes)
    if not names:
        raise ValueError("axes must name at least one slider")
    values = [list(axes[name]) for name in names]
    if any(len(v) == 0 for v in values):
        raise ValueError("every axis needs at least one value")
    initial = initial or {}
    unknown = set(initial) - set(names)
    if unknown:
        raise ValueError(f"initial names {sorted(unknown)} are not axes {names}")
    index = [v.index(initial[n]) if n in initial else len(v) // 2 for n, v in zip(names, values)]
    return PrecomputedExplorer(
        axes=[{"name": n, "labels": [_label(x) for x in v]} for n, v in zip(names, values)],
        views=[_parts(render(*combination)) for combination in itertools.product(*values)],
        index=index,
        play=play,
        description=description,
    )


def grid_size(axes):
    """How many views ``precomputed_explorer`` will draw for ``axes``."""
    return len(list(itertools.product(*axes.values())))
