"""The course's central claim: gated cells remember across 50 steps, a plain RNN does not.

Delayed recall at lag 50 (a symbol, then 50 random distractors, then "which symbol was
first?"). Same hidden size, same data, same optimiser, six epochs each. The LSTM and
the GRU start with their keep gate biased open (``set_keep_gate_bias``; the LSTM's input
gate also starts mostly shut), as chapter 3 explains; the RNN has no such gate. Each
run takes well under a minute on two cores.
"""

import pytest

import lib
from lib import tasks

LAG, HIDDEN, EPOCHS = 50, 32, 6


def train_on_delayed_recall(model_class):
    x, y = tasks.delayed_recall(2048, lag=LAG, seed=0)
    held_out = tasks.delayed_recall(512, lag=LAG, seed=1)
    rnn = model_class(x.shape[2], HIDDEN, batch_first=True, seed=0)
    if model_class is lib.LSTM:
        lib.set_keep_gate_bias(rnn, 4.0, input_gate=-2.0)
    elif model_class is lib.GRU:
        lib.set_keep_gate_bias(rnn, 4.0)
    model = lib.SequenceClassifier(rnn, num_classes=4, seed=0)
    optimizer = lib.Adam(model.modules, lr=0.01)
    history = lib.fit(
        model,
        (x, y),
        lib.cross_entropy,
        optimizer,
        epochs=EPOCHS,
        batch_size=64,
        clip=1.0,
        eval_data=held_out,
        progress=False,
        seed=0,
    )
    return history["eval_accuracy"][-1]


@pytest.mark.slow
@pytest.mark.parametrize("model_class", [lib.LSTM, lib.GRU], ids=["LSTM", "GRU"])
def test_gated_cells_recall_across_50_steps(model_class):
    assert train_on_delayed_recall(model_class) >= 0.95


@pytest.mark.slow
def test_tanh_rnn_stays_near_chance_at_lag_50():
    accuracy = train_on_delayed_recall(lib.RNN)
    assert accuracy <= 0.35, f"chance is 0.25; the tanh RNN reached {accuracy:.3f}"
