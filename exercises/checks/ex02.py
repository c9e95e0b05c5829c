"""Exercise 2 (chapter 2): backpropagation through time, gradient checks, clipping, decay.

The tanh RNN of exercise 1 with one bias b = b_ih + b_hh:

    h_t = tanh(x_t @ W_ih.T + h_{t-1} @ W_hh.T + b),   t = 1 .. T

and a loss whose gradient with respect to each h_t is given: dhs[t] = dL/dh_t "from
above" (for example from a readout at every step).
"""

import types

import numpy as np

import lib

from .core import Exercise, Mistake, Named, Question, as_array, close, judge_parts
from .ex01 import RNN_IMPLEMENTATIONS

BACKWARD_IMPLEMENTATIONS = RNN_IMPLEMENTATIONS + (
    "lib.recurrent.direction_backward",
    "lib.kernels.rnn_backward_step",
    "lib.gradcheck.numerical_gradient",
    "lib.gradcheck.gradcheck",
)

# case -> (steps, batch, input, hidden); case 1 is square so transposes show in values.
SIZES = {0: (5, 3, 4, 5), 1: (4, 2, 4, 4), 2: (6, 2, 3, 6)}


def forward(xs, h0, W_ih, W_hh, b):
    h, hs = h0, []
    for x in xs:
        h = np.tanh(x @ W_ih.T + h @ W_hh.T + b)
        hs.append(h)
    return np.stack(hs)


# --- q1: BPTT ---------------------------------------------------------------------------

BPTT_ARGS = ("dhs", "xs", "hs", "h0", "W_ih", "W_hh")
GRADS = ("dxs", "dh0", "dW_ih", "dW_hh", "db")


def make_bptt_inputs(rng, case):
    steps, batch, inputs, hidden = SIZES[case % 3]
    xs = rng.standard_normal((steps, batch, inputs))
    h0 = 0.5 * rng.standard_normal((batch, hidden))
    W_ih = 0.6 * rng.standard_normal((hidden, inputs))
    W_hh = 0.6 * rng.standard_normal((hidden, hidden))
    b = 0.5 * rng.standard_normal(hidden)
    return {
        "dhs": rng.standard_normal((steps, batch, hidden)),
        "xs": xs,
        "hs": forward(xs, h0, W_ih, W_hh, b),
        "h0": h0,
        "W_ih": W_ih,
        "W_hh": W_hh,
        "b": b,
    }


def bptt(dhs, xs, hs, h0, W_ih, W_hh, mistake=None):
    """BPTT by hand; ``mistake`` switches on one typical error (for the diagnosis)."""
    dxs = np.zeros_like(xs)
    dW_ih, dW_hh = np.zeros_like(W_ih), np.zeros_like(W_hh)
    db = np.zeros(W_hh.shape[0])
    dh_next = np.zeros_like(h0)
    for t in reversed(range(len(xs))):
        h_prev = hs[t - 1] if t > 0 else h0
        dh = dhs[t] if mistake == "no_carry" else dhs[t] + dh_next
        if mistake == "last_only":
            dh = (dhs[t] if t == len(xs) - 1 else 0) + dh_next
        slope = {
            "no_slope": 1.0,
            "slope_prev": 1 - h_prev**2,
            "slope_tanh": 1 - np.tanh(hs[t]) ** 2,
            "slope_sigmoid": hs[t] * (1 - hs[t]),
        }.get(mistake, 1 - hs[t] ** 2)
        da = dh * slope
        dxs[t] = da @ (W_ih.T if mistake == "dx_transposed" else W_ih)
        dW_ih += da.T @ xs[t]
        dW_hh += da.T @ (hs[t] if mistake == "dW_hh_now" else h_prev)
        db += da.sum(axis=0)
        if mistake == "carry_transposed":
            dh_next = da @ W_hh.T
        elif mistake == "carry_no_slope":
            dh_next = dh @ W_hh
        else:
            dh_next = da @ W_hh
    out = {"dxs": dxs, "dh0": dh_next, "dW_ih": dW_ih, "dW_hh": dW_hh, "db": db}
    if mistake == "no_dh0":
        out["dh0"] = np.zeros_like(h0)
    if mistake == "dW_transposed":
        out["dW_ih"], out["dW_hh"] = dW_ih.T, dW_hh.T
    return out


def bptt_reference(inputs):
    """The gradients by finite differences (lib.numerical_gradient): a gradient check.

    L = sum_t sum(dhs[t] * h_t), a function of xs, h0, W_ih, W_hh and b.
    """
    work = {k: inputs[k].copy() for k in ("xs", "h0", "W_ih", "W_hh", "b")}
    dhs = inputs["dhs"]

    def loss():
        return float(
            np.sum(dhs * forward(work["xs"], work["h0"], work["W_ih"], work["W_hh"], work["b"]))
        )

    names = {"dxs": "xs", "dh0": "h0", "dW_ih": "W_ih", "dW_hh": "W_hh", "db": "b"}
    return {g: lib.numerical_gradient(loss, work[x], eps=1e-6) for g, x in names.items()}


BPTT_MISTAKES = [
    ("no_slope", "the tanh derivative is missing: da = dh * (1 - h_t**2)"),
    ("slope_prev", "the tanh derivative uses h_{t-1}: it is 1 - h_t**2, at this step's output"),
    ("slope_tanh", "tanh is applied twice: hs already holds tanh(a), so the slope is 1 - h_t**2"),
    ("slope_sigmoid", "sigmoid's derivative h(1 - h) where tanh's 1 - h**2 belongs"),
    (
        "no_carry",
        "the gradient does not flow back through time: at step t add dh_next = da_{t+1} @ W_hh "
        "to dhs[t]",
    ),
    ("last_only", "only dhs[T-1] is used: every step's dhs[t] adds to dL/dh_t"),
    (
        "carry_transposed",
        "the gradient is carried back with W_hh.T: with h @ W_hh.T in the forward pass, "
        "dh_prev = da @ W_hh",
    ),
    ("carry_no_slope", "dh_next skips the tanh derivative: carry da @ W_hh, not dh @ W_hh"),
    (
        "dW_hh_now",
        "dW_hh pairs da_t with h_t: the recurrent weight multiplied h_{t-1}, so dW_hh += "
        "da_t.T @ h_{t-1}",
    ),
    (
        "dW_transposed",
        "the weight gradients are transposed: torch's layout (hidden, input) means "
        "dW_ih = sum_t da_t.T @ x_t",
    ),
    ("dx_transposed", "dxs uses W_ih.T: dx_t = da_t @ W_ih"),
    ("no_dh0", "dh0 is zero: after the loop, dL/dh_0 is the gradient carried past the first step"),
]


def _bptt_mistake(flag, message):
    return Mistake(message, lambda i: bptt(*(i[a] for a in BPTT_ARGS), mistake=flag))


q1 = Question(
    name="q1",
    points=4,
    function="rnn_backward",
    args=BPTT_ARGS,
    parts=GRADS,
    make_inputs=make_bptt_inputs,
    reference=bptt_reference,
    mistakes=[_bptt_mistake(f, m) for f, m in BPTT_MISTAKES]
    + [
        Mistake(
            "db is summed over time but not over the batch: db = sum over t and batch of da",
            lambda i: {"db": sum(d for d in _das(i))},
        ),
        Mistake(
            "db holds only the first step's gradient: add every step's da",
            lambda i: {"db": _das(i)[0].sum(axis=0)},
        ),
    ],
    forbidden=BACKWARD_IMPLEMENTATIONS,
    rtol=1e-5,
    atol=1e-7,
)


def _das(inputs):
    """The per-step da_t of the right backward pass (for the db mistakes)."""
    dhs, xs, hs, h0, W_ih, W_hh = (inputs[a] for a in BPTT_ARGS)
    das, dh_next = [None] * len(xs), np.zeros_like(h0)
    for t in reversed(range(len(xs))):
        das[t] = (dhs[t] + dh_next) * (1 - hs[t] ** 2)
        dh_next = das[t] @ W_hh
    return das


# --- q2: a numerical gradient -------------------------------------------------------------


def make_numgrad_inputs(rng, case):
    shape = {0: (3, 4), 1: (5,), 2: (2, 3)}[case % 3]
    size = int(np.prod(shape))
    return {
        "A": rng.standard_normal((4, size)),
        "w": rng.standard_normal(4),
        "x": rng.standard_normal(shape),
        "eps": np.float64({0: 1e-3, 1: 1e-4, 2: 1e-3}[case % 3]),
    }


def curved_function(A, w):
    """f(x) = sum(w * tanh(A @ x.ravel())) + 0.3 sum(x**3): curved, so the formula matters."""

    def f(x):
        x = np.asarray(x, dtype=np.float64)
        return float(np.sum(w * np.tanh(A @ x.ravel())) + 0.3 * np.sum(x**3))

    return f


def probe_numgrad(fn, inputs):
    f = curved_function(inputs["A"], inputs["w"])
    x = inputs["x"].copy()
    grad = fn(f, x, float(inputs["eps"]))
    return {"grad": as_array(grad), "x_after": x}


def numgrad_reference(inputs):
    f = curved_function(inputs["A"], inputs["w"])
    x = inputs["x"].copy()
    grad = lib.numerical_gradient(lambda: f(x), x, eps=float(inputs["eps"]))
    return {"grad": grad}


def _one_sided(inputs, sign):
    f, x, eps = curved_function(inputs["A"], inputs["w"]), inputs["x"], float(inputs["eps"])
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = eps
        grad[index] = sign * (f(x + sign * step) - f(x)) / eps
    return {"grad": grad}


def _first_axis_only(inputs):
    f, x, eps = curved_function(inputs["A"], inputs["w"]), inputs["x"], float(inputs["eps"])
    grad = np.zeros_like(x)
    for i in range(len(x)):
        plus, minus = x.copy(), x.copy()
        plus[i] += eps
        minus[i] -= eps
        grad[i] = (f(plus) - f(minus)) / (2 * eps)
    return {"grad": grad}


def _all_at_once(inputs):
    f, x, eps = curved_function(inputs["A"], inputs["w"]), inputs["x"], float(inputs["eps"])
    return {"grad": np.full_like(x, (f(x + eps) - f(x - eps)) / (2 * eps))}


q2 = Question(
    name="q2",
    points=2,
    function="numerical_grad",
    parts=("grad",),
    make_inputs=make_numgrad_inputs,
    reference=numgrad_reference,
    probe=probe_numgrad,
    mistakes=[
        Mistake(
            "a forward difference (f(x + eps) - f(x)) / eps: use the central difference "
            "(f(x + eps) - f(x - eps)) / (2 eps), whose error is eps**2, not eps",
            lambda i: _one_sided(i, 1),
        ),
        Mistake(
            "a backward difference (f(x) - f(x - eps)) / eps: use the central difference",
            lambda i: _one_sided(i, -1),
        ),
        Mistake(
            "divided by eps instead of 2 eps: the two points are 2 eps apart",
            lambda i: {"grad": 2 * numgrad_reference(i)["grad"]},
        ),
        Mistake(
            "every entry is nudged at once: nudge one entry at a time (np.ndindex(x.shape))",
            _all_at_once,
        ),
        Mistake(
            "only the first axis is looped over (x[i] with i < len(x) nudges a whole row when "
            "x is 2-D): loop over every index, for index in np.ndindex(x.shape)",
            _first_axis_only,
        ),
    ],
    forbidden=("lib.gradcheck.numerical_gradient", "lib.gradcheck.gradcheck"),
    rtol=1e-6,
    atol=1e-9,
    hints=(
        (
            r"index .* out of bounds|too many indices|only integers",
            "loop over every index of x, whatever its shape: for index in np.ndindex(x.shape)",
        ),
    ),
)


def judge_numgrad(inputs, outputs):
    """The gradient earns the points, provided x is left as it was given."""
    ok, message = judge_parts(q2, inputs, outputs)
    if "__error__" in outputs or "__forbidden__" in outputs or "x_after" not in outputs:
        return ok, message
    if not close(outputs["x_after"], inputs["x"], 0, 0):
        ok["grad"] = False
        restore = "restore each entry after nudging it, or nudge a copy"
        message = Named(
            f"your function leaves x changed: {restore}"
            if message == "correct"
            else f"{message}; it also leaves x changed: {restore}"
        )
    return ok, message


q2.judge = judge_numgrad

# --- q3: clipping by the global norm --------------------------------------------------------

GRAD_NAMES = ("weight_ih", "weight_hh", "bias")


def make_clip_inputs(rng, case):
    scale = {0: 3.0, 1: 0.05, 2: 10.0}[case % 3]  # case 1 is under the threshold
    return {
        "weight_ih": scale * rng.standard_normal((4, 3)),
        "weight_hh": scale * rng.standard_normal((4, 4)),
        "bias": scale * rng.standard_normal(4),
        "max_norm": np.float64(rng.uniform(0.5, 2.0)),
    }


def probe_clip(fn, inputs):
    grads = {k: inputs[k].copy() for k in GRAD_NAMES}
    result = fn(grads, float(inputs["max_norm"]))
    if result is None:
        return {}
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        raise TypeError(f"expected (clipped_grads, total_norm), got {type(result).__name__}")
    clipped, total = result
    if not isinstance(clipped, dict):
        raise TypeError(f"clipped_grads should be a dict, got {type(clipped).__name__}")
    out = {k: as_array(clipped[k]) for k in GRAD_NAMES if k in clipped}
    out["total_norm"] = as_array(total)
    return out


def clip_reference(inputs):
    grads = {k: inputs[k].copy() for k in GRAD_NAMES}
    module = types.SimpleNamespace(
        params={k: np.zeros_like(g) for k, g in grads.items()}, grads=grads
    )
    total = lib.clip_grad_norm([module], float(inputs["max_norm"]))
    return {**module.grads, "total_norm": np.float64(total)}


def _clip_variant(inputs, norm_of, always=False, per_tensor=False, report_after=False):
    grads = {k: inputs[k] for k in GRAD_NAMES}
    max_norm = float(inputs["max_norm"])
    total = norm_of(np.concatenate([g.ravel() for g in grads.values()]))
    if per_tensor:
        out = {}
        for k, g in grads.items():
            n = norm_of(g.ravel())
            out[k] = g * min(1.0, max_norm / (n + 1e-6))
        return {**out, "total_norm": np.float64(total)}
    factor = max_norm / (total + 1e-6)
    if always or factor < 1:
        grads = {k: g * factor for k, g in grads.items()}
    after = np.sqrt(sum(float((g**2).sum()) for g in grads.values()))
    return {**grads, "total_norm": np.float64(after if report_after else total)}


def _l2(v):
    return float(np.sqrt(np.sum(v**2)))


q3 = Question(
    name="q3",
    points=2,
    function="clip_by_norm",
    parts=(*GRAD_NAMES, "total_norm"),
    make_inputs=make_clip_inputs,
    reference=clip_reference,
    probe=probe_clip,
    mistakes=[
        Mistake(
            "each gradient is clipped by its own norm: clip them together, by the norm of all "
            "entries of all gradients",
            lambda i: _clip_variant(i, _l2, per_tensor=True),
        ),
        Mistake(
            "gradients are rescaled even when their norm is below max_norm: only shrink them, "
            "never grow them",
            lambda i: _clip_variant(i, _l2, always=True),
        ),
        Mistake(
            "the norm is returned after clipping: return the total norm before clipping",
            lambda i: _clip_variant(i, _l2, report_after=True),
        ),
        Mistake(
            "the squared norm (no square root) is used: total = sqrt(sum of g**2)",
            lambda i: _clip_variant(i, lambda v: float(np.sum(v**2))),
        ),
        Mistake(
            "the L1 norm (sum of |g|) is used: the global norm is the L2 norm sqrt(sum of g**2)",
            lambda i: _clip_variant(i, lambda v: float(np.sum(np.abs(v)))),
        ),
        Mistake(
            "each entry is clipped to [-max_norm, max_norm]: that is clipping by value; rescale "
            "all gradients together instead, which keeps their direction",
            lambda i: {k: np.clip(i[k], -i["max_norm"], i["max_norm"]) for k in GRAD_NAMES},
        ),
    ],
    forbidden=("lib.optim.clip_grad_norm",),
    rtol=1e-6,
    atol=1e-9,
)

# --- q4: how fast the gradient vanishes -------------------------------------------------------


def make_decay_inputs(rng, case):
    steps, batch, hidden, scale = {0: (12, 4, 6, 0.9), 1: (10, 3, 5, 0.6), 2: (15, 2, 8, 1.3)}[
        case % 3
    ]
    q, r = np.linalg.qr(rng.standard_normal((hidden, hidden)))
    W_hh = scale * q * np.sign(np.diag(r))
    W_ih = 0.8 * rng.standard_normal((hidden, 3))
    xs = rng.standard_normal((steps, batch, 3))
    h0 = np.zeros((batch, hidden))
    hs = np.concatenate([h0[None], forward(xs, h0, W_ih, W_hh, np.zeros(hidden))])
    u = rng.standard_normal(hidden)
    return {"W_hh": W_hh, "hs": hs, "u": u / np.linalg.norm(u)}


def decay(W_hh, hs, u, mistake=None):
    """norms[k] = mean over the batch of ||dL/dh_{T-k}||, k = 0 .. T; rate per step."""
    steps = len(hs) - 1
    g = np.broadcast_to(u, hs[-1].shape).copy()
    norms = [np.linalg.norm(g, axis=1)]
    for t in range(steps, 0, -1):
        slope = {"no_slope": 1.0, "slope_prev": 1 - hs[t - 1] ** 2}.get(mistake, 1 - hs[t] ** 2)
        g = (g * slope) @ (W_hh.T if mistake == "transposed" else W_hh)
        norms.append(np.linalg.norm(g, axis=1))
    norms = np.array(norms)
    norms = norms.sum(axis=1) if mistake == "sum" else norms.mean(axis=1)
    if mistake == "reversed":
        norms = norms[::-1]
    if mistake == "no_h0":
        norms = norms[:-1]
    return {"norms": norms, "rate": np.float64(rate_of(norms))}


def rate_of(norms, mistake=None):
    norms = np.asarray(norms, dtype=np.float64)
    k = len(norms) - 1
    if mistake == "inverse":
        return (norms[0] / norms[-1]) ** (1 / k)
    if mistake == "exponent":
        return (norms[-1] / norms[0]) ** (1 / len(norms))
    if mistake == "mean_ratio":
        return float(np.mean(norms[1:] / norms[:-1]))
    if mistake == "last_ratio":
        return norms[-1] / norms[-2]
    return (norms[-1] / norms[0]) ** (1 / k)


def _decay_mistake(flag, message):
    return Mistake(message, lambda i: decay(i["W_hh"], i["hs"], i["u"], mistake=flag))


def _rate_mistake(flag, message):
    return Mistake(
        message,
        lambda i: {"rate": np.float64(rate_of(decay(i["W_hh"], i["hs"], i["u"])["norms"], flag))},
    )


q4 = Question(
    name="q4",
    points=2,
    function="gradient_decay",
    args=("W_hh", "hs", "u"),
    parts=("norms", "rate"),
    make_inputs=make_decay_inputs,
    reference=lambda i: decay(i["W_hh"], i["hs"], i["u"]),
    mistakes=[
        _decay_mistake(
            "no_slope", "the tanh derivative is missing: multiply by 1 - h_t**2 at each step"
        ),
        _decay_mistake(
            "slope_prev", "the tanh derivative uses h_{t-1}: going back from h_t, it is 1 - h_t**2"
        ),
        _decay_mistake(
            "transposed",
            "the gradient is carried back with W_hh.T: "
            "dL/dh_{t-1} = (dL/dh_t * (1 - h_t**2)) @ W_hh",
        ),
        _decay_mistake("sum", "the norms are summed over the batch: take the mean"),
        _decay_mistake(
            "reversed", "the norms are in reverse order: norms[0] is at h_T, norms[k] at h_{T-k}"
        ),
        _decay_mistake(
            "no_h0", "the last norm (at h_0) is missing: return T + 1 norms, k = 0 .. T"
        ),
        _rate_mistake(
            "inverse",
            "the rate is inverted: (norms[T] / norms[0]) ** (1 / T) is below 1 when it vanishes",
        ),
        _rate_mistake(
            "exponent",
            "the rate uses the exponent 1 / (T + 1): there are T steps between h_T and h_0",
        ),
        _rate_mistake(
            "mean_ratio",
            "the rate is the arithmetic mean of the step ratios: use the geometric mean, "
            "(norms[T] / norms[0]) ** (1 / T)",
        ),
        _rate_mistake(
            "last_ratio",
            "the rate is the last step's ratio only: use (norms[T] / norms[0]) ** (1 / T)",
        ),
    ],
    forbidden=BACKWARD_IMPLEMENTATIONS
    + ("lib.course.gradient_flow.gradient_flow", "lib.course.gradient_flow.hidden_state_gradients"),
    rtol=1e-6,
    atol=1e-12,
)


def judge_decay(inputs, outputs):
    """A wrong ``norms`` costs its half only: a rate consistent with those norms still counts."""
    ok, message = judge_parts(q4, inputs, outputs)
    norms, rate = outputs.get("norms"), outputs.get("rate")
    if not ok["rate"] and not ok["norms"] and norms is not None and rate is not None:
        if norms.ndim == 1 and len(norms) > 1 and np.all(norms > 0) and rate.shape == ():
            if close(rate, np.float64(rate_of(norms)), 1e-6, 1e-12):
                ok["rate"] = True
    return ok, message


q4.judge = judge_decay

EXERCISE = Exercise(
    name="ex02",
    title="Exercise 2: backpropagation through time",
    notebook="ex02_bptt/ex02_bptt.ipynb",
    questions=[q1, q2, q3, q4],
)
