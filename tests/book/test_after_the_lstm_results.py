"""Chapter 8 reads its accuracy table from book/experiments/after_the_lstm.json, written by
the script beside it. These tests check that the file is complete (every model, task
size and seed the chapter shows) and re-run a slice of the sweep: the same code with the
same seeds must give the stored accuracies."""

from pathlib import Path

import pytest

from lib.course import sequence_models as sm

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "book" / "experiments" / "after_the_lstm.json"
# Cheap runs (short sequences); float32 sums may round differently on another BLAS, which
# can move a few of the 512 test answers: 0.02 is 10 of them.
SLICE = [("minGRU", sm.RECALL, 10, 0), ("attention", sm.COPYING, 16, 1)]
TOLERANCE = 0.02


def test_results_cover_every_model_size_and_seed(experiment_script):
    rows, budget = sm.load_results(RESULTS)
    script = experiment_script("after_the_lstm")
    assert budget == sm.Budget()
    for task, sizes in (("recall", script.RECALL_LAGS), ("copying", script.COPY_LENGTHS)):
        table = sm.summary(rows, task)
        models = [m for m in sm.MODELS if not (task == "copying" and m == "LSTM + attention")]
        assert sorted(table) == sorted(models)
        for model in models:
            assert sorted(table[model]) == sorted(sizes)
            assert all(n == len(script.SEEDS) >= 3 for _, _, n in table[model].values())
    assert all(0.0 <= row["accuracy"] <= 1.0 for row in rows)


@pytest.mark.slow
@pytest.mark.parametrize("model, family, size, seed", SLICE)
def test_a_slice_of_the_sweep_gives_the_stored_accuracy(model, family, size, seed):
    rows, budget = sm.load_results(RESULTS)
    task = family.at(size)
    stored = [
        r["accuracy"]
        for r in rows
        if (r["model"], r["task"], r["size"], r["seed"]) == (model, task.name, size, seed)
    ]
    assert len(stored) == 1
    assert sm.train_and_score(model, task, seed, budget) == pytest.approx(stored[0], abs=TOLERANCE)
