"""Exercise 7 (chapter 7): the embedding's backward pass, temperature, sampling, perplexity.

ids are integer token ids; dout, logits and probabilities are float64. The references
come from lib (``lib.Embedding``, ``lib.language_model``), the mistakes from NumPy.
"""

import numpy as np

import lib
from lib import language_model

from .core import Exercise, Mistake, Question

# One name per object: the tripwire replaces a function in every lib module that holds it,
# so lib.sample also covers lib.language_model.sample.
FORBIDDEN = (
    "lib.Embedding",
    "lib.functional.softmax",
    "lib.functional.log_softmax",
    "lib.language_model.softmax_with_temperature",
    "lib.language_model.top_k_logits",
    "lib.sample",
    "lib.perplexity",
)

# case -> (vocabulary, embedding size, ids shape). Case 1 is square (vocabulary =
# embedding size), so that a transposed gradient still has the right shape.
SIZES = {0: (7, 3, (12,)), 1: (5, 5, (4, 3)), 2: (9, 4, (6, 5))}


def make_inputs(rng, case):
    vocab, size, shape = SIZES[case % 3]
    ids = rng.integers(vocab, size=shape)
    ids.flat[:3] = ids.flat[0]  # a repeated id in every case
    batch = 4
    logits = 3 * rng.standard_normal((batch, vocab))
    logits[0] += 800.0  # a row that overflows exp() unless the maximum is subtracted
    windows = 5
    return {
        "ids": ids,
        "dout": rng.standard_normal((*shape, size)),
        "num_embeddings": np.array(vocab),
        "logits": logits,
        "temperature": np.array([0.5, 1.0, 1.7][case % 3]),
        "u": rng.random(batch),
        "window_losses": rng.uniform(1.2, 2.5, windows),
        "window_chars": rng.integers(100, 2000, windows).astype(float),
    }


# --- q1: the embedding's backward pass ------------------------------------------------


def embedding_grad(ids, dout, num_embeddings):
    """The reference: lib.Embedding's own gradient."""
    embedding = lib.Embedding(int(num_embeddings), dout.shape[-1], dtype="float64")
    embedding(ids)
    embedding.backward(dout)
    return np.asarray(embedding.grads["weight"])


def _flat(i):
    return i["ids"].reshape(-1), i["dout"].reshape(-1, i["dout"].shape[-1])


def _last_write_wins(i):
    ids, dout = _flat(i)
    grad = np.zeros((int(i["num_embeddings"]), dout.shape[1]))
    grad[ids] += dout  # the bug itself: one write per distinct id
    return {"dW": grad}


def _mean_per_id(i):
    ids, dout = _flat(i)
    grad = np.zeros((int(i["num_embeddings"]), dout.shape[1]))
    np.add.at(grad, ids, dout)
    counts = np.bincount(ids, minlength=len(grad))[:, None]
    return {"dW": grad / np.maximum(counts, 1)}


def _transposed(i):
    ids, dout = _flat(i)
    grad = np.zeros((int(i["num_embeddings"]), dout.shape[1]))
    np.add.at(grad, ids, dout)
    return {"dW": grad.T}


def _sum_over_everything(i):
    ids, dout = _flat(i)
    grad = np.zeros((int(i["num_embeddings"]), dout.shape[1]))
    grad[np.unique(ids)] = dout.sum(axis=0)
    return {"dW": grad}


q1 = Question(
    name="q1",
    points=3,
    function="embedding_backward",
    args=("ids", "dout", "num_embeddings"),
    parts=("dW",),
    make_inputs=make_inputs,
    reference=lambda i: {"dW": embedding_grad(i["ids"], i["dout"], i["num_embeddings"])},
    mistakes=[
        Mistake(
            "dW[ids] += dout loses repeated ids: NumPy applies a fancy-indexed += once per "
            "distinct id, so an id used 3 times keeps one gradient; use np.add.at(dW, ids, dout)",
            _last_write_wins,
        ),
        Mistake(
            "the gradients of a repeated id are averaged: each use of the row adds its own "
            "gradient, so they are summed",
            _mean_per_id,
        ),
        Mistake(
            "dW is transposed: it has the shape of the weight, (num_embeddings, dim)", _transposed
        ),
        Mistake(
            "every used row gets the sum of all the gradients: row k collects only the "
            "positions that hold id k",
            _sum_over_everything,
        ),
    ],
    forbidden=FORBIDDEN,
    hints=(
        (
            r"shape mismatch|could not be broadcast",
            "flatten ids to (n,) and dout to (n, dim) first",
        ),
    ),
)

# --- q2: softmax with temperature --------------------------------------------------------


def reference_probabilities(logits, temperature):
    return np.asarray(language_model.softmax_with_temperature(logits, float(temperature)))


def _stable_softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


q2 = Question(
    name="q2",
    points=2,
    function="softmax_with_temperature",
    args=("logits", "temperature"),
    parts=("p",),
    make_inputs=make_inputs,
    reference=lambda i: {"p": reference_probabilities(i["logits"], i["temperature"])},
    mistakes=[
        Mistake(
            "the logits are multiplied by the temperature: divide them (z / T), so that a low "
            "temperature sharpens the distribution",
            lambda i: {"p": _stable_softmax(i["logits"] * i["temperature"])},
        ),
        Mistake(
            "the temperature is ignored: divide the logits by it before the softmax",
            lambda i: {"p": _stable_softmax(i["logits"])},
        ),
        Mistake(
            "the softmax runs over the batch axis: normalise each row (axis=-1), one "
            "distribution per example",
            lambda i: {"p": _stable_softmax(i["logits"] / i["temperature"], axis=0)},
        ),
        Mistake(
            "the probabilities are divided by the temperature after the softmax: they no "
            "longer sum to 1; divide the logits instead",
            lambda i: {"p": _stable_softmax(i["logits"]) / i["temperature"]},
        ),
    ],
    forbidden=FORBIDDEN,
    hints=(
        (
            r"overflow|nan|inf",
            "subtract each row's maximum logit before exp(): it changes nothing else",
        ),
    ),
)

# --- q3: drawing the next character -------------------------------------------------------


def draw(p, u):
    """Inverse-CDF sampling: the first index whose cumulative probability exceeds u."""
    cumulative = np.cumsum(p, axis=-1)
    return np.array(
        [int(np.searchsorted(row, value, side="right")) for row, value in zip(cumulative, u)]
    )


def _clipped_draw(p, u):
    """draw(p, u) as floats; rounding can leave cumsum's last entry just below u."""
    return np.minimum(draw(p, u), p.shape[-1] - 1).astype(float)


def _reference_draw(i):
    return {
        "next_ids": _clipped_draw(reference_probabilities(i["logits"], i["temperature"]), i["u"])
    }


q3 = Question(
    name="q3",
    points=2,
    function="sample_next",
    args=("logits", "temperature", "u"),
    parts=("next_ids",),
    make_inputs=make_inputs,
    reference=_reference_draw,
    mistakes=[
        Mistake(
            "this is the argmax (greedy decoding), not a sample: draw with u through the "
            "cumulative probabilities",
            lambda i: {"next_ids": (i["logits"] / i["temperature"]).argmax(axis=-1).astype(float)},
        ),
        Mistake(
            "the draw ignores the temperature: sample from softmax(logits / temperature)",
            lambda i: {"next_ids": _clipped_draw(_stable_softmax(i["logits"]), i["u"])},
        ),
        Mistake(
            "the index is one too high: take the first index whose cumulative probability "
            "exceeds u (np.searchsorted(cdf, u, side='right'))",
            lambda i: {
                "next_ids": np.minimum(
                    _reference_draw(i)["next_ids"] + 1, i["logits"].shape[-1] - 1
                )
            },
        ),
    ],
    forbidden=FORBIDDEN,
)

# --- q4: perplexity from the losses of several windows -------------------------------------


def _mean_loss(i):
    """The loss per character over all windows: each window weighted by its size."""
    return (i["window_losses"] * i["window_chars"]).sum() / i["window_chars"].sum()


def reference_perplexity(i):
    return {"ppl": np.array(lib.perplexity(float(_mean_loss(i))))}


q4 = Question(
    name="q4",
    points=2,
    function="perplexity",
    args=("window_losses", "window_chars"),
    parts=("ppl",),
    make_inputs=make_inputs,
    reference=reference_perplexity,
    mistakes=[
        Mistake(
            "the windows are averaged without their sizes: weight each window's mean loss by "
            "its number of characters",
            lambda i: {"ppl": np.exp(i["window_losses"].mean())},
        ),
        Mistake(
            "exp is taken per window and then averaged: average the loss first, then exp",
            lambda i: {
                "ppl": (np.exp(i["window_losses"]) * i["window_chars"]).sum()
                / i["window_chars"].sum()
            },
        ),
        Mistake(
            "2 ** loss: the losses are in nats (natural log), so the perplexity is e ** loss",
            lambda i: {"ppl": 2.0 ** _mean_loss(i)},
        ),
        Mistake(
            "this is the mean loss itself: the perplexity is exp(mean loss)",
            lambda i: {"ppl": _mean_loss(i)},
        ),
    ],
    forbidden=FORBIDDEN,
)

EXERCISE = Exercise(
    name="ex07",
    title="Exercise 7: a language model's pieces",
    notebook="ex07_language_model/ex07_language_model.ipynb",
    questions=[q1, q2, q3, q4],
)
