"""lib cells against torch.nn cells, the step functions against their formulas, and the
activations at extreme inputs."""

import warnings

import numpy as np
import pytest

from lib import functional as F
from lib.gradcheck import gradcheck

pytestmark = pytest.mark.usefixtures("no_onednn")
B, D, H = 3, 4, 6
CELLS = [
    pytest.param("RNNCell", {"nonlinearity": "tanh"}, id="rnn_tanh"),
    pytest.param("RNNCell", {"nonlinearity": "relu"}, id="rnn_relu"),
    pytest.param("LSTMCell", {}, id="lstm"),
    pytest.param("GRUCell", {}, id="gru"),
]


def cell_state(kind, shape, rng, dtype):
    states = tuple(rng.standard_normal(shape).astype(dtype) for _ in range(2))
    return states if kind == "LSTMCell" else states[0]


def check_cell(
    kind, reference, cell, x, hx, rng, dtype, flatten, torch_run, assert_close, assert_grads_close
):
    outputs = flatten(cell(x, hx))
    assert all(o.dtype == np.dtype(dtype) for o in outputs)
    cotangents = [rng.standard_normal(o.shape).astype(dtype) for o in outputs]
    expected, dx_ref, dhx_ref, grads_ref = torch_run(reference, x, hx, cotangents)
    for name, got, want in zip(["h1", "c1"][: len(outputs)], outputs, expected, strict=True):
        assert_close(got, want, dtype, name)
    dx, dhx = cell.backward(tuple(cotangents) if kind == "LSTMCell" else cotangents[0])
    assert_close(dx, dx_ref, dtype, "dx")
    if hx is not None:
        for name, got, want in zip(
            ["dh", "dc"][: len(dhx_ref)], flatten(dhx), dhx_ref, strict=True
        ):
            assert_close(got, want, dtype, name)
    assert_grads_close(cell.grads, grads_ref, dtype)


@pytest.fixture
def check(flatten, torch_run, assert_close, assert_grads_close):
    def run(kind, reference, cell, x, hx, rng, dtype):
        check_cell(
            kind,
            reference,
            cell,
            x,
            hx,
            rng,
            dtype,
            flatten,
            torch_run,
            assert_close,
            assert_grads_close,
        )

    return run


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("given_state", [True, False], ids=["hx", "nohx"])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "nobias"])
@pytest.mark.parametrize("kind, extra", CELLS)
def test_cell_matches_torch(build_pair, check, rng, kind, extra, bias, given_state, dtype):
    reference, cell = build_pair(kind, D, H, dtype, bias=bias, **extra)
    x = rng.standard_normal((B, D)).astype(dtype)
    hx = cell_state(kind, (B, H), rng, dtype) if given_state else None
    check(kind, reference, cell, x, hx, rng, dtype)


@pytest.mark.parametrize("kind, extra", CELLS)
def test_unbatched_cell_matches_torch(build_pair, check, rng, kind, extra):
    reference, cell = build_pair(kind, D, H, "float64", **extra)
    x = rng.standard_normal(D)
    check(kind, reference, cell, x, cell_state(kind, (H,), rng, "float64"), rng, "float64")
    assert cell(x)[0].shape == (H,) if kind == "LSTMCell" else cell(x).shape == (H,)


def test_lstm_cell_backward_dh_only(build_pair, assert_close, rng):
    """backward(dh) is backward((dh, 0))."""
    _, cell = build_pair("LSTMCell", D, H, "float64")
    x, h, c = rng.standard_normal((B, D)), rng.standard_normal((B, H)), rng.standard_normal((B, H))
    dh = rng.standard_normal((B, H))
    cell(x, (h, c))
    dx1, (dh1, dc1) = cell.backward(dh)
    grads1 = dict(cell.grads)
    dx2, (dh2, dc2) = cell.backward((dh, np.zeros((B, H))))
    for a, b in [(dx1, dx2), (dh1, dh2), (dc1, dc2)] + [(grads1[k], cell.grads[k]) for k in grads1]:
        assert_close(a, b, "float64")


def test_peephole_cell_with_zero_peephole_is_plain_lstm(build_pair, lib_class, rng):
    _, plain = build_pair("LSTMCell", D, H, "float64")
    cell = lib_class("LSTMCell")(D, H, dtype="float64", peephole=True)
    assert cell.params["weight_peephole"].shape == (3, H)
    cell.load_state_dict({**plain.state_dict(), "weight_peephole": np.zeros((3, H))})
    x, hx = rng.standard_normal((B, D)), cell_state("LSTMCell", (B, H), rng, "float64")
    h1, c1 = cell(x, hx)
    h1_plain, c1_plain = plain(x, hx)
    np.testing.assert_allclose(h1, h1_plain, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(c1, c1_plain, rtol=1e-12, atol=1e-12)
    dh, dc = rng.standard_normal((B, H)), rng.standard_normal((B, H))
    dx, (dh0, dc0) = cell.backward((dh, dc))
    dx_p, (dh0_p, dc0_p) = plain.backward((dh, dc))
    for a, b in [(dx, dx_p), (dh0, dh0_p), (dc0, dc0_p)] + [
        (cell.grads[k], v) for k, v in plain.grads.items()
    ]:
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("bias", [True, False])
def test_peephole_cell_finite_differences(lib_class, bias):
    rng = np.random.default_rng(11)
    cell = lib_class("LSTMCell")(3, 4, bias=bias, dtype="float64", seed=2, peephole=True)
    assert set(cell.params) >= {"weight_ih", "weight_hh", "weight_peephole"}
    for value in cell.params.values():
        value[...] = rng.uniform(-0.8, 0.8, value.shape)
    x, h, c = rng.standard_normal((2, 3)), rng.standard_normal((2, 4)), rng.standard_normal((2, 4))
    dh, dc = rng.standard_normal((2, 4)), rng.standard_normal((2, 4))

    def loss():
        h1, c1 = cell(x, (h, c))
        return float((h1 * dh).sum() + (c1 * dc).sum())

    cell(x, (h, c))
    dx, (dh0, dc0) = cell.backward((dh, dc))
    analytic = {"x": dx, "h": dh0, "c": dc0, **cell.grads}
    gradcheck(loss, {"x": x, "h": h, "c": c, **cell.params}, analytic)


# ---- step functions against hand-written formulas -------------------------------------------


def sig(a):
    return 1 / (1 + np.exp(-a))


def weights(rng, gates, bias):
    w_ih = rng.standard_normal((gates * H, D)) * 0.5
    w_hh = rng.standard_normal((gates * H, H)) * 0.5
    b_ih = rng.standard_normal(gates * H) * 0.5 if bias else None
    b_hh = rng.standard_normal(gates * H) * 0.5 if bias else None
    return w_ih, w_hh, b_ih, b_hh


def blocks(a, count):
    return [a[:, k * H : (k + 1) * H] for k in range(count)]


def affine(v, w, b):
    return v @ w.T + (0 if b is None else b)


def assert_fields(result, expected):
    assert result._fields == tuple(expected), result._fields
    for name, want in expected.items():
        np.testing.assert_allclose(
            getattr(result, name), want, rtol=1e-12, atol=1e-12, err_msg=name
        )


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_step_formula(rng, bias, nonlinearity):
    x, h = rng.standard_normal((B, D)), rng.standard_normal((B, H))
    w_ih, w_hh, b_ih, b_hh = weights(rng, 1, bias)
    pre = affine(x, w_ih, b_ih) + affine(h, w_hh, b_hh)
    act = np.tanh(pre) if nonlinearity == "tanh" else np.maximum(pre, 0)
    result = F.rnn_step(x, h, w_ih, w_hh, b_ih, b_hh, nonlinearity=nonlinearity)
    assert_fields(result, {"h": act})


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("peephole", [False, True])
def test_lstm_step_formula(rng, bias, peephole):
    x, h, c = rng.standard_normal((B, D)), rng.standard_normal((B, H)), rng.standard_normal((B, H))
    w_ih, w_hh, b_ih, b_hh = weights(rng, 4, bias)
    p = rng.standard_normal((3, H)) if peephole else np.zeros((3, H))
    a_i, a_f, a_g, a_o = blocks(affine(x, w_ih, b_ih) + affine(h, w_hh, b_hh), 4)
    i, f, g = sig(a_i + p[0] * c), sig(a_f + p[1] * c), np.tanh(a_g)
    c1 = f * c + i * g
    o = sig(a_o + p[2] * c1)
    result = F.lstm_step(x, h, c, w_ih, w_hh, b_ih, b_hh, peephole=p if peephole else None)
    assert_fields(result, {"i": i, "f": f, "g": g, "o": o, "c": c1, "h": o * np.tanh(c1)})


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("reset", ["after", "before"])
@pytest.mark.parametrize("keep", ["z", "1-z"])
def test_gru_step_formula(rng, bias, reset, keep):
    x, h = rng.standard_normal((B, D)), rng.standard_normal((B, H))
    w_ih, w_hh, b_ih, b_hh = weights(rng, 3, bias)
    (w_ir, w_iz, w_in), (w_hr, w_hz, w_hn) = np.split(w_ih, 3), np.split(w_hh, 3)
    (b_ir, b_iz, b_in), (b_hr, b_hz, b_hn) = (
        np.split(b, 3) if bias else [None] * 3 for b in (b_ih, b_hh)
    )
    r = sig(affine(x, w_ir, b_ir) + affine(h, w_hr, b_hr))
    z = sig(affine(x, w_iz, b_iz) + affine(h, w_hz, b_hz))
    if reset == "after":
        n = np.tanh(affine(x, w_in, b_in) + r * affine(h, w_hn, b_hn))
    else:
        n = np.tanh(affine(x, w_in, b_in) + affine(r * h, w_hn, b_hn))
    h1 = z * h + (1 - z) * n if keep == "z" else (1 - z) * h + z * n
    result = F.gru_step(x, h, w_ih, w_hh, b_ih, b_hh, reset=reset, keep=keep)
    assert_fields(result, {"r": r, "z": z, "n": n, "h": h1})


def test_gru_step_published_variants_differ(rng):
    """PyTorch's, Cho et al.'s and Chung et al.'s GRUs give three different states."""
    x, h = rng.standard_normal((B, D)), rng.standard_normal((B, H))
    args = (x, h, *weights(rng, 3, True))
    pytorch = F.gru_step(*args).h
    cho = F.gru_step(*args, reset="before").h
    chung = F.gru_step(*args, reset="before", keep="1-z").h
    assert not np.allclose(pytorch, cho) and not np.allclose(cho, chung)
    with pytest.raises(ValueError, match="reset must be one of"):
        F.gru_step(*args, reset="inside")
    with pytest.raises(ValueError, match="keep must be one of"):
        F.gru_step(*args, keep="r")


def test_step_functions_match_cells(lib_class, rng):
    """The cells and the step functions compute the same thing."""
    x, h, c = rng.standard_normal((B, D)), rng.standard_normal((B, H)), rng.standard_normal((B, H))
    for kind, step, state in [("RNNCell", F.rnn_step, (h,)), ("GRUCell", F.gru_step, (h,))]:
        cell = lib_class(kind)(D, H, dtype="float64", seed=0)
        expected = step(x, *state, **cell.params).h
        np.testing.assert_allclose(cell(x, h), expected, rtol=1e-12, atol=1e-12, err_msg=kind)
    cell = lib_class("LSTMCell")(D, H, dtype="float64", seed=0)
    step = F.lstm_step(x, h, c, **cell.params)
    h1, c1 = cell(x, (h, c))
    np.testing.assert_allclose(h1, step.h, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(c1, step.c, rtol=1e-12, atol=1e-12)


# ---- activations ----------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_activations_are_stable_at_extremes(dtype):
    x = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0], dtype=dtype)
    # underflow (exp(-2000) -> 0) is expected and harmless; overflow, 0/0 and log(0) are not
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        s, t, r = F.sigmoid(x), F.tanh(x), F.relu(x)
        soft = F.softmax(np.stack([x, -x]), axis=-1)
        log_soft = F.log_softmax(np.stack([x, -x]), axis=-1)
        soft0 = F.softmax(x.reshape(-1, 1) * np.ones((1, 2), dtype=dtype), axis=0)
    for name, value in {
        "sigmoid": s,
        "tanh": t,
        "relu": r,
        "softmax": soft,
        "log_softmax": log_soft,
    }.items():
        assert np.all(np.isfinite(value)), name
        assert value.dtype == np.dtype(dtype), name
    np.testing.assert_allclose(s, [0, 0, 0.5, 1, 1], atol=1e-7)
    np.testing.assert_allclose(t, [-1, -1, 0, 1, 1], atol=1e-7)
    np.testing.assert_allclose(r, [0, 0, 0, 50, 1000])
    np.testing.assert_allclose(soft, [[0, 0, 0, 0, 1], [1, 0, 0, 0, 0]], atol=1e-7)
    np.testing.assert_allclose(soft0.sum(axis=0), [1, 1], rtol=1e-6)
    np.testing.assert_allclose(log_soft[0, -1], 0, atol=1e-6)
    np.testing.assert_allclose(log_soft[0, 0], -2000, rtol=1e-6)


def test_activations_match_reference_and_out(rng):
    x = rng.standard_normal((4, 5)) * 3
    np.testing.assert_allclose(F.sigmoid(x), sig(x), rtol=1e-12, atol=1e-14)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    np.testing.assert_allclose(F.softmax(x), e / e.sum(-1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(F.log_softmax(x), np.log(e / e.sum(-1, keepdims=True)), rtol=1e-12)
    for fn in (F.sigmoid, F.tanh, F.relu):
        buffer = np.empty_like(x)
        assert fn(x, out=buffer) is buffer
        np.testing.assert_array_equal(buffer, fn(x))
    s, t = F.sigmoid(x), F.tanh(x)
    np.testing.assert_allclose(F.sigmoid_grad_from_output(s), s * (1 - s))
    np.testing.assert_allclose(F.tanh_grad_from_output(t), 1 - t**2)
