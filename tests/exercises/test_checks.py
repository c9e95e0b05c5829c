"""The checks themselves, in process: references, diagnoses, the tripwire, learner feedback."""

import numpy as np
import pytest
from exercise_variants import WRONG, apply

import lib
from exercises import checks
from exercises.build import masters, solutions
from exercises.checks.core import Tripwire, make_cases, run_probe, score_cases

EXERCISES = sorted(masters())


def namespace(name, replace=None):
    """The globals of a notebook that ran the master's solutions (one answer replaced)."""
    answers = solutions(masters()[name])
    if replace:
        question, replacements = replace
        answers[question] = apply(answers[question], replacements)
    env = {"np": np}
    for text in answers.values():
        exec(text, env)
    return env


@pytest.mark.parametrize("name", EXERCISES)
def test_solutions_pass_public_and_hidden_checks(name):
    env = namespace(name)
    for question in checks.load(name).questions:
        assert checks.check(name, question.name, env) == question.points
        assert checks.check(name, question.name, env, hidden=True) == question.points


@pytest.mark.parametrize(
    ("name", "variant", "question", "replacements", "words"),
    [
        pytest.param(n, v, q, r, w, id=f"{n}-{v}")
        for n in EXERCISES
        for v, q, r, w in WRONG.get(n, [])
    ],
)
def test_learner_feedback_names_the_mistake(name, variant, question, replacements, words):
    env = namespace(name, (question, replacements))
    with pytest.raises(AssertionError, match="points") as failure:
        for seed_kind in (False, True):
            checks.check(name, question, env, hidden=seed_kind)
    assert words in str(failure.value)


@pytest.mark.parametrize("name", EXERCISES)
def test_every_mistake_differs_from_the_reference(name):
    """A mistake whose outputs equal the right answer could never be diagnosed."""
    for question in checks.load(name).questions:
        cases = make_cases(question, 7, hidden=True)
        for mistake in question.mistakes:
            differs = False
            for inputs in cases:
                try:
                    variant = mistake.compute(inputs)
                except Exception:
                    continue
                want = question.reference(inputs)
                differs |= any(
                    np.shape(variant[p]) != np.shape(want[p])
                    or not np.allclose(variant[p], want[p], rtol=1e-6, atol=1e-8)
                    for p in variant
                )
            assert differs, f"{name} {question.name}: {mistake.message}"


def test_bptt_reference_matches_lib_rnn_backward():
    from exercises.checks import ex02

    inputs = ex02.make_bptt_inputs(np.random.default_rng(3), 0)
    steps, batch, hidden = inputs["dhs"].shape
    model = lib.RNN(inputs["xs"].shape[2], hidden, dtype="float64")
    model.params["weight_ih_l0"][...] = inputs["W_ih"]
    model.params["weight_hh_l0"][...] = inputs["W_hh"]
    model.params["bias_ih_l0"][...] = inputs["b"]
    model.params["bias_hh_l0"][...] = 0
    out, _ = model(inputs["xs"], inputs["h0"][None])
    np.testing.assert_allclose(out, inputs["hs"], rtol=1e-12)
    dxs, dh0 = model.backward(inputs["dhs"])
    want = ex02.bptt_reference(inputs)
    np.testing.assert_allclose(dxs, want["dxs"], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(dh0[0], want["dh0"], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(model.grads["weight_hh_l0"], want["dW_hh"], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(model.grads["bias_ih_l0"], want["db"], rtol=1e-6, atol=1e-8)


def test_tripwire_records_calls_and_uninstalls_cleanly():
    original = lib.functional.rnn_step
    forward = lib.RNN.forward
    tripwire = Tripwire().install(["lib.functional.rnn_step", "lib.RNN"])
    try:
        assert lib.functional.rnn_step is not original and tripwire.intact()
        x, h, w = np.ones((1, 2)), np.zeros((1, 3)), np.ones((3, 2))
        lib.functional.rnn_step(x, h, w, np.eye(3))
        lib.RNN(2, 3)(np.ones((4, 1, 2)))
        assert {"lib.functional.rnn_step", "lib.RNN"} <= set(tripwire.hits)
    finally:
        tripwire.uninstall()
    assert lib.functional.rnn_step is original and lib.RNN.forward is forward


def test_answer_calling_lib_earns_nothing():
    question = checks.load("ex01").question("q1")

    def rnn_step(x, h, W_ih, W_hh, b_ih, b_hh):
        return lib.functional.rnn_step(x, h, W_ih, W_hh, b_ih, b_hh).h

    tripwire = Tripwire().install(question.forbidden)
    try:
        cases = [
            (i, run_probe(question, rnn_step, i, tripwire)) for i in make_cases(question, 1, True)
        ]
    finally:
        tripwire.uninstall()
    points, message = score_cases(question, cases)
    assert points == 0 and "lib's own lib.functional.rnn_step" in message
