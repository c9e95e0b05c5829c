"""The boss-raise story (lib.course.story): the preset reproduces what it can of article 000."""

import math

import ipywidgets as widgets
import matplotlib
import numpy as np
import pytest

from lib.course import story, story_widgets

matplotlib.use("Agg")


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def manual_step(preset):
    """The story's step written out in NumPy, on the concatenation [h, x]."""
    v = np.concatenate([preset.h, preset.x])
    gate = {
        k: np.asarray(getattr(preset, f"W_{k}")) @ v + getattr(preset, f"b_{k}") for k in "figo"
    }
    f, i, o = sigmoid(gate["f"]), sigmoid(gate["i"]), sigmoid(gate["o"])
    g = np.tanh(gate["g"])
    c = f * np.asarray(preset.c) + i * g
    return {"i": i, "f": f, "g": g, "o": o, "c": c, "h": o * np.tanh(c)}


def test_preset_inputs_are_the_articles():
    assert story.PRESET.c == (0.7, 0.3)
    assert story.PRESET.h == (1.0, 1.0)
    assert story.PRESET.x == (1.0, -1.0, 1.0)


def test_preset_reproduces_forget_gate_and_cell_state():
    values = story.story_step()
    assert np.all(values.f < 0.05), values.f
    assert np.all(np.abs(values.c - 1) < 0.05), values.c


def test_hidden_state_is_below_the_ceiling_not_the_articles_0_9():
    values = story.story_step()
    assert np.all(values.h <= math.tanh(1.0) + 1e-12), values.h
    assert np.all(values.h < 0.9)
    assert story.CEILING == pytest.approx(0.7616, abs=1e-4)


def test_sentence_contains_the_percentages():
    sentence = story.story_sentence(story.story_step())
    assert "You keep 0% of your old mood and 0% of your old budget" in sentence
    assert "76% likely to give the raise" in sentence


def test_sentence_follows_changed_values():
    values = story.story_step(b_f=(0.0, 0.0), W_f=((0,) * 5, (0,) * 5))
    assert "You keep 50% of your old mood and 50% of your old budget" in (
        story.story_sentence(values)
    )


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"x": (1.0, 1.0, 1.0)},
        {"b_f": (4.0, 4.0), "c": (-0.5, 0.9)},
        {"W_o": np.arange(10.0).reshape(2, 5) / 10, "b_g": [0.5, -1.0], "h": (0.2, -0.3)},
    ],
)
def test_story_step_equals_a_manual_numpy_step(changes):
    preset = story.PRESET.replace(**changes)
    expected = manual_step(preset)
    got = story.story_step(**changes)
    assert got._fields == ("i", "f", "g", "o", "c", "h")
    for key, value in expected.items():
        np.testing.assert_allclose(getattr(got, key), value, rtol=1e-12, atol=1e-12)
        assert getattr(got, key).shape == (2,)


def test_torch_layout_and_preset_argument():
    w = story.torch_weights()
    assert w["weight_ih"].shape == (8, 3) and w["weight_hh"].shape == (8, 2)
    assert w["bias_ih"].shape == (8,) and w["bias_hh"].shape == (8,)
    # rows 2..3 of the torch layout are the forget gate (order i, f, g, o)
    np.testing.assert_array_equal(w["weight_ih"][2:4], np.asarray(story.PRESET.W_f)[:, 2:])
    changed = story.PRESET.replace(b_f=(3.0, 3.0))
    np.testing.assert_allclose(story.story_step(changed).f, story.story_step(b_f=(3, 3)).f)


def test_unknown_field_is_refused():
    with pytest.raises(TypeError, match="unknown story field"):
        story.story_step(W_z=((0,) * 5,) * 2)


def test_chart_updates_in_place():
    chart = story_widgets.StoryChart(story.story_step())
    bars = list(chart.bars[0])
    chart.update(story.story_step(b_f=(10.0, 10.0)))
    assert list(chart.bars[0]) == bars  # the same artists, moved
    assert bars[0].get_height() > 0.95  # sigma(-6 + 10): the forget gate is now open
    assert chart.png().startswith(b"\x89PNG")


def test_html_and_explorer():
    text = story_widgets.story_html(story.story_step(), caption="preset")
    assert "76% likely" in text and "<table" in text
    explorer = story_widgets.story_explorer(forget_bias=(0.0, 4.0), review=(-1.0, 1.0))
    assert isinstance(explorer, widgets.VBox)
    assert len(explorer.children) == 3  # two sliders and the views


def test_live_widget_reacts_to_sliders():
    box = story_widgets.live_story_widget()
    assert len(box.sliders) == 7 + 4 * 12  # inputs, then 2 x 5 weights + 2 biases per gate
    before = box.children[2].value
    box.sliders[("b_f", 0)].value = 10.0
    assert box.children[2].value != before
    assert box.chart.bars[0][0].get_height() > 0.95


def test_printed_story_numbers_do_not_drift():
    # the chapter prints this table in a cell tagged nbval-check-output; it is checked here too,
    # because nbval compares outputs only for cells whose stored outputs exist
    assert story.story_table(story.story_step()) == "\n".join(
        [
            "                      mood  budget",
            "f (forget gate)      0.002   0.002",
            "i (input gate)       0.998   0.998",
            "g (candidate)        0.999   0.999",
            "o (output gate)      0.998   0.998",
            "c (cell state)       0.999   0.998",
            "h (hidden state)     0.759   0.759",
        ]
    )
