"""The cell diagrams of ``lib.course.diagrams``: each draws a Figure that saves to PNG."""

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from lib import functional  # noqa: E402
from lib.course import diagrams  # noqa: E402

DIAGRAMS = {
    "unrolled_rnn": lambda: diagrams.unrolled_rnn(),
    "unrolled_rnn_values": lambda: diagrams.unrolled_rnn(3, values=np.zeros((3, 5)), title="t"),
    "sequence_shapes": diagrams.sequence_shapes,
    "rnn_cell": lambda: diagrams.rnn_cell(),
    "lstm_cell": lambda: diagrams.lstm_cell(),
    "lstm_cell_highlight": lambda: diagrams.lstm_cell(highlight="c"),
    "gru_cell": lambda: diagrams.gru_cell(),
    "gru_cell_highlight": lambda: diagrams.gru_cell(highlight="r"),
    "cell_row": lambda: diagrams.cell_row("rnn", "lstm", "gru"),
    "stacked_grid": lambda: diagrams.stacked_grid(layers=3, steps=3),
    "bidirectional": lambda: diagrams.bidirectional(),
    "bidirectional_steps": lambda: diagrams.bidirectional(steps=7),
    "gradient_paths": lambda: diagrams.gradient_paths(steps=4),
}


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [
        ax.get_title(loc) for ax in fig.axes for loc in ("left", "center")
    ]


def save(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=40)
    plt.close(fig)
    return buffer.getvalue()


@pytest.mark.parametrize("name", sorted(DIAGRAMS))
def test_diagram_draws_and_saves(name):
    fig = DIAGRAMS[name]()
    assert isinstance(fig, Figure)
    assert sum(len(ax.patches) + len(ax.texts) for ax in fig.axes) > 5
    assert save(fig).startswith(b"\x89PNG")


def test_cells_draw_into_given_axes():
    fig, axes = plt.subplots(1, 3, figsize=(12, 3))
    assert diagrams.rnn_cell(ax=axes[0]) is fig
    assert diagrams.lstm_cell(ax=axes[1]) is fig
    assert diagrams.gru_cell(ax=axes[2]) is fig
    assert all(ax.patches for ax in axes)
    save(fig)


def test_lstm_values_are_printed():
    rng = np.random.default_rng(0)
    H = 2
    x, h, c = rng.normal(size=(1, 3)), rng.normal(size=(1, H)), rng.normal(size=(1, H))
    step = functional.lstm_step(x, h, c, rng.normal(size=(4 * H, 3)), rng.normal(size=(4 * H, H)))
    fig = diagrams.lstm_cell(values=dict(step._asdict(), c_prev=c), highlight="o")
    shown = "\n".join(texts(fig))
    for name in ("i", "f", "g", "o", "c", "h"):
        for number in np.asarray(getattr(step, name)).reshape(-1):
            assert f"{number:.2f}" in shown, (name, number)
    assert diagrams.format_vector(c) in shown
    save(fig)


def test_gru_values_are_printed():
    values = {"r": [0.125, 0.5], "z": [0.875, -0.25], "n": [0.3, 0.4], "h": [0.6, 0.7]}
    shown = "\n".join(texts(diagrams.gru_cell(values=values)))
    for number in ("0.12", "0.50", "0.88", "-0.25", "0.30", "0.40"):
        assert number in shown
    assert "[0.60, 0.70]" in shown
    plt.close("all")


def test_unrolled_values_small_hidden_prints_numbers():
    fig = diagrams.unrolled_rnn(steps=2, values=[[0.5, -0.25], [0.125, 0.0]])
    shown = texts(fig)
    assert {"0.50", "-0.25", "0.12", "0.00"} <= set(shown)
    plt.close(fig)


def test_format_vector():
    assert diagrams.format_vector(np.array([[0.123, -0.951]])) == "[0.12, -0.95]"
    assert diagrams.format_vector(np.arange(6), max_items=3) == "[0.00, 1.00, …]"
    assert diagrams.format_vector([0.5, -1], column=True) == " 0.50\n-1.00"


def test_bad_arguments():
    with pytest.raises(ValueError):
        diagrams.lstm_cell(highlight="q")
    with pytest.raises(KeyError):
        diagrams.lstm_cell(values={"i": [1.0]})
    with pytest.raises(ValueError):
        diagrams.unrolled_rnn(steps=3, values=np.zeros((2, 4)))
    plt.close("all")


def test_gradient_titles():
    fig = diagrams.gradient_paths()
    shown = " ".join(texts(fig))
    assert "RNN: multiplied by" in shown and "multiplied by $f_t$ only" in shown
    plt.close(fig)
