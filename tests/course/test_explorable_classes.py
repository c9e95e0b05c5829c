"""The Python side of the explorables: traits, bounds, the assembled ES modules, the data.

What the page computes is checked against lib in tests/browser/test_explorables.py.
"""

import base64
import json
import shutil
import subprocess

import numpy as np
import pytest
import traitlets

from lib.course import explorables, gradient_flow, precomputed, story

CLASSES = [
    explorables.PulseExplorer,
    explorables.GradientFlowExplorer,
    explorables.StoryExplorer,
    explorables.LSTMTraceExplorer,
    explorables.GRUSurvivalExplorer,
]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_module_is_one_self_contained_es_module(cls):
    widget = cls()
    source = widget._esm
    assert "import {" not in source, "a local import was left in the assembled module"
    assert source.count("export default") == 1
    # the twin of lib it computes with: cells.js's steps, or (chapter 2) train.js's kernels
    twin = "class LSTMKernel" if cls is explorables.GradientFlowExplorer else "function lstmStep("
    assert twin in source and "function mount(" in source
    assert widget.colors["f"].startswith("#") and widget.colors["model_LSTM"].startswith("#")


def test_module_source_names_a_missing_module():
    with pytest.raises(FileNotFoundError, match="no ES module 'nope.js'"):
        explorables.module_source("nope.js")


def test_limits_are_the_trait_bounds_and_out_of_range_is_refused():
    pulse = explorables.PulseExplorer()
    assert pulse.limits == {
        "w_hh": [0.0, 2.0],
        "w_ih": [-2.0, 2.0],
        "pulse": [0.0, 3.0],
        "steps": [5, 60],
    }
    with pytest.raises(traitlets.TraitError):
        pulse.w_hh = 2.5
    with pytest.raises(traitlets.TraitError):
        explorables.GradientFlowExplorer(kind="transformer")


def test_story_values_follow_the_sliders():
    explorer = explorables.StoryExplorer()
    assert len(explorer.params) == 11  # c, h, x, four W and four b
    count = sum(np.size(v) for v in explorer.params.values())
    assert count == 55
    np.testing.assert_array_equal(explorer.values.h, story.story_step().h)
    explorer.params = {**explorer.params, "b_f": [4.0, 4.0]}
    np.testing.assert_array_equal(explorer.values.f, story.story_step(b_f=(4.0, 4.0)).f)
    with pytest.raises(TypeError, match="unknown story field"):
        explorer.params = {"W_z": [[0.0] * 5] * 2}


def test_story_presets_do_what_their_names_say():
    presets = explorables.story_presets()
    assert presets["the article's day"] == story.PRESET
    forget = story.story_step(presets["forget everything"])
    assert np.all(forget.f < 1e-4)
    keep = story.story_step(presets["keep everything"])
    np.testing.assert_allclose(keep.c, story.PRESET.c, atol=1e-3)


def test_gradient_flow_data_is_what_lib_feeds():
    data = explorables.flow_data()
    x, direction = gradient_flow.flow_inputs()
    np.testing.assert_array_equal(np.array(data["x"]), x)
    np.testing.assert_array_equal(np.array(data["direction"]), direction)
    model = gradient_flow.make_model("lstm", 32, 1.0)
    np.testing.assert_array_equal(
        np.array(data["weights"]["lstm"]["orthogonal"]), model.params["weight_hh_l0"]
    )
    assert data["seq_len"] == 40 and np.array(data["weights"]["gru"]["weight_ih"]).shape == (96, 4)


def test_survival_data_is_chapter_4s_draw():
    data = explorables.survival_data()
    rng = np.random.default_rng(0)
    xs = rng.normal(size=(20, 1, 3))
    np.testing.assert_array_equal(np.array(data["xs"]), xs[:, 0])
    np.testing.assert_array_equal(np.array(data["weight_ih"])[8:], rng.normal(size=(4, 3)))
    assert not np.any(np.array(data["weight_ih"])[:8])


def test_precomputed_explorer_draws_every_combination():
    calls = []

    def render(a, b):
        calls.append((a, b))
        return f"<b>{a}-{b}</b>"

    explorer = precomputed.precomputed_explorer(
        {"a": [1, 2], "b": [0.5, 1.0, 1.5]}, render, initial={"b": 1.5}
    )
    assert calls == [(1, 0.5), (1, 1.0), (1, 1.5), (2, 0.5), (2, 1.0), (2, 1.5)]
    assert explorer.index == [1, 2]  # a: the middle (len 2 // 2), b: as asked
    assert explorer.axes[1] == {"name": "b", "labels": ["0.5", "1", "1.5"]}
    assert explorer.views[5] == [{"html": "<b>2-1.5</b>"}]
    assert precomputed.grid_size({"a": [1, 2], "b": [0.5, 1.0, 1.5]}) == 6
    with pytest.raises(ValueError, match="not axes"):
        precomputed.precomputed_explorer({"a": [1]}, render, initial={"c": 1})
    with pytest.raises(ValueError, match="at least one value"):
        precomputed.precomputed_explorer({"a": []}, render)


def test_precomputed_figures_become_png_views():
    import matplotlib.pyplot as plt

    def render(scale):
        fig, ax = plt.subplots(figsize=(2, 1))
        ax.plot([0, scale])
        return fig, f"scale {scale}"

    explorer = precomputed.precomputed_explorer({"scale": [1.0, 2.0]}, render)
    png, html = explorer.views[0]
    assert base64.b64decode(png["png"]).startswith(b"\x89PNG") and html == {"html": "scale 1.0"}


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run the ES module")
def test_pulse_readout_says_kept_grown_or_nothing_to_keep(tmp_path):
    module = tmp_path / "pulse.mjs"
    module.write_text(explorables.PulseExplorer()._esm, encoding="utf-8")
    cases = [[0.8, 0.4], [0.8, 0.9], [0.8, 80.0], [0.0, 0.0]]  # h_1, ..., h_T
    script = (
        f"import {{ keptNote }} from {json.dumps(module.as_uri())};"
        f"for (const hs of {json.dumps(cases)}) console.log(keptNote(hs, 25));"
    )
    run = subprocess.run(
        ["node", "--input-type=module", "-e", script], capture_output=True, text=True, check=True
    )
    assert run.stdout.splitlines() == [
        "after 25 steps h keeps 50% of h_1.",
        "after 25 steps h has grown to 113% of h_1.",
        "after 25 steps h has grown to 100 times h_1.",
        "h_1 is 0 (the pulse or the input weight is 0), so there is no memory to keep.",
    ]
