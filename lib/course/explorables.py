"""Explorables: widgets that compute in the page, the same in a notebook and in the book.

Each explorable is an ``anywidget.AnyWidget``: Python traits (the parameters a reader
changes) plus an ES module in ``lib/course/js/`` that draws the figure and recomputes it
on every slider move with ``cells.js``, the JavaScript twin of ``lib.functional``. The
module's source travels in the widget's ``_esm`` trait, so it runs wherever the widget is
shown: JupyterLab, Colab and VS Code (anywidget's front end), and the built book, where
the widget state saved at build time is rendered without a kernel (see
``book/_ext/offline_assets.py``). Moving a slider in a notebook also updates the trait,
so ``widget.w_hh`` reads what the reader chose.

    from lib.course.explorables import PulseExplorer
    PulseExplorer(w_hh=0.9)
"""

import re
from pathlib import Path

import anywidget
import traitlets

from ..style import GATE_COLORS, MODEL_COLORS

JS = Path(__file__).resolve().parent / "js"

# import { a, b } from "./cells.js";   (the only import form the modules use)
LOCAL_IMPORT = re.compile(r'^import \{[^}]*\} from "\./([\w-]+\.js)";\n', re.MULTILINE)
EXPORT = re.compile(r"^export (?=(?:async )?function|const|let|class)", re.MULTILINE)


def module_source(name):
    """The ES module ``lib/course/js/<name>`` with its local imports inlined, as one text.

    Each imported module comes once, before the modules that use it, with its
    ``export`` keywords removed (only the entry module exports). A blob: URL, which is
    how anywidget loads ``_esm``, cannot resolve a relative import, hence the inlining.
    """
    seen = []
    _collect(name, seen)
    parts = [EXPORT.sub("", _read(dep)) if dep != name else _read(dep) for dep in seen]
    return "\n".join(LOCAL_IMPORT.sub("", part) for part in parts)


def _read(name):
    path = JS / name
    if not path.is_file():
        raise FileNotFoundError(f"no ES module {name!r} in {JS}")
    return path.read_text(encoding="utf-8")


def _collect(name, seen):
    for dependency in LOCAL_IMPORT.findall(_read(name)):
        if dependency not in seen:
            _collect(dependency, seen)
    if name not in seen:
        seen.append(name)


def palette():
    """The colours the explorables draw with: lib.style's, one per gate and model."""
    return {**GATE_COLORS, **{f"model_{k}": v for k, v in MODEL_COLORS.items()}}


class Explorable(anywidget.AnyWidget):
    """Base class. Each subclass sets ``_esm = module_source("<name>.js")`` in its body.

    ``limits`` tells the page each numeric trait's range ({name: [min, max]}), so that the
    sliders offer exactly what the traits accept; ``colors`` is ``palette()``.
    """

    colors = traitlets.Dict().tag(sync=True)
    limits = traitlets.Dict().tag(sync=True)

    def __init__(self, **kwargs):
        kwargs.setdefault("colors", palette())
        kwargs.setdefault("limits", self.trait_limits())
        super().__init__(**kwargs)

    @classmethod
    def trait_limits(cls):
        """{name: [min, max]} of every synced Float or Int trait that has bounds."""
        return {
            name: [trait.min, trait.max]
            for name, trait in cls.class_traits(sync=True).items()
            if getattr(trait, "min", None) is not None and getattr(trait, "max", None) is not None
        }


def _float(value, low, high, help):
    return traitlets.Float(value, min=low, max=high, help=help).tag(sync=True)


def _int(value, low, high, help):
    return traitlets.Int(value, min=low, max=high, help=help).tag(sync=True)


class PulseExplorer(Explorable):
    """Chapter 1: one pulse fading through a one-unit RNN over T steps.

    h_t = act(w_ih x_t + w_hh h_{t-1}), h_0 = 0, x_1 = pulse, x_t = 0 afterwards (the
    same numbers as ``lib.plots.pulse_response`` for tanh).
    """

    _esm = module_source("pulse.js")
    w_hh = _float(0.9, 0.0, 2.0, "recurrent weight")
    w_ih = _float(1.0, -2.0, 2.0, "input weight")
    pulse = _float(1.0, 0.0, 3.0, "size of the pulse at step 1")
    steps = _int(25, 5, 60, "number of steps T")
    nonlinearity = traitlets.Enum(["tanh", "relu"], "tanh").tag(sync=True)
