"""Chapter 7's look inside: traces equal the model, features, correlations, painting,
connectivity against torch's autograd, and the agreement experiment's helpers."""

import numpy as np
import pytest
import torch

import lib
from lib.course import agreement, inside


def test_lstm_trace_equals_the_models_own_forward():
    lstm = lib.LSTM(3, 5, dtype="float64", seed=0)
    x = np.random.default_rng(0).standard_normal((7, 3))
    trace = inside.lstm_trace(lstm, x)
    out, (h_n, c_n) = lstm(x)
    np.testing.assert_allclose(trace["h"], out, atol=1e-12)
    np.testing.assert_allclose(trace["c"][-1], c_n[0], atol=1e-12)
    assert set(trace) == set("ifgoch") and trace["f"].shape == (7, 5)
    with pytest.raises(ValueError, match="LSTM"):
        inside.lstm_trace(lib.GRU(3, 5), x)


def test_text_features():
    features = inside.text_features("AB:\nHi, you.\n")
    np.testing.assert_array_equal(features["position in the line"][:6], [0, 1, 2, 3, 0, 1])
    np.testing.assert_array_equal(features["inside a speaker's name"][:5], [1, 1, 1, 0, 0])
    np.testing.assert_array_equal(features["since punctuation"][4:9], [1, 2, 3, 0, 1])
    assert features["inside a word"].sum() == 7  # A B H i y o u


def test_correlations_and_best_units():
    rng = np.random.default_rng(0)
    feature = rng.standard_normal(200)
    activations = rng.standard_normal((200, 4))
    activations[:, 2] = 3 * feature + 0.1 * rng.standard_normal(200)
    r = inside.correlations(activations, feature)
    expected = [np.corrcoef(activations[:, k], feature)[0, 1] for k in range(4)]
    np.testing.assert_allclose(r, expected, atol=1e-12)
    (found,) = inside.best_units(activations, {"f": feature})
    assert found.unit == 2 and found.correlation > 0.99


def test_paint_colours_every_character():
    painted = inside.paint("a<b\n", [1.0, 0.0, -1.0, 0.5], title="unit 3")
    assert painted.count("<span") == 4 and "&lt;" in painted and "unit 3" in painted
    assert "rgb(255,0,0)" in painted and "rgb(0,0,255)" in painted
    with pytest.raises(ValueError, match="characters"):
        inside.paint("ab", [1.0])


def test_connectivity_matches_torch_autograd():
    model = lib.LanguageModel(6, 3, 4, cell="GRU", dtype="float64", seed=0)
    ids = np.array([0, 3, 1, 5, 2, 2, 4])
    matrix = inside.connectivity(model, ids)
    assert matrix.shape == (6, 7) and not np.triu(matrix, 1).any()
    embedding = torch.nn.Embedding(6, 3, dtype=torch.float64)
    rnn = torch.nn.GRU(3, 4, dtype=torch.float64)
    decoder = torch.nn.Linear(4, 6, dtype=torch.float64)
    state = {k: torch.tensor(v) for k, v in model.state_dict().items()}
    embedding.load_state_dict({"weight": state["embedding.weight"]})
    rnn.load_state_dict({k[4:]: v for k, v in state.items() if k.startswith("rnn.")})
    decoder.load_state_dict({k[8:]: v for k, v in state.items() if k.startswith("decoder.")})
    t = 4
    embedded = embedding(torch.tensor(ids)).detach().requires_grad_(True)
    out, _ = rnn(embedded[:, None])
    log_p = torch.log_softmax(decoder(out[:, 0]), dim=-1)
    log_p[t, ids[t + 1]].backward()
    np.testing.assert_allclose(matrix[t], embedded.grad.norm(dim=-1).numpy(), atol=1e-12)


def test_influence_by_distance_averages_each_diagonal_relative_to_the_current_character():
    matrix = np.tril(np.arange(1.0, 13.0).reshape(3, 4))  # (T - 1, T) with T = 4
    # distance 0: entries (0,0), (1,1), (2,2) = 1, 6, 11; distance 1: (1,0), (2,1) = 5, 10
    np.testing.assert_allclose(inside.influence_by_distance(matrix, 2), [1.0, 7.5 / 6.0])
    with pytest.raises(ValueError, match="connectivity matrix"):
        inside.influence_by_distance(matrix[:, :3], 2)
    with pytest.raises(ValueError, match="max_distance"):
        inside.influence_by_distance(matrix, 3)


def test_agreement_model_learns_short_distances():
    model = agreement.train("LSTM", 2, seed=0)
    assert agreement.accuracy(model, 2) > 0.9  # chance is 0.5
    _, _, _, sentences = agreement.test_set(2, n=5)
    assert all(len(words) >= 8 for words in sentences)  # "the key", then 2 x "to the key"
