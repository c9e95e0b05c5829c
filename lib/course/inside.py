"""Chapter 7, a look inside a character language model: traces, units, painting, connectivity.

    trace = lstm_trace(model.rnn, model.embedding(vocab.encode(passage)))  # {"c": (T, H), ...}
    found = best_units(trace["c"], text_features(passage))
    HTML(paint(passage, trace["c"][:, found[0].unit]))    # LSTMVis-style: text coloured by a unit

``lstm_trace`` steps through the text with the readable ``lib.functional.lstm_step``, which
returns every gate, using the trained model's weights; ``connectivity`` asks the model's
backward pass how strongly each earlier character moves the prediction of the next one
(Madsen 2019, distill.pub "Visualizing memorization in RNNs").
"""

import html
from collections import namedtuple

import numpy as np

from .. import backend, functional
from ..functional import log_softmax

Unit = namedtuple("Unit", "feature unit correlation")

PUNCTUATION = set(",.;:!?")


def lstm_trace(lstm, x):
    """Every gate and state of the first layer of a ``lib.LSTM`` at every step of one sequence.

    x: (T, input_size), for a language model ``model.embedding(ids)``.
    Returns {name: (T, hidden) NumPy array} for i, f, g, o, c, h.
    """
    if lstm.kernel.gates != 4 or lstm.peephole:
        raise ValueError("lstm_trace needs a lib.LSTM without peepholes")
    params = {k.removesuffix("_l0"): v for k, v in lstm.params.items() if k.endswith("_l0")}
    xp = backend.xp()
    h = xp.zeros((1, lstm.hidden_size), dtype=lstm.dtype)
    c = xp.zeros_like(h)
    steps = []
    for x_t in backend.asarray(x):
        step = functional.lstm_step(x_t[None], h, c, **params)
        h, c = step.h, step.c
        steps.append(step)
    return {
        name: np.concatenate([backend.to_numpy(getattr(step, name)) for step in steps])
        for name in "ifgoch"
    }


def text_features(passage):
    """Per-character properties a unit might track, each (T,) float.

    "position in the line": characters since the last newline;
    "inside a speaker's name": 1 on the characters of a "NAME:" line;
    "since punctuation": characters since the last , . ; : ! or ?;
    "inside a word": 1 on letters and apostrophes.
    """
    position, since_mark, speaker = [], [], []
    column, since = 0, 0
    lines = passage.split("\n")
    for line_number, line in enumerate(lines):
        is_name = line.endswith(":") and line[:-1].replace(" ", "").isupper()
        for char in line + ("\n" if line_number < len(lines) - 1 else ""):
            position.append(column)
            since_mark.append(since)
            speaker.append(float(is_name and char != "\n"))
            column = 0 if char == "\n" else column + 1
            since = 0 if char in PUNCTUATION else since + 1
    word = [float(char.isalpha() or char == "'") for char in passage]
    return {
        "position in the line": np.array(position, float),
        "inside a speaker's name": np.array(speaker),
        "since punctuation": np.array(since_mark, float),
        "inside a word": np.array(word),
    }


def correlations(activations, feature):
    """Pearson correlation of each unit's activation (T, H) with a feature (T,): (H,)."""
    a = activations - activations.mean(axis=0)
    f = feature - feature.mean()
    denominator = np.sqrt((a * a).sum(axis=0) * (f * f).sum()) + 1e-12
    return (a * f[:, None]).sum(axis=0) / denominator


def best_units(activations, features):
    """For each feature, the unit whose activation correlates most with it (by |r|)."""
    found = []
    for name, feature in features.items():
        r = correlations(activations, feature)
        unit = int(np.abs(r).argmax())
        found.append(Unit(name, unit, float(r[unit])))
    return found


def _color(value):
    """A background colour for a value in [-1, 1]: blue below 0, white at 0, red above."""
    v = float(np.clip(value, -1, 1))
    fade = int(255 * (1 - abs(v)))
    return f"rgb(255,{fade},{fade})" if v >= 0 else f"rgb({fade},{fade},255)"


def paint(passage, values, scale=None, title=""):
    """HTML of ``passage`` with each character's background coloured by ``values`` (T,).

    values are divided by ``scale`` (default: their largest magnitude) and shown from blue
    (-1) through white (0) to red (+1). Lines wrap on narrow screens.
    """
    values = np.asarray(values, float)
    if len(values) != len(passage):
        raise ValueError(f"{len(values)} values for {len(passage)} characters")
    scale = scale or (np.abs(values).max() or 1.0)
    spans = []
    for char, value in zip(passage, values / scale):
        shown = "↵\n" if char == "\n" else html.escape(char)
        spans.append(f'<span style="background:{_color(value)}">{shown}</span>')
    heading = ""
    if title:
        heading = f"<div style='font-weight:bold;margin:4px 0'>{html.escape(title)}</div>"
    return (
        f"{heading}<div style='font-family:monospace;white-space:pre-wrap;line-height:1.5;"
        f"font-size:13px;overflow-wrap:anywhere'>{''.join(spans)}</div>"
    )


def connectivity(model, ids):
    """How strongly each character drives the prediction of each next character.

    ids: (T,) one passage. Row t, column s <= t: the norm of the gradient of
    log p(ids[t + 1]) with respect to the embedded character s (a backward pass per row).
    Returns a (T - 1, T) NumPy array, zero above the diagonal.
    """
    xp = backend.xp()
    ids = backend.asarray(ids)
    was_training = model.training
    model.eval()
    try:
        logits, _ = model(ids[:, None])
        log_p = log_softmax(logits[:, 0], axis=-1)
        rows = []
        for t in range(len(ids) - 1):
            dlogits = xp.zeros_like(logits)
            dlogits[t, 0] = xp.exp(log_p[t])  # d(-log p(next)) / d logits = p - onehot
            dlogits[t, 0, ids[t + 1]] -= 1.0
            dembedded, _ = model.rnn.backward(model.decoder.backward(dlogits))
            rows.append(backend.to_numpy(xp.sqrt((dembedded[:, 0] ** 2).sum(axis=-1))))
    finally:
        model.train(was_training)
    return np.array(rows)


def influence_by_distance(matrix, max_distance=40):
    """Mean connectivity at each distance back, relative to the current character's.

    matrix: (T - 1, T) from ``connectivity``. Returns (max_distance,): entry d is the mean
    over the passage of the influence of the character d steps back, entry 0 is 1.
    """
    if matrix.ndim != 2 or matrix.shape[1] != matrix.shape[0] + 1:
        raise ValueError(f"expected a (T - 1, T) connectivity matrix, got shape {matrix.shape}")
    if not 0 < max_distance < matrix.shape[0]:
        raise ValueError(f"max_distance must be in 1..{matrix.shape[0] - 1}, got {max_distance}")
    rows, cols = np.indices(matrix.shape)
    distance = rows - cols  # row t predicts character t + 1 from column s <= t
    means = np.array([matrix[distance == d].mean() for d in range(max_distance)])
    return means / means[0]
