"""A recurrent model with a linear readout on top: the whole network the chapters train.

rnn = lib.LSTM(input_size=8, hidden_size=32, batch_first=True)
model = SequenceClassifier(rnn, num_classes=4)      # readout="last"
logits = model(x)                                   # x: (batch, seq_len, 8) -> (batch, 4)
loss, dlogits = cross_entropy(logits, y)
model.backward(dlogits)                             # fills rnn.grads and head.grads
"""

from . import backend, checks
from .linear import Linear
from .module import Composite

READOUTS = ("last", "all")


class SequenceRegressor(Composite):
    """y = Linear(features of rnn(x)): real-valued predictions from a sequence.

    readout="last": one prediction per sequence from the final state of each direction
    (forward at the last step, backward at the first), (batch, out_features);
    readout="all": one per time step, (batch, seq_len, out_features);
    readout=k (an int): one for each of the last k steps, (batch, k, out_features), for
    answers given at the end of a sequence (``lib.tasks.selective_copying``).
    rnn: a lib RNN, LSTM or GRU built with batch_first=True; x: (batch, seq_len, input_size).
    ``state_dict`` keys: "rnn.weight_ih_l0", ..., "head.weight", "head.bias".
    """

    child_names = ("rnn", "head")

    def __init__(self, rnn, out_features, readout="last", seed=None):
        if not getattr(rnn, "batch_first", False):
            raise ValueError(
                "the recurrent model must be built with batch_first=True "
                "(the tasks in lib.tasks give x as (batch, seq_len, features))"
            )
        if isinstance(readout, str) and readout not in READOUTS:
            raise ValueError(
                f"readout must be one of {READOUTS} or a number of final steps, got {readout!r}"
            )
        if not isinstance(readout, str):
            readout = checks.positive_int("readout (a number of final steps)", readout)
        self.rnn = rnn
        self.readout = readout
        width = rnn.num_directions * rnn.hidden_size
        self.head = Linear(width, out_features, dtype=rnn.dtype, seed=seed)
        self._out = None
        self._last = None

    def __call__(self, x, lengths=None):
        return self.forward(x, lengths)

    def forward(self, x, lengths=None):
        """x: (batch, seq_len, input_size) -> (batch, out) or (batch, seq_len, out).

        lengths: optional (batch,) true lengths of a padded batch (see ``rnn.forward``);
        readout "last" then reads each sequence at its own last step.
        """
        x = checks.array("x", x, self.rnn.dtype, ndim=3, layout="(batch, seq_len, input_size)")
        # (batch, seq_len, num_directions * hidden); layers without padding support (such as
        # SelfAttention) are called without lengths
        self._out, _ = self.rnn(x) if lengths is None else self.rnn(x, lengths=lengths)
        if lengths is None:
            self._last = backend.xp().full(x.shape[0], x.shape[1] - 1)
        else:
            self._last = backend.asarray(lengths) - 1
        return self.head(self._features(self._out))

    def backward(self, dy):
        """Backpropagate dy (shaped like forward's result) through head and rnn; returns dx."""
        if self._out is None:
            raise RuntimeError("backward was called before forward; call model(x) first")
        dfeatures = self.head.backward(dy)
        dx, _ = self.rnn.backward(self._features_grad(dfeatures))
        return dx

    def _features(self, out):
        """readout "all": out itself; "last": [forward half at t=-1, backward half at t=0];
        k: out at the last k steps."""
        if self.readout == "all":
            return out
        if isinstance(self.readout, int):
            return self._final_steps(out)
        size, rows = self.rnn.hidden_size, backend.xp().arange(out.shape[0])
        return backend.xp().concatenate([out[rows, self._last, :size], out[:, 0, size:]], axis=-1)

    def _features_grad(self, dfeatures):
        """The gradient for the whole of rnn's output, given the one for its features."""
        if self.readout == "all":
            return dfeatures
        dout = backend.xp().zeros_like(self._out)
        if isinstance(self.readout, int):
            dout[:, -self.readout :] = dfeatures
            return dout
        size, rows = self.rnn.hidden_size, backend.xp().arange(self._out.shape[0])
        dout[rows, self._last, :size] = dfeatures[:, :size]
        dout[:, 0, size:] = dfeatures[:, size:]
        return dout

    def _final_steps(self, out):
        if out.shape[1] < self.readout:
            raise ValueError(
                f"readout={self.readout} reads the last {self.readout} steps, but the "
                f"sequences have only {out.shape[1]}"
            )
        return out[:, -self.readout :]


class SequenceClassifier(SequenceRegressor):
    """Class scores (logits) from a sequence: train with ``lib.losses.cross_entropy``.

    readout="last": (batch, num_classes), one label per sequence;
    readout="all": (batch, seq_len, num_classes), one label per time step;
    readout=k: (batch, k, num_classes), one label for each of the last k steps.
    """

    def __init__(self, rnn, num_classes, readout="last", seed=None):
        super().__init__(rnn, num_classes, readout=readout, seed=seed)
        self.num_classes = self.head.out_features
