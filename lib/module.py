"""The base of every layer: named parameters, their gradients and torch-style state dicts.

``Module`` is one layer; ``Composite`` is a model made of named layers (an embedding,
a recurrent network, a readout) whose state dict uses torch's nested keys
(``"rnn.weight_ih_l0"``).
"""

from . import backend
from .checks import parse_dtype


class Module:
    """Holds ``params`` (name -> array, updated in place by optimizers) and ``grads``.

    ``grads`` has the same keys as ``params`` and is replaced by each ``backward`` call.
    Subclasses fill ``self.params`` in ``__init__`` and ``self.grads`` in ``backward``.
    ``training`` is True after construction and after ``train()``, False after
    ``eval()``, as in torch; only layers that behave differently (dropout) read it.
    """

    def __init__(self, dtype="float32"):
        self.dtype = parse_dtype(dtype)
        self.params = {}
        self.grads = {}
        self.training = True

    def train(self, mode=True):
        """Training mode (dropout on) or, with mode=False, evaluation mode. Returns self."""
        if not isinstance(mode, bool):
            raise TypeError(f"mode must be True or False, got {mode!r}")
        self.training = mode
        return self

    def eval(self):
        """Evaluation mode: dropout off, the model is deterministic. Returns self."""
        return self.train(False)

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


class Composite:
    """A model made of named modules, for example {"embedding": ..., "rnn": ..., "decoder": ...}.

    Subclasses name their module attributes in ``child_names`` (in order); ``children``
    reads them when asked, so replacing an attribute (``model.head = Linear(...)``)
    replaces the child too. ``state_dict`` keys are ``"name.key"`` as in a torch model with
    those attributes, so the same weights load into the torch twin; ``modules`` is what
    optimizers and ``clip_grad_norm`` take.
    """

    child_names = ()

    @property
    def children(self):
        """name -> Module, in the order of ``child_names``."""
        return {name: getattr(self, name) for name in self.child_names}

    @property
    def modules(self):
        """The modules whose parameters an optimizer updates, in order."""
        return list(self.children.values())

    @property
    def training(self):
        """True in training mode (the default), False after ``eval()``."""
        return all(module.training for module in self.modules)

    def train(self, mode=True):
        """Put every module in training mode (or evaluation mode with mode=False)."""
        for module in self.modules:
            module.train(mode)
        return self

    def eval(self):
        """Put every module in evaluation mode (no dropout). Returns self."""
        return self.train(False)

    def state_dict(self):
        """Every parameter, keyed "child.key" like the matching torch model."""
        return {
            f"{name}.{key}": value
            for name, module in self.children.items()
            for key, value in module.state_dict().items()
        }

    def load_state_dict(self, state):
        """Load "child.key" arrays (a torch state_dict works too); keys must match exactly."""
        if not isinstance(state, dict):
            raise TypeError(f"state must be a dict of arrays, got {type(state).__name__}")
        expected = set(self.state_dict())
        missing, unexpected = sorted(expected - set(state)), sorted(set(state) - expected)
        if missing or unexpected:
            raise KeyError(
                f"state_dict keys do not match: missing {missing}, unexpected {unexpected}"
            )
        for name, module in self.children.items():
            prefix = name + "."
            own = {k.removeprefix(prefix): v for k, v in state.items() if k.startswith(prefix)}
            module.load_state_dict(own)

    def num_parameters(self):
        """The number of scalar parameters of all modules."""
        return sum(module.num_parameters() for module in self.modules)
