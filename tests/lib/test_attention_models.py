"""lib.SelfAttention (against torch.nn.MultiheadAttention with one head) and
lib.AttentionClassifier (a recurrent model looking back over its states): values,
gradients by finite differences, use with lib.fit, errors."""

import numpy as np
import pytest
import torch

import lib
from lib import backend, tasks
from lib.attention_models import AttentionClassifier, SelfAttention, positional_encoding
from lib.gradcheck import gradcheck

CLOSE = {"rtol": 1e-10, "atol": 1e-10}


def torch_self_attention(state, x, num_layers, causal):
    """The same network from torch parts: Linear, positions, MultiheadAttention(1 head)."""
    params = {k: torch.tensor(backend.to_numpy(v)) for k, v in state.items()}
    xt = torch.tensor(x, requires_grad=True)
    seq_len, size = x.shape[1], params["input_proj.weight"].shape[0]
    positions = torch.tensor(positional_encoding(seq_len, size, "float64"))
    stream = xt @ params["input_proj.weight"].T + params["input_proj.bias"] + positions
    hidden_mask = torch.ones(seq_len, seq_len, dtype=torch.bool).triu(1) if causal else None
    all_weights = []
    for layer in range(num_layers):
        attention = torch.nn.MultiheadAttention(size, 1, batch_first=True, dtype=torch.float64)
        prefix = f"layers.{layer}."
        attention.load_state_dict(
            {k[len(prefix) :]: v for k, v in params.items() if k.startswith(prefix)}
        )
        mixed, weights = attention(stream, stream, stream, attn_mask=hidden_mask)
        stream = stream + mixed
        all_weights.append(weights)
    return xt, stream, all_weights


@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("causal", [True, False])
def test_self_attention_matches_torch(to_lib, num_layers, causal):
    rng = np.random.default_rng(0)
    x, dout = rng.standard_normal((2, 6, 3)), rng.standard_normal((2, 6, 4))
    layer = SelfAttention(3, 4, num_layers=num_layers, causal=causal, dtype="float64", seed=1)
    out, weights = layer(to_lib(x))
    dx, _ = layer.backward(to_lib(dout))

    xt, out_t, weights_t = torch_self_attention(layer.state_dict(), x, num_layers, causal)
    (out_t * torch.tensor(dout)).sum().backward()
    np.testing.assert_allclose(backend.to_numpy(out), out_t.detach().numpy(), **CLOSE)
    for got, expected in zip(weights, weights_t, strict=True):
        np.testing.assert_allclose(backend.to_numpy(got), expected.detach().numpy(), **CLOSE)
    np.testing.assert_allclose(backend.to_numpy(dx), xt.grad.numpy(), **CLOSE)


@pytest.mark.parametrize("num_layers", [1, 2])
def test_self_attention_finite_differences(num_layers):
    rng = np.random.default_rng(2)
    x, dout = rng.standard_normal((2, 5, 3)), rng.standard_normal((2, 5, 4))
    layer = SelfAttention(3, 4, num_layers=num_layers, dtype="float64", seed=3)

    def loss():
        return float((layer(x)[0] * dout).sum())

    layer(x)
    dx, _ = layer.backward(dout)
    assert set(layer.grads) == set(layer.params)
    gradcheck(loss, {**layer.params, "x": x}, {**layer.grads, "x": dx})


def test_self_attention_is_causal():
    """Changing a later input leaves every earlier output alone."""
    layer = SelfAttention(3, 4, num_layers=2, dtype="float64", seed=0)
    x = np.random.default_rng(0).standard_normal((1, 6, 3))
    changed = x.copy()
    changed[0, 4] += 1.0
    before, after = layer(x)[0], layer(changed)[0]
    np.testing.assert_array_equal(before[0, :4], after[0, :4])
    assert not np.allclose(before[0, 4:], after[0, 4:])


def test_state_dict_round_trip_updates_the_layer():
    layer, other = SelfAttention(3, 4, seed=0), SelfAttention(3, 4, seed=1)
    x = np.random.default_rng(0).standard_normal((2, 5, 3)).astype(np.float32)
    other.load_state_dict(layer.state_dict())
    np.testing.assert_array_equal(other(x)[0], layer(x)[0])


def test_positional_encoding():
    p = positional_encoding(50, 6, "float64")
    assert p.shape == (50, 6) and p.dtype == np.float64
    np.testing.assert_allclose(p[:, 0], np.sin(np.arange(50)))
    np.testing.assert_allclose(p[:, 1], np.cos(np.arange(50)))
    np.testing.assert_allclose(p[7, 4], np.sin(7 / 10000 ** (4 / 6)))
    assert positional_encoding(3, 5).shape == (3, 5)  # odd sizes work too


def test_self_attention_errors():
    layer = SelfAttention(3, 4)
    with pytest.raises(RuntimeError, match="forward"):
        layer.backward(np.zeros((2, 5, 4)))
    with pytest.raises(ValueError, match="size 3 in its last dimension"):
        layer(np.zeros((2, 5, 4)))
    with pytest.raises(ValueError, match="3 dimensions"):
        layer(np.zeros((5, 3)))
    with pytest.raises(ValueError, match="no state"):
        layer(np.zeros((2, 5, 3)), np.zeros((1, 2, 4)))
    layer(np.zeros((2, 5, 3)))
    with pytest.raises(ValueError, match=r"\(2, 5, 4\)"):
        layer.backward(np.zeros((2, 4, 4)))
    with pytest.raises(ValueError, match="batch-first"):
        SelfAttention(3, 4, batch_first=False)


# ---- AttentionClassifier --------------------------------------------------------------------


def all_params_and_grads(model):
    params, grads = {}, {}
    for index, module in enumerate(model.modules):
        params.update({f"{index}.{k}": v for k, v in module.params.items()})
        grads.update({f"{index}.{k}": v for k, v in module.grads.items()})
    return params, grads


@pytest.mark.parametrize("query", ["last", "learned"])
@pytest.mark.parametrize("kind", ["LSTM", "GRU", "MinGRU"])
def test_classifier_finite_differences(query, kind):
    rng = np.random.default_rng(4)
    x, labels = rng.standard_normal((3, 5, 2)), np.array([0, 2, 1])
    rnn = getattr(lib, kind)(2, 3, batch_first=True, dtype="float64", seed=5)
    model = AttentionClassifier(rnn, num_classes=3, query=query, seed=6)

    def loss():
        return lib.cross_entropy(model(x), labels)[0]

    _, dlogits = lib.cross_entropy(model(x), labels)
    dx = model.backward(dlogits)
    params, grads = all_params_and_grads(model)
    gradcheck(loss, {**params, "x": x}, {**grads, "x": dx})


def test_classifier_weights_say_where_it_looked():
    rnn = lib.LSTM(2, 3, batch_first=True, dtype="float64", seed=0)
    model = AttentionClassifier(rnn, num_classes=2, seed=0)
    logits = model(np.random.default_rng(0).standard_normal((4, 7, 2)))
    assert logits.shape == (4, 2) and model.attention_weights.shape == (4, 1, 7)
    np.testing.assert_allclose(model.attention_weights.sum(axis=-1), 1.0, rtol=1e-12)


def test_classifier_looks_back_to_the_symbol_on_delayed_recall():
    """20 steps after the symbol, an LSTM trained briefly (no keep-gate bias) has forgotten
    it; the same LSTM with attention looks back at the first steps and names it."""
    x, y = tasks.delayed_recall(512, lag=20, seed=0)
    test_x, test_y = tasks.delayed_recall(256, lag=20, seed=1)
    scores = {}
    for query in (None, "last"):
        rnn = lib.LSTM(8, 16, batch_first=True, seed=0)
        if query is None:
            model = lib.SequenceClassifier(rnn, num_classes=4, seed=0)
        else:
            model = AttentionClassifier(rnn, num_classes=4, query=query, seed=0)
        optimizer = lib.Adam(model.modules, lr=0.02)
        lib.fit(model, (x, y), lib.cross_entropy, optimizer, 6, clip=1.0, progress=False, seed=0)
        scores[query] = lib.accuracy(model(test_x), test_y)
    assert scores[None] < 0.5 and scores["last"] > 0.95
    looked_at_the_start = float(model.attention_weights[:, 0, :3].sum(axis=-1).mean())
    assert looked_at_the_start > 2 * 3 / 21  # twice what uniform weights give the first 3 steps


def test_classifier_errors():
    with pytest.raises(ValueError, match="batch_first"):
        AttentionClassifier(lib.LSTM(2, 3), 2)
    with pytest.raises(ValueError, match="one direction"):
        AttentionClassifier(lib.LSTM(2, 3, batch_first=True, bidirectional=True), 2)
    with pytest.raises(ValueError, match="learned"):
        AttentionClassifier(lib.LSTM(2, 3, batch_first=True), 2, query="first")
    model = AttentionClassifier(lib.LSTM(2, 3, batch_first=True), 2)
    with pytest.raises(RuntimeError, match="forward"):
        model.backward(np.zeros((1, 2)))
    with pytest.raises(ValueError, match="3 dimensions"):
        model(np.zeros((5, 2)))
