"""Exercise 8 (chapter 8): the parallel scan of h_t = a_t * h_{t-1} + b_t, and its backward pass.

Sequences are time-major: a, b: (T, batch, hidden), h0: (batch, hidden); the answer
h: (T, batch, hidden) holds the state *after* each step (an inclusive scan), h[0] =
a[0] * h0 + b[0]. The reference is the plain loop over time, written here in NumPy and
tested equal to ``lib.scan.sequential_scan``.
"""

import math

import numpy as np

import lib

from .core import Exercise, Mistake, Named, Question, as_array, judge_parts

SCAN_IMPLEMENTATIONS = (
    "lib.scan.sequential_scan",
    "lib.scan.parallel_scan",
    "lib.scan.cumulative_scan",
    "lib.scan.scan_backward",
    "lib.scan.backward_unchecked",
    "lib.scan._sequential",
    "lib.scan._parallel",
    "lib.scan._cumulative",
    "lib.MinGRU",
    "lib.MinLSTM",
)

# case -> (steps, batch, hidden). Case 1 is not a power of two (a sweep too few shows);
# case 2 is long enough for a_1 a_2 ... a_T to underflow to 0 (a closed form that divides
# by it breaks) and for a loop over time to stand out from log2(T) sweeps.
SCAN_SIZES = {0: (8, 3, 4), 1: (13, 2, 2), 2: (1500, 2, 3)}


def loop(a, b, h0):
    """The definition: h_t = a_t * h_{t-1} + b_t, one step after another."""
    h, states = h0, []
    for a_t, b_t in zip(a, b):
        h = a_t * h + b_t
        states.append(h)
    return np.stack(states)


# --- q1: two steps make one ------------------------------------------------------------------

COMBINE_ARGS = ("a_first", "b_first", "a_second", "b_second")


def make_combine_inputs(rng, case):
    shape = {0: (3, 4), 1: (5,), 2: (2, 2)}[case % 3]
    return {
        "a_first": rng.uniform(0.1, 1.0, shape),
        "b_first": rng.standard_normal(shape),
        "a_second": rng.uniform(0.1, 1.0, shape),
        "b_second": rng.standard_normal(shape),
    }


def combine_reference(inputs):
    a1, b1, a2, b2 = (inputs[k] for k in COMBINE_ARGS)
    return {"a": a2 * a1, "b": a2 * b1 + b2}


q1 = Question(
    name="q1",
    points=1,
    function="combine",
    args=COMBINE_ARGS,
    parts=("a", "b"),
    make_inputs=make_combine_inputs,
    reference=combine_reference,
    mistakes=[
        Mistake(
            "the steps are applied in the wrong order (a_first * b_second + b_first): the "
            "second step acts on what the first one produced, so b = a_second * b_first + "
            "b_second",
            lambda i: {"b": i["a_first"] * i["b_second"] + i["b_first"]},
        ),
        Mistake(
            "b_first is added without passing through the second step: the second step "
            "multiplies everything before it by a_second, so b = a_second * b_first + b_second",
            lambda i: {"b": i["b_first"] + i["b_second"]},
        ),
        Mistake(
            "the decays are added: two steps in a row keep a_second * a_first of the old state",
            lambda i: {"a": i["a_first"] + i["a_second"]},
        ),
        Mistake(
            "b_first is scaled by its own step's a_first: it is the second step's a_second "
            "that acts on it",
            lambda i: {"b": i["a_first"] * i["b_first"] + i["b_second"]},
        ),
    ],
    forbidden=SCAN_IMPLEMENTATIONS,
    public_cases=(0, 1),
    hidden_cases=(0, 1, 2),
    rtol=1e-12,
    atol=1e-12,
)

# --- q2: the parallel scan -----------------------------------------------------------------


class CountedArray(np.ndarray):
    """An array that counts the elementwise multiplications done with it (one per call)."""

    products = 0

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if ufunc is np.multiply and method == "__call__":
            CountedArray.products += 1
        inputs = tuple(_plain(value) for value in inputs)
        if "out" in kwargs:
            kwargs["out"] = tuple(_plain(value) for value in kwargs["out"])
        result = getattr(ufunc, method)(*inputs, **kwargs)
        if isinstance(result, np.ndarray):
            return result.view(CountedArray)
        return result


def _plain(value):
    return value.view(np.ndarray) if isinstance(value, CountedArray) else value


def make_scan_inputs(rng, case):
    steps, batch, hidden = SCAN_SIZES[case % 3]
    return {
        "a": rng.uniform(0.3, 0.95, (steps, batch, hidden)),
        "b": rng.standard_normal((steps, batch, hidden)),
        "h0": rng.standard_normal((batch, hidden)),
    }


def probe_scan(fn, inputs):
    """h from the learner's function, and how many multiplications it took to get there."""
    CountedArray.products = 0
    counted = (inputs[k].copy().view(CountedArray) for k in ("a", "b", "h0"))
    h = fn(*counted)
    return {
        "h": as_array(h),
        "products": np.float64(CountedArray.products),
    }


def sweeps(steps):
    """ceil(log2 steps): the sweeps of spans 1, 2, 4, ... that reach back to step 1."""
    return max(1, math.ceil(math.log2(steps)))


def product_limit(steps):
    """Generous: two products per sweep, plus as many again, plus a few for h0."""
    return 4 * sweeps(steps) + 10


def scan_variant(a, b, h0, mistake):
    """The Hillis-Steele scan with one typical mistake switched on (for the diagnosis)."""
    a, b = a.copy(), b.copy()
    if mistake != "no_h0":
        b[0] = (h0 if mistake == "h0_unscaled" else a[0] * h0) + b[0]
    shift = 1 if mistake == "shift_one_more" else 0
    count = int(math.log2(len(a))) if mistake == "too_few_sweeps" else sweeps(len(a))
    span = 1
    for _ in range(count):
        later, earlier = slice(span + shift, None), slice(None, len(a) - span - shift)
        if mistake == "reads_the_future":
            later, earlier = earlier, later
        if mistake == "a_first":
            a[later] = a[later] * a[earlier]
        b[later] = a[later] * b[earlier] + b[later]
        if mistake not in ("a_first", "a_forgotten"):
            a[later] = a[later] * a[earlier]
        span *= 2
    if mistake == "exclusive":
        return {"h": np.concatenate([h0[None], b[:-1]])}
    return {"h": b}


SCAN_MISTAKES = [
    (
        "exclusive",
        "this is an exclusive scan (h[t] holds the state *before* step t, h[0] = h0): the "
        "answer is inclusive, h[t] is the state after step t, h[0] = a[0] * h0 + b[0]",
    ),
    (
        "a_forgotten",
        "the carried products of a are forgotten: after combining, a_t must become "
        "a_t * a_{t - span}, the decay of the whole span that step t now stands for; "
        "otherwise the next sweep scales b by one step's a only",
    ),
    (
        "a_first",
        "a is updated before b in a sweep: b_t = a_t * b_{t - span} + b_t needs a_t as it "
        "was before this sweep (update b first, then a)",
    ),
    (
        "shift_one_more",
        "off by one: a sweep of span s combines step t with step t - s - 1; it is step "
        "t - s, the end of the span just before (b[s:] with b[:-s])",
    ),
    (
        "too_few_sweeps",
        "one sweep too few: floor(log2 T) sweeps reach back 2^floor(log2 T) - 1 steps only; "
        "T steps need ceil(log2 T) sweeps (keep going while span < T)",
    ),
    (
        "reads_the_future",
        "the sweep reads the future: step t must absorb the span that ends *earlier*, at "
        "t - span (b[span:] = a[span:] * b[:-span] + b[span:])",
    ),
    ("no_h0", "h0 is ignored: the first step is h[0] = a[0] * h0 + b[0]"),
    (
        "h0_unscaled",
        "h0 is added without the first step's decay: h[0] = a[0] * h0 + b[0], not h0 + b[0]",
    ),
]


def _scan_mistake(flag, message):
    return Mistake(message, lambda i: scan_variant(i["a"], i["b"], i["h0"], flag))


def judge_scan(inputs, outputs):
    """h against the loop (with named mistakes), and whether it took about log2(T) sweeps.

    The sweeps earn their half only with the right h: doing nothing takes no sweeps either.
    """
    ok, message = judge_parts(q2, inputs, outputs)
    steps = len(inputs["a"])
    count = outputs.get("products")
    if "__error__" in outputs or "__forbidden__" in outputs or count is None:
        return {**ok, "parallel": False}, message
    count = int(count)
    ok["parallel"] = ok["h"] and count <= product_limit(steps)
    h = outputs.get("h")
    if h is not None and h.shape == inputs["b"].shape and not np.all(np.isfinite(h)):
        message = Named(
            "h contains NaN or inf on a long sequence. A closed form that divides by the "
            "running product a_1 a_2 ... a_t breaks once that product underflows to 0 "
            "(0.6^1500 is 0 in float64); combine pairs of steps instead, which only multiplies"
        )
    if ok["h"] and not ok["parallel"]:
        loop_words = Named(
            f"your function multiplies arrays {count} times for T = {steps} steps: it walks "
            f"through time step by step. The parallel scan needs ceil(log2 T) = "
            f"{sweeps(steps)} sweeps of two vectorised products each"
        )
        message = loop_words
    return ok, message


q2 = Question(
    name="q2",
    points=4,
    function="parallel_scan",
    args=("a", "b", "h0"),
    parts=("h",),
    make_inputs=make_scan_inputs,
    reference=lambda i: {"h": loop(i["a"], i["b"], i["h0"])},
    probe=probe_scan,
    judge=judge_scan,
    mistakes=[_scan_mistake(f, m) for f, m in SCAN_MISTAKES],
    forbidden=SCAN_IMPLEMENTATIONS,
    public_cases=(0, 1, 2),
    hidden_cases=(0, 1, 2),
    rtol=1e-8,
    atol=1e-10,
)

# --- q3: the backward pass is a scan too -------------------------------------------------------

BACKWARD_ARGS = ("a", "h_prev", "dh")
GRADS = ("da", "db", "dh0")
BACKWARD_SIZES = {0: (6, 2, 3), 1: (9, 1, 2), 2: (5, 3, 1)}


def make_backward_inputs(rng, case):
    steps, batch, hidden = BACKWARD_SIZES[case % 3]
    a = rng.uniform(0.3, 0.95, (steps, batch, hidden))
    b = rng.standard_normal((steps, batch, hidden))
    h0 = rng.standard_normal((batch, hidden))
    h = loop(a, b, h0)
    return {
        "a": a,
        "b": b,
        "h0": h0,
        "h_prev": np.concatenate([h0[None], h[:-1]]),
        "dh": rng.standard_normal((steps, batch, hidden)),
    }


def backward_reference(inputs):
    """By finite differences of the loop (lib.numerical_gradient): a gradient check.

    L = sum_t sum(dh[t] * h_t), a function of a, b and h0.
    """
    work = {k: inputs[k].copy() for k in ("a", "b", "h0")}

    def loss():
        return float(np.sum(inputs["dh"] * loop(work["a"], work["b"], work["h0"])))

    names = {"da": "a", "db": "b", "dh0": "h0"}
    return {g: lib.numerical_gradient(loss, work[v], eps=1e-6) for g, v in names.items()}


def backward_variant(a, h_prev, dh, mistake=None):
    """g_t = dh_t + a_{t+1} g_{t+1} by hand; ``mistake`` switches on one typical error."""
    ones = np.ones_like(a[:1])
    a_next = np.concatenate([a[1:], ones])  # a_{t+1}; the last one meets g = 0
    if mistake == "no_shift":
        a_next = a
    if mistake in ("not_reversed", "not_reversed_zero"):  # g_t = dh_t + a_{t+1} g_{t-1}
        if mistake == "not_reversed_zero":
            a_next = np.concatenate([a[1:], 0 * ones])
        g = loop(a_next, dh, np.zeros_like(dh[0]))
    else:
        g = loop(a_next[::-1], dh[::-1], np.zeros_like(dh[0]))[::-1]
    out = {"da": g * h_prev, "db": g, "dh0": a[0] * g[0]}
    if mistake == "da_h_now":
        out["da"] = g * np.concatenate([h_prev[1:], np.zeros_like(h_prev[:1])])
    if mistake == "da_no_carry":
        out["da"] = dh * h_prev
    if mistake == "db_no_carry":
        out["db"] = dh
    if mistake == "dh0_unscaled":
        out["dh0"] = g[0]
    return out


NOT_REVERSED = (
    "the gradient runs forward in time: g_t = dh_t + a_{t+1} g_{t+1} collects what comes "
    "*after* t, so scan the reversed sequences and reverse the result back"
)
BACKWARD_MISTAKES = [
    (
        "no_shift",
        "the coefficients are not shifted: h_{t+1} = a_{t+1} h_t + b_{t+1}, so the gradient "
        "reaching h_t from the future is a_{t+1} * g_{t+1} (use a[1:], not a)",
    ),
    ("not_reversed", NOT_REVERSED),
    ("not_reversed_zero", NOT_REVERSED),
    (
        "da_h_now",
        "da pairs g_t with h_t: step t multiplied the state it read, so da_t = g_t * h_{t-1} "
        "(h_prev[t])",
    ),
    (
        "da_no_carry",
        "da uses only this step's dh: it needs the whole gradient of h_t, g_t, which "
        "includes what flows back from later steps",
    ),
    ("db_no_carry", "db is dh: it is g_t, the whole gradient of h_t (dh_t and the later steps)"),
    ("dh0_unscaled", "dh0 misses the first step's decay: h_1 = a_1 h0 + b_1, so dh0 = a_1 * g_1"),
]


def _backward_mistake(flag, message):
    return Mistake(message, lambda i: backward_variant(*(i[k] for k in BACKWARD_ARGS), flag))


q3 = Question(
    name="q3",
    points=3,
    function="scan_backward",
    args=BACKWARD_ARGS,
    parts=GRADS,
    make_inputs=make_backward_inputs,
    reference=backward_reference,
    mistakes=[_backward_mistake(f, m) for f, m in BACKWARD_MISTAKES],
    forbidden=SCAN_IMPLEMENTATIONS
    + ("lib.gradcheck.numerical_gradient", "lib.gradcheck.gradcheck"),
    rtol=1e-5,
    atol=1e-7,
)

EXERCISE = Exercise(
    name="ex08",
    title="Exercise 8: the parallel scan",
    notebook="ex08_parallel_scan/ex08_parallel_scan.ipynb",
    questions=[q1, q2, q3],
)
