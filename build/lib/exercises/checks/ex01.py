"""Exercise 1 (chapter 1): the RNN cell, a many-to-many pass, a many-to-one classifier.

Weights use torch's layout: W_ih (hidden, input), W_hh (hidden, hidden), so a batch
x: (batch, input) is projected as x @ W_ih.T. Sequences are time-major: xs (T, batch, input).
"""

import numpy as np

from lib import functional as F

from .core import Exercise, Mistake, Question

# Every way to compute lib's answer: an answer that calls one of these earns nothing.
RNN_IMPLEMENTATIONS = (
    "lib.functional.rnn_step",
    "lib.RNN",
    "lib.RNNCell",
    "lib.recurrent.direction_forward",
    "lib.kernels.RNNKernel",
)

# case -> (batch, input, hidden, classes, steps). Case 1 is square (input = hidden =
# classes) so that transposed or swapped weights run and show in the values.
SIZES = {0: (3, 4, 5, 3, 6), 1: (2, 4, 4, 4, 5), 2: (2, 3, 6, 2, 7)}


def make_inputs(rng, case):
    batch, inputs, hidden, classes, steps = SIZES[case % 3]

    def normal(*shape, scale=0.6):
        return scale * rng.standard_normal(shape)

    return {
        "xs": normal(steps, batch, inputs, scale=1.0),
        "x": normal(batch, inputs, scale=1.0),
        "h": normal(batch, hidden),
        "h0": normal(batch, hidden),
        "W_ih": normal(hidden, inputs),
        "W_hh": normal(hidden, hidden),
        "b_ih": normal(hidden),
        "b_hh": normal(hidden),
        "W_out": normal(classes, hidden),
        "b_out": normal(classes),
    }


# --- q1: one step -----------------------------------------------------------------------


def step(x, h, W_ih, W_hh, b_ih, b_hh):
    """The reference: lib's own step."""
    return np.asarray(F.rnn_step(x, h, W_ih, W_hh, b_ih, b_hh).h)


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


# Wrong steps, each a typical mistake: (message, step function with step's signature).
WRONG_STEPS = [
    (
        "sigmoid where tanh belongs: the plain RNN squashes with tanh, into (-1, 1)",
        lambda x, h, Wi, Wh, bi, bh: _sigmoid(x @ Wi.T + bi + h @ Wh.T + bh),
    ),
    (
        "relu where tanh belongs",
        lambda x, h, Wi, Wh, bi, bh: np.maximum(x @ Wi.T + bi + h @ Wh.T + bh, 0),
    ),
    (
        "no activation: the pre-activation must go through tanh",
        lambda x, h, Wi, Wh, bi, bh: x @ Wi.T + bi + h @ Wh.T + bh,
    ),
    (
        "both biases are missing: add b_ih and b_hh",
        lambda x, h, Wi, Wh, bi, bh: np.tanh(x @ Wi.T + h @ Wh.T),
    ),
    (
        "the bias b_ih is missing",
        lambda x, h, Wi, Wh, bi, bh: np.tanh(x @ Wi.T + h @ Wh.T + bh),
    ),
    (
        "the bias b_hh is missing",
        lambda x, h, Wi, Wh, bi, bh: np.tanh(x @ Wi.T + bi + h @ Wh.T),
    ),
    (
        "W_hh is used untransposed (h @ W_hh): torch's layout needs h @ W_hh.T",
        lambda x, h, Wi, Wh, bi, bh: np.tanh(x @ Wi.T + bi + h @ Wh + bh),
    ),
    (
        "W_ih is used untransposed (x @ W_ih): torch's layout needs x @ W_ih.T",
        lambda x, h, Wi, Wh, bi, bh: np.tanh(x @ Wi + bi + h @ Wh.T + bh),
    ),
    (
        "both weights are used untransposed: torch's layout needs x @ W_ih.T and h @ W_hh.T",
        lambda x, h, Wi, Wh, bi, bh: np.tanh(x @ Wi + bi + h @ Wh + bh),
    ),
    (
        "h and x are swapped: x goes with W_ih, the previous state h with W_hh",
        lambda x, h, Wi, Wh, bi, bh: np.tanh(h @ Wi.T + bi + x @ Wh.T + bh),
    ),
    (
        "the previous state h is ignored: add h @ W_hh.T (that term is the memory)",
        lambda x, h, Wi, Wh, bi, bh: np.tanh(x @ Wi.T + bi + bh),
    ),
    (
        "the input x is ignored: add x @ W_ih.T",
        lambda x, h, Wi, Wh, bi, bh: np.tanh(bi + h @ Wh.T + bh),
    ),
    (
        "the old state is added to the new one (h + tanh(...)): an RNN replaces h",
        lambda x, h, Wi, Wh, bi, bh: h + np.tanh(x @ Wi.T + bi + h @ Wh.T + bh),
    ),
    (
        "tanh is applied to the input term only: it must wrap the whole sum",
        lambda x, h, Wi, Wh, bi, bh: np.tanh(x @ Wi.T + bi) + h @ Wh.T + bh,
    ),
]

STEP_ARGS = ("x", "h", "W_ih", "W_hh", "b_ih", "b_hh")


def _step_mistake(message, wrong):
    return Mistake(message, lambda i: {"h_new": wrong(*(i[a] for a in STEP_ARGS))})


q1 = Question(
    name="q1",
    points=2,
    function="rnn_step",
    args=STEP_ARGS,
    parts=("h_new",),
    make_inputs=make_inputs,
    reference=lambda i: {"h_new": step(*(i[a] for a in STEP_ARGS))},
    mistakes=[_step_mistake(m, w) for m, w in WRONG_STEPS],
    forbidden=RNN_IMPLEMENTATIONS,
)

# --- q2: many-to-many: every hidden state --------------------------------------------------

SEQ_ARGS = ("xs", "h0", "W_ih", "W_hh", "b_ih", "b_hh")


def forward(xs, h0, W_ih, W_hh, b_ih, b_hh, step_fn=step):
    """h_1 .. h_T stacked: (T, batch, hidden)."""
    h, hs = h0, []
    for x in xs:
        h = step_fn(x, h, W_ih, W_hh, b_ih, b_hh)
        hs.append(h)
    return np.stack(hs)


def _seq_mistake(message, compute):
    return Mistake(message, lambda i: {"hs": compute(*(i[a] for a in SEQ_ARGS))})


SEQ_MISTAKES = [
    _seq_mistake(
        "the state is not carried: every step starts again from h0 (feed h_{t-1} back in)",
        lambda xs, h0, *w: np.stack([step(x, h0, *w) for x in xs]),
    ),
    _seq_mistake(
        "off by one: the result holds h_0 .. h_{T-1}; return the new states h_1 .. h_T",
        lambda xs, h0, *w: np.concatenate([h0[None], forward(xs, h0, *w)[:-1]]),
    ),
    _seq_mistake(
        "h0 is included: return the T new states h_1 .. h_T, not T + 1",
        lambda xs, h0, *w: np.concatenate([h0[None], forward(xs, h0, *w)]),
    ),
    _seq_mistake(
        "only the last state is returned: many-to-many returns every h_t, shape (T, batch, hidden)",
        lambda xs, h0, *w: forward(xs, h0, *w)[-1],
    ),
    _seq_mistake(
        "the sequence is read backwards: go from xs[0] to xs[T-1]",
        lambda xs, h0, *w: forward(xs[::-1], h0, *w),
    ),
    _seq_mistake(
        "the states come out in reverse order: hs[t] must be the state after reading xs[t]",
        lambda xs, h0, *w: forward(xs, h0, *w)[::-1],
    ),
    _seq_mistake(
        "the same input is read at every step: use xs[t] at step t",
        lambda xs, h0, *w: forward(np.repeat(xs[:1], len(xs), axis=0), h0, *w),
    ),
] + [
    _seq_mistake(
        f"the loop is right but the step is wrong ({message}): fix q1 first",
        lambda xs, h0, *w, wrong=wrong: forward(xs, h0, *w, step_fn=wrong),
    )
    for message, wrong in WRONG_STEPS
]

q2 = Question(
    name="q2",
    points=2,
    function="rnn_forward",
    args=SEQ_ARGS,
    parts=("hs",),
    make_inputs=make_inputs,
    reference=lambda i: {"hs": forward(*(i[a] for a in SEQ_ARGS))},
    mistakes=SEQ_MISTAKES,
    forbidden=RNN_IMPLEMENTATIONS,
)

# --- q3: many-to-one: class scores from the last state ----------------------------------------

CLS_ARGS = SEQ_ARGS + ("W_out", "b_out")


def classify(xs, h0, W_ih, W_hh, b_ih, b_hh, W_out, b_out):
    return forward(xs, h0, W_ih, W_hh, b_ih, b_hh)[-1] @ W_out.T + b_out


def _cls_mistake(message, compute):
    return Mistake(message, lambda i: {"logits": compute(*(i[a] for a in CLS_ARGS))})


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


CLS_MISTAKES = [
    _cls_mistake(
        "the first state h_1 is read out: many-to-one reads the last state h_T",
        lambda xs, h0, Wi, Wh, bi, bh, Wo, bo: forward(xs, h0, Wi, Wh, bi, bh)[0] @ Wo.T + bo,
    ),
    _cls_mistake(
        "the initial state h0 is read out: read the last state h_T, after the whole sequence",
        lambda xs, h0, Wi, Wh, bi, bh, Wo, bo: h0 @ Wo.T + bo,
    ),
    _cls_mistake(
        "the mean of the states is read out: this question reads the last state h_T",
        lambda xs, h0, Wi, Wh, bi, bh, Wo, bo: (
            forward(xs, h0, Wi, Wh, bi, bh).mean(axis=0) @ Wo.T + bo
        ),
    ),
    _cls_mistake(
        "W_out is used untransposed: the readout is h_T @ W_out.T + b_out",
        lambda xs, h0, Wi, Wh, bi, bh, Wo, bo: forward(xs, h0, Wi, Wh, bi, bh)[-1] @ Wo + bo,
    ),
    _cls_mistake(
        "the bias b_out is missing",
        lambda xs, h0, Wi, Wh, bi, bh, Wo, bo: forward(xs, h0, Wi, Wh, bi, bh)[-1] @ Wo.T,
    ),
    _cls_mistake(
        "softmax probabilities are returned: return the logits (scores before softmax)",
        lambda xs, h0, Wi, Wh, bi, bh, Wo, bo: _softmax(
            forward(xs, h0, Wi, Wh, bi, bh)[-1] @ Wo.T + bo
        ),
    ),
    _cls_mistake(
        "tanh is applied to the logits: the readout is linear",
        lambda xs, h0, Wi, Wh, bi, bh, Wo, bo: np.tanh(
            forward(xs, h0, Wi, Wh, bi, bh)[-1] @ Wo.T + bo
        ),
    ),
    _cls_mistake(
        "sigmoid is applied to the logits: the readout is linear",
        lambda xs, h0, Wi, Wh, bi, bh, Wo, bo: _sigmoid(
            forward(xs, h0, Wi, Wh, bi, bh)[-1] @ Wo.T + bo
        ),
    ),
] + [
    _cls_mistake(
        f"the readout is right but the step is wrong ({message}): fix q1 first",
        lambda xs, h0, Wi, Wh, bi, bh, Wo, bo, wrong=wrong: (
            forward(xs, h0, Wi, Wh, bi, bh, step_fn=wrong)[-1] @ Wo.T + bo
        ),
    )
    for message, wrong in WRONG_STEPS
]

CLS_MISTAKES += [
    Mistake(
        f"the readout is right but rnn_forward is wrong ({mistake.message}): fix q2 first",
        lambda i, mistake=mistake: {
            "logits": _last(mistake.compute(i)["hs"]) @ i["W_out"].T + i["b_out"]
        },
    )
    for mistake in SEQ_MISTAKES[: len(SEQ_MISTAKES) - len(WRONG_STEPS)]
    # these two still end on h_T, so the logits come out right
    if not mistake.message.startswith(("h0 is included", "only the last state"))
]


def _last(hs):
    return hs[-1] if hs.ndim == 3 else hs


q3 = Question(
    name="q3",
    points=2,
    function="rnn_classify",
    args=CLS_ARGS,
    parts=("logits",),
    make_inputs=make_inputs,
    reference=lambda i: {"logits": classify(*(i[a] for a in CLS_ARGS))},
    mistakes=CLS_MISTAKES,
    forbidden=RNN_IMPLEMENTATIONS
    + ("lib.Linear", "lib.SequenceClassifier", "lib.SequenceRegressor"),
)

EXERCISE = Exercise(
    name="ex01",
    title="Exercise 1: the RNN cell and its forward pass",
    notebook="ex01_rnn_cell/ex01_rnn_cell.ipynb",
    questions=[q1, q2, q3],
)
