"""Chapter 7: subject-verb agreement across attractors, the sources' language example made real.

    model = train("LSTM", attractors=6, seed=0)       # sentences with 6 attractors each
    accuracy(model, attractors=6)                     # on new ones, all of them misleading
    unit, r, traces, rows = number_unit(model, 6)     # the unit that carries the number

Models read one-hot words (``lib.tasks.agreement``) through an RNN, LSTM or GRU and
predict, where the verb would come, whether it is singular or plural. An attractor is a
noun between the subject and the verb; in the test sentences every attractor has the
other number, so the nearest noun always points the wrong way. More attractors mean a
longer distance (3 or 4 words each) over which the subject's number must be kept, and
over which the gradient must travel back while the model learns to keep it.
"""

import numpy as np

from .. import Adam, SequenceClassifier, backend, clip_grad_norm, cross_entropy, tasks
from ..recurrent import GRU, LSTM, RNN, set_keep_gate_bias
from .inside import correlations, lstm_trace

CELLS = {"RNN": RNN, "LSTM": LSTM, "GRU": GRU}
DISTANCES = (2, 4, 6, 8, 10, 12)


def one_hot(ids, size):
    """ids: (n, L) -> (n, L, size) float32 (padding id 0 becomes a zero row)."""
    x = (backend.to_numpy(ids)[..., None] == np.arange(size)).astype(np.float32)
    x[..., 0] = 0.0
    return backend.xp().asarray(x)


def train(cell, attractors, seed, hidden=16, n=2000, epochs=6, batch=64):
    """A SequenceClassifier trained on sentences with ``attractors`` attractors each.

    Attractors in training have the other number half of the time. The LSTM's forget
    gate and the GRU's update gate start biased to keep (chapter 3's trick).
    """
    ids, lengths, y, vocabulary = tasks.agreement(n, attractors, seed=seed)
    x = one_hot(ids, len(vocabulary))
    rnn = CELLS[cell](len(vocabulary), hidden, batch_first=True, seed=seed)
    if cell != "RNN":
        set_keep_gate_bias(rnn, 3.0)
    model = SequenceClassifier(rnn, 2, seed=seed)
    optimizer = Adam(model.modules, lr=0.01)
    order_rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = order_rng.permutation(n)
        for start in range(0, n, batch):
            rows = backend.xp().asarray(order[start : start + batch])
            logits = model(x[rows], lengths=lengths[rows])
            _, dlogits = cross_entropy(logits, y[rows])
            model.backward(dlogits)
            clip_grad_norm(model.modules, 1.0)
            optimizer.step()
    return model


def test_set(attractors, n=400, seed=100):
    """New sentences, every attractor of the other number: (x, lengths, y, sentences).

    sentences: each sentence as a list of words.
    """
    ids, lengths, y, vocabulary = tasks.agreement(n, attractors, mismatch=1.0, seed=seed)
    rows = zip(backend.to_numpy(ids), backend.to_numpy(lengths))
    sentences = [tasks.decode(row[:length], vocabulary).split() for row, length in rows]
    return one_hot(ids, len(vocabulary)), lengths, y, sentences


def accuracy(model, attractors):
    """The fraction of test sentences whose verb number the model gets right."""
    x, lengths, y, _ = test_set(attractors)
    predicted = backend.to_numpy(model(x, lengths=lengths)).argmax(axis=-1)
    return float((predicted == backend.to_numpy(y)).mean())


def distance_sweep(seeds=(0, 1, 2), distances=DISTANCES, cells=CELLS, report=print):
    """{cell: {distance: [accuracy per seed]}}: one model per cell, distance and seed."""
    results = {cell: {} for cell in cells}
    for distance in distances:
        for cell in cells:
            scores = [accuracy(train(cell, distance, seed), distance) for seed in seeds]
            results[cell][distance] = scores
            report(f"{cell} with {distance} attractors: {scores}")
    return results


def number_unit(model, attractors):
    """The LSTM unit whose cell state at the verb position best tells plural from singular.

    Returns (unit, correlation, traces, sentences): traces are ``lstm_trace`` dicts of the
    first singular and the first plural test sentence, sentences their words.
    """
    x, lengths, y, sentences = test_set(attractors, n=200)
    lengths, labels = backend.to_numpy(lengths), backend.to_numpy(y)
    final = np.array(
        [lstm_trace(model.rnn, x[row, : lengths[row]])["c"][-1] for row in range(len(labels))]
    )
    r = correlations(final, labels.astype(float))
    unit = int(np.abs(r).argmax())
    rows = [int(np.flatnonzero(labels == label)[0]) for label in (0, 1)]
    traces = [lstm_trace(model.rnn, x[row, : lengths[row]]) for row in rows]
    return unit, float(r[unit]), traces, [sentences[row] for row in rows]
