"""Linear, the losses, the optimizers and gradcheck: gradient checks and torch cross-checks."""

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lib import backend
from lib.gradcheck import gradcheck, numerical_gradient, relative_error
from lib.linear import Linear
from lib.losses import accuracy, cross_entropy, mse_loss
from lib.optim import SGD, Adam, clip_grad_norm

TIGHT = {"rtol": 1e-10, "atol": 1e-12}


def host(a):
    return backend.to_numpy(a)


def random(shape, seed=0):
    return backend.asarray(np.random.default_rng(seed).standard_normal(shape))


def torch_linear(lin):
    """A torch.nn.Linear (float64) holding the weights of ``lin``."""
    reference = torch.nn.Linear(lin.in_features, lin.out_features, dtype=torch.float64)
    with torch.no_grad():
        reference.weight.copy_(torch.tensor(host(lin.params["weight"])))
        reference.bias.copy_(torch.tensor(host(lin.params["bias"])))
    return reference


# ---------------------------------------------------------------- Linear


@pytest.mark.parametrize("shape", [(5, 3), (2, 4, 3), (3,)])
def test_linear_accepts_any_leading_dims(shape):
    lin = Linear(3, 2, seed=0)
    y = lin(random(shape))
    assert y.shape == shape[:-1] + (2,)
    assert y.dtype == np.float32
    assert lin.backward(backend.xp().ones_like(y)).shape == shape


def test_linear_init_like_torch():
    lin = Linear(16, 8, seed=3)
    assert lin.params["weight"].shape == (8, 16) and lin.params["bias"].shape == (8,)
    assert float(abs(lin.params["weight"]).max()) <= 1 / 4
    assert np.array_equal(host(Linear(16, 8, seed=3).params["weight"]), host(lin.params["weight"]))
    assert set(Linear(16, 8, bias=False).params) == {"weight"}
    assert Linear(16, 8).num_parameters() == 16 * 8 + 8


def test_linear_matches_torch():
    lin = Linear(5, 3, dtype="float64", seed=1)
    reference = torch_linear(lin)
    x, dy = random((4, 6, 5), seed=2), random((4, 6, 3), seed=3)
    xt = torch.tensor(host(x), requires_grad=True)
    yt = reference(xt)
    (yt * torch.tensor(host(dy))).sum().backward()
    np.testing.assert_allclose(host(lin(x)), yt.detach().numpy(), **TIGHT)
    np.testing.assert_allclose(host(lin.backward(dy)), xt.grad.numpy(), **TIGHT)
    np.testing.assert_allclose(host(lin.grads["weight"]), reference.weight.grad.numpy(), **TIGHT)
    np.testing.assert_allclose(host(lin.grads["bias"]), reference.bias.grad.numpy(), **TIGHT)


@pytest.mark.parametrize("bias", [True, False])
def test_linear_gradcheck(bias):
    lin = Linear(4, 3, bias=bias, dtype="float64", seed=0)
    x, dy = random((2, 5, 4), seed=1), random((2, 5, 3), seed=2)

    def loss():
        return float((lin(x) * dy).sum())

    lin(x)
    dx = lin.backward(dy)
    assert gradcheck(loss, lin.params, lin.grads) < 1e-7
    assert gradcheck(loss, {"x": x}, {"x": dx}) < 1e-7


def test_linear_errors():
    lin = Linear(4, 3)
    with pytest.raises(RuntimeError, match="before forward"):
        lin.backward(backend.xp().ones((2, 3)))
    with pytest.raises(ValueError, match="size 4 in its last dimension"):
        lin(backend.xp().ones((2, 5)))
    lin(backend.xp().ones((2, 4)))
    with pytest.raises(ValueError, match="shape of the latest output"):
        lin.backward(backend.xp().ones((3, 3)))
    with pytest.raises(ValueError, match="in_features"):
        Linear(0, 3)


# ---------------------------------------------------------------- losses


def test_mse_matches_torch():
    pred, target = random((4, 3), seed=0), random((4, 3), seed=1)
    pt = torch.tensor(host(pred), requires_grad=True)
    expected = F.mse_loss(pt, torch.tensor(host(target)))
    expected.backward()
    loss, dpred = mse_loss(pred, target)
    assert loss == pytest.approx(expected.item(), rel=1e-12)
    np.testing.assert_allclose(host(dpred), pt.grad.numpy(), **TIGHT)


def test_mse_gradcheck_and_errors():
    pred, target = random((3, 2, 2), seed=0), random((3, 2, 2), seed=1)
    assert (
        gradcheck(
            lambda: mse_loss(pred, target)[0], {"pred": pred}, {"pred": mse_loss(pred, target)[1]}
        )
        < 1e-7
    )
    with pytest.raises(ValueError, match="shape of pred"):
        mse_loss(pred, target[0])


def torch_cross_entropy(logits, labels, mask=None):
    """Loss and dlogits from torch for logits (..., C), as masked mean of per-position losses."""
    lt = torch.tensor(host(logits), requires_grad=True)
    flat = F.cross_entropy(
        lt.reshape(-1, lt.shape[-1]),
        torch.tensor(host(labels)).reshape(-1).clamp(min=0),
        reduction="none",
    )
    weights = (
        torch.ones_like(flat) if mask is None else torch.tensor(host(mask)).reshape(-1).double()
    )
    loss = (flat * weights).sum() / weights.sum()
    loss.backward()
    return loss.item(), lt.grad.numpy()


@pytest.mark.parametrize("shape", [(6, 5), (3, 4, 5)])
def test_cross_entropy_matches_torch(shape):
    logits = random(shape, seed=0)
    labels = backend.asarray(np.random.default_rng(1).integers(5, size=shape[:-1]))
    loss, dlogits = cross_entropy(logits, labels)
    expected_loss, expected_grad = torch_cross_entropy(logits, labels)
    assert loss == pytest.approx(expected_loss, rel=1e-12)
    np.testing.assert_allclose(host(dlogits), expected_grad, **TIGHT)
    direct = F.cross_entropy(
        torch.tensor(host(logits)).reshape(-1, 5), torch.tensor(host(labels)).reshape(-1)
    )
    assert loss == pytest.approx(direct.item(), rel=1e-12)


def test_cross_entropy_mask_ignores_padding_labels():
    logits = random((3, 4, 5), seed=0)
    labels = np.random.default_rng(1).integers(5, size=(3, 4))
    mask = np.random.default_rng(2).random((3, 4)) < 0.6
    mask[0, 0] = True
    labels[~mask] = -100  # padding: out of range, but masked out
    loss, dlogits = cross_entropy(logits, backend.asarray(labels), backend.asarray(mask))
    expected_loss, expected_grad = torch_cross_entropy(logits, labels, mask)
    assert loss == pytest.approx(expected_loss, rel=1e-12)
    np.testing.assert_allclose(host(dlogits), expected_grad, **TIGHT)


def test_cross_entropy_gradcheck():
    logits = random((3, 4, 5), seed=0)
    labels = backend.asarray(np.random.default_rng(1).integers(5, size=(3, 4)))
    mask = backend.asarray(np.random.default_rng(2).random((3, 4)) < 0.7)
    _, dlogits = cross_entropy(logits, labels, mask)
    error = gradcheck(
        lambda: cross_entropy(logits, labels, mask)[0], {"logits": logits}, {"logits": dlogits}
    )
    assert error < 1e-7


def test_cross_entropy_is_stable_for_huge_logits():
    logits = backend.asarray([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, dlogits = cross_entropy(logits, backend.asarray([0, 2]))
    assert np.isfinite(loss) and bool(backend.xp().isfinite(dlogits).all())
    assert loss == pytest.approx(0.5 * (0 + 1 + np.log1p(np.exp(-1))), rel=1e-6)


@pytest.mark.parametrize(
    "labels, mask, error, match",
    [
        ([0.0, 1.0], None, TypeError, "integer class indices"),
        ([0, 3], None, ValueError, r"0\.\.2"),
        ([0, -1], None, ValueError, r"0\.\.2"),
        ([0, 1, 2], None, ValueError, "labels should have shape"),
        ([0, 1], [0, 0], ValueError, "no position"),
        ([0, 1], [1, 1, 1], ValueError, "mask should have shape"),
        ([0, 1], [0.5, 1], ValueError, "0/1"),
    ],
)
def test_cross_entropy_errors(labels, mask, error, match):
    logits = backend.xp().zeros((2, 3))
    mask = None if mask is None else backend.asarray(mask)
    with pytest.raises(error, match=match):
        cross_entropy(logits, backend.asarray(labels), mask)


def test_accuracy():
    logits = backend.asarray([[2.0, 1.0, 0.0], [0.0, 1.0, 3.0], [5.0, 0.0, 0.0], [0.0, 9.0, 0.0]])
    labels = backend.asarray([0, 2, 1, 0])
    assert accuracy(logits, labels) == 0.5
    assert accuracy(logits, labels, backend.asarray([True, True, False, False])) == 1.0


# ---------------------------------------------------------------- optimizers


def two_layers(seed=0):
    return [Linear(4, 3, dtype="float64", seed=seed), Linear(3, 2, dtype="float64", seed=seed + 1)]


def flat_params(modules):
    return [p for m in modules for p in m.params.values()]


def torch_params(modules):
    return [torch.tensor(host(p), requires_grad=True) for p in flat_params(modules)]


def give_gradients(modules, tensors, step):
    """Fresh random gradients for step ``step``, the same in the lib modules and torch."""
    rng = np.random.default_rng(100 + step)
    pairs = iter(tensors)
    for module in modules:
        module.grads = {}
        for key, value in module.params.items():
            grad = rng.standard_normal(value.shape) * 3
            module.grads[key] = backend.asarray(grad)
            next(pairs).grad = torch.tensor(grad)


def assert_same_params(modules, tensors):
    for mine, theirs in zip(flat_params(modules), tensors, strict=True):
        np.testing.assert_allclose(host(mine), theirs.detach().numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "name, settings",
    [
        ("SGD", {"lr": 0.1}),
        ("SGD", {"lr": 0.05, "momentum": 0.9}),
        ("Adam", {"lr": 0.01}),
        ("Adam", {"lr": 0.1, "betas": (0.8, 0.99), "eps": 1e-6}),
    ],
)
def test_optimizer_matches_torch(name, settings):
    modules = two_layers()
    tensors = torch_params(modules)
    originals = [id(p) for p in flat_params(modules)]
    optimizer = {"SGD": SGD, "Adam": Adam}[name](modules, **settings)
    reference = getattr(torch.optim, name)(tensors, **settings)
    for step in range(6):
        give_gradients(modules, tensors, step)
        optimizer.step()
        reference.step()
        assert_same_params(modules, tensors)
    assert [id(p) for p in flat_params(modules)] == originals  # updated in place


@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_matches_torch(max_norm):
    modules = two_layers()
    tensors = torch_params(modules)
    give_gradients(modules, tensors, 0)
    total = clip_grad_norm(modules, max_norm)
    expected = torch.nn.utils.clip_grad_norm_(tensors, max_norm)
    assert total == pytest.approx(expected.item(), rel=1e-12)
    grads = [g for m in modules for g in m.grads.values()]
    for mine, theirs in zip(grads, tensors, strict=True):
        np.testing.assert_allclose(host(mine), theirs.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_optimizer_errors():
    modules = two_layers()
    with pytest.raises(RuntimeError, match="no gradient.*call backward"):
        SGD(modules, lr=0.1).step()
    with pytest.raises(RuntimeError, match="no gradient"):
        clip_grad_norm(modules, 1.0)
    with pytest.raises(ValueError, match="lr must be a positive number"):
        Adam(modules, lr=0)
    with pytest.raises(ValueError, match="momentum"):
        SGD(modules, lr=0.1, momentum=1.5)
    with pytest.raises(TypeError, match="not a Module"):
        SGD([modules[0], "weights"], lr=0.1)
    modules[0].grads = {"weight": backend.xp().ones((4, 3)), "bias": backend.xp().ones(3)}
    with pytest.raises(ValueError, match="gradient has shape"):
        SGD(modules, lr=0.1).step()


# ---------------------------------------------------------------- gradcheck


def test_numerical_gradient_restores_x():
    x = random((3, 4), seed=0)
    before = x.copy()
    grad = numerical_gradient(lambda: float((x**3).sum()), x)
    np.testing.assert_allclose(host(grad), host(3 * before**2), rtol=1e-8)
    assert np.array_equal(host(x), host(before))


def test_gradcheck_names_the_worst_entry():
    x = random((2, 3), seed=0)
    wrong = 2 * x
    wrong[1, 2] += 0.5
    with pytest.raises(AssertionError, match=r"'x' at index \(1, 2\).*1 of 6 entries"):
        gradcheck(lambda: float((x**2).sum()), {"x": x}, {"x": wrong})


@pytest.mark.parametrize(
    "analytic, match",
    [(lambda x: -2 * x, "opposite sign"), (lambda x: 4 * x, "2 times"), (lambda x: 0 * x, "zeros")],
)
def test_gradcheck_hints(analytic, match):
    x = random((2, 3), seed=0)
    with pytest.raises(AssertionError, match=match):
        gradcheck(lambda: float((x**2).sum()), {"x": x}, {"x": analytic(x)})


def test_gradcheck_errors():
    x = random((2, 3), seed=0)
    with pytest.raises(AssertionError, match="transposed"):
        gradcheck(lambda: float((x**2).sum()), {"x": x}, {"x": 2 * x.T})
    with pytest.raises(AssertionError, match="no analytic gradient for 'x'"):
        gradcheck(lambda: float((x**2).sum()), {"x": x}, {})
    with pytest.raises(TypeError, match="float64"):
        numerical_gradient(lambda: 0.0, x.astype("float32"))
    with pytest.raises(TypeError, match="scalar"):
        numerical_gradient(lambda: x * 2, x)


def test_relative_error():
    assert relative_error(backend.asarray([1.0, 2.0]), backend.asarray([1.0, 2.0])) == 0.0
    assert relative_error(backend.xp().zeros(3), backend.xp().zeros(3)) == 0.0
    assert relative_error(backend.asarray([1.0, 4.0]), backend.asarray([1.0, 2.0])) == 0.5
