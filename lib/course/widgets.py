"""Widgets that still work in the static HTML book, where no Python kernel runs.

Every view is computed now, in Python, for every slider position, and the slider
switches between them in the browser (an ipywidgets ``Stack`` linked to the slider
with ``jslink``, which runs in JavaScript). So the built book's sliders move *and*
change the picture, and what it shows is exactly what ``lib`` computed.

    explorer = precomputed_explorer(
        {"weight scale": [0.5, 1.0, 1.5]},
        render=lambda scale: gradient_figure(scale),   # a Figure, HTML text, or a tuple of both
    )
"""

import io
import itertools

import ipywidgets as widgets
import matplotlib.pyplot as plt


def figure_png(fig):
    """The PNG bytes of a matplotlib figure, which is then closed (it is drawn once, here)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def _view(rendered):
    """A widget for what ``render`` returned: a Figure, an HTML string, or a tuple of them."""
    if isinstance(rendered, tuple):
        return widgets.VBox([_view(part) for part in rendered])
    if isinstance(rendered, str):
        return widgets.HTML(value=rendered)
    return widgets.Image(value=figure_png(rendered), format="png")


def _label(value):
    return f"{value:g}" if isinstance(value, float) else str(value)


def precomputed_explorer(axes, render, initial=None, play=False):
    """Sliders over the values in ``axes`` ({name: [values]}), every view drawn in advance.

    render(*values) is called once per combination (keep the grid small: its size is the
    product of the axes' lengths). initial: {name: value} to show first (default: the
    middle of each axis). play: add a Play button that steps the first slider.
    Returns a VBox of [controls..., views].
    """
    names = list(axes)
    if not names:
        raise ValueError("axes must name at least one slider")
    values = [list(axes[name]) for name in names]
    if any(len(v) == 0 for v in values):
        raise ValueError("every axis needs at least one value")
    initial = initial or {}
    start = [v.index(initial[n]) if n in initial else len(v) // 2 for n, v in zip(names, values)]
    sliders = [
        widgets.SelectionSlider(
            options=[(_label(value), k) for k, value in enumerate(vs)],
            index=s,
            description=name,
            continuous_update=True,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="420px"),
        )
        for name, vs, s in zip(names, values, start)
    ]
    views = _nested_stack(values, render, (), sliders, start)
    controls = list(sliders)
    if play:
        player = widgets.Play(min=0, max=len(values[0]) - 1, value=start[0], interval=600)
        widgets.jslink((player, "value"), (sliders[0], "index"))
        controls.insert(0, player)
    return widgets.VBox([*controls, views])


def _nested_stack(values, render, chosen, sliders, start):
    """A Stack over the next axis; each page is a deeper Stack, or a view at the last axis."""
    depth = len(chosen)
    pages = []
    for value in values[depth]:
        here = (*chosen, value)
        if depth + 1 == len(values):
            pages.append(_view(render(*here)))
        else:
            pages.append(_nested_stack(values, render, here, sliders, start))
    stack = widgets.Stack(pages, selected_index=start[depth])
    widgets.jslink((sliders[depth], "index"), (stack, "selected_index"))
    return stack


def grid_size(axes):
    """How many views ``precomputed_explorer`` will draw for ``axes``."""
    return len(list(itertools.product(*axes.values())))
