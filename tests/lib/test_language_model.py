"""lib.LanguageModel against the same model in torch; truncated BPTT; sampling; perplexity."""

import math

import numpy as np
import pytest
import torch

import lib
from lib import backend, language_model, text

pytestmark = pytest.mark.usefixtures("no_onednn")
V, E, H, T, B = 11, 5, 6, 7, 3


class TorchLanguageModel(torch.nn.Module):
    """The torch twin: the attribute names give the state_dict keys lib uses."""

    def __init__(self, cell, num_layers, dropout=0.0):
        super().__init__()
        self.embedding = torch.nn.Embedding(V, E, dtype=torch.float64)
        self.rnn = getattr(torch.nn, cell)(E, H, num_layers, dropout=dropout, dtype=torch.float64)
        self.decoder = torch.nn.Linear(H, V, dtype=torch.float64)

    def forward(self, x, hx=None):
        out, state = self.rnn(self.embedding(x), hx)
        return self.decoder(out), state


def twins(cell, num_layers, seed=0):
    model = lib.LanguageModel(V, E, H, num_layers, cell=cell, dtype="float64", seed=seed)
    reference = TorchLanguageModel(cell, num_layers)
    reference.load_state_dict({k: torch.tensor(v) for k, v in model.state_dict().items()})
    return model, reference


def test_state_dict_keys_are_torchs():
    model, reference = twins("LSTM", 2)
    assert list(model.state_dict()) == list(reference.state_dict())
    assert model.num_parameters() == sum(p.numel() for p in reference.parameters())


@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("cell", ["RNN", "LSTM", "GRU"])
def test_forward_and_backward_match_torch(cell, num_layers, assert_close):
    model, reference = twins(cell, num_layers)
    rng = np.random.default_rng(0)
    x = rng.integers(V, size=(T, B))
    logits, _ = model(x)
    expected, _ = reference(torch.tensor(x))
    assert_close(logits, expected, "float64", "logits")
    y = rng.integers(V, size=(T, B))
    loss, dlogits = lib.cross_entropy(logits, y)
    model.backward(dlogits)
    torch_loss = torch.nn.functional.cross_entropy(expected.reshape(-1, V), torch.tensor(y).ravel())
    torch_loss.backward()
    assert abs(loss - torch_loss.item()) < 1e-12
    grads = {f"{name}.{key}": g for name, m in model.children.items() for key, g in m.grads.items()}
    for key, param in reference.named_parameters():
        assert_close(grads[key], param.grad, "float64", key)


@pytest.mark.parametrize("cell", ["LSTM", "GRU"])
def test_truncated_bptt_training_equals_torchs_loop(cell):
    """text_pass with SGD equals torch's word_language_model loop (state carried, detached)."""
    ids = np.random.default_rng(1).integers(V, size=200)
    model, reference = twins(cell, 2)
    lr, seq_len, batch = 0.5, 8, 4
    mean_loss = lib.text_pass(model, ids, batch, seq_len, lib.SGD(model.modules, lr=lr))

    optimizer = torch.optim.SGD(reference.parameters(), lr=lr)
    streams = torch.tensor(backend.to_numpy(text.batchify(ids, batch)))
    state, losses = None, []
    for start in range(0, len(streams) - 1, seq_len):
        stop = min(start + seq_len, len(streams) - 1)
        x, y = streams[start:stop], streams[start + 1 : stop + 1]
        if state is not None:  # repackage_hidden: keep the values, cut the graph
            state = tuple(s.detach() for s in state) if cell == "LSTM" else state.detach()
        optimizer.zero_grad()
        logits, state = reference(x, state)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
        loss.backward()
        optimizer.step()
        losses.append((loss.item(), y.numel()))
    expected = sum(loss * count for loss, count in losses) / sum(c for _, c in losses)
    assert abs(mean_loss - expected) < 1e-10
    for key, value in reference.state_dict().items():
        np.testing.assert_allclose(model.state_dict()[key], value.numpy(), rtol=1e-9, atol=1e-10)


def test_text_pass_evaluates_in_eval_mode_and_restores_it():
    model = lib.LanguageModel(V, E, H, num_layers=2, dropout=0.5, dtype="float64", seed=0)
    ids = np.random.default_rng(2).integers(V, size=100)
    first = lib.text_pass(model, ids, 2, 10)
    assert first == lib.text_pass(model, ids, 2, 10)  # no dropout while evaluating
    assert model.training
    assert abs(first - math.log(V)) < 0.5  # an untrained model is close to uniform


def test_perplexity():
    assert lib.perplexity(0.0) == 1.0
    assert math.isclose(lib.perplexity(math.log(63)), 63)
    for bad in (-0.1, float("nan"), "1"):
        with pytest.raises(ValueError, match="cross-entropy"):
            lib.perplexity(bad)


@pytest.mark.parametrize("temperature", [0.3, 1.0, 2.5])
def test_softmax_with_temperature_matches_torch(temperature, assert_close):
    logits = np.random.default_rng(0).standard_normal((4, V)) * 5
    expected = torch.softmax(torch.tensor(logits) / temperature, dim=-1)
    got = language_model.softmax_with_temperature(logits, temperature)
    assert_close(got, expected, "float64", "p")


def test_temperature_sharpens_and_flattens():
    logits = np.array([2.0, 1.0, 0.0])
    cold = language_model.softmax_with_temperature(logits, 0.1)
    hot = language_model.softmax_with_temperature(logits, 100.0)
    assert cold[0] > 0.99 and np.ptp(hot) < 0.01
    for bad in (0, -1.0, None):
        with pytest.raises(ValueError, match="temperature"):
            language_model.softmax_with_temperature(logits, bad)


def test_top_k_keeps_the_k_largest():
    logits = np.array([[0.5, 3.0, -1.0, 2.0], [1.0, 0.0, 4.0, 3.0]])
    kept = language_model.top_k_logits(logits, 2)
    values, _ = torch.topk(torch.tensor(logits), 2)
    assert np.isfinite(kept).sum() == 4
    np.testing.assert_array_equal(np.sort(kept[np.isfinite(kept)]), np.sort(values.numpy().ravel()))
    with pytest.raises(ValueError, match=r"1\.\.4"):
        language_model.top_k_logits(logits, 5)
    with pytest.raises(ValueError, match="NaN"):
        language_model.top_k_logits(np.array([np.nan, 1.0]), 1)


@pytest.fixture(scope="module")
def vocab():
    return text.CharVocabulary("abcdefghij ")


def test_sample_is_seeded_and_keeps_the_prime(vocab):
    model = lib.LanguageModel(len(vocab), E, H, num_layers=2, dropout=0.3, seed=0)
    first = lib.sample(model, vocab, "abc", 40, temperature=1.5, seed=3)
    assert first.startswith("abc") and len(first) == 43
    assert set(first) <= set(vocab.chars)
    assert first == lib.sample(model, vocab, "abc", 40, temperature=1.5, seed=3)
    assert first != lib.sample(model, vocab, "abc", 40, temperature=1.5, seed=4)
    assert model.training  # the mode is restored


def test_top_1_sampling_is_greedy(vocab):
    """top_k=1 feeds back the argmax at each step: the same as a hand-written greedy loop."""
    model = lib.LanguageModel(len(vocab), E, H, dtype="float64", seed=1)
    generated = lib.sample(model, vocab, "ab", 15, top_k=1, seed=0)
    ids = list(backend.to_numpy(vocab.encode("ab")))
    for _ in range(15):
        logits, _ = model(np.array(ids)[:, None])
        ids.append(int(logits[-1, 0].argmax()))
    assert generated == vocab.decode(np.array(ids))


def test_sample_checks_its_arguments(vocab):
    model = lib.LanguageModel(len(vocab), E, H, seed=0)
    with pytest.raises(ValueError, match="prime"):
        lib.sample(model, vocab, "", 5)
    with pytest.raises(ValueError, match="not in the vocabulary"):
        lib.sample(model, vocab, "xyz", 5)
    with pytest.raises(ValueError, match="characters but the model"):
        lib.sample(lib.LanguageModel(5, E, H), vocab, "a", 5)


def test_language_model_checks_its_arguments():
    with pytest.raises(ValueError, match="cell"):
        lib.LanguageModel(V, E, H, cell="Transformer")
    model = lib.LanguageModel(V, E, H)
    with pytest.raises(ValueError, match=r"\(seq_len, batch\)"):
        model(np.zeros((2, 3, 4), dtype=int))
    with pytest.raises(TypeError, match="integer"):
        model(np.zeros((2, 3)))


def test_sequence_classifier_reads_each_sequence_at_its_own_end():
    rnn = lib.GRU(3, 4, batch_first=True, dtype="float64", seed=0)
    model = lib.SequenceClassifier(rnn, 2, seed=0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 5, 3))
    lengths = np.array([2, 5, 4])
    logits = model(x, lengths=lengths)
    for row, length in enumerate(lengths):
        alone = model(x[row : row + 1, :length])
        np.testing.assert_allclose(logits[row], alone[0], rtol=1e-12, atol=1e-12)
    model(x, lengths=lengths)
    dlogits = rng.standard_normal(logits.shape)
    dx = model.backward(dlogits)
    assert not dx[0, 2:].any()  # padding gets no gradient
    assert list(model.state_dict())[-2:] == ["head.weight", "head.bias"]
