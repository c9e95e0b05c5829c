"""How far back does a gradient reach? Gradient norms through time for RNN, LSTM and GRU.

A loss is put on the last hidden state only, L = sum over the batch of u . h_T (u a fixed
random unit vector, so ||dL/dh_T|| = 1), and we measure ||dL/dh_t|| for every earlier
step t. Chapter 2 plots it against the distance T - t from the loss:

    norms = gradient_flow("rnn", hidden_size=32, weight_scale=0.5, seq_len=40)
    norms[k]  # mean over the batch of ||dL/dh_{T-k}||, k = 0 .. T; norms[0] = 1

How dL/dh_t is obtained (the choice, and why). Backpropagation through time is a walk
back along the chain dL/dh_{t-1} = (dh_t/dh_{t-1})^T dL/dh_t, one Jacobian per step.
We take that walk literally, with the public one-step cells: a ``lib.RNNCell`` (or
``LSTMCell``, ``GRUCell``) gets the sequence model's weights, steps forward to record
the states h_0 .. h_T, then walks back: at step t it runs forward once more from
h_{t-1} and its ``backward(dL/dh_t)`` returns dL/dh_{t-1}. So every step's gradient is
available, the code is the same for the three cells and no backpropagation formula is
written twice. The tests check the result against the sequence model's own
``backward`` (whose dhx is dL/dh_0) and against PyTorch's autograd. For the LSTM the
state is (h, c) and the walk carries both gradients: ``gradient_flow(..., state="c")``
reports the one reaching the cell state (the belt), beside the default dL/dh_t.

    belt = gradient_flow("lstm", keep_bias=4.0, seq_len=60, state="c")  # ||dL/dc_{T-k}||

The recurrent weights are set so that one number controls them: every H x H gate
block of W_hh is ``weight_scale`` times a random orthogonal matrix, so all its singular
values equal ``weight_scale`` (below 1 a plain RNN's gradient shrinks at every step,
above 1 it can grow). ``keep_bias`` sets the bias of the gate that keeps the old state
(LSTM forget gate, GRU update gate) with ``lib.set_keep_gate_bias``.
"""

import numpy

from lib import backend
from lib.cells import GRUCell, LSTMCell, RNNCell
from lib.functional import lstm_step
from lib.recurrent import GRU, LSTM, RNN, set_keep_gate_bias

from .recurrent_init import orthogonal_recurrent

MODELS = {"rnn": RNN, "lstm": LSTM, "gru": GRU}
CELLS = {RNN: RNNCell, LSTM: LSTMCell, GRU: GRUCell}


def make_model(kind, hidden_size=32, weight_scale=1.0, keep_bias=None, input_size=4, seed=0):
    """A float64 RNN/LSTM/GRU whose W_hh gate blocks are ``weight_scale`` x orthogonal.

    kind: "rnn" (tanh), "lstm" or "gru". keep_bias: None (keep the default
    initialisation) or a number for the forget (LSTM) / update (GRU) gate bias; a plain
    RNN has no such gate, so it must be None there. Other weights: lib's (and torch's)
    default uniform(-1/sqrt(H), 1/sqrt(H)) initialisation from ``seed``.
    """
    kind = _kind(kind)
    if kind == "rnn" and keep_bias is not None:
        raise ValueError("a plain RNN has no gate that keeps memory: use keep_bias=None")
    if not weight_scale >= 0:
        raise ValueError(f"weight_scale must be a number >= 0, got {weight_scale!r}")
    model = MODELS[kind](input_size, hidden_size, dtype="float64", seed=seed)
    orthogonal_recurrent(model, weight_scale, seed=seed + 1)
    if keep_bias is not None:
        set_keep_gate_bias(model, keep_bias)
    return model


def hidden_state_gradients(model, x, direction):
    """dL/dh_t for t = 0 .. T, where L = sum over the batch of direction . h_T.

    model: a one-layer, one-direction lib RNN/LSTM/GRU (batch_first=False);
    x: (T, B, input_size); direction: (H,). Returns (T + 1, B, H); row t is dL/dh_t
    (row 0: the initial state h_0 = 0, row T: ``direction`` itself). See the module
    docstring for the method (a walk back with a one-step cell).
    """
    return state_gradients(model, x, direction)["h"]


def state_gradients(model, x, direction):
    """The gradients of L = sum over the batch of direction . h_T with respect to every state.

    Arguments as ``hidden_state_gradients``. Returns a dict of (T + 1, B, H) arrays:
    "h": dL/dh_t for t = 0 .. T, and for an LSTM also "c": dL/dc_t, the gradient that
    reaches the cell state (row T: dL/dc_T = direction * o_T * (1 - tanh(c_T)^2), since
    the loss reads c_T only through h_T).
    """
    return _state_gradients(model, x, direction)


def gradient_flow(
    kind,
    hidden_size=32,
    weight_scale=1.0,
    keep_bias=None,
    seq_len=40,
    input_size=4,
    batch=8,
    burn_in=20,
    seed=0,
    state="h",
):
    """Mean ||dL/dh_{T-k}|| over a batch of random inputs, for distances k = 0 .. seq_len.

    Builds the model with ``make_model``, feeds x ~ N(0, 1) of shape
    (burn_in + seq_len, batch, input_size) and puts the loss u . h_T on the last step
    (u a random unit vector). The first ``burn_in`` steps only let the state settle
    (right after h_0 = 0 the cells behave unlike the rest of a sequence); the result
    covers the last seq_len steps. Returns a NumPy array of length seq_len + 1; entry
    0 is 1. state: "h" (the hidden state, the default) or, for an LSTM, "c": then the
    norms are those of dL/dc_{T-k}, the gradient carried by the cell state (entry 0 is
    then ||u * o_T * (1 - tanh(c_T)^2)||, below 1).
    """
    if state not in ("h", "c"):
        raise ValueError(f'state must be "h" or "c", got {state!r}')
    if state == "c" and _kind(kind) != "lstm":
        raise ValueError(
            f'only an LSTM has a cell state: state="c" needs kind="lstm", got {kind!r}'
        )
    model = make_model(kind, hidden_size, weight_scale, keep_bias, input_size, seed)
    x, direction = _flow_inputs(hidden_size, seq_len, input_size, batch, burn_in, seed)
    grads = state_gradients(model, x, direction)[state]
    norms = backend.xp().sqrt((grads * grads).sum(axis=-1)).mean(axis=1)  # (T + 1,)
    return backend.to_numpy(norms)[::-1][: seq_len + 1].copy()  # by distance from the loss


def belt_factor(
    hidden_size=32,
    weight_scale=1.0,
    keep_bias=None,
    seq_len=40,
    input_size=4,
    batch=8,
    burn_in=20,
    seed=0,
):
    """What the LSTM's belt alone keeps over k steps: the mean of f_{T-k+1} * ... * f_T.

    Holding the gates fixed, dc_T/dc_{T-k} = diag(f_{T-k+1} ... f_T): the belt scales a
    gradient by the product of the forget gates it passes. Same model and inputs as
    ``gradient_flow("lstm", ...)`` with the same arguments; returns the mean over the
    batch and the units of that product, for k = 0 .. seq_len (entry 0 is 1).
    """
    model = make_model("lstm", hidden_size, weight_scale, keep_bias, input_size, seed)
    x, _ = _flow_inputs(hidden_size, seq_len, input_size, batch, burn_in, seed)
    gates = backend.to_numpy(forget_gates(model, x))[::-1][:seq_len]  # f_T, f_{T-1}, ...
    products = numpy.cumprod(gates, axis=0).mean(axis=(1, 2))
    return numpy.concatenate([[1.0], products])


def forget_gates(model, x):
    """The forget gates f_t of a forward pass from zero states, t = 1 .. T: (T, B, H).

    model: a one-layer, one-direction lib LSTM (batch_first=False); x: (T, B, input_size).
    """
    if not isinstance(model, LSTM):
        raise TypeError(
            f"model must be a lib LSTM (it has forget gates), got {type(model).__name__}"
        )
    x = _checked_input(model, x)
    weights = {name.removesuffix("_l0"): v for name, v in model.state_dict().items()}
    h = c = backend.xp().zeros((x.shape[1], model.hidden_size), dtype=x.dtype)
    gates = []
    for x_t in x:
        step = lstm_step(x_t, h, c, **weights)
        gates.append(step.f)
        h, c = step.h, step.c
    return backend.xp().stack(gates)


def _flow_inputs(hidden_size, seq_len, input_size, batch, burn_in, seed):
    """x ~ N(0, 1) of shape (burn_in + seq_len, batch, input_size) and a unit vector u."""
    rng = numpy.random.default_rng(seed + 2)
    x = rng.standard_normal((burn_in + seq_len, batch, input_size))
    direction = rng.standard_normal(hidden_size)
    direction /= numpy.linalg.norm(direction)
    return backend.asarray(x, dtype="float64"), backend.asarray(direction, dtype="float64")


def _checked_input(model, x):
    """x as an array of the model's dtype, after checking the model and the shape of x."""
    if model.num_layers != 1 or model.bidirectional or model.batch_first:
        raise ValueError("use a one-layer, one-direction model built with batch_first=False")
    x = backend.asarray(x, dtype=model.dtype)
    if x.ndim != 3 or x.shape[2] != model.input_size:
        raise ValueError(
            f"x should be (T, B, {model.input_size}) (seq_len, batch, input_size), "
            f"got shape {tuple(x.shape)}"
        )
    return x


def _state_gradients(model, x, direction):
    """{"h": dL/dh_t (and "c": dL/dc_t for an LSTM)} for t = 0 .. T, each (T + 1, B, H)."""
    xp = backend.xp()
    if not isinstance(model, tuple(MODELS.values())):
        raise TypeError(f"model must be a lib RNN, LSTM or GRU, got {type(model).__name__}")
    x = _checked_input(model, x)
    steps, batch, _ = x.shape
    size = model.hidden_size
    direction = backend.asarray(direction, dtype=model.dtype).reshape(size)
    is_lstm = isinstance(model, LSTM)
    cell = _cell_like(model)

    # forward: the states h_0 .. h_T (LSTM: (h, c) pairs), h_0 = 0
    zeros = xp.zeros((batch, size), dtype=x.dtype)
    states = [(zeros, zeros) if is_lstm else zeros]
    for t in range(steps):
        states.append(cell(x[t], states[t]))

    # backward: one Jacobian-transpose product per step, from t = T down to 1
    names = ("h", "c") if is_lstm else ("h",)
    found = {name: xp.empty((steps + 1, batch, size), dtype=x.dtype) for name in names}
    grad = xp.broadcast_to(direction, (batch, size)).copy()  # dL/dh_T: the loss reads h_T
    if is_lstm:
        grad = (grad, xp.zeros_like(grad))  # ... and not c_T directly
    for t in range(steps, 0, -1):
        if is_lstm:  # all of dL/dc_t: from c_{t+1} (the belt) and through h_t
            found["c"][t] = grad[1] + _through_output(cell, x[t - 1], states[t - 1], grad[0])
        found["h"][t] = grad[0] if is_lstm else grad
        cell(x[t - 1], states[t - 1])  # the cell remembers this one step ...
        _, grad = cell.backward(grad)  # ... and turns dL/dh_t into dL/dh_{t-1}
    if is_lstm:
        found["h"][0], found["c"][0] = grad  # h_0 and c_0 are both inputs of step 1
    else:
        found["h"][0] = grad
    return found


def _through_output(cell, x_t, previous, dh):
    """dh * o_t * (1 - tanh(c_t)^2): the part of dL/dc_t that reaches c_t through h_t.

    The cell's backward adds it to the belt's gradient internally and returns only
    dL/dc_{t-1}; the step is recomputed here for o_t and c_t.
    """
    h_prev, c_prev = previous
    step = lstm_step(x_t, h_prev, c_prev, **cell.params)
    return dh * step.o * (1 - backend.xp().tanh(step.c) ** 2)


def _cell_like(model):
    """A one-step cell holding the weights of the one-layer model ``model``."""
    cell = CELLS[type(model)](model.input_size, model.hidden_size, dtype=model.dtype)
    cell.load_state_dict({k.removesuffix("_l0"): v for k, v in model.state_dict().items()})
    return cell


def _kind(kind):
    key = str(kind).lower()
    if key not in MODELS:
        raise ValueError(f"kind must be one of {sorted(MODELS)}, got {kind!r}")
    return key
