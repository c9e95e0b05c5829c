"""A lookup table of learned vectors, one per token: the first layer of a language model."""

import numpy

from . import backend, checks
from .module import Module


class Embedding(Module):
    """out = weight[ids], like ``torch.nn.Embedding``.

    weight: (num_embeddings, embedding_dim), drawn from N(0, 1) as torch does.
    ids: integer array of any shape (...) -> out: (..., embedding_dim).
    padding_idx: the row of that id starts at zero and never receives a gradient
    (for a padding token), as in torch.

    Looking up row k is the same as multiplying a one-hot vector by ``weight``, so the
    gradient of row k is the sum of the output gradients at every position that holds
    k: an id used 5 times in a batch collects 5 gradients.
    """

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, dtype="float32", seed=None):
        super().__init__(dtype)
        self.num_embeddings = checks.positive_int("num_embeddings", num_embeddings)
        self.embedding_dim = checks.positive_int("embedding_dim", embedding_dim)
        self.padding_idx = self._read_padding_idx(padding_idx)
        values = numpy.random.default_rng(seed).standard_normal((num_embeddings, embedding_dim))
        if self.padding_idx is not None:
            values[self.padding_idx] = 0.0
        self.params["weight"] = backend.xp().asarray(values, dtype=self.dtype)  # host -> backend
        self._ids = None

    def _read_padding_idx(self, padding_idx):
        """padding_idx in 0..num_embeddings-1 (torch also accepts -1 for the last row)."""
        if padding_idx is None:
            return None
        if isinstance(padding_idx, bool) or not isinstance(padding_idx, int):
            raise TypeError(f"padding_idx must be an integer or None, got {padding_idx!r}")
        if not -self.num_embeddings <= padding_idx < self.num_embeddings:
            raise ValueError(
                f"padding_idx must lie in -{self.num_embeddings}..{self.num_embeddings - 1}, "
                f"got {padding_idx}"
            )
        return padding_idx % self.num_embeddings

    def __repr__(self):
        return (
            f"Embedding({self.num_embeddings}, {self.embedding_dim}, "
            f"padding_idx={self.padding_idx}, dtype={self.dtype!r})"
        )

    def __call__(self, ids):
        return self.forward(ids)

    def forward(self, ids):
        """out = weight[ids].  ids: (...) ints in 0..num_embeddings-1 -> (..., embedding_dim)."""
        self._ids = self._checked_ids(ids)
        return self.params["weight"][self._ids]

    def backward(self, dout):
        """dweight[k] = sum of dout at every position where ids == k; fills ``grads``.

        dout: (..., embedding_dim), shaped like the latest output. ``dW[ids] += dout``
        would be wrong: NumPy applies a fancy-indexed ``+=`` once per distinct index, so
        a repeated id keeps only one of its gradients. ``add.at`` adds every one.
        Returns None: integer ids have no gradient.
        """
        if self._ids is None:
            raise RuntimeError("Embedding.backward was called before forward; call emb(ids) first")
        expected = self._ids.shape + (self.embedding_dim,)
        dout = checks.array("dout", dout, self.dtype, ndim=len(expected))
        if dout.shape != expected:
            raise ValueError(
                f"dout should have the shape of the latest output {expected}, "
                f"got {tuple(dout.shape)}"
            )
        xp = backend.xp()
        dweight = xp.zeros_like(self.params["weight"])
        xp.add.at(dweight, self._ids.reshape(-1), dout.reshape(-1, self.embedding_dim))
        if self.padding_idx is not None:
            dweight[self.padding_idx] = 0.0
        self.grads = {"weight": dweight}

    def _checked_ids(self, ids):
        """``ids`` as an int64 backend array whose values are valid rows."""
        if ids is None:
            raise TypeError("ids is None; expected an array of integer token ids")
        raw = backend.asarray(ids)
        if raw.dtype.kind not in "iu":
            raise TypeError(
                f"ids must be integer token ids, got dtype {raw.dtype}; "
                "convert them with ids.astype('int64')"
            )
        if raw.size and (int(raw.min()) < 0 or int(raw.max()) >= self.num_embeddings):
            raise IndexError(
                f"ids must lie in 0..{self.num_embeddings - 1} (the embedding has "
                f"{self.num_embeddings} rows), got values from {int(raw.min())} to {int(raw.max())}"
            )
        return raw.astype("int64", copy=False)
