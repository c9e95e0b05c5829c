"""Single-step cells with torch.nn's interfaces: RNNCell, LSTMCell, GRUCell.

A cell is a one-layer, one-direction model run for one time step, so it shares the
kernels (and the tested backward pass) of ``lib.recurrent``.
"""

from . import backend, checks
from .module import Module
from .recurrent import GRU, LSTM, RNN, direction_backward, direction_forward


class Cell(Module):
    """Shared machinery: parameters without the ``_l0`` suffix, one step forward and back."""

    def __init__(self, model):
        super().__init__(model.dtype)
        self.input_size, self.hidden_size = model.input_size, model.hidden_size
        self.kernel = model.kernel
        self.params = {name.removesuffix("_l0"): value for name, value in model.params.items()}
        self._cache = None

    def forward(self, x, hx=None):
        """One step. x: (batch, input_size) or (input_size,); hx like the returned state."""
        x = checks.array(
            "x",
            x,
            self.dtype,
            ndim=(1, 2),
            last_dim=self.input_size,
            layout="(batch, input_size) or unbatched (input_size,)",
        )
        batched = x.ndim == 2
        x2 = x if batched else x[None, :]
        states = self._read_state(hx, x2.shape[0], batched)
        _, final, cache = direction_forward(self.kernel, x2[None], states, self.params)
        self._cache = (cache, batched)
        final = tuple(s if batched else s[0] for s in final)
        return final if len(final) == 2 else final[0]

    __call__ = forward

    def backward(self, dhx):
        """dx, dhx_prev = cell.backward(dh) (LSTM: dh or (dh, dc)); grads in ``self.grads``."""
        if self._cache is None:
            raise RuntimeError(
                "backward() needs a forward() call first, to know what to differentiate"
            )
        cache, batched = self._cache
        batch = cache["x"].shape[1]
        names = self.kernel.state_names
        if len(names) == 2 and not isinstance(dhx, (tuple, list)):
            dhx = (dhx, None)
        parts = tuple(dhx) if len(names) == 2 else (dhx,)
        xp = backend.xp()
        shape = (batch, self.hidden_size) if batched else (self.hidden_size,)
        dstate = tuple(
            xp.zeros((batch, self.hidden_size), dtype=self.dtype)
            if part is None
            else self._read_state_part(f"dh ({name})", part, shape)
            for name, part in zip(names, parts)
        )
        dout = xp.zeros((1, batch, self.hidden_size), dtype=self.dtype)
        dx, dstate0, self.grads = direction_backward(self.kernel, dout, dstate, cache, self.params)
        dx = dx[0] if batched else dx[0, 0]
        dstate0 = tuple(d if batched else d[0] for d in dstate0)
        return dx, (dstate0 if len(names) == 2 else dstate0[0])

    def _read_state(self, hx, batch, batched, what="hx"):
        names = self.kernel.state_names
        shape = (batch, self.hidden_size) if batched else (self.hidden_size,)
        if hx is None:
            return tuple(
                backend.xp().zeros((batch, self.hidden_size), dtype=self.dtype) for _ in names
            )
        if len(names) == 2:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError(
                    f"{what} of an LSTMCell must be a pair (h, c) of arrays shaped {shape}"
                )
            parts = tuple(hx)
        elif isinstance(hx, (tuple, list)):
            raise TypeError(f"{what} must be one array shaped {shape}, got a {type(hx).__name__}")
        else:
            parts = (hx,)
        return tuple(
            self._read_state_part(f"{what} ({name})", part, shape)
            for name, part in zip(names, parts)
        )

    def _read_state_part(self, label, part, shape):
        part = checks.array(label, part, self.dtype)
        if tuple(part.shape) != shape:
            raise ValueError(
                f"{label} should have shape {shape} (batch, hidden_size) to match x, "
                f"got {tuple(part.shape)}"
            )
        return part if len(shape) == 2 else part[None, :]


class RNNCell(Cell):
    """h' = act(W_ih x + b_ih + W_hh h + b_hh), act = tanh or relu."""

    def __init__(
        self, input_size, hidden_size, bias=True, nonlinearity="tanh", dtype="float32", seed=None
    ):
        super().__init__(
            RNN(
                input_size,
                hidden_size,
                nonlinearity=nonlinearity,
                bias=bias,
                dtype=dtype,
                seed=seed,
            )
        )


class LSTMCell(Cell):
    """One LSTM step (see ``lib.functional.lstm_step``); peephole=True adds ``weight_peephole``."""

    def __init__(
        self, input_size, hidden_size, bias=True, dtype="float32", seed=None, peephole=False
    ):
        super().__init__(
            LSTM(input_size, hidden_size, bias=bias, dtype=dtype, seed=seed, peephole=peephole)
        )


class GRUCell(Cell):
    """One GRU step in PyTorch's convention (see ``lib.functional.gru_step``)."""

    def __init__(self, input_size, hidden_size, bias=True, dtype="float32", seed=None):
        super().__init__(GRU(input_size, hidden_size, bias=bias, dtype=dtype, seed=seed))
