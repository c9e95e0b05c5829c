"""The references of exercises 3 and 4 agree with lib (and with the chapters' claims)."""

import numpy as np

import lib
from exercises.checks import ex03, ex04


def test_ex03_story_inputs_are_the_chapters():
    from lib.course.story import PRESET

    assert ex03.STORY == {"c": PRESET.c, "h": PRESET.h, "x": PRESET.x}


def test_ex03_backward_by_hand_matches_the_gradient_check_and_lib_lstm():
    inputs = ex03.make_backward_inputs(np.random.default_rng(5), 0)
    want = ex03.backward_reference(inputs)
    mine = ex03.backward(*(inputs[a] for a in ex03.BACKWARD_ARGS))
    for key in ex03.GRADS:
        np.testing.assert_allclose(mine[key], want[key], rtol=1e-6, atol=1e-8)
    batch, hidden = inputs["h"].shape
    model = lib.LSTM(inputs["x"].shape[1], hidden, dtype="float64")
    for name in ("W_ih", "W_hh", "b_ih", "b_hh"):
        key = {"W_ih": "weight_ih", "W_hh": "weight_hh", "b_ih": "bias_ih", "b_hh": "bias_hh"}
        model.params[f"{key[name]}_l0"][...] = inputs[name]
    model(inputs["x"][None], (inputs["h"][None], inputs["c"][None]))
    dx, (dh, dc) = model.backward(inputs["dh_new"][None], (None, inputs["dc_new"][None]))
    np.testing.assert_allclose(dx[0], want["dx"], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(dh[0], want["dh"], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(dc[0], want["dc"], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(model.grads["weight_ih_l0"], want["dW_ih"], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(model.grads["bias_hh_l0"], want["db"], rtol=1e-6, atol=1e-8)


def test_ex03_the_story_preset_and_the_solution_meet_the_conditions():
    inputs = ex03.make_story_inputs(None, 0)
    ok, message = ex03.judge_story(inputs, ex03.story_reference(inputs))
    assert all(ok.values()), message


def test_ex04_negating_z_is_exact_and_matches_lib_cho_where_the_forms_agree():
    """With a diagonal W_hn and b_hn = 0, reset before = reset after: Chung et al.'s GRU."""
    rng = np.random.default_rng(2)
    for case in ex04.CASES:
        inputs = ex04.make_convert_inputs(rng, case)
        weights = [inputs[k] for k in ex04.WEIGHTS]
        converted = ex04.convert(*weights)
        np.testing.assert_allclose(
            ex04.run_converted(inputs, converted),
            ex04.swapped_step(inputs["x"], inputs["h"], *weights),
            rtol=1e-12,
            atol=1e-14,
        )
        hidden = inputs["W_hh"].shape[1]
        W_hh, b_hh = inputs["W_hh"].copy(), inputs["b_hh"].copy()
        W_hh[2 * hidden :] = np.diag(rng.standard_normal(hidden))
        b_hh[2 * hidden :] = 0
        args = (inputs["x"], inputs["h"], inputs["W_ih"], W_hh, inputs["b_ih"], b_hh)
        cho = lib.functional.gru_step(*args, reset="before", keep="1-z").h
        pytorch = ex04.convert(inputs["W_ih"], W_hh, inputs["b_ih"], b_hh)
        np.testing.assert_allclose(ex04.run_converted(inputs, pytorch), cho, rtol=1e-12, atol=1e-14)


def test_ex04_parameter_formula_matches_lib_compare():
    from lib import count_parameters

    rng = np.random.default_rng(4)
    for case in (0, 1, 0, 1):
        inputs = ex04.make_count_inputs(rng, case)
        size, hidden, layers, bidirectional, _ = ex04._count_args(inputs)
        want = count_parameters("GRU", size, hidden, layers, bidirectional)
        assert ex04.count_reference(inputs)["count"] == want == ex04.count(inputs)["count"]


def test_ex03_story_feedback_does_not_hand_over_the_weights():
    inputs = ex03.make_story_inputs(None, 0)
    weights = ex03.story_reference(inputs)
    weights["b_ih"] = weights["b_ih"].copy()
    weights["b_ih"][2:4] = 5.0  # the forget gate wide open
    ok, message = ex03.judge_story(inputs, weights)
    assert not ok["forget"] and "the forget gate is f =" in message
    assert "-5" not in message and "rows 2 and 3" not in message
