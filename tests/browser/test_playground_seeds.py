"""The playground page's table of seeds comes from book/experiments/playground_seeds.json,
written by the script beside it. These tests check that the file is complete and made at
today's default settings, that the page's summary reads it right, and re-run a slice of
the runs in Chromium: a seed fixes a run, so the same code must give the same updates
and accuracies."""

import pytest

from lib.course import playground_seeds
from lib.course.playground import defaults

# A run of each cell at each lag: the RNN's lag-40 run is one that never learns (1500
# updates); the others stop when they have learned.
SLICE = [(20, "rnn", 1), (40, "rnn", 1), (40, "lstm", 3), (20, "gru", 2)]

pytestmark = [pytest.mark.browser]


def test_results_cover_every_lag_cell_and_seed_at_the_defaults(experiment_script):
    results = playground_seeds.load(playground_seeds.RESULTS_PATH)
    script = experiment_script("playground_seeds")
    shared = {k: v for k, v in defaults().items() if k not in ("lag", "cell", "seed")}
    assert results["settings"] == shared, "the defaults changed: run the script again"
    runs = sorted((r["lag"], r["cell"], r["seed"]) for r in results["rows"])
    expected = sorted(
        (lag, cell, seed) for lag in script.LAGS for cell in script.CELLS for seed in script.SEEDS
    )
    assert runs == expected
    assert len(script.SEEDS) >= 5 and defaults()["lag"] in script.LAGS


def test_the_summary_counts_runs_that_learned():
    rows = [
        {"lag": 20, "cell": "rnn", "seed": s, "learned_at": at, "accuracy": acc}
        for s, at, acc in [(1, 140, 1.0), (2, None, 0.25), (3, 80, 1.0)]
    ]
    outcome = playground_seeds.summary(rows)[20, "rnn"]
    assert outcome.count == "2 of 3"
    assert playground_seeds.describe(outcome) == (
        "2 of 3; at update 80 to 140 (median 110); the others end at held-out accuracy 0.25"
    )
    assert playground_seeds.published({(20, "rnn"): outcome}) == {
        "lag20_rnn": "2 of 3",
        "lag20_rnn_first": "80",
        "lag20_rnn_last": "140",
    }


def test_a_file_without_its_keys_is_refused(tmp_path):
    path = tmp_path / "seeds.json"
    path.write_text('{"rows": []}')
    with pytest.raises(ValueError, match="expected the keys settings and rows"):
        playground_seeds.load(path)


@pytest.fixture(scope="module")
def runner(module_page):
    page, exported = module_page("training_run.js", "playground")
    assert "TrainingRun" in exported
    return page


@pytest.mark.slow
@pytest.mark.parametrize("lag, cell, seed", SLICE)
def test_a_slice_of_the_runs_gives_the_stored_results(runner, experiment_script, lag, cell, seed):
    stored = [
        r
        for r in playground_seeds.load(playground_seeds.RESULTS_PATH)["rows"]
        if (r["lag"], r["cell"], r["seed"]) == (lag, cell, seed)
    ]
    assert len(stored) == 1
    again = experiment_script("playground_seeds").run(runner, lag, cell, seed)
    for key in ("learned_at", "updates", "accuracy", "best_accuracy"):
        assert again[key] == stored[0][key], f"{cell} lag {lag} seed {seed}: {key}"
