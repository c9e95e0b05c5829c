"""Tests of lib.course.comparison: parameter budgets, tasks, training and timing."""

import numpy as np
import pytest

import lib
from lib.course import comparison as compare


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("layers", [1, 2, 3])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_count_parameters_matches_the_models(kind, layers, bidirectional):
    model = compare.MODELS[kind](5, 7, num_layers=layers, bidirectional=bidirectional, seed=0)
    assert lib.count_parameters(kind, 5, 7, layers, bidirectional) == model.num_parameters()


def test_gru_has_three_quarters_of_the_lstm_parameters():
    assert 4 * lib.count_parameters("GRU", 8, 32) == 3 * lib.count_parameters("LSTM", 8, 32)


def test_hidden_size_for_matches_the_budget():
    budget = lib.count_parameters("GRU", 1, 32, 1)
    h2 = compare.hidden_size_for("GRU", 1, 2, budget)
    assert h2 == 18
    for h in (h2 - 1, h2 + 1):
        assert abs(lib.count_parameters("GRU", 1, h, 2) - budget) >= abs(
            lib.count_parameters("GRU", 1, h2, 2) - budget
        )


def test_running_parity_labels():
    x, y = lib.tasks.running_parity(6, 10, seed=1)
    assert x.shape == (6, 10, 1) and y.shape == (6, 10)
    assert x.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_array_equal(y, np.cumsum(x[..., 0].astype(int), axis=1) % 2)
    again, _ = lib.tasks.running_parity(6, 10, seed=1)
    np.testing.assert_array_equal(x, again)


@pytest.mark.parametrize(
    "task, classes",
    [(compare.recall_task(lag=3), 4), (compare.adding_task(6), None), (compare.parity_task(5), 2)],
)
def test_train_and_score_returns_a_full_row(task, classes):
    assert task.classes == classes
    row = compare.train_and_score("GRU", task, 4, epochs=2, n_train=64, n_test=32, seed=0)
    assert set(row) == {
        "model",
        "layers",
        "hidden",
        "parameters",
        "metric",
        "score",
        "curve",
        "ms_per_step",
        "seconds",
    }
    assert len(row["curve"]) == 2 and row["ms_per_step"] > 0
    assert row["parameters"] == lib.count_parameters(
        "GRU", 2 if classes is None else (8 if classes == 4 else 1), 4
    )
    if classes is None:
        assert row["metric"] == "mse" and row["score"] >= 0
    else:
        assert row["metric"] == "accuracy" and 0 <= row["score"] <= 1


def test_train_and_score_is_deterministic():
    task = compare.parity_task(6)
    a = compare.train_and_score("LSTM", task, 4, epochs=2, n_train=64, n_test=32, seed=3)
    b = compare.train_and_score("LSTM", task, 4, epochs=2, n_train=64, n_test=32, seed=3)
    assert a["curve"] == b["curve"] and a["score"] == b["score"]


def test_build_sets_the_keep_gate_bias_and_checks_the_kind():
    task = compare.recall_task(lag=3)
    model = compare.build(task, "GRU", 8, 4, seed=0, keep_gate_bias=2.5)
    np.testing.assert_array_equal(lib.to_numpy(model.rnn.params["bias_ih_l0"][4:8]), 2.5)
    compare.build(task, "RNN", 8, 4, seed=0)  # no gate: the bias is ignored
    with pytest.raises(ValueError, match="kind must be one of"):
        compare.build(task, "Transformer", 8, 4)


def test_gru_learns_running_parity_quickly():
    row = compare.train_and_score("GRU", compare.parity_task(8), 16, epochs=6, seed=0)
    assert row["score"] > 0.95


def test_table_html():
    html = compare.table_html([{"a": 1, "b": 0.12345}], {"a": "A", "b": "B"}, {"b": "{:.2f}"})
    assert ">A</th>" in html and ">0.12</td>" in html


def test_seed_summary_reads_mean_std_and_range():
    assert compare.seed_summary([0.91, 0.95, 0.97]) == "0.94 ± 0.03 (0.91–0.97)"
    assert compare.seed_summary([3, 4, 5], "{:.1f}") == "4.0 ± 1.0 (3.0–5.0)"
    assert compare.seed_summary([0.5]) == "0.50 ± 0.00 (0.50–0.50)"
    with pytest.raises(ValueError, match="at least one"):
        compare.seed_summary([])


def test_plot_seeds_draws_the_mean_and_the_range_of_the_seeds():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    values = np.array([[0.2, 0.5, 0.9], [0.4, 0.7, 1.0]])
    line = compare.plot_seeds(ax, [1, 2, 3], values, offset=0.1, color="red", label="m")
    np.testing.assert_allclose(line.get_xdata(), [1.1, 2.1, 3.1])
    np.testing.assert_allclose(line.get_ydata(), [0.3, 0.6, 0.95])
    band = ax.collections[0].get_paths()[0].vertices
    assert band[:, 1].min() == pytest.approx(0.2) and band[:, 1].max() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="one row per seed"):
        compare.plot_seeds(ax, [1, 2], values)
    plt.close(fig)
