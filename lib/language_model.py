"""A character-level language model: embedding, recurrent network, readout at every step.

    model = LanguageModel(vocab_size=63, embedding_dim=32, hidden_size=128, cell="LSTM")
    logits, state = model(x, state)           # x: (seq_len, batch) ids -> (seq_len, batch, 63)
    loss, dlogits = cross_entropy(logits, y)  # y: x shifted by one character
    model.backward(dlogits)                   # gradients of every parameter, in .grads

Training reads the text in order (teacher forcing: the true previous character goes in
at every step); generating feeds the model its own samples (``sample``).
"""

import itertools
import math
import numbers

import numpy

from . import backend, checks
from .embedding import Embedding
from .functional import softmax
from .linear import Linear
from .losses import cross_entropy
from .module import Composite
from .optim import clip_grad_norm
from .recurrent import GRU, LSTM, RNN
from .text import bptt_batches

CELLS = {"RNN": RNN, "LSTM": LSTM, "GRU": GRU}


class LanguageModel(Composite):
    """Next-token scores: logits_t = decoder(rnn(embedding(x))_t) for every step t.

    x: (seq_len, batch) integer ids, time first as in PyTorch's word_language_model
    (or unbatched (seq_len,)) -> logits: (seq_len, batch, vocab_size) and the final
    state of the recurrent network. ``state_dict`` keys are those of a torch module
    with attributes ``embedding`` (nn.Embedding), ``rnn`` (nn.RNN/LSTM/GRU) and
    ``decoder`` (nn.Linear): ``embedding.weight``, ``rnn.weight_ih_l0``, ...,
    ``decoder.weight``, ``decoder.bias``.
    cell: "RNN", "LSTM" or "GRU"; dropout: between stacked layers (num_layers > 1).
    """

    child_names = ("embedding", "rnn", "decoder")

    def __init__(
        self,
        vocab_size,
        embedding_dim,
        hidden_size,
        num_layers=1,
        cell="LSTM",
        dropout=0.0,
        dtype="float32",
        seed=None,
    ):
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {sorted(CELLS)}, got {cell!r}")
        self.cell = cell
        seeds = numpy.random.SeedSequence(seed).spawn(3)
        self.embedding = Embedding(vocab_size, embedding_dim, dtype=dtype, seed=seeds[0])
        self.rnn = CELLS[cell](
            embedding_dim, hidden_size, num_layers, dropout=dropout, dtype=dtype, seed=seeds[1]
        )
        self.decoder = Linear(hidden_size, vocab_size, dtype=dtype, seed=seeds[2])
        self.vocab_size = self.embedding.num_embeddings
        self.dtype = self.rnn.dtype

    def __repr__(self):
        return (
            f"LanguageModel(vocab_size={self.vocab_size}, "
            f"embedding_dim={self.embedding.embedding_dim}, "
            f"hidden_size={self.rnn.hidden_size}, num_layers={self.rnn.num_layers}, "
            f"cell={self.cell!r}, dropout={self.rnn.dropout}, dtype={self.dtype!r})"
        )

    def __call__(self, x, hx=None):
        return self.forward(x, hx)

    def forward(self, x, hx=None):
        """logits, state = model(x, hx).  x: (seq_len, batch) ids -> (seq_len, batch, vocab)."""
        x = backend.asarray(x)
        if x.ndim not in (1, 2):
            raise ValueError(
                f"x should be (seq_len, batch) ids, or unbatched (seq_len,), got shape {x.shape}"
            )
        out, state = self.rnn(self.embedding(x), hx)
        return self.decoder(out), state

    def backward(self, dlogits, dh_n=None):
        """Gradients of the latest forward into every module's ``grads``; returns dhx.

        dhx, the gradient of the initial state, is where truncated BPTT stops: a
        training loop that carried the state in from the previous window drops it.
        """
        dout = self.decoder.backward(dlogits)
        dembedded, dhx = self.rnn.backward(dout, dh_n)
        self.embedding.backward(dembedded)
        return dhx


def text_pass(
    model, ids, batch, seq_len, optimizer=None, clip=None, max_windows=None, on_window=None
):
    """One pass over a text in order; returns the mean cross-entropy per character (nats).

    ids: (n,) the text as ids, cut by ``lib.text.bptt_batches`` into ``batch`` streams
    and windows of ``seq_len``. The final state of each window is the initial state of
    the next (stateful truncated BPTT): the model remembers across windows, while each
    backward stops at the window's start. With an optimizer, each window is a training
    step (clip: max gradient norm); without one the model is evaluated, in eval mode.
    max_windows: stop after that many windows; on_window(index, loss): called after each
    window (for example to record a learning curve or print a sample as training goes).
    """
    was_training = model.training
    model.train(optimizer is not None)
    state, total, count = None, 0.0, 0
    windows = bptt_batches(ids, batch, seq_len)
    if max_windows is not None:
        windows = itertools.islice(windows, checks.positive_int("max_windows", max_windows))
    try:
        for index, (x, y) in enumerate(windows):
            logits, state = model(x, state)
            loss, dlogits = cross_entropy(logits, y)
            if optimizer is not None:
                model.backward(dlogits)  # the carried state gets no gradient: truncation
                if clip is not None:
                    clip_grad_norm(model.modules, clip)
                optimizer.step()
            total, count = total + loss * y.size, count + y.size
            if on_window is not None:
                on_window(index, loss)
    finally:
        model.train(was_training)
    if not math.isfinite(total):
        raise FloatingPointError("the loss became infinite or NaN: lower the learning rate")
    return total / count


def perplexity(loss):
    """exp(loss): the loss is a mean cross-entropy in nats per character.

    A model with perplexity P is as unsure, on average, as one choosing uniformly among
    P characters: a uniform guess over a 63-character vocabulary has perplexity 63.
    """
    if isinstance(loss, bool) or not isinstance(loss, numbers.Real) or not loss >= 0:
        raise ValueError(f"loss must be a mean cross-entropy >= 0 (nats), got {loss!r}")
    return math.exp(loss)


def softmax_with_temperature(logits, temperature=1.0):
    """p = softmax(logits / temperature).  logits: (..., vocab) -> p: (..., vocab).

    temperature < 1 sharpens the distribution (towards always the likeliest token),
    > 1 flattens it (towards uniform); 1 leaves the model's own distribution.
    """
    temperature = _positive("temperature", temperature)
    return softmax(_logits(logits) / temperature, axis=-1)


def top_k_logits(logits, k):
    """logits with every entry below the k largest of its row set to -inf.

    logits: (..., vocab). After softmax only the k likeliest tokens can be drawn (ties
    at the k-th value are all kept).
    """
    logits = _logits(logits)
    vocab = logits.shape[-1]
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or not 1 <= k <= vocab:
        raise ValueError(f"top_k must be an integer in 1..{vocab} (the vocabulary), got {k!r}")
    xp = backend.xp()
    kth = xp.sort(logits, axis=-1)[..., vocab - k, None]
    return xp.where(logits < kth, -xp.inf, logits)


def sample(model, vocab, prime, length, temperature=1.0, top_k=None, seed=None):
    """prime + ``length`` characters generated by ``model``, each fed back as the next input.

    The model reads ``prime`` (teacher forcing, one forward over it), then at each step
    draws the next character from softmax(logits / temperature), restricted to the
    ``top_k`` likeliest if given, and reads it in turn. Runs in eval mode (no dropout).
    vocab: a ``lib.text.CharVocabulary``; seed: the draws' random generator.
    """
    if not isinstance(prime, str) or not prime:
        raise ValueError("prime must be a non-empty string: the text the sample continues")
    length = checks.positive_int("length", length)
    _positive("temperature", temperature)
    if len(vocab) != model.vocab_size:
        raise ValueError(
            f"the vocabulary has {len(vocab)} characters but the model {model.vocab_size}"
        )
    rng = numpy.random.default_rng(seed)
    was_training = model.training
    model.eval()
    try:
        logits, state = model(vocab.encode(prime)[:, None])
        drawn = []
        for _ in range(length):
            scores = logits[-1, 0]
            if top_k is not None:
                scores = top_k_logits(scores, top_k)
            p = backend.to_numpy(softmax_with_temperature(scores, temperature)).astype(float)
            drawn.append(int(rng.choice(len(p), p=p / p.sum())))
            logits, state = model(backend.xp().asarray([[drawn[-1]]]), state)
    finally:
        model.train(was_training)
    return prime + vocab.decode(numpy.array(drawn))


def _positive(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def _logits(value):
    """Scores (..., vocab) as a float array (float64 stays float64); -inf allowed, NaN not."""
    dtype = "float64" if str(getattr(value, "dtype", "")) == "float64" else "float32"
    logits = checks.array("logits", value, dtype, finite=False)
    if logits.ndim == 0:
        raise ValueError("logits should have at least 1 dimension (..., vocab), got a scalar")
    if bool(backend.xp().isnan(logits).any()):
        raise ValueError("logits contain NaN; check the model's weights and the learning rate")
    return logits
