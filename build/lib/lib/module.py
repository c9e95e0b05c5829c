"""The base of every layer: named parameters, their gradients and torch-style state dicts."""

from . import backend
from .checks import parse_dtype


class Module:
    """Holds ``params`` (name -> array, updated in place by optimizers) and ``grads``.

    ``grads`` has the same keys as ``params`` and is replaced by each ``backward`` call.
    Subclasses fill ``self.params`` in ``__init__`` and ``self.grads`` in ``backward``.
    """

    def __init__(self, dtype="float32"):
        self.dtype = parse_dtype(dtype)
        self.params = {}
        self.grads = {}

    def state_dict(self):
        """A copy of every parameter, keyed as in the matching ``torch.nn`` module."""
        return {key: value.copy() for key, value in self.params.items()}

    def load_state_dict(self, state):
        """Copy parameters in from ``state`` (for example a torch ``state_dict()`` as NumPy).

        Keys and shapes must match exactly; values are cast to this module's dtype.
        """
        if not isinstance(state, dict):
            raise TypeError(f"state must be a dict of arrays, got {type(state).__name__}")
        missing = sorted(set(self.params) - set(state))
        unexpected = sorted(set(state) - set(self.params))
        if missing or unexpected:
            raise KeyError(
                f"state_dict keys do not match: missing {missing}, unexpected {unexpected}"
            )
        converted = {}
        for key, value in state.items():
            if hasattr(value, "detach"):  # a torch tensor: take its values, not the tensor
                value = value.detach().cpu().numpy()
            # loading is an explicit request, so copying host values to the device is fine
            array = backend.xp().asarray(value, dtype=self.dtype)
            expected = self.params[key].shape
            if array.shape != expected:
                raise ValueError(
                    f"state_dict[{key!r}] has shape {tuple(array.shape)}, expected {expected}"
                )
            converted[key] = array
        for key, array in converted.items():
            self.params[key][...] = array

    def num_parameters(self):
        """The number of scalar parameters."""
        return sum(int(value.size) for value in self.params.values())

    def zero_grad(self):
        """Forget the gradients of the latest backward call."""
        self.grads = {}
