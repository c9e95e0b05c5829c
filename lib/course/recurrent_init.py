"""Fair starting points for a plain RNN: recurrent weights that neither shrink nor grow.

A gated cell gets a head start from its keep-gate bias (``lib.set_keep_gate_bias``), a
choice of initialisation. A plain RNN compared with it deserves a choice of the same
care: recurrent weights whose singular values are all 1, so that at the start W_hh
neither shrinks nor blows up a gradient (the identity of Le et al. 2015's IRNN is one
such matrix; a random orthogonal matrix is another).

    rnn = lib.RNN(8, 16, seed=0)
    orthogonal_recurrent(rnn, seed=0)      # every H x H block of W_hh: a random rotation
"""

import numpy

from lib import backend
from lib.recurrent import GRU, LSTM, RNN


def random_orthogonal(size, rng):
    """A (size, size) orthogonal matrix drawn uniformly (Haar) with the generator ``rng``."""
    q, r = numpy.linalg.qr(rng.standard_normal((size, size)))
    return q * numpy.sign(numpy.diag(r))  # the signs make the draw uniform


def orthogonal_recurrent(model, scale=1.0, seed=0):
    """Set every H x H gate block of every ``weight_hh_*`` to ``scale`` x a random rotation.

    model: a lib RNN, LSTM or GRU (any layers and directions); its singular values of
    each block all become ``scale``. The blocks are drawn in the order of
    ``model.params``, from ``numpy.random.default_rng(seed)``. Returns the model.
    """
    if not isinstance(model, (RNN, LSTM, GRU)):
        raise TypeError(f"model must be a lib RNN, LSTM or GRU, got {type(model).__name__}")
    if not scale >= 0:
        raise ValueError(f"scale must be a number >= 0, got {scale!r}")
    rng = numpy.random.default_rng(seed)
    size = model.hidden_size
    for name, weight in model.params.items():
        if not name.startswith("weight_hh"):
            continue
        for block in range(weight.shape[0] // size):
            rows = slice(block * size, (block + 1) * size)
            weight[rows] = backend.asarray(scale * random_orthogonal(size, rng), weight.dtype)
    return model
