"""Nguyen's cereal review, read by one LSTM unit whose gates are set by hand (chapter 3).

Michael Nguyen's illustrated guide opens with a product review: reading it, you keep the
words that carry its verdict ("amazing", "perfectly balanced", "definitely be buying
again") and let "this", "gave", "as", "all", "should" slip away. That is what the gates
of an LSTM can learn to do. Here one unit does it with weights chosen by hand, so that
each gate's job is visible:

    steps = read_review()          # one lib.functional.lstm_step per word: i, f, g, o, c, h
    plot_review(steps)             # the words top to bottom, what each gate did

Each word enters as two numbers, x_t = [salience, content]: salience is 1 for the
review's keywords (``KEYWORDS``) and 0 for filler; content is what the word would write
into memory: +1 (praise) for the keywords, a fixed value in (-1, 1) for each filler word
(drawn once from the word's letters). A trained network learns such features and gates
from data; here they are given, and ``ALWAYS_WRITE`` shows the same unit with its input
gate held open, for comparison.
"""

import re
import zlib

import matplotlib.pyplot as plt
import numpy

from lib import backend
from lib.functional import lstm_step

from .style import GATE_COLORS, GATE_NAMES

REVIEW = (
    "Amazing! This box of cereal gave me a perfectly balanced breakfast, as all things "
    "should be. I only ate half of it but will definitely be buying again!"
)
KEYWORDS = {"amazing": 1.0, "perfectly": 1.0, "balanced": 1.0, "definitely": 1.0,
            "buying": 1.0, "again": 1.0}  # fmt: skip
# One unit, gates in lib's order i, f, g, o; columns: salience, content. The input gate
# opens for keywords only (sigma(+4) = 0.98, filler sigma(-4) = 0.02), the forget gate
# stays open (sigma(5) = 0.993), the candidate carries the content, the output gate is
# half open.
KEYWORD_CELL = {
    "weight_ih": ((8.0, 0.0), (0.0, 0.0), (0.0, 1.0), (0.0, 0.0)),
    "bias_ih": (-4.0, 5.0, 0.0, 0.0),
}
# The same unit with its input gate held open (sigma(10) = 0.99995): every word is written.
ALWAYS_WRITE = {
    "weight_ih": ((0.0, 0.0), *KEYWORD_CELL["weight_ih"][1:]),
    "bias_ih": (10.0, *KEYWORD_CELL["bias_ih"][1:]),
}


def words(text=REVIEW):
    """The words of ``text``, lower case, without punctuation."""
    return re.findall(r"[a-z']+", text.lower())


def features(tokens):
    """x_t = [salience, content] for each word: (T, 2); see the module docstring."""
    return numpy.array(
        [[1.0, KEYWORDS[w]] if w in KEYWORDS else [0.0, _content(w)] for w in tokens]
    )


def _content(word):
    """A filler word's content: a value in (-1, 1) fixed by its letters (same every run)."""
    return numpy.random.default_rng(zlib.crc32(word.encode())).uniform(-1.0, 1.0)


def read_review(text=REVIEW, cell=KEYWORD_CELL):
    """Run one LSTM unit over the words of ``text``; returns (words, steps).

    cell: weight_ih (4, 2) and bias_ih (4,) in lib's gate order i, f, g, o; the recurrent
    weights are zero, so each gate sees only the current word. steps: one
    ``lib.functional.LSTMStep`` per word, each field a float (batch and unit of size 1).
    """
    tokens = words(text)
    if not tokens:
        raise ValueError(f"the review has no words: {text!r}")
    xp = backend.xp()
    weight_ih = xp.asarray(cell["weight_ih"], dtype="float64")
    bias_ih = xp.asarray(cell["bias_ih"], dtype="float64")
    if weight_ih.shape != (4, 2) or bias_ih.shape != (4,):
        raise ValueError(
            "cell needs weight_ih of shape (4, 2) and bias_ih of shape (4,) for one unit, "
            f"got {tuple(weight_ih.shape)} and {tuple(bias_ih.shape)}"
        )
    weight_hh = xp.zeros((4, 1), dtype="float64")
    h = c = xp.zeros((1, 1), dtype="float64")
    steps = []
    for x_t in features(tokens):
        step = lstm_step(xp.asarray([x_t]), h, c, weight_ih, weight_hh, bias_ih)
        steps.append(type(step)(*(float(backend.to_numpy(v)[0, 0]) for v in step)))
        h, c = step.h, step.c
    return tokens, steps


def plot_review(tokens, steps, unguarded=None, figsize=(5.2, 7.4)):
    """The review top to bottom: the input gate at each word (left), the cell state after
    it (right, bars). Keywords are printed in bold. unguarded: optional steps of the same
    unit with its input gate held open (``ALWAYS_WRITE``), drawn as a line on the right."""
    rows = numpy.arange(len(tokens))
    fig, (left, right) = plt.subplots(1, 2, figsize=figsize, sharey=True)
    left.barh(rows, [s.i for s in steps], color=GATE_COLORS["i"], height=0.7)
    right.barh(rows, [s.c for s in steps], color=GATE_COLORS["c"], height=0.7,
               label="gated: keywords only")  # fmt: skip
    if unguarded is not None:
        right.plot([s.c for s in unguarded], rows, "o--", color="#555555", ms=4,
                   label="every word written")  # fmt: skip
    right.axvline(0, color="#333333", lw=0.8)
    left.set_yticks(rows, tokens)
    for label, token in zip(left.get_yticklabels(), tokens):
        label.set_fontweight("bold" if token in KEYWORDS else "normal")
    left.invert_yaxis()
    left.set_xlim(0, 1.05)
    left.set_title(f"$i_t$: {GATE_NAMES['i']}\n(how much is written)")
    right.set_title(f"$c_t$: {GATE_NAMES['c']}\n(what is kept)")
    right.set_xlabel("value after the word")
    left.set_xlabel("value at the word")
    if unguarded is not None:  # under the panels, where it covers nothing
        fig.legend(*right.get_legend_handles_labels(), loc="lower center", ncols=2, frameon=False)
        fig.tight_layout(rect=(0, 0.05, 1, 1))
    else:
        fig.tight_layout()
    return fig
