"""SequenceClassifier / SequenceRegressor and the fit loop, on top of lib's recurrent models."""

import numpy as np
import pytest

import lib
from lib import backend, tasks
from lib.gradcheck import gradcheck
from lib.losses import cross_entropy, mse_loss
from lib.models import SequenceClassifier, SequenceRegressor
from lib.optim import SGD, Adam
from lib.train import evaluate, fit

RECURRENT = {"RNN": lib.RNN, "LSTM": lib.LSTM, "GRU": lib.GRU}


def recurrent(kind, input_size, hidden_size, **kwargs):
    return RECURRENT[kind](input_size, hidden_size, batch_first=True, seed=0, **kwargs)


def random(shape, seed=0):
    return backend.asarray(np.random.default_rng(seed).standard_normal(shape))


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("readout", ["last", "all", 2])
def test_classifier_gradcheck(kind, bidirectional, readout):
    rnn = recurrent(kind, 3, 4, bidirectional=bidirectional, dtype="float64")
    model = SequenceClassifier(rnn, num_classes=3, readout=readout, seed=0)
    x = random((2, 5, 3), seed=1)
    label_shape = {"last": (2,), "all": (2, 5), 2: (2, 2)}[readout]
    labels = np.random.default_rng(2).integers(3, size=label_shape)
    labels = backend.asarray(labels)

    def loss():
        return cross_entropy(model(x), labels)[0]

    _, dlogits = cross_entropy(model(x), labels)
    dx = model.backward(dlogits)
    assert dx.shape == x.shape
    assert gradcheck(loss, model.head.params, model.head.grads) < 1e-6
    assert gradcheck(loss, model.rnn.params, model.rnn.grads) < 1e-6


@pytest.mark.parametrize("bidirectional", [False, True])
def test_last_readout_is_the_final_state_of_each_direction(bidirectional):
    rnn = recurrent("GRU", 3, 4, bidirectional=bidirectional, num_layers=2, dtype="float64")
    model = SequenceRegressor(rnn, out_features=2, seed=0)
    x = random((5, 6, 3), seed=1)
    _, h_n = rnn(x)
    top = h_n[-rnn.num_directions :]  # (num_directions, batch, hidden) of the last layer
    features = backend.xp().concatenate(list(top), axis=-1)
    np.testing.assert_allclose(
        backend.to_numpy(model(x)), backend.to_numpy(model.head(features)), rtol=1e-12
    )


def test_output_shapes():
    x = random((4, 7, 5))
    lstm = recurrent("LSTM", 5, 6, bidirectional=True)
    assert SequenceClassifier(lstm, 3)(x).shape == (4, 3)
    assert SequenceClassifier(lstm, 3, readout="all")(x).shape == (4, 7, 3)
    final_steps = SequenceClassifier(lstm, 3, readout=2)
    assert final_steps(x).shape == (4, 2, 3)
    everything = SequenceClassifier(lstm, 3, readout="all")
    everything.head.load_state_dict(final_steps.head.state_dict())
    np.testing.assert_array_equal(final_steps(x), everything(x)[:, -2:])
    assert SequenceRegressor(recurrent("RNN", 5, 6), 1)(x).shape == (4, 1)
    model = SequenceClassifier(lstm, 3)
    assert model.modules == [lstm, model.head] and model.num_classes == 3
    assert model(x).dtype == np.float32


def test_wrapper_errors():
    with pytest.raises(ValueError, match="batch_first=True"):
        SequenceClassifier(lib.GRU(3, 4), 2)
    with pytest.raises(ValueError, match="readout"):
        SequenceClassifier(recurrent("GRU", 3, 4), 2, readout="first")
    with pytest.raises(ValueError, match="number of final steps"):
        SequenceClassifier(recurrent("GRU", 3, 4), 2, readout=0)
    with pytest.raises(ValueError, match="only 5"):
        SequenceClassifier(recurrent("GRU", 3, 4), 2, readout=6)(backend.xp().zeros((2, 5, 3)))
    model = SequenceClassifier(recurrent("GRU", 3, 4), 2)
    with pytest.raises(RuntimeError, match="before forward"):
        model.backward(backend.xp().zeros((2, 2)))
    with pytest.raises(ValueError, match=r"3 dimensions \(batch, seq_len, input_size\)"):
        model(backend.xp().zeros((5, 3)))


def test_fit_learns_delayed_recall():
    x, y = tasks.delayed_recall(256, 4, seed=0)
    model = SequenceClassifier(recurrent("GRU", 8, 16), num_classes=4, seed=0)
    history = fit(
        model,
        (x, y),
        cross_entropy,
        Adam(model.modules, lr=0.02),
        epochs=12,
        batch_size=32,
        clip=1.0,
        eval_data=tasks.delayed_recall(128, 4, seed=1),
        progress=False,
        seed=0,
    )
    assert set(history) == {"loss", "accuracy", "eval_loss", "eval_accuracy"}
    assert all(len(values) == 12 for values in history.values())
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert history["eval_accuracy"][-1] > 0.9


def test_fit_regression_and_determinism():
    series = tasks.seasonal_series(200, seed=0)
    data = tasks.sliding_windows(series, 12)

    def run():
        model = SequenceRegressor(recurrent("LSTM", 1, 8), out_features=1, seed=0)
        optimizer = SGD(model.modules, lr=0.05, momentum=0.9)
        return fit(model, data, mse_loss, optimizer, epochs=5, progress=False, seed=3)

    history = run()
    assert set(history) == {"loss"}
    assert history["loss"][-1] < history["loss"][0]
    assert history == run()


def test_evaluate():
    x, y = tasks.delayed_recall(50, 3, seed=0)
    model = SequenceClassifier(recurrent("RNN", 8, 5), num_classes=4, seed=0)
    result = evaluate(model, (x, y), cross_entropy, batch_size=16)
    expected_loss = cross_entropy(model(x), y)[0]
    assert set(result) == {"loss", "accuracy"}
    assert result["loss"] == pytest.approx(expected_loss, rel=1e-5)
    assert 0 <= result["accuracy"] <= 1


def test_fit_errors():
    x, y = tasks.delayed_recall(10, 2, seed=0)
    model = SequenceClassifier(recurrent("GRU", 8, 4), num_classes=4)
    optimizer = SGD(model.modules, lr=0.1)
    with pytest.raises(TypeError, match=r"pair \(x, y\)"):
        fit(model, x, cross_entropy, optimizer, progress=False)
    with pytest.raises(ValueError, match="same number of examples"):
        fit(model, (x, y[:5]), cross_entropy, optimizer, progress=False)
    with pytest.raises(ValueError, match="epochs"):
        fit(model, (x, y), cross_entropy, optimizer, epochs=0, progress=False)
