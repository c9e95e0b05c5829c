"""Chapter 1's memory-span experiment (lib.course.memory) and chapter 2's long-review
experiment with its controls (lib.course.long_review)."""

import matplotlib
import numpy as np
import pytest

import lib

matplotlib.use("Agg")

from lib.course import long_review, memory  # noqa: E402


def test_memory_span_solves_a_short_lag_from_both_starts():
    for start in memory.STARTS:
        accuracy = memory.memory_span([2], seeds=[0, 1], start=start)
        assert accuracy.shape == (1, 2)
        assert accuracy.min() > 0.95  # two steps back: every run recalls the symbol


def test_memory_span_runs_differ_by_seed_and_repeat_exactly():
    first = memory.memory_span([30], seeds=[0, 1], training={"epochs": 2})
    again = memory.memory_span([30], seeds=[0, 1], training={"epochs": 2})
    assert np.array_equal(first, again)
    assert first[0, 0] != first[0, 1]


def test_memory_span_explains_a_bad_start():
    with pytest.raises(ValueError, match="start must be one of"):
        memory.memory_span([2], seeds=[0], start="identity")


def lstm(input_size, hidden_size, seed):
    model = lib.LSTM(input_size, hidden_size, batch_first=True, seed=seed)
    return lib.set_keep_gate_bias(model, 4.0)


def test_review_sets_are_the_same_reviews_but_for_the_later_words():
    train, tests = long_review.review_sets({"n_train": 20, "n_test": 30, "length": 15})
    assert train[0].shape == (20, 15, len(lib.tasks.VOCABULARY))
    assert set(tests) == set(long_review.TEST_SETS)
    labels = [lib.to_numpy(y) for _, y in tests.values()]
    assert all(np.array_equal(labels[0], y) for y in labels)
    openings = [lib.to_numpy(x)[:, :3] for x, _ in tests.values()]
    assert all(np.array_equal(openings[0], x) for x in openings)


def test_an_lstm_that_keeps_the_opening_passes_both_controls():
    short = {"n_train": 300, "n_test": 100, "length": 16, "hidden_size": 8, "epochs": 4}
    scores = long_review.train_on_reviews({"LSTM": lstm}, seeds=(0, 1), training=short)
    assert set(scores["LSTM"]) == set(long_review.TEST_SETS)
    for accuracies in scores["LSTM"].values():
        assert accuracies.shape == (2,) and accuracies.min() > 0.9


def test_score_table_and_plot():
    scores = {
        "RNN": {"opposite": np.array([1.0, 0.9]), "none": np.array([0.0, 0.2]),
                "same": np.array([0.0, 0.0])},
        "RNN, orthogonal": {k: np.array([1.0, 1.0]) for k in long_review.TEST_SETS},
    }  # fmt: skip
    table = long_review.score_table(scores).splitlines()
    assert len(table) == 8 and table[0] == "RNN" and table[4] == "RNN, orthogonal"
    assert table[1].split()[-3:] == ["0.95", "±", "0.05"]  # ordinary reviews
    assert table[2].split()[-3:] == ["0.10", "±", "0.10"]  # no sentiment after the opening
    assert max(len(row) for row in table) <= 45  # fits a phone's width
    figure = long_review.plot_review_scores(scores)
    assert len(figure.axes[0].get_xticklabels()) == 2
    matplotlib.pyplot.close(figure)
