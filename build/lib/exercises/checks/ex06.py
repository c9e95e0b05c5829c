"""Exercise 6 (chapter 6): a bidirectional layer from two one-way RNNs, and training one.

Sequences are time-major, x: (T, batch, input). The bidirectional layer runs a forward
RNN on x and a backward RNN (its own weights) on x reversed in time, reverses the
backward outputs back and concatenates: out[t] = [h_fwd_t ; h_bwd_t], (T, batch, 2H);
h_n = [h_fwd_T, h_bwd_1] stacked, (2, batch, H): the backward direction's last state is
the one after reading x_1, at out[0, :, H:].
"""

import numpy as np

import lib

from .core import Exercise, Mistake, Named, Question, as_array, judge_parts
from .ex01 import RNN_IMPLEMENTATIONS
from .ex05 import PARAM_NAMES, READOUT_HINT, judge_labels, probe_training, rnn_layer

# --- q1: reverse a batch of sequences in time ------------------------------------------------

# case -> (steps, batch, features); in case 1 steps = batch = features, so that reversing
# the wrong axis keeps the shape and shows in the values.
REVERSE_SIZES = {0: (5, 3, 4), 1: (4, 4, 4), 2: (7, 2, 3)}


def make_reverse_inputs(rng, case):
    return {"x": rng.standard_normal(REVERSE_SIZES[case % 3])}


def probe_reverse(fn, i):
    x = i["x"].copy()
    result = fn(x)
    outputs = {"x_rev": as_array(result)}
    outputs["x_after"] = x  # to tell whether the answer changed its input
    return outputs


def judge_reverse(inputs, outputs):
    ok, message = judge_parts(q1, inputs, outputs)
    after = outputs.get("x_after")
    if ok["x_rev"] and after is not None and not np.array_equal(after, inputs["x"]):
        return {"x_rev": False}, Named(
            "the answer changes its input x: return a reversed copy (x[::-1] is a view; "
            "do not assign into x)"
        )
    return ok, message


q1 = Question(
    name="q1",
    points=1,
    function="reverse_time",
    args=("x",),
    parts=("x_rev",),
    make_inputs=make_reverse_inputs,
    reference=lambda i: {"x_rev": i["x"][::-1]},
    probe=probe_reverse,
    mistakes=[
        Mistake(
            "the batch axis is reversed: x is time-major, (T, batch, features), so reverse axis 0",
            lambda i: {"x_rev": i["x"][:, ::-1]},
        ),
        Mistake(
            "the feature axis is reversed: reverse the time axis, axis 0 of (T, batch, features)",
            lambda i: {"x_rev": i["x"][..., ::-1]},
        ),
        Mistake(
            "every axis is reversed (np.flip without an axis): reverse only time, axis 0",
            lambda i: {"x_rev": i["x"][::-1, ::-1, ::-1]},
        ),
        Mistake(
            "x comes back unchanged: reverse the time axis, x[::-1]",
            lambda i: {"x_rev": i["x"]},
        ),
        Mistake(
            "time and batch are swapped (transposed) instead of reversed: x[::-1] keeps the "
            "shape and reverses the order of the steps",
            lambda i: {"x_rev": i["x"].transpose(1, 0, 2)},
        ),
    ],
    rtol=0,
    atol=0,
)
q1.judge = judge_reverse

# --- q2: the bidirectional layer ---------------------------------------------------------

# case -> (steps, batch, input, hidden).
BIDIR_SIZES = {0: (5, 3, 4, 6), 1: (4, 2, 5, 5), 2: (6, 4, 3, 4)}


def make_bidir_inputs(rng, case):
    steps, batch, inputs, hidden = BIDIR_SIZES[case % 3]
    values = {"x": rng.standard_normal((steps, batch, inputs))}
    for suffix in ("", "_reverse"):
        values["weight_ih" + suffix] = 0.7 * rng.standard_normal((hidden, inputs))
        values["weight_hh" + suffix] = 0.5 * rng.standard_normal((hidden, hidden))
        values["bias_ih" + suffix] = 0.4 * rng.standard_normal(hidden)
        values["bias_hh" + suffix] = 0.4 * rng.standard_normal(hidden)
    return values


def direction_params(i, suffix):
    return {name: i[name + suffix] for name in PARAM_NAMES}


def bidir_reference(i):
    """lib.RNN(bidirectional=True) with these weights."""
    steps, batch, inputs = i["x"].shape
    hidden = i["weight_hh"].shape[0]
    model = lib.RNN(inputs, hidden, bidirectional=True, dtype="float64")
    for name in PARAM_NAMES:
        for suffix in ("", "_reverse"):
            model.params[f"{name}_l0{suffix}"][...] = i[name + suffix]
    out, h_n = model(i["x"])
    return {"out": np.asarray(out), "h_n": np.asarray(h_n)}


def probe_bidir(fn, i):
    result = fn(i["x"].copy(), direction_params(i, "").copy(), direction_params(i, "_reverse"))
    if result is None:
        return {}  # judged as "returned no numbers (did you forget `return`?)"
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise TypeError(
            f"return the pair (out, h_n), got {type(result).__name__}"
            + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else "")
        )
    return {"out": as_array(result[0]), "h_n": as_array(result[1])}


FLIPS = {
    "time": lambda a: a[::-1],
    "batch": lambda a: a[:, ::-1],
    "none": lambda a: a,
}


def bidir(
    i,
    flip_in="time",
    flip_out="time",
    backward_final="first",
    forward_final="last",
    out_order="fb",
    h_n_order="fb",
    same_weights=False,
    axis=-1,
):
    """The bidirectional layer with one or more mistakes switched on."""
    x = i["x"]
    fwd = rnn_layer(x, direction_params(i, ""))
    bwd_params = direction_params(i, "" if same_weights else "_reverse")
    bwd = FLIPS[flip_out](rnn_layer(FLIPS[flip_in](x), bwd_params))
    pair = [fwd, bwd] if out_order == "fb" else [bwd, fwd]
    ends = {"first": 0, "last": -1}
    finals = [fwd[ends[forward_final]], bwd[ends[backward_final]]]
    return {
        "out": np.concatenate(pair, axis=axis),
        "h_n": np.stack(finals if h_n_order == "fb" else finals[::-1]),
    }


def _bidir_mistake(message, **knobs):
    return Mistake(message, lambda i: bidir(i, **knobs))


NOT_FLIPPED = (
    "the backward outputs are not reversed back: the backward RNN read x from the end, so "
    "its k-th output belongs to time T-1-k; reverse it back before concatenating"
)
BATCH_AXIS = (
    "the batch axis is reversed instead of time: x is time-major (T, batch, input), so "
    "reverse axis 0 (fix q1 first if reverse_time is wrong)"
)
WRONG_END = (
    "h_n of the backward direction is taken at the wrong end: its last state is the one "
    "after reading x_1, which sits at out_bwd[0] once the outputs are reversed back"
)
BIDIR_MISTAKES = [
    _bidir_mistake(NOT_FLIPPED, flip_out="none", backward_final="last"),
    _bidir_mistake(NOT_FLIPPED, flip_out="none", backward_final="first"),
    _bidir_mistake(BATCH_AXIS, flip_in="batch", flip_out="batch"),
    _bidir_mistake(BATCH_AXIS, flip_in="batch", flip_out="batch", backward_final="last"),
    _bidir_mistake(BATCH_AXIS, flip_in="batch", flip_out="none"),
    _bidir_mistake(BATCH_AXIS, flip_in="batch", flip_out="none", backward_final="last"),
    _bidir_mistake(
        "the backward direction reads x in the forward order: run it on x reversed in time",
        flip_in="none",
        flip_out="none",
        backward_final="last",
    ),
    _bidir_mistake(
        "the backward direction reads x in the forward order: run it on x reversed in time",
        flip_in="none",
        flip_out="time",
    ),
    _bidir_mistake(
        "out is concatenated in the wrong order: the forward direction's H features come "
        "first, out[t] = [h_fwd_t ; h_bwd_t]",
        out_order="bf",
    ),
    _bidir_mistake(
        "out and h_n are in the wrong order: the forward direction comes first, in out's "
        "features and in h_n (h_n[0] forward, h_n[1] backward)",
        out_order="bf",
        h_n_order="bf",
    ),
    _bidir_mistake(
        "h_n is in the wrong order: h_n[0] is the forward direction's final state, h_n[1] "
        "the backward one's",
        h_n_order="bf",
    ),
    _bidir_mistake(WRONG_END, backward_final="last"),
    _bidir_mistake(
        "h_n of the forward direction is taken at the wrong end: its last state is after "
        "reading x_T, out_fwd[-1]",
        forward_final="first",
    ),
    _bidir_mistake(
        "h_n of both directions is taken at the wrong end: h_n[0] = out_fwd[-1] (after x_T), "
        "h_n[1] = out_bwd[0] (after x_1)",
        forward_final="first",
        backward_final="last",
    ),
    _bidir_mistake(
        "the backward direction uses the forward weights: it has its own, backward_params",
        same_weights=True,
    ),
    _bidir_mistake(
        "the two directions are concatenated along time: join them along the features, "
        "axis=-1, out is (T, batch, 2H)",
        axis=0,
    ),
    _bidir_mistake(
        "the two directions are concatenated along the batch axis: join them along the "
        "features, axis=-1, out is (T, batch, 2H)",
        axis=1,
    ),
    Mistake(
        "h_n is out[-1], (batch, 2H): stack the two final states, h_n = [h_fwd_T, h_bwd_1], "
        "(2, batch, H); out[-1]'s backward half has read only x_T",
        lambda i: {"h_n": bidir(i)["out"][-1]},
    ),
    Mistake(
        "h_n is concatenated, (batch, 2H): stack the two final states into (2, batch, H)",
        lambda i: {"h_n": np.concatenate(list(bidir(i)["h_n"]), axis=-1)},
    ),
]

q2 = Question(
    name="q2",
    points=3,
    function="bidirectional_forward",
    args=("x",),
    parts=("out", "h_n"),
    make_inputs=make_bidir_inputs,
    reference=bidir_reference,
    probe=probe_bidir,
    mistakes=BIDIR_MISTAKES,
    forbidden=RNN_IMPLEMENTATIONS + ("lib.LSTM", "lib.GRU"),
    rtol=1e-6,
    atol=1e-9,
)

# --- q3: train a bidirectional tagger on future_context --------------------------------------

N_SYMBOLS, CONTEXT_STEPS, CONTEXT_TRAIN, CONTEXT_TEST = 4, 8, 400, 200


def _context_data(rng, n):
    """lib.tasks.future_context's layout, drawn from ``rng``: x (n, T, K + 1)."""
    symbols = rng.integers(N_SYMBOLS, size=(n, CONTEXT_STEPS))
    flags = rng.random((n, CONTEXT_STEPS)) < 0.5
    flags[:, 0], flags[:, -1] = True, False
    x = np.concatenate([np.eye(N_SYMBOLS)[symbols], flags[..., None]], axis=-1)
    return x, context_labels(x)


def context_labels(x):
    """y_t = s_{t+1} where the flag (last feature) is set, else s_{t-1}."""
    symbols = x[..., :N_SYMBOLS].argmax(axis=-1)
    flags = x[..., N_SYMBOLS] > 0.5
    return np.where(flags, np.roll(symbols, -1, axis=1), np.roll(symbols, 1, axis=1))


def make_context_inputs(rng, case):
    x_train, y_train = _context_data(rng, CONTEXT_TRAIN)
    x_test, _ = _context_data(rng, CONTEXT_TEST)
    return {
        "x_train": x_train,
        "y_train": y_train.astype(np.float64),
        "x_test": x_test,
        "seed": np.float64(rng.integers(0, 2**31)),
    }


def judge_context(inputs, outputs):
    """Accuracy on the positions that need the future, then on all positions, must reach 0.9."""
    ok, message = judge_labels(
        q3,
        inputs,
        outputs,
        chance=1 / N_SYMBOLS,
        scored=lambda i: i["x_test"][..., N_SYMBOLS] > 0.5,
        where=" on the positions that need the future",
        hint=f"a unidirectional model can only guess there (~1/{N_SYMBOLS}); is yours "
        "bidirectional?",
    )
    if not ok["labels"]:
        return ok, message
    return judge_labels(q3, inputs, outputs, chance=1 / N_SYMBOLS)


q3 = Question(
    name="q3",
    points=2,
    function="train_bidirectional",
    args=("x_train", "y_train", "x_test", "seed"),
    parts=("labels",),
    make_inputs=make_context_inputs,
    reference=lambda i: {"labels": context_labels(i["x_test"]).astype(np.float64)},
    probe=probe_training,
    judge=judge_context,
    public_cases=(0,),
    hidden_cases=(0, 1),
    hints=(READOUT_HINT,),
)

EXERCISE = Exercise(
    name="ex06",
    title="Exercise 6: bidirectional RNNs",
    notebook="ex06_bidirectional/ex06_bidirectional.ipynb",
    questions=[q1, q2, q3],
)
