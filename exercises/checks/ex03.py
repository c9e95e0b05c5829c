"""Exercise 3 (chapter 3): one LSTM step, forward and backward, and the boss-raise story.

Weights use torch's layout with the four gates stacked in the order i, f, g, o:
W_ih (4 hidden, input), W_hh (4 hidden, hidden), b_ih and b_hh (4 hidden,), so a batch
x: (batch, input) is projected as x @ W_ih.T and the columns [k H, (k + 1) H) of the
result belong to gate k.
"""

import numpy as np

import lib
from lib import functional as F

from .core import (
    Exercise,
    Mistake,
    Named,
    Question,
    as_array,
    gate_shape_hint,
    gated_cell_inputs,
    pick,
    split_result,
    switched_on,
)

# Every way to compute lib's answer: an answer that calls one of these earns nothing.
LSTM_IMPLEMENTATIONS = (
    "lib.functional.lstm_step",
    "lib.LSTM",
    "lib.LSTMCell",
    "lib.recurrent.direction_forward",
    "lib.kernels.LSTMKernel",
    "lib.kernels.lstm_forward_step",
)
BACKWARD_IMPLEMENTATIONS = LSTM_IMPLEMENTATIONS + (
    "lib.recurrent.direction_backward",
    "lib.kernels.lstm_backward_step",
    "lib.gradcheck.numerical_gradient",
    "lib.gradcheck.gradcheck",
)

CASES = (0, 1, 2)
GATE_HINT = gate_shape_hint(4, "i, f, g, o")


sigmoid = F.sigmoid  # lib's stable sigmoid: the references are lib's own formulas


def make_inputs(rng, case):
    return gated_cell_inputs(rng, case, 4, cell_state=True)


# --- q1: one step, forward --------------------------------------------------------------

STEP_ARGS = ("x", "h", "c", "W_ih", "W_hh", "b_ih", "b_hh")


def step(x, h, c, W_ih, W_hh, b_ih, b_hh):
    """The reference: lib's own step, as {h_new, c_new}."""
    values = F.lstm_step(x, h, c, W_ih, W_hh, b_ih, b_hh)
    return {"h_new": np.asarray(values.h), "c_new": np.asarray(values.c)}


def step_variant(x, h, c, W_ih, W_hh, b_ih, b_hh, mistake):
    """The step with typical mistakes switched on (one flag or a set of them; the diagnosis)."""
    flags = switched_on(mistake)
    size = h.shape[1]

    def blocks(w):
        return [w[k * size : (k + 1) * size] for k in range(4)]

    if "blocks_untransposed" in flags:
        xw = np.concatenate([x @ w for w in blocks(W_ih)], axis=1)
        hw = np.concatenate([h @ w for w in blocks(W_hh)], axis=1)
    elif "W_ih_untransposed" in flags:
        xw, hw = x @ W_ih, h @ W_hh.T
    elif "h_x_swapped" in flags:
        xw, hw = h @ W_ih.T, x @ W_hh.T
    else:
        xw, hw = x @ W_ih.T, h @ W_hh.T
    bias = pick({"no_b_hh": b_ih, "no_b_ih": b_hh, "no_biases": 0.0}, flags, b_ih + b_hh)
    pre = xw + hw + bias
    order = pick({"order_ifog": "ifog", "order_figo": "figo", "order_igfo": "igfo"}, flags, "ifgo")
    a = {gate: pre[:, k * size : (k + 1) * size] for k, gate in enumerate(order)}
    act = {"i": sigmoid, "f": sigmoid, "g": np.tanh, "o": sigmoid}
    for gate in "ifo":
        if f"{gate}_tanh" in flags:
            act[gate] = np.tanh
    if flags & {"g_sigmoid", "all_sigmoid"}:
        act["g"] = sigmoid
    if "all_swapped" in flags:
        act = {"i": np.tanh, "f": np.tanh, "g": sigmoid, "o": np.tanh}
    i, f, g, o = (act[gate](a[gate]) for gate in "ifgo")
    c_new = pick(
        {"c_prev_for_g": f * c + i * c, "no_input_gate": f * c + g, "no_forget_gate": c + i * g},
        flags,
        f * c + i * g,
    )
    h_new = pick(
        {
            "h_no_tanh": o * c_new,
            "h_old_c": o * np.tanh(c),
            "h_tanh_outside": np.tanh(o * c_new),
        },
        flags,
        o * np.tanh(c_new),
    )
    if "outputs_swapped" in flags:
        return {"h_new": c_new, "c_new": h_new}
    return {"h_new": h_new, "c_new": c_new}


STEP_MISTAKES = [
    (
        "f_tanh",
        "tanh where a sigmoid belongs: the forget gate is f = sigmoid(...), a valve between "
        "0 (erase) and 1 (keep); only the candidate g uses tanh",
    ),
    (
        "g_sigmoid",
        "sigmoid where tanh belongs: the candidate g = tanh(...) proposes values in (-1, 1); "
        "the gates i, f, o use sigmoid",
    ),
    (
        "all_sigmoid",
        "sigmoid everywhere: the candidate g = tanh(...) proposes values in (-1, 1)",
    ),
    (
        "all_swapped",
        "tanh and sigmoid are swapped: the gates i, f, o use sigmoid (valves in (0, 1)), the "
        "candidate g uses tanh",
    ),
    ("i_tanh", "tanh where a sigmoid belongs: the input gate is i = sigmoid(...)"),
    ("o_tanh", "tanh where a sigmoid belongs: the output gate is o = sigmoid(...)"),
    (
        "order_ifog",
        "the gates are read in the order i, f, o, g: torch (and lib) stack them as i, f, g, o "
        "(the candidate g is the third block of hidden columns, the output gate the fourth)",
    ),
    (
        "order_figo",
        "the gates are read in the order f, i, g, o: torch (and lib) stack them as i, f, g, o "
        "(the input gate is the first block of hidden columns, the forget gate the second)",
    ),
    (
        "order_igfo",
        "the gates are read in the order i, g, f, o (TensorFlow's): torch (and lib) stack them "
        "as i, f, g, o",
    ),
    (
        "no_b_hh",
        "the bias b_hh is missing: the pre-activation is x W_ih^T + b_ih + h W_hh^T + b_hh",
    ),
    (
        "no_b_ih",
        "the bias b_ih is missing: the pre-activation is x W_ih^T + b_ih + h W_hh^T + b_hh",
    ),
    ("no_biases", "both biases are missing: add b_ih and b_hh"),
    (
        "blocks_untransposed",
        "the weights are used untransposed (x @ W_i with W_i = W_ih[:hidden], ...): torch's "
        "layout is (hidden, input) per gate, so x @ W_ih.T and h @ W_hh.T",
    ),
    (
        "W_ih_untransposed",
        "W_ih is used untransposed (x @ W_ih): torch's layout is (4 * hidden, input), so "
        "x @ W_ih.T",
    ),
    (
        "h_x_swapped",
        "h and x are swapped: x goes with W_ih, the previous hidden state h with W_hh",
    ),
    (
        "c_prev_for_g",
        "the old cell state is written where the candidate belongs (i * c): the new cell "
        "state is f * c + i * g",
    ),
    (
        "no_input_gate",
        "the input gate is missing (c_new = f * c + g): the candidate is let in through the "
        "input gate, c_new = f * c + i * g",
    ),
    (
        "no_forget_gate",
        "the forget gate is missing (c_new = c + i * g): the old cell state passes through "
        "the forget gate, c_new = f * c + i * g",
    ),
    (
        "h_no_tanh",
        "h = o * c_new has no tanh: the new hidden state is o * tanh(c_new)",
    ),
    (
        "h_old_c",
        "h uses the old cell state (o * tanh(c)): it reads the new one, o * tanh(c_new)",
    ),
    (
        "h_tanh_outside",
        "tanh wraps the output gate too (tanh(o * c_new)): h_new = o * tanh(c_new)",
    ),
    (
        "outputs_swapped",
        "h_new and c_new are swapped: return (h_new, c_new), in that order",
    ),
]


def _step_mistake(flag, message):
    return Mistake(message, lambda i: step_variant(*(i[a] for a in STEP_ARGS), flag), flag)


q1 = Question(
    name="q1",
    points=2,
    function="lstm_step",
    args=STEP_ARGS,
    parts=("h_new", "c_new"),
    make_inputs=make_inputs,
    reference=lambda i: step(*(i[a] for a in STEP_ARGS)),
    mistakes=[_step_mistake(f, m) for f, m in STEP_MISTAKES],
    variant=lambda i, flags: step_variant(*(i[a] for a in STEP_ARGS), flags),
    forbidden=LSTM_IMPLEMENTATIONS,
    public_cases=CASES,
    hidden_cases=CASES,
    hints=(GATE_HINT,),
)

# --- q2: one step, backward -----------------------------------------------------------------

BACKWARD_ARGS = ("dh_new", "dc_new", "x", "h", "c", "W_ih", "W_hh", "i", "f", "g", "o", "c_new")
GRADS = ("dx", "dh", "dc", "dW_ih", "dW_hh", "db")


def make_backward_inputs(rng, case):
    inputs = make_inputs(rng, case)
    values = F.lstm_step(*(inputs[a] for a in STEP_ARGS))
    batch, hidden = inputs["h"].shape
    return {
        **inputs,
        **{gate: np.asarray(getattr(values, gate)) for gate in "ifgo"},
        "c_new": np.asarray(values.c),
        "dh_new": rng.standard_normal((batch, hidden)),
        "dc_new": rng.standard_normal((batch, hidden)),
    }


def backward_reference(inputs):
    """The gradients by finite differences (lib.numerical_gradient): a gradient check.

    L = sum(dh_new * h_new) + sum(dc_new * c_new), a function of x, h, c, W_ih, W_hh and
    the bias (b_ih; b_hh gets the same gradient).
    """
    work = {k: inputs[k].copy() for k in ("x", "h", "c", "W_ih", "W_hh", "b_ih")}

    def loss():
        values = F.lstm_step(
            *(work[k] for k in ("x", "h", "c", "W_ih", "W_hh", "b_ih")), inputs["b_hh"]
        )
        return float(np.sum(inputs["dh_new"] * values.h) + np.sum(inputs["dc_new"] * values.c))

    names = {"dx": "x", "dh": "h", "dc": "c", "dW_ih": "W_ih", "dW_hh": "W_hh", "db": "b_ih"}
    return {g: lib.numerical_gradient(loss, work[v], eps=1e-6) for g, v in names.items()}


def backward(dh_new, dc_new, x, h, c, W_ih, W_hh, i, f, g, o, c_new, mistake=None):
    """The backward step by hand; ``mistake`` switches on typical errors (a flag or a set)."""
    flags = switched_on(mistake)
    tc = np.tanh(c_new)
    do = dh_new * (c_new if "do_no_tanh" in flags else tc)
    through_tanh = pick(
        {"no_tanh_path": 0.0, "tanh_path_no_slope": dh_new * o}, flags, dh_new * o * (1 - tc**2)
    )
    dc_total = dc_new + through_tanh
    di, df, dg = dc_total * g, dc_total * c, dc_total * i
    dc = pick({"dc_no_f": dc_total, "dc_only_incoming": dc_new * f}, flags, dc_total * f)

    def sig_slope(s):
        return 1.0 if "no_sigmoid_slope" in flags else s * (1 - s)

    g_slope = pick({"no_g_slope": 1.0, "g_sigmoid_slope": g * (1 - g)}, flags, 1 - g**2)
    parts = {"i": di * sig_slope(i), "f": df * sig_slope(f), "g": dg * g_slope}
    parts["o"] = do * sig_slope(o)
    order = pick({"order_ifog": "ifog", "order_figo": "figo"}, flags, "ifgo")
    da = np.concatenate([parts[gate] for gate in order], axis=1)
    out = {
        "dx": da @ W_ih,
        "dh": da @ W_hh,
        "dc": dc,
        "dW_ih": da.T @ x,
        "dW_hh": da.T @ h,
        "db": da.sum(axis=0),
    }
    if "dW_transposed" in flags:
        out["dW_ih"], out["dW_hh"] = x.T @ da, h.T @ da
    if "db_not_summed" in flags:
        out["db"] = da
    return out


BACKWARD_MISTAKES = [
    (
        "no_sigmoid_slope",
        "the sigmoid derivative is missing: a gate s = sigmoid(a) passes da = ds * s * (1 - s)",
    ),
    (
        "no_tanh_path",
        "the path through tanh(c_new) is forgotten: h_new = o * tanh(c_new) depends on c_new, "
        "so dc_new gets dh_new * o * (1 - tanh(c_new)**2) added before it goes anywhere else",
    ),
    (
        "tanh_path_no_slope",
        "the path through tanh(c_new) misses tanh's derivative: add "
        "dh_new * o * (1 - tanh(c_new)**2) to dc_new",
    ),
    (
        "dc_no_f",
        "dc is not multiplied by f: c_new = f * c + i * g, so the gradient reaching the old "
        "cell state is (total dc_new) * f",
    ),
    (
        "dc_only_incoming",
        "dc uses only the incoming dc_new: multiply the total gradient of c_new (dc_new plus "
        "the path through h_new = o * tanh(c_new)) by f",
    ),
    (
        "no_g_slope",
        "the candidate's tanh derivative is missing: da_g = dg * (1 - g**2)",
    ),
    (
        "g_sigmoid_slope",
        "the candidate uses sigmoid's derivative g (1 - g): g = tanh(a_g), so da_g = "
        "dg * (1 - g**2)",
    ),
    (
        "do_no_tanh",
        "the output gate's gradient uses c_new: h_new = o * tanh(c_new), so do = dh_new * "
        "tanh(c_new)",
    ),
    (
        "order_ifog",
        "the gate gradients are stacked as i, f, o, g: stack them in torch's order i, f, g, o "
        "(the order of the rows of W_ih)",
    ),
    (
        "order_figo",
        "the gate gradients are stacked as f, i, g, o: stack them in torch's order i, f, g, o",
    ),
    (
        "dW_transposed",
        "the weight gradients are transposed: torch's layout (4 * hidden, input) means "
        "dW_ih = da.T @ x and dW_hh = da.T @ h",
    ),
    (
        "db_not_summed",
        "db is not summed over the batch: db = da.sum(axis=0), shape (4 * hidden,)",
    ),
]


def _backward_mistake(flag, message):
    return Mistake(message, lambda i: backward(*(i[a] for a in BACKWARD_ARGS), flag), flag)


q2 = Question(
    name="q2",
    points=3,
    function="lstm_step_backward",
    args=BACKWARD_ARGS,
    parts=GRADS,
    make_inputs=make_backward_inputs,
    reference=backward_reference,
    mistakes=[_backward_mistake(f, m) for f, m in BACKWARD_MISTAKES],
    variant=lambda i, flags: backward(*(i[a] for a in BACKWARD_ARGS), flags),
    blocks={"dW_ih": "ifgo", "dW_hh": "ifgo", "db": "ifgo"},
    forbidden=BACKWARD_IMPLEMENTATIONS,
    public_cases=CASES,
    hidden_cases=CASES,
    rtol=1e-5,
    atol=1e-7,
    hints=(GATE_HINT,),
)

# --- q3: design weights that tell the boss-raise story ---------------------------------------

# The story of chapter 3 (lib.course.story.PRESET): old cell state (mood, budget), old hidden
# state, today's input (exam passed, ugly review, time left).
STORY = {"c": (0.7, 0.3), "h": (1.0, 1.0), "x": (1.0, -1.0, 1.0)}
WEIGHT_PARTS = ("W_ih", "W_hh", "b_ih", "b_hh")
WEIGHT_SHAPES = {"W_ih": (8, 3), "W_hh": (8, 2), "b_ih": (8,), "b_hh": (8,)}
CONDITIONS = ("forget", "cell", "output")
FORGET_MAX, CELL_TOL, OUTPUT_MIN = 0.05, 0.05, 0.95


def make_story_inputs(rng, case):
    return {k: np.array([v], dtype=np.float64) for k, v in STORY.items()}


def probe_story(fn, inputs):
    return split_result(fn(), WEIGHT_PARTS)


def story_reference(inputs):
    """One answer (the chapter's published weights), for information: the judge does not use it."""
    from lib.course.story import torch_weights

    return {k: np.asarray(v) for k, v in zip(WEIGHT_PARTS, torch_weights().values())}


def _fmt(v):
    return "[" + ", ".join(f"{float(e):.3f}" for e in np.ravel(v)) + "]"


CEILING_NOTE = (
    "(About h: h_new = o * tanh(c_new), and with c_new close to [1, 1] it is at most "
    f"tanh(1.05) = {np.tanh(1 + CELL_TOL):.3f}: the story's h = [0.9, 0.9] cannot be "
    f"reached; it would need c_new >= atanh(0.9) = {np.arctanh(0.9):.2f}, which breaks the "
    "story's cell state. Do not chase 0.9.)"
)


def judge_story(inputs, outputs):
    """Run lib's LSTM step on the story with the learner's weights; check each condition."""
    none = {p: False for p in CONDITIONS}
    if "__forbidden__" in outputs:
        return none, Named("your answer calls lib's story code: design the weights yourself")
    if "__error__" in outputs:
        return none, f"your code raised {outputs['__error__']}"
    got = {p: as_array(outputs.get(p)) for p in WEIGHT_PARTS}
    wrong = [
        f"{p} {'is missing' if got[p] is None else f'has shape {got[p].shape}'}, expected "
        f"{WEIGHT_SHAPES[p]}"
        for p in WEIGHT_PARTS
        if got[p] is None or got[p].shape != WEIGHT_SHAPES[p]
    ]
    if wrong:
        return none, Named(
            "return (W_ih, W_hh, b_ih, b_hh) in torch's layout for input 3 and hidden 2, gates "
            "stacked i, f, g, o: " + "; ".join(wrong)
        )
    if not all(np.all(np.isfinite(v)) for v in got.values()):
        return none, Named("your weights contain NaN or inf: use finite numbers")
    values = F.lstm_step(
        inputs["x"], inputs["h"], inputs["c"], got["W_ih"], got["W_hh"], got["b_ih"], got["b_hh"]
    )
    f, c_new, o, h_new = (np.asarray(v)[0] for v in (values.f, values.c, values.o, values.h))
    ok = {
        "forget": bool(np.all(f < FORGET_MAX)),
        "cell": bool(np.all(np.abs(c_new - 1) <= CELL_TOL)),
        "output": bool(np.all(o > OUTPUT_MIN)),
    }
    if all(ok.values()):
        return ok, "correct"
    complaints = []
    if not ok["forget"]:
        complaints.append(
            f"the forget gate is f = {_fmt(f)} on the story's day: it must be below "
            f"{FORGET_MAX} on both units (the boss lets go of yesterday's mood and budget). "
            "Its pre-activation must be strongly negative on this input: which rows of the "
            "weights and biases feed f (torch's order is i, f, g, o), and how far below 0 must "
            "sigmoid's argument go for its value to drop under 0.05?"
        )
    if not ok["cell"]:
        hint = (
            "with f close to 0, c_new is about i * g: open the input gate (i close to 1) and "
            "push the candidate g = tanh(...) close to 1"
        )
        if np.any(c_new > 1 + CELL_TOL):
            hint = "it is too large: the old state leaks in through f, or i * g is added to it"
        complaints.append(
            f"the new cell state is c_new = {_fmt(c_new)}: it must be within {CELL_TOL} of "
            f"[1, 1] on both units; {hint}"
        )
    if not ok["output"]:
        complaints.append(
            f"the output gate is o = {_fmt(o)}: it must be above {OUTPUT_MIN} on both units, "
            f"to reveal (almost) all of the new cell state; your h_new = {_fmt(h_new)}"
        )
    return ok, Named("; ".join(complaints) + ". " + CEILING_NOTE)


q3 = Question(
    name="q3",
    points=3,
    function="story_weights",
    parts=CONDITIONS,
    make_inputs=make_story_inputs,
    reference=story_reference,
    probe=probe_story,
    judge=judge_story,
    forbidden=("lib.course.story.torch_weights", "lib.course.story.story_step"),
    public_cases=(0,),
    hidden_cases=(0,),
)

EXERCISE = Exercise(
    name="ex03",
    title="Exercise 3: the LSTM step, forward and backward",
    notebook="ex03_lstm/ex03_lstm.ipynb",
    questions=[q1, q2, q3],
)
