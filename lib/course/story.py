"""The boss-raise story of chapter 3: one LSTM step with two memory units you can read.

You are the boss and an employee asks for a raise. The cell's two units are your
**mood** and your **budget**; the input has three parts: your child passed an exam, your
own boss gave you an ugly review (-1), and there is enough time left in the quarter.

    values = story_step()                      # the preset: lib.functional.lstm_step's values
    values.f, values.c, values.h               # each a NumPy array of shape (2,)
    story_sentence(values)                     # "You keep 0% of your old mood and ..."
    story_step(b_f=(4.0, 4.0))                 # the same day with a forget-gate bias of 4

The weights of article 000's figures are not available, so the preset publishes weights
of our own (``PRESET``) that reproduce the story's forget gate [0, 0] and new cell state
[1, 1]. Its last number cannot be reproduced: with c_t = [1, 1] the new hidden state is
h_t = o_t * tanh(1) <= 0.762, not [0.9, 0.9] (see the chapter).

Each gate's weights act on the concatenation [h_{t-1}, x_t] = [h_mood, h_budget, exam,
review, time] (a 2 x 5 matrix per gate, the notation of article 003's pseudo-code);
``torch_weights`` splits them into PyTorch's layout for ``lib.functional.lstm_step``.
"""

from __future__ import annotations

import dataclasses
import math

from lib import backend
from lib.functional import LSTMStep, lstm_step

from .style import GATE_NAMES

UNITS = ("mood", "budget")
INPUTS = ("exam passed", "review from your boss", "time left")
CONCAT = ("h mood", "h budget", "x exam", "x review", "x time")
GATES = ("f", "i", "g", "o")  # the order the chapter tells them in
TORCH_ORDER = ("i", "f", "g", "o")  # the order of the rows in torch's stacked weights
CEILING = math.tanh(1.0)  # the largest h when c = 1: 0.7616


@dataclasses.dataclass(frozen=True)
class StoryPreset:
    """Inputs and weights of the story. Tuples, so that a preset is hashable and frozen.

    c, h: the old cell and hidden states (mood, budget); x: today's input (exam, review,
    time). W_f, W_i, W_g, W_o: 2 x 5 weights on [h, x]; b_f, b_i, b_g, b_o: biases (2,).
    Change any of them with ``dataclasses.replace(PRESET, b_f=(4.0, 4.0))`` or by passing
    the same names to ``story_step``.
    """

    c: tuple = (0.7, 0.3)
    h: tuple = (1.0, 1.0)
    x: tuple = (1.0, -1.0, 1.0)
    # columns: h mood, h budget, x exam, x review, x time; rows: mood, budget
    W_f: tuple = ((-1.0, -1.0, -2.0, 2.0, 0.0), (-1.0, -1.0, 0.0, 2.0, -2.0))
    W_i: tuple = ((1.0, 1.0, 2.0, -2.0, 0.0), (1.0, 1.0, 0.0, -2.0, 2.0))
    W_g: tuple = ((1.0, 1.0, 2.0, 1.0, 1.0), (0.0, 2.0, 0.0, 1.0, 3.0))
    W_o: tuple = ((1.0, 1.0, 2.0, -1.0, 1.0), (1.0, 1.0, 1.0, -1.0, 2.0))
    b_f: tuple = (0.0, 0.0)
    b_i: tuple = (0.0, 0.0)
    b_g: tuple = (0.0, 0.0)
    b_o: tuple = (0.0, 0.0)

    def replace(self, **changes):
        """A copy with some fields changed; lists and arrays are turned into tuples."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise TypeError(
                f"unknown story field(s) {sorted(unknown)}; the fields are "
                f"{[f.name for f in dataclasses.fields(self)]}"
            )
        return dataclasses.replace(self, **{k: _as_tuple(v) for k, v in changes.items()})


PRESET = StoryPreset()


def _as_tuple(value):
    value = backend.to_numpy(value) if hasattr(value, "shape") else value
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return tuple(_as_tuple(v) for v in value)
    return float(value)


def torch_weights(preset=PRESET):
    """The preset's weights in PyTorch's layout (gate rows i, f, g, o), float64 arrays.

    Returns a dict with weight_ih (8, 3), weight_hh (8, 2), bias_ih (8,), bias_hh (8,)
    (all of the bias is put in bias_ih; bias_hh is zero).
    """
    xp = backend.xp()
    rows = [getattr(preset, f"W_{gate}") for gate in TORCH_ORDER]
    stacked = xp.asarray([row for block in rows for row in block], dtype="float64")  # (8, 5)
    bias = xp.asarray([b for gate in TORCH_ORDER for b in getattr(preset, f"b_{gate}")])
    return {
        "weight_ih": stacked[:, 2:],
        "weight_hh": stacked[:, :2],
        "bias_ih": bias.astype("float64"),
        "bias_hh": xp.zeros(8, dtype="float64"),
    }


def story_step(preset=PRESET, **changes):
    """One step of ``lib.functional.lstm_step`` on the story: LSTMStep(i, f, g, o, c, h).

    preset: a StoryPreset; changes: fields to override (c, h, x, W_f, ..., b_o), for
    example ``story_step(x=(1, 1, 1))``. Each value is a NumPy array of shape (2,).
    """
    if changes:
        preset = preset.replace(**changes)
    xp = backend.xp()
    x = xp.asarray([preset.x], dtype="float64")
    h = xp.asarray([preset.h], dtype="float64")
    c = xp.asarray([preset.c], dtype="float64")
    step = lstm_step(x, h, c, **torch_weights(preset))
    return LSTMStep(*(backend.to_numpy(v)[0] for v in step))


def _pct(v):
    return f"{100 * v:.0f}%"


def raise_likelihood(values):
    """How likely the raise is, read off the new hidden state: its mean, clipped to [0, 1]."""
    return min(max(float(sum(values.h)) / len(values.h), 0.0), 1.0)


def story_sentence(values):
    """The step told in the story's words, from ``story_step``'s values."""
    f, i, g, o, c, h = (values.f, values.i, values.g, values.o, values.c, values.h)
    return (
        f"You keep {_pct(f[0])} of your old mood and {_pct(f[1])} of your old budget; "
        f"you let in {_pct(i[0])} and {_pct(i[1])} of today's candidate values "
        f"({g[0]:+.2f} for mood, {g[1]:+.2f} for budget); "
        f"your long-term view becomes mood {c[0]:.2f}, budget {c[1]:.2f}; "
        f"you reveal {_pct(o[0])} and {_pct(o[1])} of it, so your short-term view is "
        f"[{h[0]:.2f}, {h[1]:.2f}]: you are {_pct(raise_likelihood(values))} "
        "likely to give the raise."
    )


def story_table(values, digits=3):
    """The values as aligned text lines: one row per quantity, columns mood and budget."""
    lines = [f"{'':<18}{'mood':>8}{'budget':>8}"]
    for key in ("f", "i", "g", "o", "c", "h"):
        v = getattr(values, key)
        label = f"{key} ({GATE_NAMES[key]})"
        lines.append(f"{label:<18}{v[0]:>8.{digits}f}{v[1]:>8.{digits}f}")
    return "\n".join(lines)
