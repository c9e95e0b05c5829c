"""Padded batches (``lengths``) against torch's packed sequences, and dropout between layers.

lengths: every combination of cell, layers, directions and batch layout is run through
``torch.nn.utils.rnn.pack_padded_sequence`` (enforce_sorted=False) and
``pad_packed_sequence``; outputs, final states and every gradient must agree.
dropout: evaluation mode equals torch exactly; training mode is compared with torch
single-layer modules chained by hand with the masks lib used.
"""

import warnings

import numpy as np
import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

import lib

pytestmark = pytest.mark.usefixtures("no_onednn")
T, B, D, H = 6, 4, 3, 5
LENGTHS = np.array([3, 6, 1, 4])
KINDS = ["RNN", "LSTM", "GRU"]


def state_arrays(kind, result_state):
    return list(result_state) if kind == "LSTM" else [result_state]


def torch_packed_run(reference, x, lengths, batch_first, cotangents):
    """torch forward over a packed batch; backward of sum(out * c_out) + sum(h_n * c_h)."""
    xt = torch.tensor(x, requires_grad=True)
    packed = pack_padded_sequence(
        xt, torch.tensor(lengths), batch_first=batch_first, enforce_sorted=False
    )
    packed_out, state = reference(packed)
    out, _ = pad_packed_sequence(packed_out, batch_first=batch_first, total_length=T)
    outputs = [out] + (list(state) if isinstance(state, tuple) else [state])
    loss = sum((o * torch.tensor(c)).sum() for o, c in zip(outputs, cotangents, strict=True))
    loss.backward()
    grads = {name: p.grad.numpy() for name, p in reference.named_parameters()}
    return [o.detach().numpy() for o in outputs], xt.grad.numpy(), grads


@pytest.mark.parametrize("batch_first", [False, True], ids=["seqfirst", "batchfirst"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("num_layers", [1, 2], ids=["L1", "L2"])
@pytest.mark.parametrize("kind", KINDS)
def test_lengths_match_packed_sequences(
    kind, num_layers, bidirectional, batch_first, build_pair, assert_close, assert_grads_close
):
    reference, model = build_pair(
        kind, D, H, num_layers=num_layers, bidirectional=bidirectional, batch_first=batch_first
    )
    rng = np.random.default_rng(7)
    x = rng.standard_normal((B, T, D) if batch_first else (T, B, D))
    out, state = model(x, lengths=LENGTHS)
    outputs = [out] + state_arrays(kind, state)
    cotangents = [rng.standard_normal(o.shape) for o in outputs]
    expected, dx_ref, grads_ref = torch_packed_run(reference, x, LENGTHS, batch_first, cotangents)
    for name, got, want in zip(["out", "h_n", "c_n"], outputs, expected):
        assert_close(got, want, "float64", name)
    dstate = tuple(cotangents[1:]) if kind == "LSTM" else cotangents[1]
    dx, _ = model.backward(cotangents[0], dstate)
    assert_close(dx, dx_ref, "float64", "dx")
    assert_grads_close(model.grads, grads_ref, "float64")


@pytest.mark.parametrize("kind", KINDS)
def test_padding_values_change_nothing(kind):
    """Whatever sits in the padded steps, outputs, states and gradients stay the same."""
    model = getattr(lib, kind)(D, H, num_layers=2, bidirectional=True, dtype="float64", seed=0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((T, B, D))
    noisy = x.copy()
    for row, length in enumerate(LENGTHS):
        noisy[length:, row] = 100 * rng.standard_normal((T - length, D))
    dout = rng.standard_normal((T, B, 2 * H))
    results = []
    for data in (x, noisy):
        out, state = model(data, lengths=LENGTHS)
        dx, dhx = model.backward(dout)
        results.append([out, *state_arrays(kind, state), *state_arrays(kind, dhx)])
        results[-1] += [model.grads[key] for key in sorted(model.grads)]
    for clean, padded in zip(*results):
        np.testing.assert_array_equal(clean, padded)


@pytest.mark.parametrize("kind", KINDS)
def test_full_lengths_equal_no_lengths(kind):
    model = getattr(lib, kind)(D, H, dtype="float64", seed=0)
    x = np.random.default_rng(1).standard_normal((T, B, D))
    out, _ = model(x)
    out_full, _ = model(x, lengths=np.full(B, T))
    np.testing.assert_array_equal(out, out_full)


@pytest.mark.parametrize(
    "lengths, message",
    [
        (np.array([3, 6, 0, 4]), r"1\.\.6"),
        (np.array([3, 7, 1, 4]), r"1\.\.6"),
        (np.array([3, 6, 1]), r"shape \(4,\)"),
        (np.array([3.0, 6, 1, 4]), "integers"),
    ],
    ids=["zero", "too_long", "wrong_shape", "float"],
)
def test_bad_lengths_are_explained(lengths, message):
    model = lib.LSTM(D, H)
    with pytest.raises((ValueError, TypeError), match=message):
        model(np.zeros((T, B, D)), lengths=lengths)


def test_lengths_need_a_batch():
    with pytest.raises(ValueError, match="batched"):
        lib.GRU(D, H)(np.zeros((T, D)), lengths=np.array([3]))


# ---- dropout ----------------------------------------------------------------------------
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("num_layers", [2, 3], ids=["L2", "L3"])
@pytest.mark.parametrize("kind", KINDS)
def test_eval_mode_equals_torch(kind, num_layers, bidirectional, build_pair, assert_close):
    reference, model = build_pair(
        kind, D, H, num_layers=num_layers, bidirectional=bidirectional, dropout=0.5
    )
    reference.eval()
    model.eval()
    x = np.random.default_rng(3).standard_normal((T, B, D))
    out, _ = model(x)
    assert model.dropout_masks is None
    with torch.no_grad():
        expected, _ = reference(torch.tensor(x))
    assert_close(out, expected, "float64", "out")


def single_layers(reference, kind, num_layers, bidirectional):
    """torch single-layer modules holding the weights of each layer of ``reference``."""
    layers = []
    for layer in range(num_layers):
        width = D if layer == 0 else H * (2 if bidirectional else 1)
        single = getattr(torch.nn, kind)(width, H, bidirectional=bidirectional, dtype=torch.float64)
        suffix = f"_l{layer}"
        single.load_state_dict(
            {
                name.replace(suffix, "_l0"): value
                for name, value in reference.state_dict().items()
                if suffix in name
            }
        )
        layers.append(single)
    return layers


@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("kind", KINDS)
def test_training_mode_applies_its_masks_like_torch(
    kind, bidirectional, build_pair, assert_close, assert_grads_close
):
    """lib's masks, applied by hand between torch's single layers: same values, same grads."""
    num_layers, p = 3, 0.4
    reference, model = build_pair(
        kind, D, H, num_layers=num_layers, bidirectional=bidirectional, dropout=p
    )
    rng = np.random.default_rng(5)
    x = rng.standard_normal((T, B, D))
    out, _ = model(x)
    masks = model.dropout_masks
    assert len(masks) == num_layers - 1
    for mask in masks:
        assert set(np.unique(mask)) <= {0.0, 1 / (1 - p)}
        assert 0.2 < (mask == 0).mean() < 0.6  # about p of the units dropped
    dout = rng.standard_normal(out.shape)
    model.backward(dout)

    layers = single_layers(reference, kind, num_layers, bidirectional)
    xt = torch.tensor(x)
    hidden = xt
    for layer, single in enumerate(layers):
        if layer > 0:
            hidden = hidden * torch.tensor(masks[layer - 1])
        hidden, _ = single(hidden)
    (hidden * torch.tensor(dout)).sum().backward()
    assert_close(out, hidden, "float64", "out")
    expected = {}
    for layer, single in enumerate(layers):
        for name, param in single.named_parameters():
            expected[name.replace("_l0", f"_l{layer}")] = param.grad.numpy()
    assert_grads_close(model.grads, expected, "float64")


def test_masks_are_fresh_each_call_and_seeded():
    first = lib.LSTM(D, H, num_layers=2, dropout=0.5, seed=1)
    second = lib.LSTM(D, H, num_layers=2, dropout=0.5, seed=1)
    x = np.zeros((T, B, D))
    first(x)
    mask_a = first.dropout_masks[0].copy()
    first(x)
    second(x)
    assert not np.array_equal(mask_a, first.dropout_masks[0])
    np.testing.assert_array_equal(mask_a, second.dropout_masks[0])


def test_train_and_eval_switch_modes():
    model = lib.GRU(D, H, num_layers=2, dropout=0.3)
    assert model.training
    assert model.eval() is model and not model.training
    x = np.random.default_rng(0).standard_normal((T, B, D))
    np.testing.assert_array_equal(model(x)[0], model(x)[0])
    model.train()
    assert model.training
    assert not np.array_equal(model(x)[0], model(x)[0])


@pytest.mark.parametrize("dropout", [-0.1, 1.0, 1.5])
def test_bad_dropout_is_explained(dropout):
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        lib.LSTM(D, H, num_layers=2, dropout=dropout)


def test_dropout_must_be_a_number():
    with pytest.raises(TypeError, match="number"):
        lib.RNN(D, H, num_layers=2, dropout="0.5")


def test_dropout_with_one_layer_warns_like_torch():
    with pytest.warns(UserWarning, match="num_layers=1"):
        lib.LSTM(D, H, dropout=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lib.LSTM(D, H, num_layers=2, dropout=0.2)


@pytest.mark.parametrize("chunk_steps", [1, 4], ids=["chunk1", "chunk4"])
def test_lstm_backward_in_chunks_matches_torch(
    chunk_steps, monkeypatch, build_pair, assert_close, assert_grads_close
):
    """The LSTM backward computes its factors a few steps at a time: any chunking, same grads."""
    from lib import kernels

    monkeypatch.setattr(kernels, "FACTOR_CHUNK_ELEMENTS", chunk_steps * B * 4 * H)
    reference, model = build_pair("LSTM", D, H, num_layers=2, bidirectional=True)
    rng = np.random.default_rng(11)
    x = rng.standard_normal((T, B, D))
    out, (h_n, c_n) = model(x, lengths=LENGTHS)
    cotangents = [rng.standard_normal(a.shape) for a in (out, h_n, c_n)]
    expected, dx_ref, grads_ref = torch_packed_run(reference, x, LENGTHS, False, cotangents)
    dx, _ = model.backward(cotangents[0], tuple(cotangents[1:]))
    assert_close(dx, dx_ref, "float64", "dx")
    assert_grads_close(model.grads, grads_ref, "float64")
