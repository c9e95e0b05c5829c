"""minGRU and minLSTM (Feng et al. 2024, "Were RNNs all we needed?"): gates that read x_t only.

    minGRU:   z_t = sigma(W_z x_t + b_z),   h~_t = W_h x_t + b_h
              h_t = (1 - z_t) * h_{t-1} + z_t * h~_t
    minLSTM:  i_t = sigma(W_i x_t + b_i),   f_t = sigma(W_f x_t + b_f),   h~_t = W_h x_t + b_h
              h_t = f_t / (f_t + i_t) * h_{t-1} + i_t / (f_t + i_t) * h~_t

Compare ``lib.GRU``, where z_t, r_t and the candidate also read h_{t-1} through W_hh:
here no gate sees the state, so there is no ``weight_hh`` at all, every matrix product
runs on all time steps at once before the recurrence, and what is left,
h_t = a_t * h_{t-1} + b_t, is a linear recurrence that ``lib.scan`` computes with a loop,
a parallel scan or cumulative sums (``scan=`` picks; all give the same numbers).

    model = MinGRU(input_size=8, hidden_size=32, batch_first=True, scan="parallel")
    out, h_n = model(x)               # x: (batch, seq_len, 8); h_n: (1, batch, 32)
    dx, dh0 = model.backward(dout)    # parameter gradients in model.grads

Everything else is ``lib.GRU``'s: torch-style keys (``weight_ih_l0``, ``bias_ih_l0``,
gate blocks z, h~ for minGRU and i, f, h~ for minLSTM, the order of torch's GRU and LSTM
without the gates that are gone), stacking, bidirectional, the same input checks.
"""

from . import backend
from .functional import sigmoid
from .recurrent import Recurrent
from .scan import METHODS, backward_unchecked, form


class MinGRUKernel:
    """The time loop of one minGRU layer: h_t = keep_t * h_{t-1} + write_t * h~_t.

    write_t = z_t = sigma(u_t) and keep_t = 1 - z_t = sigma(-u_t), both from the write
    logit u_t, which for the minGRU is W_z x_t + b_z itself.
    """

    gates = 2
    state_names = ("h",)
    reads_previous_state = False

    def __init__(self, scan="parallel"):
        if scan not in METHODS:
            raise ValueError(f"scan must be one of {METHODS}, got {scan!r}")
        self.scan = scan

    def write_logit(self, xw):
        """u_t, h~_t and what the backward pass needs, from xw: (seq_len, batch, gates * H)."""
        size = xw.shape[-1] // self.gates
        return xw[..., :size], xw[..., size:], {}

    def write_logit_backward(self, du, dcandidate, saved):
        """dL/dxw from dL/du and dL/dh~."""
        return backend.xp().concatenate([du, dcandidate], axis=-1)

    def forward(self, xw, state, weight_hh=None, bias_hh=None, extra=None, padded=None):
        """padded: None or (seq_len, batch, 1) bool; there keep = 1 and write = 0, so the
        state is held through the padding (as the other kernels hold it)."""
        u, candidate, saved = self.write_logit(xw)
        write = sigmoid(u)
        keep = 1 - write
        if padded is not None:
            xp = backend.xp()
            keep, write = xp.where(padded, 1.0, keep), xp.where(padded, 0.0, write)
        hs = form(self.scan)(keep, write * candidate, state[0])
        h_prev = backend.xp().concatenate([state[0][None], hs[:-1]])
        cache = {"h_prev": h_prev, "write": write, "keep": keep, "candidate": candidate}
        cache.update(saved)
        return hs, (hs[-1],), cache

    def backward(self, dout, dstate, cache, weight_hh=None, extra=None, padded=None):
        """dxw, None (there are no recurrent weights), (dh0,), {} from dL/dh_t and dL/dh_T.

        With a = keep, b = write * h~ and (da, db) from ``scan_backward``:
        dh~ = db * write,  dwrite = db * h~ - da (keep = 1 - write),
        du = dwrite * write * keep (the sigmoid's slope).
        """
        write, keep, candidate = cache["write"], cache["keep"], cache["candidate"]
        dh = dout.copy() if padded is None else backend.xp().where(padded, 0.0, dout)
        dh[-1] += dstate[0]
        dkeep, db, dh0 = backward_unchecked(keep, cache["h_prev"], dh, self.scan)
        du = (db * candidate - dkeep) * write * keep
        return self.write_logit_backward(du, db * write, cache), None, (dh0,), {}


class MinLSTMKernel(MinGRUKernel):
    """minLSTM: the same recurrence with write_t = i_t / (f_t + i_t) = sigma(log i_t - log f_t).

    u_t = log i_t - log f_t = softplus(-W_f x_t - b_f) - softplus(-W_i x_t - b_i), computed
    from the logits so that f + i never rounds to 0. Gate blocks of xw: i, f, h~.
    """

    gates = 3

    def write_logit(self, xw):
        xp = backend.xp()
        size = xw.shape[-1] // 3
        logit_i, logit_f = xw[..., :size], xw[..., size : 2 * size]
        u = xp.logaddexp(0, -logit_f) - xp.logaddexp(0, -logit_i)
        return u, xw[..., 2 * size :], {"logit_i": logit_i, "logit_f": logit_f}

    def write_logit_backward(self, du, dcandidate, saved):
        """du/dlogit_i = 1 - i = sigma(-logit_i), du/dlogit_f = -(1 - f) = -sigma(-logit_f)."""
        di = du * sigmoid(-saved["logit_i"])
        df = -du * sigmoid(-saved["logit_f"])
        return backend.xp().concatenate([di, df, dcandidate], axis=-1)


class MinGRU(Recurrent):
    """minGRU, gate blocks z, h~: h_t = (1 - z_t) h_{t-1} + z_t h~_t, gates from x_t only.

    scan: "parallel" (Hillis-Steele, log2 seq_len sweeps), "sequential" (the loop) or
    "cumulative" (log-space cumulative sums); see ``lib.scan``. Other arguments as lib.GRU.
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
        scan="parallel",
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
            kernel=self.kernel_class(scan),
        )

    kernel_class = MinGRUKernel

    def keep_gate_biases(self, value):
        """[(rows, bias)] that make the keep factor 1 - z = sigma(-b_z) equal sigma(value)."""
        return [(slice(0, self.hidden_size), -value)]

    @property
    def scan(self):
        """How the recurrence is computed: "parallel", "sequential" or "cumulative"."""
        return self.kernel.scan

    @scan.setter
    def scan(self, method):
        self.kernel = self.kernel_class(method)


class MinLSTM(MinGRU):
    """minLSTM, gate blocks i, f, h~: h_t = (f_t h_{t-1} + i_t h~_t) / (f_t + i_t)."""

    kernel_class = MinLSTMKernel

    def keep_gate_biases(self, value):
        """b_i = -value, b_f = value: keep = f / (f + i) = sigma(v) / (sigma(v) + sigma(-v))
        = sigma(value), since sigma(v) + sigma(-v) = 1."""
        size = self.hidden_size
        return [(slice(0, size), -value), (slice(size, 2 * size), value)]
