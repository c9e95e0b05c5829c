"""The checks behind every exercise: one module per exercise (ex01.py, ex02.py, ...).

In a notebook, each otter test cell calls ``check``::

    def test_q1(env):
        from exercises.checks import check
        check("ex01", "q1", env)               # public inputs, the same for everyone
        check("ex01", "q1", env, hidden=True)  # (hidden test) fresh random inputs

``check`` raises AssertionError with a diagnosis when the answer is wrong, which
``grader.check("q1")`` prints. The autograder zips (exercises/autograder.py) grade each
part of a question with ``check_part``, so that otter gives the same partial credit as
``make grade``. ``make grade`` does not use these tests: it runs the same probes in a
sandbox and judges in its own process (see exercises/grade.py).
"""

import importlib
import pkgutil
import re
import secrets

from . import display
from .core import PUBLIC_SEED, Tripwire, judge, make_cases, run_probe, score_cases

# One module per exercise, found on disk: ex01.py, ex02.py, ...
EXERCISES = tuple(
    sorted(m.name for m in pkgutil.iter_modules(__path__) if re.fullmatch(r"ex\d\d", m.name))
)


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


def probe_cases(q, env, hidden):
    """[(inputs, outputs)] of question ``q`` on its public or (fresh) hidden cases."""
    seed = secrets.randbits(64) if hidden else PUBLIC_SEED + int(q.name.lstrip("q") or 0)
    cases = make_cases(q, seed, hidden)
    tripwire = Tripwire().install(q.forbidden, env)
    try:
        return [(inputs, run_probe(q, env.get(q.function), inputs, tripwire)) for inputs in cases]
    finally:
        tripwire.uninstall()


def check(exercise, question, env, hidden=False):
    """Judge the learner's answer to ``question`` in their own kernel; raise if it is wrong."""
    q = load(exercise).question(question)
    points, message = score_cases(q, probe_cases(q, env, hidden))
    display.show_diagnosis_first()
    if points < q.points:
        which = "hidden test (fresh random inputs)" if hidden else "public test"
        # the diagnosis on the first line: display.py shows it above otter's report
        raise AssertionError(f"{message}\n({q.name}, {which}: {points:g}/{q.points:g} points)")
    return points


_PROBED = {}  # (exercise, question) -> (the function probed, its public + hidden results)


def check_part(exercise, question, part, env):
    """Raise unless ``part`` of the answer is right on the public and hidden cases.

    One otter test case per part gives otter ``make grade``'s partial credit (a part
    counts when it is right in every case). The parts of one question share one probe.
    """
    q = load(exercise).question(question)
    fn = env.get(q.function)
    cached = _PROBED.get((exercise, question))
    if cached is None or cached[0] is not fn:
        results = probe_cases(q, env, hidden=False) + probe_cases(q, env, hidden=True)
        _PROBED[(exercise, question)] = cached = (fn, results)
    results = cached[1]
    verdicts = [judge(q, inputs, outputs) for inputs, outputs in results]
    if not all(ok.get(part, False) for ok, _ in verdicts):
        _, message = score_cases(q, results)
        display.show_diagnosis_first()
        raise AssertionError(f"{message}\n({q.name}, `{part}` is wrong on some inputs)")
