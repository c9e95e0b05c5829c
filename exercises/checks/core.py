"""What every exercise shares: questions, judging with a diagnosis, the lib tripwire.

A question is graded in two halves that may live in different processes:

- the *probe* calls the learner's function on given inputs and returns plain arrays. It
  runs where the learner's code runs (their kernel, or the grading sandbox);
- the *judge* compares those arrays with the reference (computed here, from the same
  inputs) and, when they differ, with the outputs of known mistakes, so that the
  feedback names the likely mistake. In ``make grade`` it runs in the trusted parent
  process, which the learner's code cannot reach.
"""

import io
import linecache
import os
import re
import sys
import sysconfig
import types
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

PUBLIC_SEED = 20240517  # public inputs are the same for every learner
MAX_PAYLOAD = 256 * 2**20  # bytes accepted from the sandbox


class Named(str):
    """A judge's message that names a mistake (preferred over a bare 'wrong values')."""


@dataclass
class Mistake:
    """A typical mistake: ``compute(inputs)`` gives what the mistaken code returns.

    ``compute`` returns a dict ``part -> array`` with the parts the mistake changes (the
    other parts are taken from the reference); it may raise when the mistake cannot run
    on these inputs (shapes), in which case it is simply skipped.
    """

    message: str
    compute: Callable[[dict], dict]
    flag: str | None = None  # its name for Question.variant, which can combine two mistakes


@dataclass
class Question:
    """One graded question: the learner writes ``function``; we judge its outputs.

    make_inputs(rng, case) -> dict of inputs (``case`` 0, 1, 2 ... may vary shapes: a
    case where input and hidden sizes are equal lets transposed or swapped weights run,
    so that the mistake shows in the values instead of as a shape error).
    reference(inputs) -> dict part -> array: the right answer, from lib or NumPy.
    probe(fn, inputs) -> dict part -> array: calls the learner's function (default:
    ``fn(*[inputs[a] for a in args])``, its result split into ``parts``).
    judge(inputs, outputs) -> (dict part -> bool, message): default ``judge_parts``.
    forbidden: dotted names of lib objects the answer must not call (the tripwire).
    """

    name: str
    points: float
    function: str
    make_inputs: Callable[[np.random.Generator, int], dict]
    reference: Callable[[dict], dict]
    args: tuple = ()
    parts: tuple = ("out",)
    mistakes: list = field(default_factory=list)
    forbidden: tuple = ()
    probe: Callable | None = None
    judge: Callable | None = None
    # variant(inputs, flags) -> {part: array}: the outputs with several mistakes (their
    # ``flag``s) switched on at once, so that two combined mistakes can both be named
    variant: Callable | None = None
    # {part: names}: parts whose rows are stacked blocks, one per gate (``"ifgo"``), so
    # that a wrong part can say which gate's block is wrong
    blocks: dict = field(default_factory=dict)
    public_cases: tuple = (0, 1)
    hidden_cases: tuple = (0, 1, 2)
    rtol: float = 1e-6
    atol: float = 1e-8
    hints: tuple = ()  # (regex on the error text, hint) for exceptions the learner's code raises


@dataclass
class Exercise:
    name: str  # "ex01"
    title: str
    notebook: str  # path of the student notebook, relative to exercises/
    questions: list

    def question(self, name):
        for question in self.questions:
            if question.name == name:
                return question
        raise KeyError(f"{self.name} has no question {name!r}")

    @property
    def points(self):
        return sum(q.points for q in self.questions)

    def forbidden(self):
        return sorted({path for q in self.questions for path in q.forbidden})


# --- inputs and outputs as plain arrays ------------------------------------------------


def as_array(value):
    """value as a float64 array, or None when it is not numeric (None, a string, ...)."""
    if value is None or value is Ellipsis:
        return None
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return array


def default_probe(question, fn, inputs):
    """Call fn(*args) and split the result into the question's parts."""
    result = fn(*[copy_value(inputs[a]) for a in question.args])
    return split_result(result, question.parts)


def split_result(result, parts):
    """The learner's return value as {part: array}; a missing part is left out."""
    if result is None:
        return {}
    if len(parts) == 1:
        return {parts[0]: as_array(result)}
    if isinstance(result, dict):
        return {p: as_array(result[p]) for p in parts if p in result}
    if isinstance(result, (tuple, list)) and len(result) == len(parts):
        return {p: as_array(v) for p, v in zip(parts, result)}
    raise TypeError(
        f"expected {len(parts)} results ({', '.join(parts)}), got {type(result).__name__}"
        + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else "")
    )


def copy_value(value):
    return value.copy() if isinstance(value, np.ndarray) else value


def run_probe(question, fn, inputs, tripwire=None):
    """Probe safely: {part: array} plus '__error__' / '__forbidden__' strings when they apply."""
    if tripwire is not None:
        tripwire.hits.clear()
    try:
        if fn is None or not callable(fn):
            raise NameError(
                f"`{question.function}` is not defined: run the cell with your answer first"
            )
        probe = question.probe or (lambda f, i: default_probe(question, f, i))
        outputs = dict(probe(fn, inputs))
    except BaseException as error:  # noqa: BLE001 - the learner's code may raise anything
        if isinstance(error, (SystemExit, KeyboardInterrupt)) and tripwire is None:
            raise
        outputs = {"__error__": f"{type(error).__name__}: {error}"[:2000]}
        line = learner_line(error)
        if line:
            outputs["__line__"] = line
    if tripwire is not None:
        used = sorted({hit for hit in tripwire.hits if hit in question.forbidden})
        if used:
            outputs["__forbidden__"] = ", ".join(used)
    return outputs


# Code that is not the learner's: the standard library, installed packages, lib and these checks.
LIBRARY_PATHS = tuple(
    os.path.join(os.path.realpath(path), "")
    for path in {
        *(sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")),
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))),  # exercises/
        os.path.dirname(os.path.abspath(np.__file__)),
    }
)


def learner_line(error):
    """Where the learner's own code raised ``error``: "in `fn`, line N: `source`", or ""."""
    frame = None
    for entry in _frames(error.__traceback__):
        name = entry.tb_frame.f_code.co_filename
        if not os.path.realpath(name).startswith(LIBRARY_PATHS) and name != __file__:
            frame = entry
    if frame is None:
        return ""
    code = frame.tb_frame.f_code
    source = linecache.getline(code.co_filename, frame.tb_lineno).strip()
    where = f"in `{code.co_name}`" if code.co_name != "<module>" else "in your cell"
    return f"{where}, line {frame.tb_lineno}" + (f": `{source}`" if source else "")


def _frames(traceback):
    while traceback is not None:
        yield traceback
        traceback = traceback.tb_next


def pack(arrays):
    """{key: array or str or None} -> npz bytes (no pickles)."""
    buffer = io.BytesIO()
    clean = {}
    for key, value in arrays.items():
        if value is None:
            continue
        clean[key] = np.asarray(value)
        if clean[key].dtype == object:
            raise TypeError(f"{key}: object arrays cannot be sent")
    np.savez(buffer, **clean)
    return buffer.getvalue()


def unpack(data):
    """npz bytes -> {key: array}; never unpickles, refuses oversized archives."""
    if len(data) > MAX_PAYLOAD:
        raise ValueError(f"payload of {len(data)} bytes is too large")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_PAYLOAD:
            raise ValueError("payload expands to too many bytes")
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        return {key: npz[key] for key in npz.files}


def text(value):
    """A packed string back to str."""
    return str(np.asarray(value).item()) if value is not None else ""


# --- judging ---------------------------------------------------------------------------


def close(got, want, rtol, atol):
    return (
        got is not None
        and got.shape == want.shape
        and bool(np.all(np.isfinite(got)))
        and bool(np.allclose(got, want, rtol=rtol, atol=atol))
    )


def describe(part, got, want, blocks=None):
    """Why ``got`` is not ``want``, in words; ``blocks`` names the stacked gate blocks of rows."""
    if got is None:
        return f"`{part}` is missing or not numbers (did you forget `return`?)"
    if got.shape != want.shape:
        hint = " (transposed?)" if got.ndim == 2 and got.shape == want.shape[::-1] else ""
        return f"`{part}` has shape {got.shape}, expected {want.shape}{hint}"
    if not np.all(np.isfinite(got)):
        return f"`{part}` contains NaN or inf"
    worst = float(np.max(np.abs(got - want))) if got.size else 0.0
    if blocks and want.ndim >= 1 and want.shape[0] % len(blocks) == 0:
        rows = want.shape[0] // len(blocks)
        right = [
            gate
            for k, gate in enumerate(blocks)
            if np.allclose(got[k * rows : (k + 1) * rows], want[k * rows : (k + 1) * rows])
        ]
        wrong = [gate for gate in blocks if gate not in right]
        return (
            f"`{part}` is wrong in the rows of {_gates(wrong)} "
            + (f"and right in those of {_gates(right)} " if right else "")
            + f"(largest difference {worst:.3g})"
        )
    return f"`{part}` has the right shape but wrong values (largest difference {worst:.3g})"


def _gates(names):
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"gate{'s' if len(names) > 1 else ''} {listed}"


def explain_error(question, error, line=""):
    """The exception the learner's code raised (and where), with a hint when we recognise it."""
    message = f"your code raised {error}" + (f" ({line})" if line else "")
    for pattern, hint in question.hints:
        if re.search(pattern, error):
            return f"{message}. Hint: {hint}"
    if re.search(r"matmul|shapes .* not aligned|could not be broadcast", error):
        message += (
            ". Hint: check the shapes: weights use torch's layout, W_ih is (hidden, input) "
            "and W_hh is (hidden, hidden), so a batch x: (batch, input) is projected as "
            "x @ W_ih.T"
        )
    elif error.startswith("NameError") and line:
        message += ". Hint: is every name in that line spelled right and defined (its cell run)?"
    elif error.startswith("NameError"):
        message += ". Hint: run the cells above (and your answer's cell) first"
    return message


def judge_parts(question, inputs, outputs):
    """Default judge: each part against the reference, then against every known mistake.

    Returns ({part: correct?}, message). The message names the first mistake whose
    outputs match the learner's on every part.
    """
    want = question.reference(inputs)
    if "__forbidden__" in outputs:
        return {p: False for p in want}, Named(
            f"your answer calls lib's own {text(outputs['__forbidden__'])}: this question asks "
            "you to write it yourself with NumPy, so it earns no points"
        )
    if "__error__" in outputs:
        return {p: False for p in want}, explain_error(
            question, text(outputs["__error__"]), text(outputs.get("__line__"))
        )
    got = {p: outputs.get(p) for p in want}
    if all(value is None for value in got.values()):
        return {p: False for p in want}, (
            f"`{question.function}` returned no numbers (did you forget `return`?)"
        )
    ok = {p: close(got[p], want[p], question.rtol, question.atol) for p in want}
    if all(ok.values()):
        return ok, "correct"
    wrong = [p for p in want if not ok[p]]
    detail = describe(wrong[0], got[wrong[0]], want[wrong[0]], question.blocks.get(wrong[0]))
    for mistake in question.mistakes:
        if matches(got, want, lambda m=mistake: m.compute(inputs)):
            return ok, Named(f"{mistake.message} ({detail})")
    for first, second in mistake_pairs(question):
        if matches(got, want, lambda a=first, b=second: question.variant(inputs, {a.flag, b.flag})):
            return ok, Named(
                f"two mistakes combine. First, {first.message}. Second, {second.message} ({detail})"
            )
    return ok, "; ".join(describe(p, got[p], want[p], question.blocks.get(p)) for p in wrong)


def matches(got, want, compute):
    """Whether the learner's outputs equal a mistake's on every part (the rest from ``want``)."""
    try:
        variant = {**want, **compute()}
    except Exception:  # noqa: BLE001 - a mistake that cannot run on these shapes
        return False
    return all(
        got[p] is not None and close(got[p], np.asarray(variant[p], float), 1e-6, 1e-8)
        for p in want
    )


def switched_on(mistake):
    """The set of mistake flags a variant function was given: one name, several, or None."""
    return {mistake} if isinstance(mistake, str) else set(mistake or ())


def pick(table, flags, default):
    """The entry of ``table`` for the (one) flag in ``flags`` that it lists, else ``default``."""
    return next((table[flag] for flag in flags if flag in table), default)


def mistake_pairs(question):
    """Every pair of flagged mistakes (most likely first), if the question can combine them."""
    if question.variant is None:
        return []
    flagged = [m for m in question.mistakes if m.flag]
    return [(a, b) for k, a in enumerate(flagged) for b in flagged[k + 1 :]]


def judge(question, inputs, outputs):
    judge_fn = question.judge or (lambda i, o: judge_parts(question, i, o))
    return judge_fn(inputs, outputs)


def parts_of(question):
    """The names of the parts a question's judge gives points for (its verdict's keys)."""
    inputs = make_cases(question, PUBLIC_SEED, hidden=False)[0]
    verdict, _ = judge(question, inputs, {"__error__": np.asarray("no answer")})
    return list(verdict)


def score_cases(question, cases):
    """cases: [(inputs, outputs)] -> (points earned, message).

    A part counts when it is right in every case; the points are the question's points
    times the fraction of parts that count. The message is the first case's complaint.
    """
    verdicts = [judge(question, inputs, outputs) for inputs, outputs in cases]
    parts = list(verdicts[0][0])
    right = [p for p in parts if all(v[0].get(p, False) for v in verdicts)]
    points = round(question.points * len(right) / len(parts), 4)
    complaints = [message for ok, message in verdicts if not all(ok.values())]
    if not complaints:
        return points, "correct"
    # the most telling complaint first: a named mistake, then wrong values, then an error
    complaints.sort(
        key=lambda m: 0 if isinstance(m, Named) else 2 if m.startswith("your code") else 1
    )
    if right:
        complaints[0] += f" (right: {', '.join(right)})"
    return points, complaints[0]


def make_cases(question, seed, hidden):
    rng = np.random.default_rng(seed)
    return [
        question.make_inputs(rng, case)
        for case in (question.hidden_cases if hidden else question.public_cases)
    ]


# --- the tripwire: answers must not call lib's own implementation -----------------------


def resolve(path):
    """'lib.functional.rnn_step' -> the object, or None when lib has no such thing."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        module = sys.modules.get(".".join(parts[:cut]))
        if module is None:
            try:
                module = __import__(".".join(parts[:cut]), fromlist=["_"])
            except ImportError:
                continue
        obj = module
        for name in parts[cut:]:
            obj = getattr(obj, name, None)
            if obj is None:
                return None
        return obj
    return None


class Tripwire:
    """Wraps lib objects so that calling them during a probe is recorded in ``hits``.

    Functions are replaced in every loaded ``lib`` module (and in ``env``) where they
    appear; classes get their construction and forward/backward methods wrapped. Limits:
    it stops the shortcut (calling lib instead of writing the code), not someone who
    reloads lib's modules or copies its source.
    """

    METHODS = ("__init__", "forward", "backward", "__call__", "step")

    def __init__(self):
        self.hits = []
        self._undo = []
        self.wrappers = {}

    def install(self, paths, env=None):
        for path in paths:
            obj = resolve(path)
            if obj is None or id(obj) in self.wrappers:
                continue
            if isinstance(obj, type):
                for name in self.METHODS:
                    original = obj.__dict__.get(name) or getattr(obj, name, None)
                    if original is None or getattr(original, "__objclass__", None) is object:
                        continue
                    if isinstance(original, (staticmethod, classmethod)):
                        continue
                    wrapper = self._wrap(path, original)
                    had = name in obj.__dict__
                    setattr(obj, name, wrapper)
                    self._undo.append((obj, name, obj.__dict__.get(name), original, had))
                self.wrappers[id(obj)] = obj
            elif isinstance(obj, types.FunctionType):
                wrapper = self._wrap(path, obj)
                self.wrappers[id(obj)] = wrapper
                namespaces = [
                    vars(m)
                    for n, m in list(sys.modules.items())
                    if n == "lib" or n.startswith("lib.")
                ]
                if env is not None:
                    namespaces.append(env)
                for namespace in namespaces:
                    for key, value in list(namespace.items()):
                        if value is obj:
                            namespace[key] = wrapper
                            self._undo.append((namespace, key, wrapper, obj, True))
        return self

    def _wrap(self, path, original):
        hits = self.hits

        def tripwire(*args, **kwargs):
            hits.append(path)
            return original(*args, **kwargs)

        tripwire.__name__ = getattr(original, "__name__", "tripwire")
        tripwire.__doc__ = getattr(original, "__doc__", None)
        return tripwire

    def intact(self):
        """Whether every wrapper is still in place (learner code did not undo them)."""
        for target, key, wrapper, _original, _had in self._undo:
            current = target.get(key) if isinstance(target, dict) else target.__dict__.get(key)
            if current is not wrapper:
                return False
        return True

    def uninstall(self):
        for target, key, _wrapper, original, had in reversed(self._undo):
            if isinstance(target, dict):
                target[key] = original
            elif had:
                setattr(target, key, original)
            else:
                delattr(target, key)
        self._undo.clear()
        self.wrappers.clear()


# --- inputs shared by the gated-cell exercises (LSTM: 4 gates, GRU: 3) --------------------------


def gated_cell_inputs(rng, case, gates, cell_state=False):
    """Random x, h (and c), W_ih, W_hh, b_ih, b_hh for a cell with ``gates`` stacked blocks.

    case -> (batch, input, hidden): case 1 is square (input = hidden), so that transposed
    per-gate blocks and swapped h and x run and show in the values; in case 2 the input is
    gates * hidden, so that x @ W_ih (untransposed) runs too.
    """
    batch, inputs, hidden = {0: (3, 4, 5), 1: (2, 4, 4), 2: (2, 2 * gates, 2)}[case % 3]

    def normal(*shape, scale=0.6):
        return scale * rng.standard_normal(shape)

    values = {"x": normal(batch, inputs, scale=1.0), "h": normal(batch, hidden)}
    if cell_state:
        values["c"] = normal(batch, hidden, scale=1.0)
    values["W_ih"] = normal(gates * hidden, inputs)
    values["W_hh"] = normal(gates * hidden, hidden)
    values["b_ih"] = normal(gates * hidden)
    values["b_hh"] = normal(gates * hidden)
    return values


def gate_shape_hint(gates, names):
    """The hint for a shape error in a step whose ``gates`` blocks (named ``names``) are stacked."""
    count = {3: "three", 4: "four"}[gates]
    return (
        r"matmul|shapes .* not aligned|could not be broadcast",
        f"check the shapes: the {count} gates are stacked, W_ih is ({gates} * hidden, input) "
        f"and W_hh is ({gates} * hidden, hidden); project with x @ W_ih.T and h @ W_hh.T "
        f"(both (batch, {gates} * hidden)), then split the columns into {names}, hidden "
        "columns each",
    )
