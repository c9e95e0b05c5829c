"""RNN, LSTM and GRU sequence models with torch.nn's interface, forward and full BPTT.

    model = LSTM(input_size=3, hidden_size=8, num_layers=2, bidirectional=True)
    out, (h_n, c_n) = model(x)             # x: (seq_len, batch, input_size)
    dx, (dh0, dc0) = model.backward(dout)  # gradients of everything; model.grads by name

Layer ``l`` reads the outputs of layer ``l - 1`` (both directions side by side); the
reverse direction reads the sequence from its end. Keys, shapes, gate order and
initialisation follow torch.nn, so ``model.load_state_dict(torch_model.state_dict())``
gives the same numbers.

Training extras, as in torch: ``dropout=p`` drops units of every layer's output but
the last one in training mode (``model.train()``, the default; ``model.eval()`` turns
it off), and ``model(x, hx, lengths=...)`` runs a padded batch of sequences of
different lengths.

Why this module is long: ``Recurrent`` carries the whole torch.nn contract (argument and
input checks, layouts, initial states, stacking, directions, ``state_dict``, BPTT) once,
for the three models, which differ only in the kernel they pick.
"""

import math
import numbers
import warnings

import numpy

from . import backend, checks
from .kernels import GRUKernel, LSTMKernel, RNNKernel
from .module import Module


def direction_forward(kernel, x, state, params, reverse=False, padded=None):
    """Run one layer in one direction over x: (seq_len, batch, input) -> out, final state, cache.

    All input projections at once: xw = x W_ih^T + b_ih (+ b_hh where it simply adds).
    The reverse direction reads x from its end: x is flipped once, here, and the kernel
    and the cache work in processing order; only ``out`` is flipped back to time order.
    padded: None, or (seq_len, batch, 1) bool, True at padding steps (in time order);
    ``out`` is zero there.
    """
    xp = backend.xp()
    steps, batch, _ = x.shape
    if reverse:
        x = xp.ascontiguousarray(x[::-1])
        padded = None if padded is None else padded[::-1]
    weight_ih, weight_hh = params["weight_ih"], params.get("weight_hh")  # minGRU: no W_hh
    xw = (x.reshape(steps * batch, -1) @ weight_ih.T).reshape(steps, batch, -1)
    bias_ih, bias_hh = params.get("bias_ih"), params.get("bias_hh")
    is_gru = isinstance(kernel, GRUKernel)
    if bias_ih is not None:
        # the GRU's b_hn sits inside r * (...); the minimal models have no b_hh
        xw += bias_ih if is_gru or bias_hh is None else bias_ih + bias_hh
    out, final, cache = kernel.forward(
        xw, state, weight_hh, bias_hh if is_gru else None, params.get("weight_peephole"), padded
    )
    cache["x"], cache["padded"] = x, padded
    if padded is not None:
        out = xp.where(padded, 0, out)  # what torch's pad_packed_sequence puts there
    return (out[::-1] if reverse else out), final, cache


def direction_backward(kernel, dout, dfinal, cache, params, reverse=False):
    """Backpropagate through one layer-direction; returns dx, dstate0, parameter grads.

    Weight gradients are one matrix product each over all steps:
    dW_ih = sum_t dxw_t^T x_t and dW_hh = sum_t dgh_t^T h_{t-1}.
    """
    x = cache["x"]  # in processing order, like everything the kernel saw
    steps, batch, input_size = x.shape
    weight_ih, weight_hh = params["weight_ih"], params.get("weight_hh")
    dxw, dgh, dstate, extra = kernel.backward(
        dout[::-1] if reverse else dout,
        dfinal,
        cache,
        weight_hh,
        params.get("weight_peephole"),
        cache.get("padded"),
    )
    flat_dxw = dxw.reshape(steps * batch, -1)
    grads = {"weight_ih": flat_dxw.T @ x.reshape(steps * batch, input_size)}
    if "bias_ih" in params:
        grads["bias_ih"] = flat_dxw.sum(axis=0)
    if weight_hh is not None:  # the minimal recurrences (minGRU) have none
        flat_dgh = dgh.reshape(steps * batch, -1)
        h_prev = cache["hs"][:-1].reshape(steps * batch, -1)  # the state each step read
        grads["weight_hh"] = flat_dgh.T @ h_prev
        if "bias_hh" in params:
            # the LSTM and the RNN add b_hh where b_ih goes (dgh is dxw): one sum serves both
            same = dgh is dxw and "bias_ih" in grads
            grads["bias_hh"] = grads["bias_ih"].copy() if same else flat_dgh.sum(axis=0)
    if "peephole" in extra:
        grads["weight_peephole"] = extra["peephole"]
    dx = (flat_dxw @ weight_ih).reshape(steps, batch, input_size)
    return (dx[::-1] if reverse else dx), dstate, grads


class Recurrent(Module):
    """Shared machinery of RNN, LSTM and GRU; subclasses pick the kernel."""

    def __init__(
        self,
        input_size,
        hidden_size,
        num_layers=1,
        bias=True,
        batch_first=False,
        dropout=0.0,
        bidirectional=False,
        dtype="float32",
        seed=None,
        kernel=None,
        peephole=False,
    ):
        super().__init__(dtype)
        self.input_size = checks.positive_int("input_size", input_size)
        self.hidden_size = checks.positive_int("hidden_size", hidden_size)
        self.num_layers = checks.positive_int("num_layers", num_layers)
        for flag_name, flag in (
            ("bias", bias),
            ("batch_first", batch_first),
            ("bidirectional", bidirectional),
        ):
            if not isinstance(flag, bool):
                raise TypeError(f"{flag_name} must be True or False, got {flag!r}")
        self.dropout = self._read_dropout(dropout)
        self.bias, self.batch_first, self.bidirectional = bias, batch_first, bidirectional
        self.num_directions = 2 if bidirectional else 1
        self.peephole = peephole
        self.kernel = kernel
        self._rng = numpy.random.default_rng(seed)  # the weights, then the dropout masks
        self._init_params()
        self._cache = None
        self.dropout_masks = None

    def _read_dropout(self, dropout):
        """p in [0, 1); torch's warning when there is no second layer to drop into."""
        if isinstance(dropout, bool) or not isinstance(dropout, numbers.Real):
            raise TypeError(f"dropout must be a number in [0, 1), got {dropout!r}")
        if not 0 <= dropout < 1:
            raise ValueError(f"dropout must be a number in [0, 1), got {dropout!r}")
        if dropout > 0 and self.num_layers == 1:
            warnings.warn(
                "dropout acts between stacked layers (on the output of every layer but the "
                f"last), so dropout={dropout} with num_layers=1 does nothing",
                UserWarning,
                stacklevel=4,
            )
        return float(dropout)

    def _suffixes(self):
        """(layer, direction, key suffix) for every layer-direction, in torch's order."""
        for layer in range(self.num_layers):
            for direction in range(self.num_directions):
                yield layer, direction, f"_l{layer}" + ("_reverse" if direction else "")

    def _init_params(self):
        bound = 1.0 / math.sqrt(self.hidden_size)
        gate_rows = self.kernel.gates * self.hidden_size
        for layer, _, suffix in self._suffixes():
            layer_input = self.input_size if layer == 0 else self.num_directions * self.hidden_size
            shapes = {
                "weight_ih": (gate_rows, layer_input),
                "weight_hh": (gate_rows, self.hidden_size),
            }
            if self.bias:
                shapes.update(bias_ih=(gate_rows,), bias_hh=(gate_rows,))
            if not self.kernel.reads_previous_state:  # minGRU, minLSTM: gates see x_t only
                shapes = {k: v for k, v in shapes.items() if not k.endswith("_hh")}
            if self.peephole:
                shapes["weight_peephole"] = (3, self.hidden_size)
            for name, shape in shapes.items():
                values = self._rng.uniform(-bound, bound, size=shape).astype(self.dtype)
                self.params[name + suffix] = backend.xp().asarray(values)

    # ---- input handling -------------------------------------------------------------
    def _read_input(self, x):
        layout = (
            "(batch, seq_len, input_size)" if self.batch_first else "(seq_len, batch, input_size)"
        )
        x = checks.array(
            "x",
            x,
            self.dtype,
            ndim=(2, 3),
            last_dim=self.input_size,
            layout=f"{layout} or unbatched (seq_len, input_size)",
        )
        if 0 in x.shape:
            raise ValueError(f"x has an empty dimension: shape {tuple(x.shape)}")
        batched = x.ndim == 3
        if not batched:
            x = x[:, None, :]
        elif self.batch_first:
            x = x.transpose(1, 0, 2)
        return backend.xp().ascontiguousarray(x), batched

    def _state_shape(self, batch, batched):
        stacked = self.num_layers * self.num_directions
        return (stacked, batch, self.hidden_size) if batched else (stacked, self.hidden_size)

    def _read_state(self, hx, batch, batched, what="hx"):
        """hx as a tuple of (layers * directions, batch, hidden) arrays, zeros when None."""
        names = self.kernel.state_names
        shape = self._state_shape(batch, batched)
        if hx is None:
            zeros = backend.xp().zeros(self._state_shape(batch, True), dtype=self.dtype)
            return tuple(zeros.copy() for _ in names)
        if len(names) == 2:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError(
                    f"{what} of an LSTM must be a pair (h, c) of arrays shaped {shape}, "
                    f"got {type(hx).__name__}"
                )
            parts = tuple(hx)
        else:
            if isinstance(hx, (tuple, list)):
                raise TypeError(
                    f"{what} must be one array shaped {shape}, got a {type(hx).__name__}"
                )
            parts = (hx,)
        return tuple(
            self._read_state_part(f"{what} ({name})" if len(names) == 2 else what, part, shape)
            for name, part in zip(names, parts)
        )

    def _read_state_part(self, label, part, shape):
        """One state array checked against ``shape``, given a batch axis if it lacks one."""
        part = checks.array(label, part, self.dtype, ndim=len(shape))
        if tuple(part.shape) != shape:
            batch_words = "batch, " if len(shape) == 3 else ""
            raise ValueError(
                f"{label} should have shape {shape} (num_layers * num_directions, "
                f"{batch_words}hidden_size) to match x, got {tuple(part.shape)}"
            )
        return part if len(shape) == 3 else part[:, None, :]

    def _pack_state(self, states, batched):
        states = tuple(s if batched else s[:, 0, :] for s in states)
        return states if len(states) == 2 else states[0]

    def _read_lengths(self, lengths, steps, batch, batched):
        """lengths (batch,) -> padded: (seq_len, batch, 1) bool, True where t >= length.

        None when every sequence fills the batch, so that the usual path runs.
        """
        if lengths is None:
            return None
        if not batched:
            raise ValueError("lengths needs a batched x; an unbatched x is one full sequence")
        raw = backend.asarray(lengths)
        if raw.dtype.kind not in "iu":
            raise TypeError(f"lengths must be integers, got dtype {raw.dtype}")
        if tuple(raw.shape) != (batch,):
            raise ValueError(
                f"lengths should have shape ({batch},), one length per sequence of the batch, "
                f"got {tuple(raw.shape)}"
            )
        if int(raw.min()) < 1 or int(raw.max()) > steps:
            raise ValueError(
                f"every length must lie in 1..{steps} (seq_len of x), got values from "
                f"{int(raw.min())} to {int(raw.max())}"
            )
        if int(raw.min()) == steps:
            return None
        xp = backend.xp()
        return (xp.arange(steps)[:, None] >= raw[None, :])[:, :, None]

    def _dropout_mask(self, shape):
        """Inverted dropout: 0 with probability p, else 1 / (1 - p), so the mean is kept."""
        keep = self._rng.random(shape) >= self.dropout
        return backend.xp().asarray(keep / (1.0 - self.dropout), dtype=self.dtype)

    # ---- forward and backward -------------------------------------------------------
    def forward(self, x, hx=None, lengths=None):
        """out, h_n = model(x, hx); for an LSTM hx and the returned state are pairs (h, c).

        x: (seq_len, batch, input_size), or (batch, seq_len, input_size) if batch_first,
        or unbatched (seq_len, input_size). out: (..., num_directions * hidden_size).
        h_n: (num_layers * num_directions, batch, hidden_size).

        lengths: optional (batch,) integers, the true length of each sequence of a padded
        batch. Steps t >= length change nothing: out is zero there, h_n holds each
        sequence's state after its own last step, and the reverse direction starts at
        each sequence's own end. torch gets this by packing
        (``pack_padded_sequence``): it sorts the sequences by length and, at each step,
        runs only the rows still going. lib runs every row at every step and, where a
        row is padding, keeps its previous state; the rows that matter see exactly the
        same arithmetic, so outputs, states and gradients are equal.

        Training mode with dropout=p > 0: the output of every layer but the last is
        multiplied by a fresh mask of 0 and 1 / (1 - p) entries before the next layer
        reads it; ``self.dropout_masks`` keeps the masks used, (seq_len, batch,
        num_directions * hidden_size) each, time first whatever batch_first says.

        Stateful truncated BPTT: pass the h_n of the previous window as hx. lib has no
        autograd graph, so nothing needs detaching: backward() stops at hx and returns
        its gradient, which a training loop simply does not propagate further.
        """
        xp = backend.xp()
        x, batched = self._read_input(x)
        states = self._read_state(hx, x.shape[1], batched)
        padded = self._read_lengths(lengths, x.shape[0], x.shape[1], batched)
        dropping = self.training and self.dropout > 0
        self.dropout_masks = [] if dropping and self.num_layers > 1 else None
        finals = [[] for _ in states]
        caches = []
        layer_input = x
        for layer in range(self.num_layers):
            if layer > 0 and dropping:
                mask = self._dropout_mask(layer_input.shape)
                self.dropout_masks.append(mask)
                layer_input = layer_input * mask
            outputs = []
            for direction in range(self.num_directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                index = layer * self.num_directions + direction
                state = tuple(s[index] for s in states)
                out, final, cache = direction_forward(
                    self.kernel,
                    layer_input,
                    state,
                    self._params_of(suffix),
                    reverse=direction == 1,
                    padded=padded,
                )
                outputs.append(out)
                caches.append(cache)
                for collected, value in zip(finals, final):
                    collected.append(value)
            layer_input = outputs[0] if len(outputs) == 1 else xp.concatenate(outputs, axis=2)
        self._cache = {
            "caches": caches,
            "batched": batched,
            "batch": x.shape[1],
            "steps": x.shape[0],
            "masks": self.dropout_masks,
        }
        out = layer_input
        if not batched:
            out = out[:, 0, :]
        elif self.batch_first:
            out = out.transpose(1, 0, 2)
        return out, self._pack_state(tuple(xp.stack(f) for f in finals), batched)

    __call__ = forward

    def _params_of(self, suffix):
        return {
            name[: -len(suffix)]: value
            for name, value in self.params.items()
            if name.endswith(suffix)
        }

    def backward(self, dout=None, dh_n=None):
        """dx, dhx = model.backward(dout, dh_n) after the latest forward.

        dout: like ``out`` (None means zeros); dh_n: like ``h_n`` (for an LSTM a pair
        (dh, dc), either part None). Parameter gradients land in ``self.grads``.
        """
        if self._cache is None:
            raise RuntimeError(
                "backward() needs a forward() call first, to know what to differentiate"
            )
        xp = backend.xp()
        batched, batch, steps = self._cache["batched"], self._cache["batch"], self._cache["steps"]
        out_width = self.num_directions * self.hidden_size
        dout = self._read_dout(dout, steps, batch, batched, out_width)
        dfinals = self._read_dstate(dh_n, batch, batched)
        caches = iter(self._cache["caches"])
        per_layer = [
            [next(caches) for _ in range(self.num_directions)] for _ in range(self.num_layers)
        ]
        dstates = [[None] * (self.num_layers * self.num_directions) for _ in dfinals]
        grads = {}
        dlayer_out = dout
        for layer in reversed(range(self.num_layers)):
            dlayer_in = None
            for direction in range(self.num_directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                index = layer * self.num_directions + direction
                columns = slice(direction * self.hidden_size, (direction + 1) * self.hidden_size)
                dx, dstate, layer_grads = direction_backward(
                    self.kernel,
                    xp.ascontiguousarray(dlayer_out[:, :, columns]),
                    tuple(d[index] for d in dfinals),
                    per_layer[layer][direction],
                    self._params_of(suffix),
                    reverse=direction == 1,
                )
                dlayer_in = dx if dlayer_in is None else dlayer_in + dx
                for collected, value in zip(dstates, dstate):
                    collected[index] = value
                grads.update({name + suffix: value for name, value in layer_grads.items()})
            if layer > 0 and self._cache["masks"] is not None:
                dlayer_in = dlayer_in * self._cache["masks"][layer - 1]
            dlayer_out = dlayer_in
        self.grads = {name: grads[name] for name in self.params}
        dx = dlayer_out
        if not batched:
            dx = dx[:, 0, :]
        elif self.batch_first:
            dx = dx.transpose(1, 0, 2)
        return dx, self._pack_state(tuple(xp.stack(d) for d in dstates), batched)

    def _read_dout(self, dout, steps, batch, batched, width):
        xp = backend.xp()
        if dout is None:
            return xp.zeros((steps, batch, width), dtype=self.dtype)
        if not batched:
            expected = (steps, width)
        elif self.batch_first:
            expected = (batch, steps, width)
        else:
            expected = (steps, batch, width)
        dout = checks.array("dout", dout, self.dtype, ndim=len(expected))
        if tuple(dout.shape) != expected:
            raise ValueError(
                f"dout should have the shape of out, {expected}, got {tuple(dout.shape)}"
            )
        if not batched:
            return dout[:, None, :]
        return dout.transpose(1, 0, 2) if self.batch_first else dout

    def _read_dstate(self, dh_n, batch, batched):
        xp = backend.xp()
        names = self.kernel.state_names
        if dh_n is None:
            dh_n = (None,) * len(names) if len(names) == 2 else None
        parts = dh_n if len(names) == 2 else (dh_n,)
        if len(names) == 2 and (not isinstance(parts, (tuple, list)) or len(parts) != 2):
            raise TypeError("dh_n of an LSTM must be a pair (dh, dc); either part may be None")
        shape = self._state_shape(batch, batched)
        return tuple(
            xp.zeros(self._state_shape(batch, True), dtype=self.dtype)
            if part is None
            else self._read_state_part(f"dh_n ({name})" if len(names) == 2 else "dh_n", part, shape)
            for name, part in zip(names, parts)
        )

    def __repr__(self):
        return (
            f"{type(self).__name__}({self.input_size}, {self.hidden_size}, "
            f"num_layers={self.num_layers}, bidirectional={self.bidirectional}, "
            f"batch_first={self.batch_first}, dtype={self.dtype})"
        )


class RNN(Recurrent):
    """Elman RNN: h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), act = tanh or relu."""

    def __init__(
        self,
        input_size,
        hidden_size,
        num_layers=1,
        nonlinearity="tanh",
        bias=True,
        batch_first=False,
        dropout=0.0,
        bidirectional=False,
        dtype="float32",
        seed=None,
    ):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        self.nonlinearity = nonlinearity
        super().__init__(
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            dtype,
            seed,
            kernel=RNNKernel(nonlinearity),
        )


class LSTM(Recurrent):
    """Long short-term memory (Hochreiter & Schmidhuber 1997), torch's gate order i, f, g, o.

    peephole=True adds Gers & Schmidhuber's peepholes: i and f see c_{t-1}, o sees c_t,
    through a (3, hidden_size) parameter ``weight_peephole_l{k}`` (no torch twin).
    """

    def __init__(
        self,
        input_size,
        hidden_size,
        num_layers=1,
        bias=True,
        batch_first=False,
        dropout=0.0,
        bidirectional=False,
        dtype="float32",
        seed=None,
        peephole=False,
    ):
        super().__init__(
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            dtype,
            seed,
            kernel=LSTMKernel(),
            peephole=bool(peephole),
        )


class GRU(Recurrent):
    """Gated recurrent unit in PyTorch's (cuDNN's) form, gate order r, z, n."""

    def __init__(
        self,
        input_size,
        hidden_size,
        num_layers=1,
        bias=True,
        batch_first=False,
        dropout=0.0,
        bidirectional=False,
        dtype="float32",
        seed=None,
    ):
        super().__init__(
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            dtype,
            seed,
            kernel=GRUKernel(),
        )


GATE_BLOCKS = {"RNN": 1, "LSTM": 4, "GRU": 3}  # G: stacked weight blocks per cell


def count_parameters(kind, input_size, hidden_size, num_layers=1, bidirectional=False):
    """Parameters of ``lib.RNN/LSTM/GRU`` with biases, from the formula rather than a model.

    Each layer and direction holds G blocks (G = 1, 4, 3 for RNN, LSTM, GRU) of
    W_ih (H x D_in), W_hh (H x H), b_ih and b_hh (H each): G * H * (D_in + H + 2),
    with D_in = input_size in layer 0 and num_directions * H above it.
    """
    if kind not in GATE_BLOCKS:
        raise ValueError(f"kind must be one of {tuple(GATE_BLOCKS)}, got {kind!r}")
    gates = GATE_BLOCKS[kind]
    directions = 2 if bidirectional else 1
    total = 0
    for layer in range(num_layers):
        d_in = input_size if layer == 0 else directions * hidden_size
        total += directions * gates * hidden_size * (d_in + hidden_size + 2)
    return total


def set_keep_gate_bias(model, value, input_gate=None):
    """Bias the gate that keeps the old state: the LSTM's forget gate f, the GRU's update gate z.

    Sets b_ih + b_hh of that gate to ``value`` in every layer and direction (for lib.MinGRU
    and lib.MinLSTM the biases that make their keep factor sigma(value)), so at the start
    of training each step keeps about sigma(value) of the memory (sigma(4) = 0.98, and
    0.98^50 = 0.36 survives 50 steps, where sigma(0)^50 = 0.5^50 ~ 1e-15). This is the
    forget-gate bias trick of Gers, Schmidhuber & Cummins (2000). A plain RNN has no such
    gate, which is the point of chapter 3.

    input_gate (LSTM only): also set the input gate's bias, e.g. -2 so that the cell starts
    out writing little (sigma(-2) = 0.12) and a stored value is not washed out by what
    follows it. Returns the model.
    """
    has_own_rows = hasattr(model, "keep_gate_biases")  # lib.MinGRU, lib.MinLSTM
    if not isinstance(model, (LSTM, GRU)) and not has_own_rows:
        raise TypeError(
            "only an LSTM, a GRU, a MinGRU or a MinLSTM has a gate that keeps memory, "
            f"got {type(model).__name__}"
        )
    if not model.bias:
        raise ValueError("the model was built with bias=False, so it has no gate bias to set")
    if input_gate is not None and not isinstance(model, LSTM):
        raise ValueError(f"input_gate= applies to an LSTM only, not to a {type(model).__name__}")
    size = model.hidden_size
    settings = [(slice(size, 2 * size), value)]  # f in i,f,g,o; z in r,z,n
    if has_own_rows:
        settings = model.keep_gate_biases(value)
    if input_gate is not None:
        settings.append((slice(0, size), input_gate))
    for name, array in model.params.items():
        for rows, total in settings:
            if name.startswith("bias_ih"):
                array[rows] = total
            elif name.startswith("bias_hh"):
                array[rows] = 0.0
    return model
