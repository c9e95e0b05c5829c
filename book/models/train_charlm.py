"""Train chapter 7's character language model and save its weights and history.

    OPENBLAS_NUM_THREADS=1 python book/models/train_charlm.py        # about 10 minutes

An LSTM (embedding 32, one layer of 256 units, linear decoder) reads the training text
of ``lib.text`` (six tragedies, the first 90 %) in order, in 32 streams of 64-character
windows, with stateful truncated BPTT (``lib.text_pass``): Adam, gradient norm clipped
at 5, the learning rate multiplied by 0.7 after each epoch, evaluated on the validation
text (the last 10 %) after every epoch. It writes ``charlm_lstm.npz`` (the weights,
float32, torch's keys) and ``charlm_lstm.json`` (settings, the losses of the first
training windows, per-epoch losses, samples at three points of training, the time it
took). The chapter loads both; ``tests/course/test_charlm.py`` re-runs the first windows
against the recorded losses and checks that the weights reach the recorded validation
loss.
"""

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import lib  # noqa: E402
from lib import text  # noqa: E402

HERE = Path(__file__).resolve().parent
SETTINGS = {
    "cell": "LSTM",
    "embedding_dim": 32,
    "hidden_size": 256,
    "num_layers": 1,
    "batch": 32,
    "seq_len": 64,
    "lr": 2e-3,
    "lr_decay": 0.7,
    "clip": 5.0,
    "epochs": 6,
    "seed": 0,
}
SAMPLE = {"prime": "HAMLET:\n", "length": 300, "temperature": 0.8, "seed": 0}
RECORDED_WINDOWS = 100  # the losses of the first windows, for the reproduction test
EARLY_SAMPLE_WINDOW = 100  # 1/3 of an epoch


def data():
    """(vocabulary, training ids, validation ids) of the course's text."""
    corpus = text.load_shakespeare()
    vocab = text.CharVocabulary.from_text(corpus)
    train, valid = text.train_validation_split(vocab.encode(corpus))
    return vocab, train, valid


def build(vocab_size):
    """The model and its optimizer, from SETTINGS."""
    model = lib.LanguageModel(
        vocab_size,
        SETTINGS["embedding_dim"],
        SETTINGS["hidden_size"],
        SETTINGS["num_layers"],
        cell=SETTINGS["cell"],
        seed=SETTINGS["seed"],
    )
    return model, lib.Adam(model.modules, lr=SETTINGS["lr"])


def train_pass(model, optimizer, ids, max_windows=None, on_window=None):
    """One training pass over ``ids`` with SETTINGS' batch, window length and clipping."""
    return lib.text_pass(
        model,
        ids,
        SETTINGS["batch"],
        SETTINGS["seq_len"],
        optimizer,
        SETTINGS["clip"],
        max_windows=max_windows,
        on_window=on_window,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(HERE), help="folder for the .npz and .json")
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    vocab, train, valid = data()
    model, optimizer = build(len(vocab))
    history = {"first_windows": [], "train_loss": [], "valid_loss": [], "samples": {}}

    def watch(index, loss):
        if index < RECORDED_WINDOWS:
            history["first_windows"].append(loss)
        if index + 1 == EARLY_SAMPLE_WINDOW:
            history["samples"][f"after {EARLY_SAMPLE_WINDOW} windows"] = lib.sample(
                model, vocab, **SAMPLE
            )

    start = time.perf_counter()
    for epoch in range(SETTINGS["epochs"]):
        optimizer.lr = SETTINGS["lr"] * SETTINGS["lr_decay"] ** epoch
        train_loss = train_pass(model, optimizer, train, on_window=watch if epoch == 0 else None)
        valid_loss = lib.text_pass(model, valid, SETTINGS["batch"], SETTINGS["seq_len"])
        history["train_loss"].append(train_loss)
        history["valid_loss"].append(valid_loss)
        if epoch == 0:
            history["samples"]["after 1 epoch"] = lib.sample(model, vocab, **SAMPLE)
        print(
            f"epoch {epoch + 1}: train {train_loss:.4f}, valid {valid_loss:.4f} "
            f"(perplexity {lib.perplexity(valid_loss):.2f}), "
            f"{time.perf_counter() - start:.0f} s",
            flush=True,
        )
    history["samples"][f"after {SETTINGS['epochs']} epochs"] = lib.sample(model, vocab, **SAMPLE)
    record = {
        "settings": SETTINGS,
        "sample_settings": SAMPLE,
        "vocabulary": "".join(vocab.chars),
        "parameters": model.num_parameters(),
        "seconds": round(time.perf_counter() - start),
        "machine": f"{platform.machine()}, numpy {np.__version__}, shared 2-core machine",
        "command": "OPENBLAS_NUM_THREADS=1 python book/models/train_charlm.py",
        **history,
    }
    np.savez_compressed(out / "charlm_lstm.npz", **model.state_dict())
    (out / "charlm_lstm.json").write_text(json.dumps(record, indent=1) + "\n")
    print(f"wrote {out / 'charlm_lstm.npz'} and {out / 'charlm_lstm.json'}")


if __name__ == "__main__":
    main()
