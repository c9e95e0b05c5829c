"""Shared fixtures for the tests of ``lib``: torch twins of lib modules and comparisons.

Helpers are handed out as fixtures (not imported from here), so that this conftest can
sit beside other test folders' conftest files without module-name clashes. Nothing
from ``lib.recurrent`` or ``lib.cells`` is imported at collection time: a missing or
broken module fails only the tests that use it.
"""

import importlib

import numpy as np
import pytest
import torch

TORCH_DTYPES = {"float32": torch.float32, "float64": torch.float64}
TOLERANCES = {"float64": {"rtol": 1e-10, "atol": 1e-10}, "float32": {"rtol": 1e-4, "atol": 1e-5}}
LIB_HOMES = {"RNN": "recurrent", "LSTM": "recurrent", "GRU": "recurrent"}
LIB_HOMES.update({"RNNCell": "cells", "LSTMCell": "cells", "GRUCell": "cells"})


def lib_class(kind):
    """``lib.recurrent.RNN`` etc. for kind ``"RNN"``, ``"LSTMCell"``, ..."""
    return getattr(importlib.import_module(f"lib.{LIB_HOMES[kind]}"), kind)


def flatten(value):
    """Arrays of a nested tuple (``(out, (h_n, c_n))``) in order, as a flat list."""
    if isinstance(value, (tuple, list)):
        return [leaf for item in value for leaf in flatten(item)]
    return [value]


def as_numpy(value):
    """NumPy copy of a torch tensor or a lib (NumPy/CuPy) array."""
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    return importlib.import_module("lib.backend").to_numpy(value)


def build_pair(kind, input_size, hidden_size, dtype="float64", seed=0, **kwargs):
    """A torch.nn module and the lib module of the same kind with the torch weights."""
    torch.manual_seed(seed)
    reference = getattr(torch.nn, kind)(
        input_size, hidden_size, dtype=TORCH_DTYPES[dtype], **kwargs
    )
    module = lib_class(kind)(input_size, hidden_size, dtype=dtype, seed=seed, **kwargs)
    module.load_state_dict({k: v.detach().numpy() for k, v in reference.state_dict().items()})
    return reference, module


def torch_run(reference, x, hx, cotangents):
    """Forward ``reference`` and backpropagate ``sum(output_k * cotangent_k)``.

    Returns the flat outputs, dx, the flat list of initial-state gradients (None when
    ``hx`` is None) and the parameter gradients, all as NumPy arrays.
    """
    xt = torch.tensor(x, requires_grad=True)
    hxt = None
    if hx is not None:
        hxt = tuple(torch.tensor(a, requires_grad=True) for a in flatten(hx))
        hxt = hxt if isinstance(hx, tuple) else hxt[0]
    outputs = flatten(reference(xt) if hx is None else reference(xt, hxt))
    loss = sum((o * torch.tensor(c)).sum() for o, c in zip(outputs, cotangents, strict=True))
    loss.backward()
    dhx = None if hx is None else [t.grad.numpy() for t in flatten(hxt)]
    grads = {name: p.grad.numpy() for name, p in reference.named_parameters()}
    return [as_numpy(o) for o in outputs], xt.grad.numpy(), dhx, grads


def assert_close(actual, expected, dtype, what=""):
    """Element-wise comparison at the tolerance of ``dtype``, with shapes checked first."""
    actual, expected = as_numpy(actual), as_numpy(expected)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    np.testing.assert_allclose(actual, expected, err_msg=what, **TOLERANCES[dtype])


def assert_grads_close(grads, expected, dtype):
    """``grads`` (a lib module's) has exactly the keys of ``expected`` and equal values."""
    assert set(grads) == set(expected), f"grad keys {sorted(grads)} != {sorted(expected)}"
    for key, value in expected.items():
        assert_close(grads[key], value, dtype, f"grad {key}")


GPU_REASON = importlib.import_module("lib.backend").gpu_unavailable_reason()
BACKENDS = [
    "numpy",
    pytest.param(
        "cupy",
        marks=[pytest.mark.gpu, pytest.mark.skipif(GPU_REASON is not None, reason=str(GPU_REASON))],
    ),
]


@pytest.fixture(params=BACKENDS)
def to_lib(request):
    """Run the test on each backend; returns a function that moves NumPy data there."""
    backend = importlib.import_module("lib.backend")
    backend.use(request.param)

    def convert(value):
        if value is None:
            return None
        if isinstance(value, (tuple, list)):
            return type(value)(convert(v) for v in value)
        return backend.xp().asarray(value)

    yield convert
    backend.use("numpy")


@pytest.fixture
def no_onednn():
    """torch's oneDNN RNN path spends about a second building a primitive per float32 shape;
    its native path computes the same thing in milliseconds."""
    saved = torch.backends.mkldnn.enabled
    torch.backends.mkldnn.enabled = False
    yield
    torch.backends.mkldnn.enabled = saved


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@pytest.fixture(name="build_pair")
def build_pair_fixture():
    return build_pair


@pytest.fixture(name="torch_run")
def torch_run_fixture():
    return torch_run


@pytest.fixture(name="assert_close")
def assert_close_fixture():
    return assert_close


@pytest.fixture(name="assert_grads_close")
def assert_grads_close_fixture():
    return assert_grads_close


@pytest.fixture(name="lib_class")
def lib_class_fixture():
    return lib_class


@pytest.fixture(name="flatten")
def flatten_fixture():
    return flatten
