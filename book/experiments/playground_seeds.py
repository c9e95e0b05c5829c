"""The playground's claim over seeds: delayed recall at lags 20 and 40, every cell, seeds 1-6.

    .venv/bin/python book/experiments/playground_seeds.py    # about two minutes

The playground's page shows one run at a time, and one seed proves little. This script
runs the page's own training code (``lib/course/js/training_run.js`` with ``train.js``,
imported into a blank page of Debian's Chromium) at the playground's defaults with
``lag``, ``cell`` and ``seed`` changed, each run until it has learned (held-out accuracy
0.95) or has made its 1500 updates, and writes ``playground_seeds.json`` beside this
file, which the playground page reads. A seed fixes the weights, the batches and the
held-out set, so the update counts are the same on every machine;
``tests/browser/test_playground_seeds.py`` re-runs a slice and compares.
"""

import argparse
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from lib.course.explorables import IMPORT_AS_GLOBAL, module_source  # noqa: E402
from lib.course.playground import defaults  # noqa: E402
from lib.course.playground_seeds import RESULTS_PATH  # noqa: E402

LAGS = (20, 40)
CELLS = ("lstm", "gru", "rnn")
SEEDS = tuple(range(1, 7))

# One run, as the worker plays it, until it has learned or has finished.
RUN = """(settings) => {
    const start = performance.now();
    const run = new window.playground.TrainingRun(settings);
    while (run.learnedAt === null && !run.finished) run.update();
    const accuracies = run.evaluations.map((e) => e.accuracy);
    return {learned_at: run.learnedAt, updates: run.updates, accuracy: accuracies.at(-1),
            best_accuracy: Math.max(...accuracies), seconds: (performance.now() - start) / 1000};
}"""


def settings(lag, cell, seed):
    """The playground's default settings with lag, cell and seed changed."""
    return {**defaults(), "lag": lag, "cell": cell, "seed": seed}


def open_runner(playwright):
    """A blank Chromium page with the playground's training code imported."""
    browser = playwright.chromium.launch(
        executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
    )
    page = browser.new_page()
    page.set_content("<!doctype html><title>playground seeds</title>")
    page.evaluate(IMPORT_AS_GLOBAL, [module_source("training_run.js"), "playground"])
    return browser, page


def run(page, lag, cell, seed):
    """One run's row: its settings, the update it learned at (None: never), the held-out
    accuracy at the end and at best, and the seconds it took in this page."""
    return {"lag": lag, "cell": cell, "seed": seed, **page.evaluate(RUN, settings(lag, cell, seed))}


def main():
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=RESULTS_PATH)
    args = parser.parse_args()
    rows = []
    with sync_playwright() as playwright:
        browser, page = open_runner(playwright)
        for lag in LAGS:
            for cell in CELLS:
                for seed in SEEDS:
                    rows.append(run(page, lag, cell, seed))
                    print(json.dumps(rows[-1]), flush=True)
        browser.close()
    shared = {k: v for k, v in defaults().items() if k not in ("lag", "cell", "seed")}
    args.out.write_text(json.dumps({"settings": shared, "rows": rows}, indent=1) + "\n")
    print(f"wrote {args.out} ({len(rows)} runs)")


if __name__ == "__main__":
    main()
