"""Chapter 7's trained models: the committed weights and histories are what the scripts make.

``book/models/train_charlm.py`` trained the chapter's LSTM and recorded its losses;
``book/models/compare_cells.py`` trained the RNN/LSTM/GRU comparison. These tests re-run
the first training windows of each and compare them with the recorded losses, and check
that the committed weights reach the validation loss the chapter states.
"""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

import lib

MODELS = Path(__file__).resolve().parents[2] / "book" / "models"


def script(name):
    spec = importlib.util.spec_from_file_location(name, MODELS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def charlm():
    return script("train_charlm")


@pytest.fixture(scope="module")
def record():
    return json.loads((MODELS / "charlm_lstm.json").read_text())


def test_first_windows_reproduce_the_recorded_losses(charlm, record):
    vocab, train, _ = charlm.data()
    assert "".join(vocab.chars) == record["vocabulary"]
    model, optimizer = charlm.build(len(vocab))
    losses = []
    charlm.train_pass(
        model, optimizer, train, max_windows=12, on_window=lambda index, loss: losses.append(loss)
    )
    np.testing.assert_allclose(losses, record["first_windows"][:12], rtol=1e-4)


@pytest.mark.slow
def test_committed_weights_reach_the_stated_validation_loss(charlm, record):
    vocab, _, valid = charlm.data()
    model, _ = charlm.build(len(vocab))
    model.load_state_dict(dict(np.load(MODELS / "charlm_lstm.npz")))
    settings = record["settings"]
    loss = lib.text_pass(model, valid, settings["batch"], settings["seq_len"])
    assert abs(loss - record["valid_loss"][-1]) < 1e-4
    assert loss < record["valid_loss"][0] < np.log(len(vocab))  # it learned, and kept learning


def test_weights_are_small_and_the_record_is_complete(record):
    assert (MODELS / "charlm_lstm.npz").stat().st_size < 3_000_000
    assert len(record["samples"]) == 3
    assert len(record["valid_loss"]) == record["settings"]["epochs"]


def test_cell_comparison_reproduces_its_first_windows():
    compare = script("compare_cells")
    results = json.loads((MODELS / "compare_cells.json").read_text())
    vocab, train, valid = compare.data()
    runs = results["runs"]
    counts = [runs[cell]["parameters"] for cell in compare.CELLS]
    assert max(counts) / min(counts) < 1.01  # equal sizes, within 1 %
    gru = runs["GRU"]
    recorded = gru["seeds"]["0"]["first_windows"][:5]
    again = compare.run("GRU", gru["hidden_size"], 0, len(vocab), train, valid, max_windows=5)
    np.testing.assert_allclose(again["first_windows"], recorded, rtol=1e-4)
