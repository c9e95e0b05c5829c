"""Chapter 6's helpers: the merge modes (values, gradients, the classifier built on them)
and the figures, which draw without errors and refuse bad arguments with clear messages."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import lib  # noqa: E402
from lib.course import bidirectional as demo  # noqa: E402
from lib.gradcheck import gradcheck, numerical_gradient  # noqa: E402


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


def test_position_view_labels_each_models_top_choice_with_its_probability():
    probs = {"unidirectional": np.array([0.4, 0.6]), "bidirectional": np.array([0.97, 0.03])}
    fig = demo.position_view(["a", "b", "c"], 0, None, 0, probs, ["A", "B"])
    assert sorted(t.get_text() for t in fig.axes[1].texts) == ["0.60", "0.97"]
    plt.close(fig)


def test_position_view_keeps_its_legend_off_the_bars():
    probs = {"unidirectional": np.array([0.3, 0.7]), "bidirectional": np.array([0.01, 0.99])}
    fig = demo.position_view(["a", "b", "c"], 0, None, 1, probs, ["A", "B"])
    renderer = fig.canvas.get_renderer()
    bars = fig.axes[1]
    legend = bars.get_legend().get_window_extent(renderer)
    assert legend.y1 <= bars.get_window_extent(renderer).y0  # below the plotting area
    assert legend.y0 >= 0  # and still inside the figure
    plt.close(fig)
    with pytest.raises(ValueError, match="expected 2 probabilities"):
        demo.position_view(["a"], 0, None, 0, {"m": np.ones(3) / 3}, ["A", "B"])
    plt.close("all")


def bidirectional_output(hidden=3, seed=0):
    """A real bidirectional output of lib: (seq_len=4, batch=2, 2 * hidden), float64."""
    rnn = lib.LSTM(2, hidden, bidirectional=True, dtype="float64", seed=seed)
    x = np.random.default_rng(seed).standard_normal((4, 2, 2))
    return rnn(x)[0]


def test_merge_modes_compute_what_keras_names_them_for():
    out = bidirectional_output()
    forward, backward = out[..., :3], out[..., 3:]
    np.testing.assert_array_equal(demo.merge_directions(out, "concat"), out)
    np.testing.assert_allclose(demo.merge_directions(out, "sum"), forward + backward)
    np.testing.assert_allclose(demo.merge_directions(out, "ave"), (forward + backward) / 2)
    np.testing.assert_allclose(demo.merge_directions(out, "mul"), forward * backward)
    swapped = np.concatenate([backward, forward], axis=-1)
    for mode in ("sum", "ave", "mul"):  # symmetric: they cannot tell the directions apart
        np.testing.assert_allclose(
            demo.merge_directions(swapped, mode), demo.merge_directions(out, mode)
        )


@pytest.mark.parametrize("mode", demo.MERGE_MODES)
def test_merge_gradient_matches_finite_differences(mode):
    out = bidirectional_output()
    weights = np.random.default_rng(1).standard_normal(demo.merge_directions(out, mode).shape)

    def loss():
        return float((weights * demo.merge_directions(out, mode)).sum())

    analytic = demo.merge_directions_grad(weights, out, mode)
    np.testing.assert_allclose(analytic, numerical_gradient(loss, out), rtol=1e-6, atol=1e-9)


def test_a_readout_on_the_sum_is_a_readout_on_the_concatenation_with_tied_weights():
    out = bidirectional_output()
    v = np.random.default_rng(2).standard_normal((5, 3))
    tied = np.concatenate([v, v], axis=1)  # (5, 2H): the same weights for both halves
    np.testing.assert_allclose(demo.merge_directions(out, "sum") @ v.T, out @ tied.T)


def test_merge_refuses_bad_input():
    with pytest.raises(ValueError, match="mode must be one of"):
        demo.merge_directions(np.zeros((2, 4)), "max")
    with pytest.raises(ValueError, match="even last dimension"):
        demo.merge_directions(np.zeros((2, 5)), "sum")
    with pytest.raises(ValueError, match="merged shape"):
        demo.merge_directions_grad(np.zeros((2, 4)), np.zeros((2, 4)), "sum")
    with pytest.raises(ValueError, match="bidirectional=True"):
        demo.MergedClassifier(lib.LSTM(2, 3, batch_first=True), 4, "sum")


@pytest.mark.parametrize("mode", demo.MERGE_MODES)
@pytest.mark.parametrize("readout", ["all", "last"])
def test_merged_classifier_gradients_match_finite_differences(mode, readout):
    rnn = lib.GRU(2, 3, batch_first=True, bidirectional=True, dtype="float64", seed=0)
    model = demo.MergedClassifier(rnn, 4, mode, readout=readout, seed=0)
    assert model.head.in_features == (6 if mode == "concat" else 3)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 5, 2))
    y = rng.integers(4, size=(2, 5) if readout == "all" else (2,))

    def loss():
        return lib.cross_entropy(model(x), y)[0]

    _, dlogits = lib.cross_entropy(model(x), y)
    model.backward(dlogits)
    gradcheck(loss, model.head.params, model.head.grads)
    gradcheck(loss, rnn.params, rnn.grads)
