"""The playground: train an RNN, LSTM or GRU in the reader's browser and watch it learn.

One anywidget, like the explorables: the traits are the settings a reader picks (their
defaults are the playground's defaults), the ES module ``lib/course/js/playground.js``
draws the page, and training runs in a Web Worker (``playground_worker.js``, whose
source travels in the ``worker`` trait) with ``train.js``, the JavaScript twin of lib's
forward pass, backpropagation through time and Adam. In the built book the page's
address can override every setting (``?cell=gru&lag=40&keep_bias=0``) and follows the
reader's changes, so a link reproduces a run exactly: the seed fixes the weights, the
batches and the held-out set.

    from lib.course.playground import Playground
    Playground(cell="rnn", lag=40)
"""

from urllib.parse import urlencode

import traitlets

from .. import tasks
from .explorables import Explorable, module_source

TASKS = ("recall", "adding", "review")
CELLS = ("lstm", "gru", "rnn")
# The settings of a run, in the order of the page's address (lib/course/js/playground_settings.js).
SETTINGS = (
    "task",
    "lag",
    "length",
    "cell",
    "hidden",
    "lr",
    "clip",
    "keep_bias",
    "input_bias",
    "seed",
)
# The learning rates the page offers (a slider over these).
LEARNING_RATES = (0.0003, 0.001, 0.002, 0.003, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1)


def _float(value, low, high, help):
    return traitlets.Float(value, min=low, max=high, help=help).tag(sync=True)


def _int(value, low, high, help):
    return traitlets.Int(value, min=low, max=high, help=help).tag(sync=True)


def review_words():
    """The review task's vocabulary in lib's order: positive, negative, neutral words."""
    return {
        "positive": list(tasks.POSITIVE_WORDS),
        "negative": list(tasks.NEGATIVE_WORDS),
        "neutral": list(tasks.NEUTRAL_WORDS),
    }


class Playground(Explorable):
    """Train a recurrent network in the page: pick a task, a cell and its settings, press Play.

    task: "recall" (``lib.tasks.delayed_recall`` with ``lag``), "adding"
    (``adding_problem`` of ``length`` steps) or "review" (``first_words_review`` of
    ``length`` words); cell: "lstm", "gru" or "rnn" (tanh), one layer of ``hidden``
    units with a linear readout of the last state; Adam with learning rate ``lr`` on
    fresh batches of 32, gradients clipped to norm ``clip`` (0: not clipped);
    ``keep_bias``: the LSTM forget / GRU update gate bias, ``input_bias``: the LSTM input
    gate bias, as ``lib.set_keep_gate_bias(rnn, keep_bias, input_gate=input_bias)`` sets
    them (an LSTM that starts out writing little keeps its memory clean; chapter 3).
    """

    _esm = module_source("playground.js")
    worker = traitlets.Unicode(module_source("playground_worker.js")).tag(sync=True)
    words = traitlets.Dict().tag(sync=True)
    learning_rates = traitlets.List(list(LEARNING_RATES)).tag(sync=True)
    task = traitlets.Enum(TASKS, "recall").tag(sync=True)
    lag = _int(40, 1, 100, "delayed recall: distractors between the symbol and the question")
    length = _int(30, 4, 100, "adding problem and review: sequence length")
    cell = traitlets.Enum(CELLS, "lstm").tag(sync=True)
    hidden = _int(16, 2, 64, "hidden units")
    lr = _float(0.01, min(LEARNING_RATES), max(LEARNING_RATES), "Adam's learning rate")
    clip = _float(1.0, 0.0, 5.0, "largest gradient norm (0: no clipping)")
    keep_bias = _float(4.0, -4.0, 8.0, "LSTM forget / GRU update gate bias")
    input_bias = _float(-2.0, -6.0, 4.0, "LSTM input gate bias")
    seed = _int(1, 0, 999, "seed of the weights, the batches and the held-out set")

    def __init__(self, **kwargs):
        kwargs.setdefault("words", review_words())
        super().__init__(**kwargs)

    @traitlets.validate("lr")
    def _offered_lr(self, proposal):
        if proposal["value"] not in LEARNING_RATES:
            raise traitlets.TraitError(
                f"lr must be one of the rates the page offers, {LEARNING_RATES}, "
                f"got {proposal['value']!r}"
            )
        return proposal["value"]

    @property
    def settings(self):
        """The settings of the run, as the page's address writes them."""
        return {name: getattr(self, name) for name in SETTINGS}


def defaults():
    """The playground's default settings: {"task": "recall", "lag": 40, ...}."""
    traits = Playground.class_traits()
    return {name: traits[name].default_value for name in SETTINGS}


def address(**changes):
    """The query string of the defaults with ``changes``, as the page writes it:
    ``address(cell="rnn")`` is "?task=recall&lag=40&...&cell=rnn&...". Links to the
    playground use it, so that they name every setting."""
    settings = {**defaults(), **changes}
    unknown = sorted(set(settings) - set(SETTINGS))
    if unknown:
        raise ValueError(f"unknown playground settings {unknown}; the settings are {SETTINGS}")
    return "?" + urlencode(
        {k: f"{v:g}" if isinstance(v, float) else v for k, v in settings.items()}
    )
