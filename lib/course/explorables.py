"""Explorables: widgets that compute in the page, the same in a notebook and in the book.

Each explorable is an ``anywidget.AnyWidget``: Python traits (the parameters a reader
changes) plus an ES module in ``lib/course/js/`` that draws the figure and recomputes it
on every slider move with ``cells.js``, the JavaScript twin of ``lib.functional`` (chapter
2's gradient flow with ``train.js``, the playground's twin of ``lib.kernels``). The
module's source travels in the widget's ``_esm`` trait, so it runs wherever the widget is
shown: JupyterLab, Colab and VS Code (anywidget's front end), and the built book, where
the widget state saved at build time is rendered without a kernel (see
``book/_ext/offline_assets.py``). Moving a slider in a notebook also updates the trait,
so ``widget.w_hh`` reads what the reader chose.

    from lib.course.explorables import PulseExplorer
    PulseExplorer(w_hh=0.9)
"""

import dataclasses
import re
from pathlib import Path

import anywidget
import numpy
import traitlets

from lib.backend import to_numpy

from . import gradient_flow
from .story import PRESET, story_step
from .style import GATE_COLORS, MODEL_COLORS

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


# For a browser page (Playwright's page.evaluate(IMPORT_AS_GLOBAL, [source, name])): import
# the text module_source returns as window[name], through a blob: URL as anywidget does;
# returns the module's exported names, sorted.
IMPORT_AS_GLOBAL = """async ([source, name]) => {
    const url = URL.createObjectURL(new Blob([source], {type: 'text/javascript'}));
    window[name] = await import(url);
    return Object.keys(window[name]).sort();
}"""


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
    """The colours the explorables draw with: lib.course.style's, one per gate and model."""
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
    same numbers as ``lib.course.memory.pulse_response`` for tanh).
    """

    _esm = module_source("pulse.js")
    w_hh = _float(0.9, 0.0, 2.0, "recurrent weight")
    w_ih = _float(1.0, -2.0, 2.0, "input weight")
    pulse = _float(1.0, 0.0, 3.0, "size of the pulse at step 1")
    steps = _int(25, 5, 60, "number of steps T")
    nonlinearity = traitlets.Enum(["tanh", "relu"], "tanh").tag(sync=True)


STORY_LIMITS = {"state": [-1.0, 1.0], "weight": [-6.0, 6.0], "bias": [-10.0, 10.0]}


def story_presets(preset=PRESET):
    """The story's buttons: the article's day, and two days that show what the gates do.

    "forget everything": the forget gate shut whatever the inputs (W_f = 0, b_f = -10);
    "keep everything": forget gate open and input gate shut (b_f = 10, b_i = -10), so
    c_t = c_{t-1}.
    """
    zeros = ((0.0,) * 5,) * 2
    return {
        "the article's day": preset,
        "forget everything": preset.replace(W_f=zeros, b_f=(-10.0, -10.0)),
        "keep everything": preset.replace(
            W_f=zeros, b_f=(10.0, 10.0), W_i=zeros, b_i=(-10.0, -10.0)
        ),
    }


def _story_dict(preset):
    return {k: _lists(v) for k, v in dataclasses.asdict(preset).items()}


def _lists(value):
    return [_lists(v) for v in value] if isinstance(value, (tuple, list)) else float(value)


class StoryExplorer(Explorable):
    """Chapter 3: the boss-raise story with all 55 numbers as sliders.

    params: the story's numbers as in ``lib.course.story.StoryPreset`` (c, h, x, W_f ... b_o);
    the page recomputes the gates, the new state, the diagram and the sentence with
    cells.js on every move; ``explorer.values`` is ``lib.course.story.story_step`` of the same.
    """

    _esm = module_source("story.js")
    params = traitlets.Dict().tag(sync=True)
    presets = traitlets.Dict().tag(sync=True)

    def __init__(self, preset=PRESET, **kwargs):
        kwargs.setdefault("params", _story_dict(preset))
        kwargs.setdefault("presets", {k: _story_dict(v) for k, v in story_presets().items()})
        kwargs.setdefault("limits", STORY_LIMITS)
        super().__init__(**kwargs)

    @traitlets.validate("params")
    def _check_params(self, proposal):
        return _story_dict(PRESET.replace(**proposal["value"]))  # refuses unknown fields

    @property
    def values(self):
        """``lib.course.story.story_step`` on the current parameters: LSTMStep(i, f, g, o, c, h)."""
        return story_step(PRESET.replace(**self.params))


class GradientFlowExplorer(Explorable):
    """Chapter 2: the gradient's norm against distance, a product of Jacobians in the page.

    The same numbers as ``lib.course.gradient_flow.gradient_flow(kind, weight_scale=...,
    keep_bias=...)`` with its defaults (hidden 32, 40 steps after 20 of burn-in, batch
    8, seed 0): the page gets each model's weights (W_hh's orthogonal blocks unscaled),
    the inputs and the loss direction, and walks the whole batch forward and back with
    train.js's kernels (the playground's twin of ``lib.kernels``), within a frame.
    """

    _esm = module_source("gradient_flow.js")
    kind = traitlets.Enum(["rnn", "lstm", "gru"], "lstm").tag(sync=True)
    weight_scale = _float(1.0, 0.0, 2.0, "every W_hh block is this times an orthogonal matrix")
    keep_bias = _float(4.0, -4.0, 8.0, "bias of the LSTM forget / GRU update gate")
    data = traitlets.Dict().tag(sync=True)

    def __init__(self, seed=0, **kwargs):
        kwargs.setdefault("data", flow_data(seed=seed))
        super().__init__(**kwargs)


def flow_data(hidden_size=32, seq_len=40, input_size=4, batch=8, burn_in=20, seed=0):
    """What the page needs to recompute ``gradient_flow``: weights, inputs, direction."""
    x, direction = gradient_flow.flow_inputs(hidden_size, seq_len, input_size, batch, burn_in, seed)
    weights = {}
    for kind in ("rnn", "lstm", "gru"):
        model = gradient_flow.make_model(kind, hidden_size, 1.0, None, input_size, seed)
        state = {k: to_numpy(v) for k, v in model.state_dict().items()}
        weights[kind] = {
            "weight_ih": state["weight_ih_l0"].tolist(),
            "orthogonal": state["weight_hh_l0"].tolist(),  # weight_scale 1: W_hh = q
            "bias_ih": state["bias_ih_l0"].tolist(),
            "bias_hh": state["bias_hh_l0"].tolist(),
        }
    return {
        "weights": weights,
        "x": x.tolist(),
        "direction": direction.tolist(),
        "seq_len": seq_len,
    }


class LSTMTraceExplorer(Explorable):
    """Chapter 3: a one-unit LSTM over a short sequence, with its gate traces.

    Each gate k in i, f, g, o reads x_t through w_k and has a bias b_k (recurrent
    weights 0); ``xs`` is the sequence, by default two pulses (steps 2 and 8), so that a
    forget gate that shuts on an input visibly erases the first pulse at the second.
    ``lib.functional.lstm_step`` computes the same.
    """

    _esm = module_source("lstm_traces.js")
    w_i = _float(6.0, -8.0, 8.0, "input gate: weight on x")
    b_i = _float(-3.0, -8.0, 8.0, "input gate: bias")
    w_f = _float(0.0, -8.0, 8.0, "forget gate: weight on x")
    b_f = _float(3.0, -8.0, 8.0, "forget gate: bias")
    w_g = _float(2.0, -8.0, 8.0, "candidate: weight on x")
    b_g = _float(0.0, -8.0, 8.0, "candidate: bias")
    w_o = _float(0.0, -8.0, 8.0, "output gate: weight on x")
    b_o = _float(2.0, -8.0, 8.0, "output gate: bias")
    xs = traitlets.List(
        [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0], help="the input sequence"
    ).tag(sync=True)


class GRUSurvivalExplorer(Explorable):
    """Chapter 4: the GRU's update gate and how much of the old state survives.

    Chapter 4's experiment: a 4-unit GRU whose update gate has only a bias b_z (z =
    sigma(b_z)) and whose candidate follows random inputs, run from h_0 = +1 and from
    h_0 = -1; half the gap between the runs is the share of h_0 left. z_keeps_old picks
    the convention: True, h' = (1 - z) n + z h (PyTorch, Cho et al.); False, colah's
    h' = z n + (1 - z) h.
    """

    _esm = module_source("gru_survival.js")
    b_z = _float(3.0, -2.0, 6.0, "update-gate bias")
    steps = _int(20, 1, 20, "number of steps")
    z_keeps_old = traitlets.Bool(True).tag(sync=True)
    data = traitlets.Dict().tag(sync=True)

    def __init__(self, seed=0, **kwargs):
        kwargs.setdefault("data", survival_data(seed=seed))
        super().__init__(**kwargs)


def survival_data(steps=20, hidden=4, seed=0):
    """Chapter 4's inputs (steps, 3) and W_ih (candidate rows random), drawn from seed."""
    rng = numpy.random.default_rng(seed)
    xs = rng.normal(size=(steps, 1, 3))
    weight_ih = numpy.zeros((3 * hidden, 3))
    weight_ih[2 * hidden :] = rng.normal(size=(hidden, 3))
    return {"xs": xs[:, 0].tolist(), "weight_ih": weight_ih.tolist(), "hidden": hidden}
