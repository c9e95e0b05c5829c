"""Activations and one step of each recurrent cell, as pure functions.

Weights follow torch.nn's layout: ``weight_ih`` is ``(gates * hidden, input)``, so a
batch of inputs ``x: (batch, input)`` is projected as ``x @ weight_ih.T``. The step
functions return every named gate value, because the book's widgets and the
boss-raise story show them.
"""

from collections import namedtuple

from . import backend

RNNStep = namedtuple("RNNStep", "h")
LSTMStep = namedtuple("LSTMStep", "i f g o c h")
GRUStep = namedtuple("GRUStep", "r z n h")

GRU_RESET_PLACES = ("after", "before")  # where the reset gate acts (see gru_step)
GRU_KEEP_GATES = ("z", "1-z")  # which of them multiplies the old state


def sigmoid(x, out=None):
    """sigma(x) = 1 / (1 + exp(-x)), computed as (1 + tanh(x / 2)) / 2.

    The tanh form never overflows (no warning at x = -1000) and works in place.
    """
    xp = backend.xp()
    if out is None:  # an array even for a 0-d input, so that the in-place steps work
        x = xp.asarray(x)
        out = xp.empty(x.shape, dtype=xp.result_type(x.dtype, xp.float32))
    xp.multiply(x, 0.5, out=out)
    xp.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


def tanh(x, out=None):
    """tanh(x) = (e^x - e^-x) / (e^x + e^-x), squashing every value into (-1, 1)."""
    return backend.xp().tanh(x, out=out)


def relu(x, out=None):
    """relu(x) = max(x, 0)."""
    return backend.xp().maximum(x, 0, out=out)


def sigmoid_grad_from_output(s):
    """d sigma / dx written with the output s = sigma(x): s * (1 - s), at most 1/4."""
    return s * (1 - s)


def tanh_grad_from_output(t):
    """d tanh / dx written with the output t = tanh(x): 1 - t^2, at most 1."""
    return 1 - t * t


def log_softmax(x, axis=-1):
    """log softmax(x) = x - max(x) - log(sum(exp(x - max(x)))), stable for any x."""
    xp = backend.xp()
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))


def softmax(x, axis=-1):
    """softmax(x)_k = exp(x_k) / sum_j exp(x_j), with the maximum subtracted first."""
    xp = backend.xp()
    e = xp.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _affine(x, weight, bias=None):
    """x @ weight.T + bias, for x: (batch, in), weight: (out, in), bias: (out,)."""
    y = x @ weight.T
    return y if bias is None else y + bias


def rnn_step(x, h, weight_ih, weight_hh, bias_ih=None, bias_hh=None, nonlinearity="tanh"):
    """h' = act(W_ih x + b_ih + W_hh h + b_hh), act = tanh or relu.

    x: (batch, input), h: (batch, hidden) -> RNNStep(h: (batch, hidden)).
    """
    activation = {"tanh": tanh, "relu": relu}[nonlinearity]
    pre = _affine(x, weight_ih, bias_ih) + _affine(h, weight_hh, bias_hh)
    return RNNStep(h=activation(pre))


def lstm_step(x, h, c, weight_ih, weight_hh, bias_ih=None, bias_hh=None, peephole=None):
    """One LSTM step, gates in torch's order i, f, g, o.

        i = sigma(W_ii x + W_hi h + b_i [+ p_i * c])      input gate
        f = sigma(W_if x + W_hf h + b_f [+ p_f * c])      forget gate
        g = tanh(W_ig x + W_hg h + b_g)                   candidate
        c' = f * c + i * g                                new cell state
        o = sigma(W_io x + W_ho h + b_o [+ p_o * c'])     output gate
        h' = o * tanh(c')                                 new hidden state

    x: (batch, input); h, c: (batch, hidden); peephole: optional (3, hidden) rows
    p_i, p_f, p_o. Returns LSTMStep(i, f, g, o, c, h), each (batch, hidden).
    """
    pre = _affine(x, weight_ih, bias_ih) + _affine(h, weight_hh, bias_hh)
    a_i, a_f, a_g, a_o = (pre[:, k * h.shape[1] : (k + 1) * h.shape[1]] for k in range(4))
    if peephole is not None:
        a_i = a_i + peephole[0] * c
        a_f = a_f + peephole[1] * c
    i, f, g = sigmoid(a_i), sigmoid(a_f), tanh(a_g)
    c_new = f * c + i * g
    if peephole is not None:
        a_o = a_o + peephole[2] * c_new
    o = sigmoid(a_o)
    return LSTMStep(i=i, f=f, g=g, o=o, c=c_new, h=o * tanh(c_new))


def gru_step(x, h, weight_ih, weight_hh, bias_ih=None, bias_hh=None, reset="after", keep="z"):
    """One GRU step, gates in torch's order r, z, n; two switches name the published variants.

    ::

        r  = sigma(W_ir x + b_ir + W_hr h + b_hr)           reset gate
        z  = sigma(W_iz x + b_iz + W_hz h + b_hz)           update gate
        n  = tanh(W_in x + b_in + r * (W_hn h + b_hn))      reset="after" (default)
        n  = tanh(W_in x + b_in + W_hn (r * h) + b_hn)      reset="before"
        h' = z * h + (1 - z) * n                            keep="z" (default)
        h' = (1 - z) * h + z * n                            keep="1-z"

    ``reset`` says where the reset gate acts: after the recurrent matrix product (one
    product per step for all three blocks, the form cuDNN made fast) or on h before it.
    ``keep`` says which of z and 1 - z multiplies the old state. The published GRUs:

    - PyTorch and cuDNN (lib's models): reset="after", keep="z";
    - Cho et al. 2014, eqs. (7) and (8): reset="before", keep="z";
    - Chung et al. 2014 (section 3.2), and colah's post: reset="before", keep="1-z".

    x: (batch, input); h: (batch, hidden). Returns GRUStep(r, z, n, h).
    """
    if reset not in GRU_RESET_PLACES:
        raise ValueError(f"reset must be one of {GRU_RESET_PLACES}, got {reset!r}")
    if keep not in GRU_KEEP_GATES:
        raise ValueError(f"keep must be one of {GRU_KEEP_GATES}, got {keep!r}")
    size = h.shape[1]
    gi = _affine(x, weight_ih, bias_ih)
    w_hr_hz, w_hn = weight_hh[: 2 * size], weight_hh[2 * size :]
    b_hr_hz = None if bias_hh is None else bias_hh[: 2 * size]
    b_hn = None if bias_hh is None else bias_hh[2 * size :]
    gh = _affine(h, w_hr_hz, b_hr_hz)
    r = sigmoid(gi[:, :size] + gh[:, :size])
    z = sigmoid(gi[:, size : 2 * size] + gh[:, size:])
    if reset == "after":
        n = tanh(gi[:, 2 * size :] + r * _affine(h, w_hn, b_hn))
    else:
        n = tanh(gi[:, 2 * size :] + _affine(r * h, w_hn, b_hn))
    kept = z if keep == "z" else 1 - z
    return GRUStep(r=r, z=z, n=n, h=kept * h + (1 - kept) * n)
