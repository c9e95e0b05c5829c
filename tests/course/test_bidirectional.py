"""The chapter-6 figures draw without errors and refuse bad arguments with clear messages."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lib.course import bidirectional as demo  # noqa: E402


def test_reading_counts_what_each_direction_has_read():
    fig, ax = plt.subplots()
    demo.draw_reading(ax, ["a", "b", "c", "d"], 1, marks=["1", "2", "3", "4"])
    texts = [t.get_text() for t in ax.texts]
    assert "forward has read 2 of 4" in texts
    assert "backward has read 3 of 4" in texts
    plt.close(fig)


def test_reading_checks_its_arguments():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="t must be"):
        demo.draw_reading(ax, ["a", "b"], 2)
    with pytest.raises(ValueError, match="marks"):
        demo.draw_reading(ax, ["a", "b"], 0, marks=["x"])
    with pytest.raises(ValueError, match="empty"):
        demo.draw_reading(ax, [], 0)
    plt.close(fig)


def test_position_view_marks_each_models_guess():
    probs = {"unidirectional": np.array([0.4, 0.6]), "bidirectional": np.array([0.9, 0.1])}
    fig = demo.position_view(["a", "b", "c"], 0, None, 0, probs, ["A", "B"])
    assert sum(t.get_text() == "guess" for t in fig.axes[1].texts) == 2
    plt.close(fig)
    with pytest.raises(ValueError, match="expected 2 probabilities"):
        demo.position_view(["a"], 0, None, 0, {"m": np.ones(3) / 3}, ["A", "B"])
    plt.close("all")
