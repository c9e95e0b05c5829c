"""lib.MinGRU and lib.MinLSTM: equal to a step-by-step torch twin (forward and autograd
gradients, float64 1e-10) with every scan, finite differences agree, and they work
wherever lib.GRU works."""

import numpy as np
import pytest
import torch

import lib
from lib import backend, tasks
from lib.gradcheck import gradcheck
from lib.minimal_rnn import MinGRU, MinLSTM

MODELS = {"MinGRU": MinGRU, "MinLSTM": MinLSTM}
SCANS = ("sequential", "parallel", "cumulative")
T, B, D, H = 7, 3, 4, 5


def torch_step(kind, pre, h):
    """One step written from Feng et al. (2024), eqs. for minGRU and minLSTM."""
    if kind == "MinGRU":
        z_logit, candidate = pre.chunk(2, dim=-1)
        z = torch.sigmoid(z_logit)
        return (1 - z) * h + z * candidate
    i_logit, f_logit, candidate = pre.chunk(3, dim=-1)
    i, f = torch.sigmoid(i_logit), torch.sigmoid(f_logit)
    return f / (f + i) * h + i / (f + i) * candidate


def torch_twin(kind, params, x, h0, num_layers, bidirectional):
    """out, h_n of the model with state dict ``params`` (torch tensors), x: (T, B, D)."""
    directions = 2 if bidirectional else 1
    layer_input, finals = x, []
    for layer in range(num_layers):
        outputs = []
        for direction in range(directions):
            suffix = f"_l{layer}" + ("_reverse" if direction else "")
            weight, bias = params["weight_ih" + suffix], params["bias_ih" + suffix]
            sequence = layer_input.flip(0) if direction else layer_input
            h, states = h0[layer * directions + direction], []
            for x_t in sequence:
                h = torch_step(kind, x_t @ weight.T + bias, h)
                states.append(h)
            out = torch.stack(states)
            outputs.append(out.flip(0) if direction else out)
            finals.append(h)
        layer_input = torch.cat(outputs, dim=-1)
    return layer_input, torch.stack(finals)


@pytest.mark.parametrize("kind", list(MODELS))
@pytest.mark.parametrize("scan", SCANS)
@pytest.mark.parametrize("num_layers, bidirectional", [(1, False), (2, True)])
def test_matches_a_torch_twin_forward_and_backward(to_lib, kind, scan, num_layers, bidirectional):
    rng = np.random.default_rng(0)
    model = MODELS[kind](
        D, H, num_layers, bidirectional=bidirectional, dtype="float64", seed=1, scan=scan
    )
    directions = 2 if bidirectional else 1
    x = rng.standard_normal((T, B, D))
    h0 = rng.standard_normal((num_layers * directions, B, H))
    dout = rng.standard_normal((T, B, directions * H))
    dh_n = rng.standard_normal(h0.shape)

    params = {
        k: torch.tensor(backend.to_numpy(v), requires_grad=True) for k, v in model.params.items()
    }
    xt, h0t = torch.tensor(x, requires_grad=True), torch.tensor(h0, requires_grad=True)
    out_t, h_n_t = torch_twin(kind, params, xt, h0t, num_layers, bidirectional)
    ((out_t * torch.tensor(dout)).sum() + (h_n_t * torch.tensor(dh_n)).sum()).backward()

    out, h_n = model(*to_lib((x, h0)))
    dx, dh0 = model.backward(*to_lib((dout, dh_n)))
    close = {"rtol": 1e-10, "atol": 1e-10}
    np.testing.assert_allclose(backend.to_numpy(out), out_t.detach().numpy(), **close)
    np.testing.assert_allclose(backend.to_numpy(h_n), h_n_t.detach().numpy(), **close)
    np.testing.assert_allclose(backend.to_numpy(dx), xt.grad.numpy(), **close)
    np.testing.assert_allclose(backend.to_numpy(dh0), h0t.grad.numpy(), **close)
    assert set(model.grads) == set(params)
    for key, tensor in params.items():
        np.testing.assert_allclose(backend.to_numpy(model.grads[key]), tensor.grad.numpy(), **close)


@pytest.mark.parametrize("kind", list(MODELS))
def test_the_three_scans_give_the_same_numbers(kind):
    """Loop, parallel scan and cumulative form, forward and backward, float64 to 1e-10."""
    rng = np.random.default_rng(2)
    x, dout = rng.standard_normal((60, B, D)), rng.standard_normal((60, B, H))
    model = MODELS[kind](D, H, dtype="float64", seed=3)
    results = {}
    for scan in SCANS:
        model.scan = scan
        out, h_n = model(x)
        dx, dh0 = model.backward(dout)
        results[scan] = [out, h_n, dx, dh0, *model.grads.values()]
    for scan in ("parallel", "cumulative"):
        for got, expected in zip(results[scan], results["sequential"], strict=True):
            np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10, err_msg=scan)


@pytest.mark.parametrize("kind", list(MODELS))
@pytest.mark.parametrize("scan", SCANS)
def test_finite_differences(kind, scan):
    rng = np.random.default_rng(4)
    model = MODELS[kind](3, 2, num_layers=2, dtype="float64", seed=5, scan=scan)
    x, h0 = rng.standard_normal((5, 2, 3)), rng.standard_normal((2, 2, 2))
    dout, dh_n = rng.standard_normal((5, 2, 2)), rng.standard_normal((2, 2, 2))

    def loss():
        out, h_n = model(x, h0)
        return float((out * dout).sum() + (h_n * dh_n).sum())

    model(x, h0)
    dx, dh0 = model.backward(dout, dh_n)
    gradcheck(loss, {**model.params, "x": x, "h0": h0}, {**model.grads, "x": dx, "h0": dh0})


@pytest.mark.parametrize("kind", list(MODELS))
def test_no_recurrent_weights(kind):
    """The point of the minimal models: nothing multiplies h_{t-1} inside a gate."""
    model = MODELS[kind](D, H, num_layers=2, bidirectional=True)
    gates = {"MinGRU": 2, "MinLSTM": 3}[kind]
    assert not any("_hh" in key for key in model.state_dict())
    assert model.state_dict()["weight_ih_l0"].shape == (gates * H, D)
    assert model.state_dict()["weight_ih_l1_reverse"].shape == (gates * H, 2 * H)
    assert model.num_parameters() == gates * H * (D + 1) * 2 + gates * H * (2 * H + 1) * 2
    assert lib.GRU(D, H).num_parameters() > MODELS[kind](D, H).num_parameters()


@pytest.mark.parametrize("kind", list(MODELS))
def test_batch_first_and_unbatched_inputs(kind):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((T, B, D))
    model = MODELS[kind](D, H, dtype="float64", seed=0)
    out, h_n = model(x)
    first = MODELS[kind](D, H, batch_first=True, dtype="float64", seed=0)
    out_bf, h_n_bf = first(x.transpose(1, 0, 2))
    np.testing.assert_allclose(out_bf.transpose(1, 0, 2), out, rtol=1e-12)
    np.testing.assert_allclose(h_n_bf, h_n, rtol=1e-12)
    single, single_h = model(x[:, 1])
    np.testing.assert_allclose(single, out[:, 1], rtol=1e-12)
    assert single_h.shape == (1, H)


@pytest.mark.parametrize("kind", list(MODELS))
def test_keep_gate_bias_sets_the_keep_factor(kind):
    """With zero weights, a zero candidate and h0 = 1, one step gives h_1 = keep = sigma(v)."""
    model = lib.set_keep_gate_bias(MODELS[kind](D, H, dtype="float64"), 2.0)
    model.params["weight_ih_l0"][...] = 0.0
    model.params["bias_ih_l0"][-H:] = 0.0  # the candidate block comes last
    out, _ = model(np.zeros((1, 1, D)), np.ones((1, 1, H)))
    np.testing.assert_allclose(out[0, 0], np.full(H, 1 / (1 + np.exp(-2.0))), rtol=1e-12)


def test_keep_gate_bias_refuses_an_input_gate_for_minimal_models():
    with pytest.raises(ValueError, match="LSTM only"):
        lib.set_keep_gate_bias(MinLSTM(D, H), 2.0, input_gate=-1.0)


@pytest.mark.parametrize("kind", list(MODELS))
def test_unknown_scan_is_explained(kind):
    with pytest.raises(ValueError, match="sequential"):
        MODELS[kind](D, H, scan="fastest")
    model = MODELS[kind](D, H)
    with pytest.raises(ValueError, match="parallel"):
        model.scan = "magic"


def test_saturated_gates_stay_finite_in_float32():
    """A gate logit of 40 rounds 1 - z to 0 in float32; the log-space form must still work.

    It is less precise there: log A_t reaches -87 per step (the smallest float32), and
    float32 keeps about 7 digits of that sum, hence rtol 1e-3 (see lib.scan)."""
    model = MinGRU(D, H, dtype="float32", scan="cumulative")
    model.params["bias_ih_l0"][:H] = 40.0
    out, _ = model(np.ones((20, 2, D), dtype=np.float32))
    model.scan = "sequential"
    expected, _ = model(np.ones((20, 2, D), dtype=np.float32))
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out, expected, rtol=1e-3, atol=1e-6)


@pytest.mark.parametrize("kind", list(MODELS))
def test_trains_with_fit_in_a_sequence_classifier(kind):
    """Drops into SequenceClassifier and lib.fit like lib.GRU, and learns delayed recall."""
    x, y = tasks.delayed_recall(512, lag=8, seed=0)
    rnn = lib.set_keep_gate_bias(MODELS[kind](8, 16, batch_first=True, seed=0), 3.0)
    model = lib.SequenceClassifier(rnn, num_classes=4, seed=0)
    optimizer = lib.Adam(model.modules, lr=0.02)
    lib.fit(model, (x, y), lib.cross_entropy, optimizer, epochs=6, progress=False, seed=0)
    test = tasks.delayed_recall(256, lag=8, seed=1)
    assert lib.evaluate(model, test, lib.cross_entropy)["accuracy"] > 0.9


@pytest.mark.parametrize("kind", [MinGRU, MinLSTM])
@pytest.mark.parametrize("scan", ["sequential", "parallel", "cumulative"])
def test_padded_batches_equal_each_sequence_run_alone(kind, scan):
    """lengths: padding changes neither a sequence's outputs, its final state nor dx."""
    model = kind(3, 4, num_layers=2, bidirectional=True, batch_first=True, dtype="float64",
                 scan=scan, seed=0)  # fmt: skip
    rng = np.random.default_rng(1)
    lengths = np.array([5, 2, 4])
    x = rng.standard_normal((3, 5, 3))
    dout = rng.standard_normal((3, 5, 8))
    out, h_n = model(x, lengths=lengths)
    dx, _ = model.backward(dout)
    for row, length in enumerate(lengths):
        alone, h_alone = model(x[row : row + 1, :length])
        np.testing.assert_allclose(out[row, :length], alone[0], atol=1e-12)
        np.testing.assert_allclose(out[row, length:], 0.0)
        np.testing.assert_allclose(h_n[:, row], h_alone[:, 0], atol=1e-12)
        dx_alone, _ = model.backward(dout[row : row + 1, :length])
        np.testing.assert_allclose(dx[row, :length], dx_alone[0], atol=1e-12)
        np.testing.assert_allclose(dx[row, length:], 0.0)
