"""Exercise 5 (chapter 5): stacked recurrent layers: shapes, parameters, forward, training.

Conventions of torch.nn and lib: sequences are time-major, x: (T, batch, input);
``out`` holds the top layer's states, (T, batch, num_directions * H); ``h_n`` the last
state of every layer and direction, (num_layers * num_directions, batch, H), layer 0
first; layer l > 0 reads the num_directions * H outputs of the layer below.
"""

import numpy as np

import lib

from .core import (
    Exercise,
    Mistake,
    Named,
    Question,
    as_array,
    explain_error,
    judge_parts,
    text,
)
from .ex01 import RNN_IMPLEMENTATIONS

MODEL_CLASSES = ("lib.RNN", "lib.LSTM", "lib.GRU")

# --- q1: the shapes of a stacked (bidirectional) RNN --------------------------------------

SHAPE_ARGS = ("seq_len", "batch", "input_size", "hidden_size", "num_layers", "bidirectional")
SHAPE_PARTS = ("out", "h_n", "weight_ih_l1")


def make_shape_inputs(rng, case):
    """Random sizes; input_size differs from H and 2 H, seq_len from batch (so every mistake
    shows). Cases 0 and 2 are bidirectional, case 1 is not."""
    hidden = int(rng.integers(2, 10))
    input_size = int(rng.choice([d for d in range(1, 13) if d not in (hidden, 2 * hidden)]))
    seq_len = int(rng.integers(3, 10))
    batch = int(rng.choice([b for b in range(1, 6) if b != seq_len]))
    values = (seq_len, batch, input_size, hidden, int(rng.integers(2, 5)), case % 3 != 1)
    return {name: np.float64(value) for name, value in zip(SHAPE_ARGS, values)}


def _sizes(i):
    T, B, D, H, L = (int(i[k]) for k in SHAPE_ARGS[:5])
    return T, B, D, H, L, 2 if bool(i["bidirectional"]) else 1


def shapes_reference(i):
    """The shapes of a real lib.RNN with these sizes."""
    T, B, D, H, L, nd = _sizes(i)
    model = lib.RNN(D, H, num_layers=L, bidirectional=nd == 2, dtype="float64")
    out, h_n = model(np.zeros((T, B, D)))
    return {
        "out": np.array(out.shape, float),
        "h_n": np.array(h_n.shape, float),
        "weight_ih_l1": np.array(model.params["weight_ih_l1"].shape, float),
    }


def probe_shapes(fn, i):
    T, B, D, H, L, nd = _sizes(i)
    result = fn(T, B, D, H, L, nd == 2)
    if result is None:
        return {}  # judged as "returned no numbers (did you forget `return`?)"
    if isinstance(result, dict):
        return {p: as_array(tuple(result[p])) for p in SHAPE_PARTS if p in result}
    if isinstance(result, (tuple, list)) and len(result) == 3:
        return {p: as_array(tuple(v)) for p, v in zip(SHAPE_PARTS, result)}
    raise TypeError(
        "return a dict {'out': shape, 'h_n': shape, 'weight_ih_l1': shape} (or the three "
        f"shapes as a tuple), got {type(result).__name__}"
    )


def _shape_mistake(message, compute):
    return Mistake(
        message,
        lambda i: {k: np.array(v, float) for k, v in compute(*_sizes(i)).items()},
    )


SHAPE_MISTAKES = [
    _shape_mistake(
        "`out` forgets the directions: a bidirectional layer writes both directions side by "
        "side, so out is (T, batch, num_directions * H)",
        lambda T, B, D, H, L, nd: {"out": (T, B, H)},
    ),
    _shape_mistake(
        "`out` counts every layer: it holds only the top layer's states, (T, batch, "
        "num_directions * H)",
        lambda T, B, D, H, L, nd: {"out": (T, B, L * nd * H)},
    ),
    _shape_mistake(
        "`out` is batch-first: with the default batch_first=False it is (T, batch, "
        "num_directions * H)",
        lambda T, B, D, H, L, nd: {"out": (B, T, nd * H)},
    ),
    _shape_mistake(
        "`h_n` forgets the directions: it holds one final state per layer *and* direction, "
        "(num_layers * num_directions, batch, H)",
        lambda T, B, D, H, L, nd: {"h_n": (L, B, H)},
    ),
    _shape_mistake(
        "`h_n` forgets the layers: it holds the final state of every layer, "
        "(num_layers * num_directions, batch, H)",
        lambda T, B, D, H, L, nd: {"h_n": (nd, B, H)},
    ),
    _shape_mistake(
        "`h_n` has four axes: torch and lib merge layers and directions into the first axis, "
        "(num_layers * num_directions, batch, H)",
        lambda T, B, D, H, L, nd: {"h_n": (L, nd, B, H)},
    ),
    _shape_mistake(
        "`h_n` is as wide as `out`: each entry is one direction's state, H wide, so h_n is "
        "(num_layers * num_directions, batch, H)",
        lambda T, B, D, H, L, nd: {"h_n": (L * nd, B, nd * H)},
    ),
    _shape_mistake(
        "`h_n` has a time axis: it holds only the last state, (num_layers * num_directions, "
        "batch, H)",
        lambda T, B, D, H, L, nd: {"h_n": (T, L * nd, B, H)},
    ),
    _shape_mistake(
        "`weight_ih_l1` reads input_size: layer 1 reads the layer below, whose outputs are "
        "num_directions * H wide, so it is (H, num_directions * H)",
        lambda T, B, D, H, L, nd: {"weight_ih_l1": (H, D)},
    ),
    _shape_mistake(
        "`weight_ih_l1` forgets the directions: layer 1 reads both directions of layer 0, "
        "num_directions * H values, so it is (H, num_directions * H)",
        lambda T, B, D, H, L, nd: {"weight_ih_l1": (H, H)},
    ),
    _shape_mistake(
        "`weight_ih_l1` is transposed: torch's layout is (output, input) = (H, num_directions * H)",
        lambda T, B, D, H, L, nd: {"weight_ih_l1": (nd * H, H)},
    ),
    _shape_mistake(
        "`weight_ih_l1` is transposed and reads input_size: torch's layout is (output, input) "
        "and layer 1 reads num_directions * H values: (H, num_directions * H)",
        lambda T, B, D, H, L, nd: {"weight_ih_l1": (D, H)},
    ),
]

q1 = Question(
    name="q1",
    points=2,
    function="stacked_shapes",
    args=SHAPE_ARGS,
    parts=SHAPE_PARTS,
    make_inputs=make_shape_inputs,
    reference=shapes_reference,
    probe=probe_shapes,
    mistakes=SHAPE_MISTAKES,
    forbidden=MODEL_CLASSES,
    rtol=0,
    atol=0,
)


def judge_shapes(inputs, outputs):
    """judge_parts, with the wrong shapes spelled out (not as "wrong values")."""
    ok, message = judge_parts(q1, inputs, outputs)
    if "__forbidden__" in outputs or "__error__" in outputs:
        return ok, message
    want = q1.reference(inputs)
    wrong = [p for p in want if not ok[p]]
    got = {p: outputs.get(p) for p in wrong}
    if not wrong or any(
        v is None or v.ndim != 1 or not np.all(np.isfinite(v)) for v in got.values()
    ):
        return ok, message

    def shape(values):
        return "(" + ", ".join(f"{v:g}" for v in values) + ("," if len(values) == 1 else "") + ")"

    detail = "; ".join(f"`{p}` is {shape(got[p])}, expected {shape(want[p])}" for p in wrong)
    if isinstance(message, Named):
        return ok, Named(f"{message.rsplit(' (`', 1)[0]} ({detail})")
    return ok, detail


q1.judge = judge_shapes

# --- q2: the parameters of a stacked LSTM ---------------------------------------------------

COUNT_ARGS = ("input_size", "hidden_size", "num_layers", "bidirectional")


def make_count_inputs(rng, case):
    hidden = int(rng.integers(2, 40))
    input_size = int(rng.choice([d for d in range(1, 50) if d not in (hidden, 2 * hidden)]))
    values = (input_size, hidden, int(rng.integers(2, 5)), case % 3 != 1)
    return {name: np.float64(value) for name, value in zip(COUNT_ARGS, values)}


def _count_sizes(i):
    D, H, L = (int(i[k]) for k in COUNT_ARGS[:3])
    return D, H, L, 2 if bool(i["bidirectional"]) else 1


def count_reference(i):
    D, H, L, nd = _count_sizes(i)
    model = lib.LSTM(D, H, num_layers=L, bidirectional=nd == 2)
    return {"count": np.float64(model.num_parameters())}


def count(D, H, L, nd, gates=4, biases=2, upper_input=None, directions=None, layers=None):
    """The LSTM's count with one knob turned (for the mistakes)."""
    directions = nd if directions is None else directions
    total = 0
    for layer in range(L if layers is None else layers):
        width = D if layer == 0 else (nd * H if upper_input is None else upper_input)
        total += directions * gates * H * (width + H + biases)
    return np.float64(total)


def probe_count(fn, i):
    D, H, L, nd = _count_sizes(i)
    return {"count": as_array(fn(D, H, L, nd == 2))}


def _count_mistake(message, **knobs):
    return Mistake(message, lambda i: {"count": count(*_count_sizes(i), **knobs)})


COUNT_MISTAKES = [
    _count_mistake(
        "3 gate blocks: that is the GRU's count; the LSTM stacks 4 (i, f, g, o), so each "
        "weight and bias has 4H rows",
        gates=3,
    ),
    _count_mistake("1 gate block: that is the plain RNN's count; the LSTM stacks 4", gates=1),
    _count_mistake(
        "one bias per layer and direction: lib and torch keep two, b_ih and b_hh (4H each)",
        biases=1,
    ),
    _count_mistake("the biases are missing: add b_ih and b_hh, 4H each", biases=0),
    Mistake(
        "every layer reads input_size: only layer 0 does; the layers above read the "
        "num_directions * H outputs of the layer below",
        lambda i: {"count": count(*_count_sizes(i), upper_input=_count_sizes(i)[0])},
    ),
    Mistake(
        "the layers above read H inputs: in a bidirectional stack they read both directions "
        "of the layer below, num_directions * H",
        lambda i: {"count": count(*_count_sizes(i), upper_input=_count_sizes(i)[1])},
    ),
    _count_mistake(
        "one direction is counted: a bidirectional layer has two full sets of weights "
        "(the keys ending in _reverse)",
        directions=1,
    ),
    Mistake(
        "one direction is counted, and the layers above read H inputs: a bidirectional "
        "layer has two sets of weights and layer l > 0 reads 2H values",
        lambda i: {"count": count(*_count_sizes(i), directions=1, upper_input=_count_sizes(i)[1])},
    ),
    _count_mistake("only layer 0 is counted: add every layer of the stack", layers=1),
    Mistake(
        "W_hh is counted as (H, H): like W_ih it stacks the 4 gates, (4H, H)",
        lambda i: {
            "count": count(*_count_sizes(i))
            - np.float64(_count_sizes(i)[2] * _count_sizes(i)[3] * 3 * _count_sizes(i)[1] ** 2)
        },
    ),
]

q2 = Question(
    name="q2",
    points=2,
    function="lstm_num_parameters",
    args=COUNT_ARGS,
    parts=("count",),
    make_inputs=make_count_inputs,
    reference=count_reference,
    probe=probe_count,
    mistakes=COUNT_MISTAKES,
    forbidden=MODEL_CLASSES + ("lib.count_parameters", "lib.course.comparison.hidden_size_for"),
    rtol=0,
    atol=0,
)

# --- q3: the forward pass of a stack, one layer at a time --------------------------------

# case -> (steps, batch, input, hidden, layers). Case 1 is square (input = hidden), so
# that feeding x to every layer runs and shows in the values.
STACK_SIZES = {0: (5, 3, 4, 6, 2), 1: (4, 2, 5, 5, 3), 2: (6, 2, 3, 4, 3)}
PARAM_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def make_stack_inputs(rng, case):
    steps, batch, inputs, hidden, layers = STACK_SIZES[case % 3]
    values = {"x": rng.standard_normal((steps, batch, inputs))}
    for layer in range(layers):
        width = inputs if layer == 0 else hidden
        values[f"weight_ih_l{layer}"] = 0.7 * rng.standard_normal((hidden, width))
        values[f"weight_hh_l{layer}"] = 0.5 * rng.standard_normal((hidden, hidden))
        values[f"bias_ih_l{layer}"] = 0.4 * rng.standard_normal(hidden)
        values[f"bias_hh_l{layer}"] = 0.4 * rng.standard_normal(hidden)
    return values


def layer_params(i):
    """[{weight_ih, weight_hh, bias_ih, bias_hh} for each layer], from the flat inputs."""
    count_ = sum(1 for key in i if key.startswith("weight_ih_l"))
    return [{name: i[f"{name}_l{layer}"] for name in PARAM_NAMES} for layer in range(count_)]


def rnn_layer(x, params):
    """The helper the notebook provides: one tanh RNN layer, from h_0 = 0; (T, batch, H)."""
    h = np.zeros((x.shape[1], params["weight_hh"].shape[0]))
    states = []
    for x_t in x:
        h = np.tanh(
            x_t @ params["weight_ih"].T
            + params["bias_ih"]
            + h @ params["weight_hh"].T
            + params["bias_hh"]
        )
        states.append(h)
    return np.stack(states)


def stack_reference(i):
    """lib.RNN(num_layers=L) with these weights."""
    layers = layer_params(i)
    steps, batch, inputs = i["x"].shape
    hidden = layers[0]["weight_hh"].shape[0]
    model = lib.RNN(inputs, hidden, num_layers=len(layers), dtype="float64")
    for layer, params in enumerate(layers):
        for name, value in params.items():
            model.params[f"{name}_l{layer}"][...] = value
    out, h_n = model(i["x"])
    return {"out": np.asarray(out), "h_n": np.asarray(h_n)}


def probe_stack(fn, i):
    layers = [{k: v.copy() for k, v in params.items()} for params in layer_params(i)]
    result = fn(i["x"].copy(), layers)
    if result is None:
        return {}  # judged as "returned no numbers (did you forget `return`?)"
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise TypeError(
            f"return the pair (out, h_n), got {type(result).__name__}"
            + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else "")
        )
    return {"out": as_array(result[0]), "h_n": as_array(result[1])}


def stack_variant(i, raw_input=False, final_at=-1):
    """Each layer's outputs [(T, batch, H)], with one mistake switched on."""
    outs, current = [], i["x"]
    for params in layer_params(i):
        out = rnn_layer(i["x"] if raw_input else current, params)
        outs.append(out)
        current = out
    finals = np.stack([out[final_at] for out in outs])
    return outs, finals


def _raw_input_variant(i):
    outs, finals = stack_variant(i, raw_input=True)
    return {"out": outs[-1], "h_n": finals}


def _stack_mistake(message, compute):
    def run(i):
        outs, finals = stack_variant(i)
        return compute(i, outs, finals)

    return Mistake(message, run)


STACK_MISTAKES = [
    Mistake(
        "every layer reads the raw input x: layer l > 0 reads the outputs of the layer below "
        "(feed each layer's out to the next)",
        lambda i: _raw_input_variant(i),
    ),
    _stack_mistake(
        "`h_n` holds only the top layer's final state: stack the final state of every layer, "
        "(num_layers, batch, H)",
        lambda i, outs, finals: {"h_n": finals[-1]},
    ),
    _stack_mistake(
        "`h_n` holds only the top layer's final state: stack the final state of every layer, "
        "(num_layers, batch, H)",
        lambda i, outs, finals: {"h_n": finals[-1:]},
    ),
    _stack_mistake(
        "`h_n` holds only the first layer's final state: stack the final state of every "
        "layer, (num_layers, batch, H)",
        lambda i, outs, finals: {"h_n": finals[0]},
    ),
    _stack_mistake(
        "`h_n` holds only the first layer's final state: stack the final state of every "
        "layer, (num_layers, batch, H)",
        lambda i, outs, finals: {"h_n": finals[:1]},
    ),
    _stack_mistake(
        "`h_n` is stacked in the wrong order: layer 0 comes first, the top layer last",
        lambda i, outs, finals: {"h_n": finals[::-1]},
    ),
    _stack_mistake(
        "`h_n` is stacked along the wrong axis: np.stack(finals) gives (num_layers, batch, H)",
        lambda i, outs, finals: {"h_n": np.stack(list(finals), axis=1)},
    ),
    Mistake(
        "`h_n` is taken at the first time step: each layer's final state is its out[-1]",
        lambda i: {"h_n": stack_variant(i, final_at=0)[1]},
    ),
    _stack_mistake(
        "`out` is the first layer's output: the stack's out is the top layer's, which read "
        "the layers below",
        lambda i, outs, finals: {"out": outs[0]},
    ),
    _stack_mistake(
        "`out` holds every layer's outputs side by side: it is the top layer's only, (T, batch, H)",
        lambda i, outs, finals: {"out": np.concatenate(outs, axis=-1)},
    ),
    _stack_mistake(
        "`out` holds every layer's outputs: it is the top layer's only, (T, batch, H)",
        lambda i, outs, finals: {"out": np.stack(outs)},
    ),
    _stack_mistake(
        "`out` and `h_n` are swapped: return (out, h_n)",
        lambda i, outs, finals: {"out": finals, "h_n": outs[-1]},
    ),
]

q3 = Question(
    name="q3",
    points=3,
    function="stacked_forward",
    args=("x",),
    parts=("out", "h_n"),
    make_inputs=make_stack_inputs,
    reference=stack_reference,
    probe=probe_stack,
    mistakes=STACK_MISTAKES,
    forbidden=RNN_IMPLEMENTATIONS + ("lib.LSTM", "lib.GRU"),
    rtol=1e-6,
    atol=1e-9,
    hints=(
        (
            r"matmul|shapes .* not aligned|could not be broadcast",
            "check what each layer reads: layer 0 reads x, (T, batch, input); layer l > 0 "
            "reads the out of layer l - 1, (T, batch, H)",
        ),
    ),
)

# --- q4: train a two-layer model ------------------------------------------------------------

PARITY_STEPS, PARITY_TRAIN, PARITY_TEST = 6, 384, 200
THRESHOLD = 0.9
READOUT_HINT = (
    r"labels should have shape \(\d+,\)",
    "the classifier gives one label per sequence (readout='last'), but the task labels every "
    "step: build it with readout='all'",
)


def make_parity_inputs(rng, case):
    """Running parity (chapter 5): bits b_t, label at step t = (b_1 + ... + b_t) mod 2."""
    train = rng.integers(0, 2, size=(PARITY_TRAIN, PARITY_STEPS))
    test = rng.integers(0, 2, size=(PARITY_TEST, PARITY_STEPS))
    return {
        "x_train": train[..., None].astype(np.float64),
        "y_train": (np.cumsum(train, axis=1) % 2).astype(np.float64),
        "x_test": test[..., None].astype(np.float64),
        "seed": np.float64(rng.integers(0, 2**31)),
    }


def parity_reference(i):
    return {"labels": (np.cumsum(i["x_test"][..., 0], axis=1) % 2).astype(np.float64)}


def probe_training(fn, i):
    """Call fn(x_train, y_train, x_test, seed) with the dtypes of lib.tasks; keep its labels."""
    labels = fn(
        i["x_train"].astype(np.float32),
        i["y_train"].astype(np.int64),
        i["x_test"].astype(np.float32),
        int(i["seed"]),
    )
    return {"labels": as_array(labels)}


def judge_labels(
    question,
    inputs,
    outputs,
    chance,
    threshold=THRESHOLD,
    scored=None,
    where="",
    hint="did the model train?",
):
    """Accuracy of the returned labels against the reference; ``scored(inputs)``: a mask of
    the positions that count (default all), ``where`` names them, ``hint`` says what to
    check when the accuracy is near chance. Returns ({"labels": ok}, message)."""
    want = question.reference(inputs)["labels"]
    if "__forbidden__" in outputs:
        return {"labels": False}, judge_parts(question, inputs, outputs)[1]
    if "__error__" in outputs:
        return {"labels": False}, explain_error(question, text(outputs["__error__"]))
    got = outputs.get("labels")
    if got is None:
        return {"labels": False}, (
            f"`{question.function}` returned no numbers (did you forget `return`?)"
        )
    if got.shape == want.shape + (int(round(1 / chance)),) or (
        got.ndim == want.ndim + 1 and got.shape[:-1] == want.shape
    ):
        return {"labels": False}, Named(
            f"the labels have shape {got.shape}: those look like class scores; return the "
            f"predicted class at every step, logits.argmax(axis=-1), shape {want.shape}"
        )
    if got.shape == want.shape[:1]:
        return {"labels": False}, Named(
            f"one label per sequence, shape {got.shape}: the task labels every step, so build "
            f"the classifier with readout='all' and return shape {want.shape}"
        )
    if got.shape != want.shape:
        return {"labels": False}, (
            f"the labels have shape {got.shape}, expected {want.shape} (one label per test "
            "sequence and step)"
        )
    if not np.all(np.isfinite(got)):
        return {"labels": False}, "the labels contain NaN or inf"
    mask = np.ones(want.shape, bool) if scored is None else scored(inputs)
    accuracy = float(np.mean(got[mask] == want[mask]))
    if accuracy >= threshold:
        return {"labels": True}, "correct"
    if accuracy < chance + 0.5 * (threshold - chance):
        return {"labels": False}, Named(
            f"test accuracy {accuracy:.2f}{where} is near chance ({chance:.2f}): {hint} "
            f"(it needs {threshold:.2f})"
        )
    return {"labels": False}, Named(
        f"test accuracy {accuracy:.2f}{where} is below {threshold:.2f}: train longer (more "
        "epochs), or with a larger hidden size or learning rate"
    )


q4 = Question(
    name="q4",
    points=2,
    function="train_stacked",
    args=("x_train", "y_train", "x_test", "seed"),
    parts=("labels",),
    make_inputs=make_parity_inputs,
    reference=parity_reference,
    probe=probe_training,
    public_cases=(0,),
    hidden_cases=(0, 1),
    hints=(READOUT_HINT,),
)
q4.judge = lambda inputs, outputs: judge_labels(q4, inputs, outputs, chance=0.5)

EXERCISE = Exercise(
    name="ex05",
    title="Exercise 5: stacking recurrent layers",
    notebook="ex05_stacking/ex05_stacking.ipynb",
    questions=[q1, q2, q3, q4],
)
