"""The checks behind every exercise: one module per exercise (ex01.py, ex02.py, ...).

In a notebook, each otter test cell calls ``check``::

    def test_q1(env):
        from exercises.checks import check
        check("ex01", "q1", env)               # public inputs, the same for everyone
        check("ex01", "q1", env, hidden=True)  # (hidden test) fresh random inputs

``check`` raises AssertionError with a diagnosis when the answer is wrong, which
``grader.check("q1")`` prints. ``make grade`` does not use these tests: it runs the same
probes in a sandbox and judges in its own process (see exercises/grade.py).
"""

import importlib
import secrets

from .core import PUBLIC_SEED, Tripwire, make_cases, run_probe, score_cases

EXERCISES = ("ex01", "ex02", "ex03", "ex04", "ex05", "ex06", "ex08")


def available():
    """Names of the exercises whose check module exists."""
    names = []
    for name in EXERCISES:
        try:
            importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"{__name__}.{name}":
                raise
            continue
        names.append(name)
    return names


def load(name):
    """The ``Exercise`` object of exercises/checks/<name>.py."""
    if name not in EXERCISES:
        raise KeyError(f"unknown exercise {name!r}")
    return importlib.import_module(f"{__name__}.{name}").EXERCISE


def check(exercise, question, env, hidden=False):
    """Judge the learner's answer to ``question`` in their own kernel; raise if it is wrong."""
    q = load(exercise).question(question)
    seed = secrets.randbits(64) if hidden else PUBLIC_SEED + int(question.lstrip("q") or 0)
    cases = make_cases(q, seed, hidden)
    tripwire = Tripwire().install(q.forbidden, env)
    try:
        results = [
            (inputs, run_probe(q, env.get(q.function), inputs, tripwire)) for inputs in cases
        ]
    finally:
        tripwire.uninstall()
    points, message = score_cases(q, results)
    if points < q.points:
        which = "hidden test (fresh random inputs)" if hidden else "public test"
        raise AssertionError(f"{q.name} {which}: {points:g}/{q.points:g} points. {message}")
    return points
