"""lib.course.memory_span: the stored grid (book/data/memory_span.json) was made by this
code, and a slice of it reproduces when it is trained again."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from lib.course import memory_span as ms  # noqa: E402

# Cells of the grid trained again by the test: cheap ones, on both sides of a limit.
SLICE = [("RNN", 40, 0), ("RNN, orthogonal", 40, 1), ("GRU", 20, 2)]


@pytest.fixture(scope="module")
def stored():
    return ms.load()


def test_the_stored_grid_was_made_by_this_code(stored):
    assert stored["training"] == ms.TRAINING
    assert stored["keep_gate_bias"] == ms.KEEP_GATE_BIAS
    assert stored["models"] == {name: list(spec) for name, spec in ms.MODELS.items()}
    assert stored["lags"] == list(ms.LAGS) and stored["seeds"] == list(ms.SEEDS)
    for grid in stored["accuracy"].values():
        assert grid.shape == (len(ms.LAGS), len(ms.SEEDS))
        assert ((grid >= 0) & (grid <= 1)).all()


@pytest.mark.parametrize("model, lag, seed", SLICE)
def test_a_slice_of_the_grid_reproduces(stored, model, lag, seed):
    expected = stored["accuracy"][model][stored["lags"].index(lag), stored["seeds"].index(seed)]
    # the same computation; the tolerance (5 test sequences of 512) only absorbs float32
    # rounding that differs between BLAS builds
    assert ms.recall_accuracy(model, lag, seed) == pytest.approx(expected, abs=0.01)


def test_run_save_load_and_plot(tmp_path):
    results = ms.run(models=("RNN", "GRU"), lags=(2, 3), seeds=(0,), report=None)
    ms.save(results, tmp_path / "span.json")
    again = ms.load(tmp_path / "span.json")
    assert again["lags"] == [2, 3] and set(again["accuracy"]) == {"RNN", "GRU"}
    np.testing.assert_array_equal(again["accuracy"]["GRU"], np.array(results["accuracy"]["GRU"]))
    fig = ms.plot(again)
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["RNN", "GRU"]
    matplotlib.pyplot.close(fig)


def test_an_unknown_model_is_named():
    with pytest.raises(ValueError, match="model must be one of"):
        ms.recall_accuracy("Transformer", 5, 0)


def test_span_is_the_longest_lag_every_seed_solves_without_a_gap():
    grid = [[1.0, 1.0], [0.9, 0.92], [1.0, 0.6], [0.95, 1.0]]  # lag 20: one seed fails
    results = {"lags": [5, 10, 20, 40], "accuracy": {"m": grid}}
    assert ms.span(results, "m") == 10  # lag 40 is solved again, but after a gap
    assert ms.span(results, "m", solved=0.95) == 5
    results["accuracy"]["m"][0] = [1.0, 0.2]
    assert ms.span(results, "m") is None
