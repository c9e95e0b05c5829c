"""Two models built on ``lib.attention``: a recurrent classifier that looks back over its own
states, and a causal self-attention layer with no recurrence at all.

    model = AttentionClassifier(lib.LSTM(8, 32, batch_first=True), num_classes=4)
    logits = model(x)                        # model.attention_weights: (batch, 1, seq_len)
    model.backward(dlogits)

    layer = SelfAttention(8, 32)             # drops into SequenceClassifier like lib.GRU
    model = lib.SequenceClassifier(layer, num_classes=4)
"""

import math

import numpy

from . import backend, checks
from .attention import attention_backward, scaled_dot_product_attention
from .linear import Linear
from .module import Module

QUERIES = ("last", "learned")


class LearnedQuery(Module):
    """One learned vector q: (hidden,), the same query for every sequence (params "weight")."""

    def __init__(self, hidden_size, dtype="float32", seed=None):
        super().__init__(dtype)
        bound = 1.0 / math.sqrt(hidden_size)
        values = numpy.random.default_rng(seed).uniform(-bound, bound, size=hidden_size)
        self.params["weight"] = backend.xp().asarray(values, dtype=self.dtype)  # host -> backend

    def forward(self, h_last):
        """q for every row of h_last: (batch, hidden) -> (batch, hidden); h_last is not read."""
        return backend.xp().broadcast_to(self.params["weight"], h_last.shape)

    def backward(self, dquery):
        """Sums dquery over the batch into grads["weight"]; returns dh_last, zeros."""
        self.grads = {"weight": dquery.sum(axis=0)}
        return backend.xp().zeros_like(dquery)


class AttentionClassifier:
    """Class scores from a recurrent model's last state and a look back over all its states.

        states = rnn(x)                                   (batch, seq_len, hidden)
        q = W_q h_T + b_q  (query="last")  or  q = a learned vector  (query="learned")
        context, weights = attention(q, states, states)   weights: (batch, 1, seq_len)
        logits = W [context, h_T] + b                     (batch, num_classes)

    Keys and values are the states themselves (Bahdanau et al. 2015 look back over an
    encoder's states the same way). rnn: a lib recurrent model built with
    batch_first=True, one direction. ``attention_weights`` keeps the latest forward's weights.
    """

    def __init__(self, rnn, num_classes, query="last", seed=None):
        if not getattr(rnn, "batch_first", False) or getattr(rnn, "num_directions", 1) != 1:
            raise ValueError(
                "the recurrent model must be built with batch_first=True and one direction "
                "(the tasks in lib.tasks give x as (batch, seq_len, features))"
            )
        if query not in QUERIES:
            raise ValueError(f"query must be one of {QUERIES}, got {query!r}")
        self.rnn = rnn
        size = rnn.hidden_size
        if query == "last":
            self.query = Linear(size, size, dtype=rnn.dtype, seed=seed)
        else:
            self.query = LearnedQuery(size, dtype=rnn.dtype, seed=seed)
        self.head = Linear(2 * size, num_classes, dtype=rnn.dtype, seed=seed)
        self.num_classes = self.head.out_features
        self.attention_weights = None
        self._cache = None

    @property
    def modules(self):
        """The modules whose parameters an optimizer updates: [rnn, query, head]."""
        return [self.rnn, self.query, self.head]

    def __call__(self, x):
        return self.forward(x)

    def forward(self, x):
        """x: (batch, seq_len, input_size) -> logits: (batch, num_classes)."""
        x = checks.array("x", x, self.rnn.dtype, ndim=3, layout="(batch, seq_len, input_size)")
        states, _ = self.rnn(x)
        h_last = states[:, -1]
        query = self.query.forward(h_last)[:, None, :]
        context, self.attention_weights = scaled_dot_product_attention(query, states, states)
        self._cache = (states, query)
        return self.head(backend.xp().concatenate([context[:, 0], h_last], axis=-1))

    def backward(self, dlogits):
        """Backpropagate through head, attention, query and rnn; fills every module's grads."""
        if self._cache is None:
            raise RuntimeError("backward was called before forward; call model(x) first")
        states, query = self._cache
        size = self.rnn.hidden_size
        dfeatures = self.head.backward(dlogits)
        dcontext, dh_last = dfeatures[:, None, :size], dfeatures[:, size:]
        weights = self.attention_weights
        dquery, dkeys, dvalues = attention_backward(dcontext, query, states, states, weights)
        dstates = dkeys + dvalues
        dstates[:, -1] += dh_last + self.query.backward(dquery[:, 0])
        dx, _ = self.rnn.backward(dstates)
        return dx


class SelfAttention(Module):
    """Causal self-attention layers with no recurrence: each step looks at all earlier steps.

        s = x W_in^T + b_in + P                      P: sinusoidal positions (Vaswani et al.)
        for each layer:
            q, k, v = s W_qkv^T + b_qkv              (one head)
            s = s + attention(q, k, v, causal) W_o^T + b_o

    out = s: (batch, seq_len, hidden_size), like a recurrent model's out, so that it drops
    into ``lib.SequenceClassifier``. Each layer is torch.nn.MultiheadAttention with one head
    (keys ``layers.{k}.in_proj_weight``, ``layers.{k}.out_proj.weight``, ...) plus the
    residual; there is no feed-forward block and no layer norm.
    Returns (out, weights), weights: one (batch, seq_len, seq_len) array per layer.
    """

    num_directions = 1

    def __init__(
        self,
        input_size,
        hidden_size,
        num_layers=1,
        causal=True,
        batch_first=True,
        dtype="float32",
        seed=None,
    ):
        super().__init__(dtype)
        self.input_size = checks.positive_int("input_size", input_size)
        self.hidden_size = checks.positive_int("hidden_size", hidden_size)
        self.num_layers = checks.positive_int("num_layers", num_layers)
        if batch_first is not True:
            raise ValueError("SelfAttention works batch-first only: x is (batch, seq_len, input)")
        self.batch_first, self.causal = True, bool(causal)
        rng = numpy.random.default_rng(seed)
        self.linears = {"input_proj": Linear(input_size, hidden_size, dtype=dtype, seed=rng)}
        for layer in range(self.num_layers):
            size = self.hidden_size
            self.linears[f"layers.{layer}.in_proj"] = Linear(size, 3 * size, dtype=dtype, seed=rng)
            self.linears[f"layers.{layer}.out_proj"] = Linear(size, size, dtype=dtype, seed=rng)
        self.params = {
            _param_name(prefix, key): value
            for prefix, linear in self.linears.items()
            for key, value in linear.params.items()
        }
        self._cache = None

    def __repr__(self):
        return (
            f"SelfAttention({self.input_size}, {self.hidden_size}, num_layers={self.num_layers}, "
            f"causal={self.causal}, dtype={self.dtype})"
        )

    def __call__(self, x, hx=None):
        return self.forward(x, hx)

    def forward(self, x, hx=None):
        """x: (batch, seq_len, input_size) -> out: (batch, seq_len, hidden), weights per layer."""
        if hx is not None:
            raise ValueError("SelfAttention has no state to start from; call it with x only")
        x = checks.array(
            "x", x, self.dtype, ndim=3, last_dim=self.input_size, layout="(batch, seq_len, input)"
        )
        if 0 in x.shape:
            raise ValueError(f"x has an empty dimension: shape {tuple(x.shape)}")
        positions = positional_encoding(x.shape[1], self.hidden_size, self.dtype)
        stream = self.linears["input_proj"](x) + positions
        caches, all_weights = [], []
        for layer in range(self.num_layers):
            qkv = self.linears[f"layers.{layer}.in_proj"](stream)
            query, key, value = (backend.xp().ascontiguousarray(part) for part in _thirds(qkv))
            mixed, weights = scaled_dot_product_attention(query, key, value, causal=self.causal)
            stream = stream + self.linears[f"layers.{layer}.out_proj"](mixed)
            caches.append((query, key, value, weights))
            all_weights.append(weights)
        self._cache = caches
        return stream, all_weights

    def backward(self, dout=None, dh_n=None):
        """dx, None = layer.backward(dout) after the latest forward; parameter grads in ``grads``.

        Layers are undone last first; each Linear keeps the input of its latest call, so
        the forward must have been the latest call (as for every lib model).
        """
        if self._cache is None:
            raise RuntimeError(
                "backward() needs a forward() call first, to know what to differentiate"
            )
        if dout is None:
            raise ValueError("SelfAttention.backward needs dout (its only output is out)")
        xp = backend.xp()
        query = self._cache[0][0]
        expected = query.shape[:2] + (self.hidden_size,)
        dstream = checks.array("dout", dout, self.dtype, ndim=3)
        if tuple(dstream.shape) != expected:
            raise ValueError(
                f"dout should have the shape of out, {expected}, got {tuple(dstream.shape)}"
            )
        for layer in reversed(range(self.num_layers)):
            query, key, value, weights = self._cache[layer]
            dmixed = self.linears[f"layers.{layer}.out_proj"].backward(dstream)
            dparts = attention_backward(dmixed, query, key, value, weights)
            dstream = dstream + self.linears[f"layers.{layer}.in_proj"].backward(
                xp.concatenate(dparts, axis=-1)
            )
        dx = self.linears["input_proj"].backward(dstream)
        self.grads = {
            _param_name(prefix, key): value
            for prefix, linear in self.linears.items()
            for key, value in linear.grads.items()
        }
        return dx, None


def positional_encoding(seq_len, size, dtype="float32"):
    """P: (seq_len, size), P[t, 2j] = sin(t / 10000^(2j/size)), P[t, 2j+1] = cos(the same).

    Vaswani et al. (2017): attention alone does not know where a key sits; adding P to
    every input lets it tell position 3 from position 30.
    """
    xp = backend.xp()
    positions = xp.arange(seq_len)[:, None]
    frequencies = 10000.0 ** (-xp.arange(0, size, 2) / size)  # (ceil(size / 2),)
    angles = positions * frequencies
    encoding = xp.empty((seq_len, size), dtype=checks.parse_dtype(dtype))
    encoding[:, 0::2] = xp.sin(angles)
    encoding[:, 1::2] = xp.cos(angles[:, : size // 2])
    return encoding


def _thirds(qkv):
    size = qkv.shape[-1] // 3
    return qkv[..., :size], qkv[..., size : 2 * size], qkv[..., 2 * size :]


def _param_name(prefix, key):
    """torch's names: input_proj.weight, layers.0.in_proj_weight, layers.0.out_proj.bias."""
    if prefix.endswith(".in_proj"):
        return f"{prefix}_{key}"
    return f"{prefix}.{key}"
