"""RNN, LSTM and GRU language models of equal size on the same text, two seeds each.

    OPENBLAS_NUM_THREADS=1 python book/models/compare_cells.py        # about 6 minutes

Each cell gets the hidden size that brings its model (embedding, recurrent layer,
decoder) closest to the parameter count of the LSTM with 128 units. Each model trains
for two passes over the first 200 000 characters of the training text (windows of 64
characters in 32 streams, Adam 3e-3, clipping at 5) and is evaluated on the first
20 000 characters of the validation text every 25 windows. Writes
``compare_cells.json`` (chapter 7 plots it; ``tests/book/test_charlm_models.py``
re-runs the first windows of one run) and the weights of each cell's seed-0 model,
``compare_rnn.npz`` etc. (the chapter's connectivity maps).
"""

import json
import sys
import time
from pathlib import Path

import numpy

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import lib  # noqa: E402
from lib import text  # noqa: E402

HERE = Path(__file__).resolve().parent
SETTINGS = {
    "embedding_dim": 32,
    "lstm_hidden": 128,
    "train_chars": 200_000,
    "valid_chars": 20_000,
    "passes": 2,
    "batch": 32,
    "seq_len": 64,
    "lr": 3e-3,
    "clip": 5.0,
    "eval_every": 25,
    "seeds": [0, 1],
}
CELLS = ("RNN", "LSTM", "GRU")


def count(cell, vocab_size, hidden):
    """The number of parameters of a language model with this cell and hidden size."""
    model = lib.LanguageModel(vocab_size, SETTINGS["embedding_dim"], hidden, cell=cell)
    return model.num_parameters()


def matched_hidden(cell, vocab_size):
    """The hidden size whose model has the parameter count closest to the reference LSTM's."""
    target = count("LSTM", vocab_size, SETTINGS["lstm_hidden"])
    return min(range(8, 512), key=lambda h: abs(count(cell, vocab_size, h) - target))


def data():
    corpus = text.load_shakespeare()
    vocab = text.CharVocabulary.from_text(corpus)
    train, valid = text.train_validation_split(vocab.encode(corpus))
    return vocab, train[: SETTINGS["train_chars"]], valid[: SETTINGS["valid_chars"]]


def run(cell, hidden, seed, vocab_size, train, valid, max_windows=None, save=None):
    """Train one model; returns its curve (windows seen, validation loss) and first losses.

    save: a path for the trained weights (.npz), or None.
    """
    model = lib.LanguageModel(vocab_size, SETTINGS["embedding_dim"], hidden, cell=cell, seed=seed)
    optimizer = lib.Adam(model.modules, lr=SETTINGS["lr"])
    record = {"windows": [0], "valid_loss": [], "first_windows": []}
    evaluate = lambda: lib.text_pass(model, valid, SETTINGS["batch"], SETTINGS["seq_len"])  # noqa: E731
    record["valid_loss"].append(evaluate())
    seen = 0

    def watch(index, loss):
        nonlocal seen
        seen += 1
        if len(record["first_windows"]) < 10:
            record["first_windows"].append(loss)
        if seen % SETTINGS["eval_every"] == 0:
            record["windows"].append(seen)
            record["valid_loss"].append(evaluate())

    for _ in range(SETTINGS["passes"]):
        lib.text_pass(
            model, train, SETTINGS["batch"], SETTINGS["seq_len"], optimizer, SETTINGS["clip"],
            max_windows=max_windows, on_window=watch,
        )  # fmt: skip
        if max_windows is not None:
            break
    if save is not None:
        numpy.savez_compressed(save, **model.state_dict())
    return record


def main():
    vocab, train, valid = data()
    results = {"settings": SETTINGS, "runs": {}}
    start = time.perf_counter()
    for cell in CELLS:
        hidden = matched_hidden(cell, len(vocab))
        results["runs"][cell] = {
            "hidden_size": hidden,
            "parameters": count(cell, len(vocab), hidden),
            "seeds": {},
        }
        for seed in SETTINGS["seeds"]:
            save = HERE / f"compare_{cell.lower()}.npz" if seed == 0 else None
            record = run(cell, hidden, seed, len(vocab), train, valid, save=save)
            results["runs"][cell]["seeds"][str(seed)] = record
            print(
                f"{cell} H={hidden} seed {seed}: valid {record['valid_loss'][-1]:.4f}, "
                f"{time.perf_counter() - start:.0f} s",
                flush=True,
            )
    results["seconds"] = round(time.perf_counter() - start)
    results["command"] = "OPENBLAS_NUM_THREADS=1 python book/models/compare_cells.py"
    (HERE / "compare_cells.json").write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {HERE / 'compare_cells.json'}")


if __name__ == "__main__":
    main()
