"""Exercise 4 (chapter 4): one GRU step, converting the swapped update gate, counting parameters.

Weights use torch's layout with the three gates stacked in the order r, z, n:
W_ih (3 hidden, input), W_hh (3 hidden, hidden), b_ih and b_hh (3 hidden,). PyTorch's
convention (also cuDNN's and lib's default):

    r = sigmoid(x W_ir^T + b_ir + h W_hr^T + b_hr)
    z = sigmoid(x W_iz^T + b_iz + h W_hz^T + b_hz)
    n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn))
    h' = (1 - z) * n + z * h

Cho et al. 2014 (eq. 7) give z the same role (z close to 1 keeps the old state) but apply
the reset before the product, n = tanh(x W_in^T + b_in + (r * h) W_hn^T + b_hn). Chung et
al. 2014 and colah's post swap z and 1 - z: h' = z * n + (1 - z) * h.
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
    judge_parts,
    pick,
    split_result,
    switched_on,
)

GRU_IMPLEMENTATIONS = (
    "lib.functional.gru_step",
    "lib.GRU",
    "lib.GRUCell",
    "lib.recurrent.direction_forward",
    "lib.kernels.GRUKernel",
    "lib.kernels.gru_forward_step",
)

CASES = (0, 1, 2)
GATE_HINT = gate_shape_hint(3, "r, z, n")


sigmoid = F.sigmoid  # lib's stable sigmoid: the references are lib's own formulas


def make_inputs(rng, case):
    return gated_cell_inputs(rng, case, 3)


# --- q1: one step in PyTorch's convention ------------------------------------------------------

STEP_ARGS = ("x", "h", "W_ih", "W_hh", "b_ih", "b_hh")


def step(x, h, W_ih, W_hh, b_ih, b_hh):
    """The reference: lib's own step (PyTorch's convention)."""
    return np.asarray(F.gru_step(x, h, W_ih, W_hh, b_ih, b_hh).h)


def step_variant(x, h, W_ih, W_hh, b_ih, b_hh, mistake):
    """The step with typical mistakes switched on (one flag or a set of them; the diagnosis)."""
    flags = switched_on(mistake)
    size = h.shape[1]

    def blocks(w):
        return [w[k * size : (k + 1) * size] for k in range(3)]

    if "blocks_untransposed" in flags:
        xw = np.concatenate([x @ w for w in blocks(W_ih)], axis=1)
        hw = np.concatenate([h @ w for w in blocks(W_hh)], axis=1)
    elif "W_ih_untransposed" in flags:
        xw, hw = x @ W_ih, h @ W_hh.T
    elif "h_x_swapped" in flags:
        xw, hw = h @ W_ih.T, x @ W_hh.T
    else:
        xw, hw = x @ W_ih.T, h @ W_hh.T
    gi = xw + (0.0 if flags & {"no_b_ih", "no_biases"} else b_ih)
    gh = hw + (0.0 if flags & {"no_b_hh", "no_biases"} else b_hh)
    order = pick({"order_zrn": "zrn", "order_nrz": "nrz"}, flags, "rzn")
    i_blocks = {gate: gi[:, k * size : (k + 1) * size] for k, gate in enumerate(order)}
    h_blocks = {gate: gh[:, k * size : (k + 1) * size] for k, gate in enumerate(order)}
    gate_act = np.tanh if flags & {"gates_tanh", "all_swapped"} else sigmoid
    cand_act = sigmoid if flags & {"n_sigmoid", "all_swapped"} else np.tanh
    r = gate_act(i_blocks["r"] + h_blocks["r"])
    z = gate_act(i_blocks["z"] + h_blocks["z"])
    n_row = order.index("n")
    W_hn, b_hn = W_hh[n_row * size : (n_row + 1) * size], b_hh[n_row * size : (n_row + 1) * size]
    if flags & {"reset_before", "chung"}:
        n = cand_act(i_blocks["n"] + (r * h) @ W_hn.T + b_hn)
    elif "b_hn_outside" in flags:
        n = cand_act(i_blocks["n"] + r * (h @ W_hn.T) + b_hn)
    elif "no_reset" in flags:
        n = cand_act(i_blocks["n"] + h_blocks["n"])
    else:
        n = cand_act(i_blocks["n"] + r * h_blocks["n"])
    if flags & {"z_swapped", "chung"}:
        return z * n + (1 - z) * h
    if "no_keep" in flags:
        return (1 - z) * n
    return (1 - z) * n + z * h


STEP_MISTAKES = [
    (
        "z_swapped",
        "z and 1 - z are swapped (h' = z * n + (1 - z) * h, as Chung et al. 2014 and colah "
        "write it): PyTorch's convention is h' = (1 - z) * n + z * h, so z close to 1 keeps "
        "the old state",
    ),
    (
        "chung",
        "this is Chung et al. 2014's and colah's GRU (z and 1 - z swapped, and the reset "
        "applied to h before the product): PyTorch's is "
        "n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn)) and h' = (1 - z) * n + z * h",
    ),
    (
        "reset_before",
        "the reset gate is applied before the matrix product ((r * h) @ W_hn.T, as in Cho et "
        "al. 2014): PyTorch applies it after, r * (h @ W_hn.T + b_hn)",
    ),
    (
        "b_hn_outside",
        "b_hn is outside the reset product: PyTorch's candidate is "
        "tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn)), with b_hn inside",
    ),
    (
        "no_reset",
        "the reset gate is not used: the candidate is "
        "tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn))",
    ),
    (
        "n_sigmoid",
        "sigmoid where tanh belongs: the candidate n = tanh(...) proposes values in (-1, 1)",
    ),
    (
        "gates_tanh",
        "tanh where a sigmoid belongs: the gates r and z are sigmoid(...), valves in (0, 1)",
    ),
    (
        "all_swapped",
        "tanh and sigmoid are swapped: r and z use sigmoid, the candidate n uses tanh",
    ),
    (
        "order_zrn",
        "the gates are read in the order z, r, n: torch (and lib) stack them as r, z, n (the "
        "reset gate is the first block of hidden columns, the update gate the second)",
    ),
    (
        "order_nrz",
        "the gates are read in the order n, r, z: torch (and lib) stack them as r, z, n",
    ),
    (
        "no_b_hh",
        "the bias b_hh is missing: b_hr and b_hz add to the gates, b_hn sits inside r * (...)",
    ),
    ("no_b_ih", "the bias b_ih is missing: add b_ih to x @ W_ih.T"),
    ("no_biases", "both biases are missing: add b_ih and b_hh"),
    (
        "blocks_untransposed",
        "the weights are used untransposed (x @ W_ir with W_ir = W_ih[:hidden], ...): torch's "
        "layout is (hidden, input) per gate, so x @ W_ih.T and h @ W_hh.T",
    ),
    (
        "W_ih_untransposed",
        "W_ih is used untransposed (x @ W_ih): torch's layout is (3 * hidden, input), so "
        "x @ W_ih.T",
    ),
    (
        "h_x_swapped",
        "h and x are swapped: x goes with W_ih, the previous hidden state h with W_hh",
    ),
    (
        "no_keep",
        "the old state is dropped (h' = (1 - z) * n): the update gate mixes, "
        "h' = (1 - z) * n + z * h",
    ),
]


def _step_mistake(flag, message):
    return Mistake(
        message, lambda i: {"h_new": step_variant(*(i[a] for a in STEP_ARGS), flag)}, flag
    )


q1 = Question(
    name="q1",
    points=3,
    function="gru_step",
    args=STEP_ARGS,
    parts=("h_new",),
    make_inputs=make_inputs,
    reference=lambda i: {"h_new": step(*(i[a] for a in STEP_ARGS))},
    mistakes=[_step_mistake(f, m) for f, m in STEP_MISTAKES],
    variant=lambda i, flags: {"h_new": step_variant(*(i[a] for a in STEP_ARGS), flags)},
    forbidden=GRU_IMPLEMENTATIONS,
    public_cases=CASES,
    hidden_cases=CASES,
    hints=(GATE_HINT,),
)

# --- q2: load a GRU whose update gate is swapped -------------------------------------------------

WEIGHTS = ("W_ih", "W_hh", "b_ih", "b_hh")
CONVERT_SIZES = {0: (4, 5), 1: (3, 3), 2: (6, 2)}  # case -> (input, hidden)


def make_convert_inputs(rng, case):
    inputs, hidden = CONVERT_SIZES[case % 3]
    batch = 8
    return {
        "W_ih": 0.8 * rng.standard_normal((3 * hidden, inputs)),
        "W_hh": 0.8 * rng.standard_normal((3 * hidden, hidden)),
        "b_ih": 0.8 * rng.standard_normal(3 * hidden),
        "b_hh": 0.8 * rng.standard_normal(3 * hidden),
        # a batch of (x, h) pairs on which the converted GRU is run
        "x": rng.standard_normal((batch, inputs)),
        "h": 0.8 * rng.standard_normal((batch, hidden)),
    }


def swapped_step(x, h, W_ih, W_hh, b_ih, b_hh):
    """The colleague's GRU: PyTorch's gates and candidate (reset after), h' = z n + (1 - z) h."""
    values = F.gru_step(x, h, W_ih, W_hh, b_ih, b_hh)
    return np.asarray(values.z * values.n + (1 - values.z) * h)


def convert(W_ih, W_hh, b_ih, b_hh, mistake=None):
    """The exact conversion: negate the z rows (sigma(-a) = 1 - sigma(a)); or a mistake."""
    hidden = W_hh.shape[1]
    rows = {"r_block": slice(0, hidden), "n_block": slice(2 * hidden, 3 * hidden)}.get(
        mistake, slice(hidden, 2 * hidden)
    )
    which = {
        "weights_only": ("W_ih", "W_hh"),
        "no_W_hh": ("W_ih", "b_ih", "b_hh"),
        "ih_only": ("W_ih", "b_ih"),
        "no_b_hh": ("W_ih", "W_hh", "b_ih"),
        "unchanged": (),
    }.get(mistake, WEIGHTS)
    out = {}
    for name, w in zip(WEIGHTS, (W_ih, W_hh, b_ih, b_hh)):
        w = np.array(w, dtype=np.float64)
        if mistake == "negate_all" and name in which:
            w = -w
        elif mistake == "one_minus":
            w[rows] = 1 - w[rows]
        elif mistake == "swap_rz":
            w[: 2 * hidden] = np.concatenate([w[hidden : 2 * hidden], w[:hidden]])
        elif name in which:
            w[rows] = -w[rows]
        out[name] = w
    return out


def run_converted(inputs, weights):
    return step(inputs["x"], inputs["h"], *(weights[k] for k in WEIGHTS))


CONVERT_MISTAKES = [
    (
        "unchanged",
        "the weights are returned unchanged: in lib's (PyTorch's) GRU they give "
        "h' = (1 - z) n + z h, the colleague's formula with z and 1 - z swapped",
    ),
    (
        "weights_only",
        "only the weights of the z block are negated: negate its biases too (the z rows of "
        "b_ih and b_hh), so that the whole pre-activation of z changes sign",
    ),
    (
        "no_b_hh",
        "the z rows of b_hh are not negated: the whole pre-activation of z must change sign, "
        "b_hh's part included",
    ),
    (
        "no_W_hh",
        "the z rows of W_hh are not negated: the whole pre-activation of z must change sign, "
        "the recurrent part h @ W_hz.T included",
    ),
    (
        "ih_only",
        "only W_ih and b_ih are changed: negate the z rows of all four arrays (W_ih, W_hh, "
        "b_ih, b_hh)",
    ),
    (
        "r_block",
        "the reset gate's rows are negated: the update gate z is the second block, rows "
        "hidden:2*hidden (order r, z, n)",
    ),
    (
        "n_block",
        "the candidate's rows are negated: the update gate z is the second block, rows "
        "hidden:2*hidden (order r, z, n)",
    ),
    (
        "swap_rz",
        "the r and z blocks are swapped: the gate order is not the problem; turn z into 1 - z "
        "by negating the z rows, since sigmoid(-a) = 1 - sigmoid(a)",
    ),
    (
        "negate_all",
        "every row is negated: only z must become 1 - z; negate the z rows (hidden:2*hidden) "
        "and leave r and n alone",
    ),
    (
        "one_minus",
        "the z rows are replaced by 1 - w: 1 - z = sigmoid(-a) comes from negating the "
        "pre-activation a, so negate the z rows (w -> -w)",
    ),
]


def _convert_mistake(flag, message):
    return Mistake(
        message,
        lambda i: {"h_new": run_converted(i, convert(*(i[k] for k in WEIGHTS), mistake=flag))},
    )


def probe_convert(fn, inputs):
    result = fn(*(inputs[k].copy() for k in WEIGHTS))
    return split_result(result, WEIGHTS)


q2 = Question(
    name="q2",
    points=2,
    function="to_pytorch_gru",
    parts=("h_new",),
    make_inputs=make_convert_inputs,
    reference=lambda i: {"h_new": swapped_step(i["x"], i["h"], *(i[k] for k in WEIGHTS))},
    probe=probe_convert,
    mistakes=[_convert_mistake(f, m) for f, m in CONVERT_MISTAKES],
    public_cases=CASES,
    hidden_cases=CASES,
)


def judge_convert(inputs, outputs):
    """Run lib's PyTorch-convention step with the converted weights; compare the states."""
    if "__error__" in outputs or "__forbidden__" in outputs:
        return judge_parts(q2, inputs, outputs)
    got = {k: as_array(outputs.get(k)) for k in WEIGHTS}
    wrong = [
        f"{k} {'is missing' if got[k] is None else f'has shape {got[k].shape}'}, expected "
        f"{inputs[k].shape}"
        for k in WEIGHTS
        if got[k] is None or got[k].shape != inputs[k].shape
    ]
    if wrong:
        return {"h_new": False}, Named(
            "return the four converted arrays (W_ih, W_hh, b_ih, b_hh), each shaped like the "
            "one given: " + "; ".join(wrong)
        )
    return judge_parts(q2, inputs, {"h_new": run_converted(inputs, got)})


q2.judge = judge_convert

# --- q3: how many parameters? ----------------------------------------------------------------

COUNT_ARGS = ("input_size", "hidden_size", "num_layers", "bidirectional", "bias")


def make_count_inputs(rng, case):
    layers, bidirectional, bias = {
        0: (2, False, True),
        1: (3, True, True),
        2: (int(rng.integers(1, 4)), bool(rng.integers(2)), False),
    }[case % 3]
    return {
        "input_size": np.float64(rng.integers(1, 17)),
        "hidden_size": np.float64(rng.integers(1, 25)),
        "num_layers": np.float64(layers),
        "bidirectional": np.float64(bidirectional),
        "bias": np.float64(bias),
    }


def _count_args(inputs):
    size, hidden, layers = (int(inputs[k]) for k in COUNT_ARGS[:3])
    return size, hidden, layers, bool(inputs["bidirectional"]), bool(inputs["bias"])


def probe_count(fn, inputs):
    return {"count": as_array(fn(*_count_args(inputs)))}


def count_reference(inputs):
    size, hidden, layers, bidirectional, bias = _count_args(inputs)
    model = lib.GRU(size, hidden, num_layers=layers, bidirectional=bidirectional, bias=bias)
    return {"count": np.float64(model.num_parameters())}


def count(inputs, gates=3, mistake=None):
    """The formula, with one typical mistake switched on."""
    size, hidden, layers, bidirectional, bias = _count_args(inputs)
    directions = 2 if bidirectional and mistake != "no_directions" else 1
    biases = {"one_bias": 1, "bias_always": 2}.get(mistake, 2 if bias else 0)
    total = 0
    for layer in range(1 if mistake == "one_layer" else layers):
        d_in = size
        if layer > 0:
            d_in = {"upper_hidden": hidden, "upper_input": size}.get(mistake, directions * hidden)
        total += directions * gates * hidden * (d_in + hidden + biases)
    return {"count": np.float64(total)}


COUNT_MISTAKES = [
    (
        "four_gates",
        "4 gate blocks counted (that is an LSTM): a GRU has 3 blocks, r, z and n",
        lambda i: count(i, gates=4),
    ),
    (
        "one_gate",
        "1 block counted (that is a plain RNN): a GRU has 3 blocks, r, z and n",
        lambda i: count(i, gates=1),
    ),
    (
        "one_bias",
        "one bias vector per block: torch's GRU has two, b_ih and b_hh, each 3 * hidden long",
        lambda i: count(i, mistake="one_bias"),
    ),
    (
        "bias_always",
        "biases are counted although bias=False: without biases each block is W_ih and W_hh only",
        lambda i: count(i, mistake="bias_always"),
    ),
    (
        "upper_hidden",
        "layers above the first read hidden_size inputs: with bidirectional=True they read "
        "both directions' outputs, num_directions * hidden_size",
        lambda i: count(i, mistake="upper_hidden"),
    ),
    (
        "upper_input",
        "every layer reads input_size inputs: layers above the first read the layer below, "
        "num_directions * hidden_size",
        lambda i: count(i, mistake="upper_input"),
    ),
    (
        "no_directions",
        "bidirectional=True is ignored: each layer then has two directions, each with its own "
        "weights",
        lambda i: count(i, mistake="no_directions"),
    ),
    (
        "one_layer",
        "only one layer is counted: add every layer's parameters, num_layers of them",
        lambda i: count(i, mistake="one_layer"),
    ),
]

q3 = Question(
    name="q3",
    points=2,
    function="gru_num_parameters",
    parts=("count",),
    make_inputs=make_count_inputs,
    reference=count_reference,
    probe=probe_count,
    mistakes=[Mistake(message, compute) for _, message, compute in COUNT_MISTAKES],
    forbidden=("lib.GRU", "lib.LSTM", "lib.RNN", "lib.GRUCell", "lib.count_parameters"),
    public_cases=CASES,
    hidden_cases=CASES,
    rtol=0,
    atol=0.5,
)

EXERCISE = Exercise(
    name="ex04",
    title="Exercise 4: the GRU, its two conventions and its size",
    notebook="ex04_gru/ex04_gru.ipynb",
    questions=[q1, q2, q3],
)
