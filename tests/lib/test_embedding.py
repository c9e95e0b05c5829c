"""lib.Embedding against torch.nn.Embedding: lookups, accumulated gradients, padding, errors."""

import numpy as np
import pytest
import torch

import lib

V, E = 7, 4


def torch_twin(module, padding_idx=None):
    reference = torch.nn.Embedding(V, E, padding_idx=padding_idx, dtype=torch.float64)
    reference.load_state_dict({"weight": torch.tensor(module.params["weight"])})
    return reference


@pytest.mark.parametrize("shape", [(5,), (6, 3), (2, 3, 4)], ids=["1d", "2d", "3d"])
@pytest.mark.parametrize("padding_idx", [None, 2], ids=["nopad", "pad2"])
def test_matches_torch(shape, padding_idx, assert_close):
    module = lib.Embedding(V, E, padding_idx=padding_idx, dtype="float64", seed=0)
    reference = torch_twin(module, padding_idx)
    rng = np.random.default_rng(0)
    ids = rng.integers(V, size=shape)
    ids.flat[:3] = 2  # repeated ids, the padding id among them
    out = module(ids)
    expected = reference(torch.tensor(ids))
    assert_close(out, expected, "float64", "out")
    dout = rng.standard_normal(out.shape)
    module.backward(dout)
    (expected * torch.tensor(dout)).sum().backward()
    assert_close(module.grads["weight"], reference.weight.grad, "float64", "dweight")


def test_repeated_ids_accumulate():
    module = lib.Embedding(V, E, dtype="float64", seed=0)
    module(np.array([3, 3, 3, 1]))
    module.backward(np.ones((4, E)))
    np.testing.assert_array_equal(module.grads["weight"][3], np.full(E, 3.0))
    np.testing.assert_array_equal(module.grads["weight"][1], np.ones(E))
    assert module.grads["weight"].sum() == 4 * E


def test_initialisation_like_torch():
    module = lib.Embedding(1000, 50, padding_idx=0, seed=3)
    weight = module.params["weight"]
    assert weight.dtype == np.float32 and weight.shape == (1000, 50)
    assert not weight[0].any()
    assert abs(weight[1:].mean()) < 0.02 and abs(weight[1:].std() - 1) < 0.02  # N(0, 1)
    assert list(module.state_dict()) == ["weight"]


@pytest.mark.parametrize(
    "ids, error, message",
    [
        (np.array([0, 7]), IndexError, r"0\.\.6"),
        (np.array([-1, 2]), IndexError, r"0\.\.6"),
        (np.array([0.0, 1.0]), TypeError, "integer"),
        (None, TypeError, "None"),
    ],
    ids=["too_big", "negative", "float", "none"],
)
def test_bad_ids_are_explained(ids, error, message):
    with pytest.raises(error, match=message):
        lib.Embedding(V, E)(ids)


def test_backward_checks():
    module = lib.Embedding(V, E)
    with pytest.raises(RuntimeError, match="before forward"):
        module.backward(np.zeros((2, E)))
    module(np.array([1, 2]))
    with pytest.raises(ValueError, match=r"\(2, 4\)"):
        module.backward(np.zeros((3, E)))


@pytest.mark.parametrize(
    "kwargs, message",
    [({"padding_idx": 7}, "padding_idx"), ({"padding_idx": 1.5}, "padding_idx")],
)
def test_bad_constructor_arguments(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        lib.Embedding(V, E, **kwargs)
