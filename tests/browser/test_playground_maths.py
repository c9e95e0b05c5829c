"""The playground's maths (lib/course/js/train.js) equals lib's, in Chromium.

train.js is imported as an ES module into a blank page. From the same weights (a lib
state_dict) and the same batches (generated with lib.tasks, or random), it must give
lib's loss, logits, input gradient and every parameter gradient to 1e-9 (float64, as
JavaScript numbers are), the gradient of every hidden state that the playground plots,
and after 20 Adam steps with clipping the same losses and weights as ``lib.fit`` (1e-6
relative).
"""

import numpy as np
import pytest

import lib
from lib import tasks

pytestmark = [pytest.mark.browser]

TOLERANCE = 1e-9
FIT_RELATIVE = 1e-6
CELLS = {"rnn": lib.RNN, "lstm": lib.LSTM, "gru": lib.GRU}

# Build the twin of a lib model from its state dicts; runs in the page.
BUILD = """
    const T = window.train;
    const build = ({cell, input, hidden, outputs, rnnState, headState}) => {
        const noRandom = {random: () => 0};  // every weight is overwritten below
        const rnn = new T.Recurrent(cell, input, hidden, noRandom);
        const model = new T.SequenceModel(rnn, outputs, noRandom);
        T.loadStateDict(model.rnn, rnnState);
        T.loadStateDict(model.head, headState);
        return model;
    };
    const flat = (a) => Float64Array.from(a.flat(Infinity));
    const plain = (arrays) =>
        Object.fromEntries(Object.entries(arrays).map(([k, v]) => [k, Array.from(v)]));
"""

GRADIENTS = (
    "(spec) => {"
    + BUILD
    + """
    const model = build(spec);
    const [n, steps] = [spec.x.length, spec.x[0].length];
    const pred = model.forward(flat(spec.x), n, steps);
    const {loss, dpred} = T.LOSSES[spec.loss](pred, flat(spec.y), n, spec.outputs);
    const states = [];
    const dx = model.backward(dpred, (t, dh) => states.push([t, Array.from(dh)]));
    return {loss, pred: Array.from(pred), dx: Array.from(dx), states,
            rnn: plain(model.rnn.grads), head: plain(model.head.grads)};
}"""
)

FIT = (
    "(spec) => {"
    + BUILD
    + """
    const model = build(spec);
    const optimizer = new T.Adam(model.modules, {lr: spec.lr});
    const losses = spec.batches.map(([x, y]) => {
        const batch = {x: flat(x), y: flat(y), n: x.length, steps: x[0].length};
        return T.trainStep(model, optimizer, spec.loss, batch, spec.clip).loss;
    });
    const [x, y] = spec.heldOut;
    const pred = model.forward(flat(x), x.length, x[0].length);
    const heldOutLoss = T.LOSSES[spec.loss](pred, flat(y), x.length, spec.outputs).loss;
    return {losses, heldOutLoss, rnn: plain(model.rnn.params), head: plain(model.head.params)};
}"""
)


@pytest.fixture(scope="module")
def page(module_page):
    """A blank page with train.js imported as window.train."""
    blank, exported = module_page("train.js", "train")
    for name in ("Recurrent", "SequenceModel", "Adam", "trainStep", "loadStateDict"):
        assert name in exported, f"train.js does not export {name}: {exported}"
    return blank


def make_model(cell, task, seed):
    """A float64 lib model for ``task`` with lib's initialisation from ``seed``."""
    features, outputs = {"recall": (8, 4), "adding": (2, 1), "review": (len(tasks.VOCABULARY), 2)}[
        task
    ]
    rnn = CELLS[cell](features, 6, batch_first=True, dtype="float64", seed=seed)
    if cell != "rnn":
        lib.set_keep_gate_bias(rnn, 2.5)
    head = lib.SequenceClassifier if outputs > 1 else lib.SequenceRegressor
    return head(rnn, outputs, seed=seed + 1)


def make_data(task, n, seed, steps=9):
    """(x float64, y) of lib.tasks for ``task``; y as int64 labels or (n, 1) targets."""
    if task == "recall":
        x, y = tasks.delayed_recall(n, lag=steps - 1, seed=seed)
    elif task == "adding":
        x, y = tasks.adding_problem(n, steps, seed=seed)
    else:
        x, y, _ = tasks.first_words_review(n, steps, seed=seed)
    return x.astype("float64"), (y if y.dtype.kind in "iu" else y.astype("float64"))


def loss_of(model):
    return lib.cross_entropy if isinstance(model, lib.SequenceClassifier) else lib.mse_loss


def spec_of(model, cell, **extra):
    return {
        "cell": cell,
        "input": model.rnn.input_size,
        "hidden": model.rnn.hidden_size,
        "outputs": model.head.out_features,
        "rnnState": {k: v.tolist() for k, v in model.rnn.state_dict().items()},
        "headState": {k: v.tolist() for k, v in model.head.state_dict().items()},
        "loss": "cross_entropy" if loss_of(model) is lib.cross_entropy else "mse_loss",
        **extra,
    }


def assert_close(js, expected, what, tolerance=TOLERANCE):
    js, expected = np.asarray(js, dtype=float), np.asarray(expected, dtype=float)
    assert js.size == expected.size, f"{what}: {js.size} values, lib has {expected.size}"
    error = float(np.max(np.abs(js.ravel() - expected.ravel())))
    assert error < tolerance, f"{what}: train.js differs from lib by {error:.2e}"


def state_gradients(model, x, dfeatures):
    """dL/dh_t for t = 0 .. T with lib's public API: the loss reads h_T through the head,
    so dL/dh_t is the dhx of the rnn run from step t with the state it had there."""
    rnn = model.rnn
    steps = x.shape[1]
    out, _ = rnn(x)
    states = {steps: dfeatures}
    for t in range(steps):
        start = _state_at(rnn, x, t)
        tail, _ = rnn(x[:, t:], start)
        dout = np.zeros_like(tail)
        dout[:, -1] = dfeatures
        _, dstart = rnn.backward(dout)
        states[t] = (dstart[0] if isinstance(rnn, lib.LSTM) else dstart)[0]
    return states


def _state_at(rnn, x, t):
    """The rnn's state (h_t, or (h_t, c_t)) after reading x[:, :t], shaped like hx."""
    batch = x.shape[0]
    if t == 0:
        zeros = np.zeros((1, batch, rnn.hidden_size))
        return (zeros, zeros.copy()) if isinstance(rnn, lib.LSTM) else zeros
    _, state = rnn(x[:, :t])
    return state


@pytest.mark.parametrize("task", ["recall", "adding", "review"])
@pytest.mark.parametrize("cell", list(CELLS))
def test_gradients_equal_lib(page, cell, task):
    """Loss, logits, dx, every parameter gradient and dL/dh_t for every t, on a batch of
    the task and on random inputs and weights (larger, so that the gates saturate)."""
    rng = np.random.default_rng(7)
    for case in ("task", "random"):
        model = make_model(cell, task, seed=3)
        x, y = make_data(task, 5, seed=4)
        if case == "random":
            x = rng.normal(size=x.shape)
            for module in model.modules:
                for value in module.params.values():
                    value[...] = rng.normal(scale=1.5, size=value.shape)
        what = f"{cell} on {task} ({case})"
        pred = model(x)
        loss, dpred = loss_of(model)(pred, y)
        dx = model.backward(dpred)
        js = page.evaluate(GRADIENTS, spec_of(model, cell, x=x.tolist(), y=y.tolist()))
        assert_close(js["loss"], loss, f"{what}: loss")
        assert_close(js["pred"], pred, f"{what}: prediction")
        assert_close(js["dx"], dx, f"{what}: dx")
        for module, name in ((model.rnn, "rnn"), (model.head, "head")):
            for key, grad in module.grads.items():
                assert_close(js[name][key], grad, f"{what}: gradient of {key}")
        dfeatures = dpred @ model.head.params["weight"]
        expected = state_gradients(model, x, dfeatures)
        recorded = dict((t, dh) for t, dh in js["states"])
        assert sorted(recorded) == list(range(x.shape[1] + 1)), f"{what}: states {sorted(recorded)}"
        for t, dh in expected.items():
            assert_close(recorded[t], dh, f"{what}: dL/dh_{t}")


@pytest.mark.parametrize(
    "cell, task",
    [
        ("rnn", "recall"),
        ("lstm", "recall"),
        ("gru", "recall"),
        ("lstm", "adding"),
        ("gru", "review"),
    ],
)
def test_twenty_adam_steps_equal_lib_fit(page, cell, task):
    """lib.fit for one epoch of 20 batches (its shuffle replayed for the page), Adam with
    clipping: the mean training loss, the held-out loss and every weight afterwards."""
    batch, updates, seed, lr, clip = 8, 20, 11, 0.02, 0.5
    model = make_model(cell, task, seed=5)
    x, y = make_data(task, batch * updates, seed=6)
    held_x, held_y = make_data(task, 32, seed=7)
    spec = spec_of(model, cell, lr=lr, clip=clip, heldOut=[held_x.tolist(), held_y.tolist()])
    order = np.random.default_rng(seed).permutation(len(x))  # what lib.fit draws for epoch 1
    spec["batches"] = [[x[index].tolist(), y[index].tolist()] for index in np.split(order, updates)]
    history = lib.fit(
        model, (x, y), loss_of(model), lib.Adam(model.modules, lr=lr), epochs=1,
        batch_size=batch, clip=clip, progress=False, seed=seed,
    )  # fmt: skip
    js = page.evaluate(FIT, spec)
    what = f"{cell} on {task} after {updates} Adam steps"
    relative = abs(np.mean(js["losses"]) - history["loss"][0]) / abs(history["loss"][0])
    assert relative < FIT_RELATIVE, (
        f"{what}: mean training loss differs by {relative:.1e} (relative)"
    )
    held_out = lib.evaluate(model, (held_x, held_y), loss_of(model))["loss"]
    relative = abs(js["heldOutLoss"] - held_out) / abs(held_out)
    assert relative < FIT_RELATIVE, f"{what}: held-out loss differs by {relative:.1e} (relative)"
    for module, name in ((model.rnn, "rnn"), (model.head, "head")):
        for key, value in module.params.items():
            scale = float(np.max(np.abs(value)))
            assert_close(js[name][key], value, f"{what}: {key}", FIT_RELATIVE * scale)
    assert len(set(np.round(js["losses"], 12))) > 1, f"{what}: the loss never changed"


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_keep_gate_bias_equals_lib(page, cell):
    """setKeepGateBias(rnn, 3, inputGate) is lib.set_keep_gate_bias(rnn, 3, input_gate=...)."""
    input_gate = -1.5 if cell == "lstm" else None
    rnn = CELLS[cell](8, 6, dtype="float64", seed=2)
    state = {k: v.tolist() for k, v in rnn.state_dict().items()}
    js = page.evaluate(
        """([cell, state, inputGate]) => {
            const T = window.train;
            const rnn = T.loadStateDict(new T.Recurrent(cell, 8, 6, {random: () => 0}), state);
            T.setKeepGateBias(rnn, 3, inputGate);
            return [Array.from(rnn.params.bias_ih_l0), Array.from(rnn.params.bias_hh_l0)];
        }""",
        [cell, state, input_gate],
    )
    lib.set_keep_gate_bias(rnn, 3.0, input_gate=input_gate)
    assert_close(js[0], rnn.params["bias_ih_l0"], f"{cell}: bias_ih_l0")
    assert_close(js[1], rnn.params["bias_hh_l0"], f"{cell}: bias_hh_l0")


def test_wrong_sizes_and_order_are_refused_with_a_message(page):
    messages = page.evaluate(
        """() => {
            const T = window.train;
            const rng = {random: () => 0.5};
            const attempt = (f) => { try { f(); return null; } catch (e) { return e.message; } };
            const model = new T.SequenceModel(new T.Recurrent('lstm', 3, 2, rng), 2, rng);
            return [
                attempt(() => model.forward(new Float64Array(5), 1, 2)),
                attempt(() => new T.SequenceModel(new T.Recurrent('lstm', 3, 2, rng), 2, rng)
                    .backward(new Float64Array(2))),
                attempt(() => T.loadStateDict(model.head, {weight: [1, 2]})),
                attempt(() => new T.Recurrent('transformer', 3, 2, rng)),
                attempt(() => T.setKeepGateBias(new T.Recurrent('rnn', 3, 2, rng), 4)),
                attempt(() => T.setKeepGateBias(new T.Recurrent('gru', 3, 2, rng), 4, -2)),
            ];
        }"""
    )
    assert "x should hold (batch 1, steps 2, input 3)" in messages[0]
    assert "backward was called before forward" in messages[1]
    assert "missing [bias]" in messages[2]
    assert "cell must be one of" in messages[3]
    assert "only an LSTM or a GRU" in messages[4]
    assert "inputGate applies to an LSTM only" in messages[5]
