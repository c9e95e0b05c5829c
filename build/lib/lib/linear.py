"""A fully connected layer, y = x W^T + b, the readout on top of every recurrent model."""

import math

import numpy

from . import backend, checks
from .module import Module


class Linear(Module):
    """y = x @ weight.T + bias, like ``torch.nn.Linear``.

    weight: (out_features, in_features), bias: (out_features,), both drawn from
    uniform(-1/sqrt(in_features), 1/sqrt(in_features)) as torch does.
    x: (..., in_features) with any leading dimensions -> y: (..., out_features).
    """

    def __init__(self, in_features, out_features, bias=True, dtype="float32", seed=None):
        super().__init__(dtype)
        self.in_features = checks.positive_int("in_features", in_features)
        self.out_features = checks.positive_int("out_features", out_features)
        rng = numpy.random.default_rng(seed)
        bound = 1.0 / math.sqrt(self.in_features)
        shapes = {"weight": (self.out_features, self.in_features)}
        if bias:
            shapes["bias"] = (self.out_features,)
        for key, shape in shapes.items():
            values = rng.uniform(-bound, bound, size=shape)
            self.params[key] = backend.xp().asarray(values, dtype=self.dtype)  # host -> backend
        self._x = None

    def __repr__(self):
        has_bias = "bias" in self.params
        return (
            f"Linear(in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={has_bias}, dtype={self.dtype!r})"
        )

    def __call__(self, x):
        return self.forward(x)

    def forward(self, x):
        """y = x W^T + b.  x: (..., in_features) -> y: (..., out_features)."""
        self._x = self._checked("x", x, self.in_features, "(..., in_features)")
        y = self._x @ self.params["weight"].T
        return y + self.params["bias"] if "bias" in self.params else y

    def backward(self, dy):
        """Gradients of the latest forward; fills ``grads`` and returns dx.

        dW = dy^T x and db = sum(dy), summed over every leading dimension;
        dx = dy W.  dy: (..., out_features) -> dx: (..., in_features).
        """
        if self._x is None:
            raise RuntimeError("Linear.backward was called before forward; call lin(x) first")
        dy = self._checked("dy", dy, self.out_features, "(..., out_features)")
        expected = self._x.shape[:-1] + (self.out_features,)
        if dy.shape != expected:
            raise ValueError(
                f"dy should have the shape of the latest output {expected}, got {tuple(dy.shape)}"
            )
        x2 = self._x.reshape(-1, self.in_features)
        dy2 = dy.reshape(-1, self.out_features)
        self.grads = {"weight": dy2.T @ x2}
        if "bias" in self.params:
            self.grads["bias"] = dy2.sum(axis=0)
        return dy @ self.params["weight"]

    def _checked(self, name, value, size, layout):
        """``value`` as an array of this layer's dtype whose last dimension is ``size``."""
        array = checks.array(name, value, self.dtype)
        if array.ndim == 0 or array.shape[-1] != size:
            raise ValueError(
                f"{name} should have size {size} in its last dimension {layout}, "
                f"got shape {tuple(array.shape)}"
            )
        return array
