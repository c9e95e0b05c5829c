"""Chapter 8's accuracy sweep: every model on delayed recall and selective copying, 3 seeds.

    .venv/bin/python book/experiments/after_the_lstm.py           # the whole sweep
    .venv/bin/python book/experiments/after_the_lstm.py --quick   # one seed, small sizes

It trains each model of ``lib.course.sequence_models.MODELS`` with the same budget
(``Budget()``: 2048 training sequences, 10 epochs, Adam, hidden size 32) and writes the
test accuracies to ``after_the_lstm.json`` beside this file, which chapter 8 reads. It
takes longer than a chapter may (about half an hour on 2 busy cores), so it runs here, once;
``tests/book/test_after_the_lstm_results.py`` re-runs a slice and compares.
"""

import argparse
import os
import pathlib
import sys
import time

# Small matrices: one BLAS thread is fastest, and on a busy machine threads that wait for
# each other make every product many times slower.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from lib.course import sequence_models as sm  # noqa: E402

RESULTS = pathlib.Path(__file__).with_suffix(".json")
RECALL_LAGS = (10, 40, 160)
COPY_LENGTHS = (16, 32, 64)
SEEDS = (0, 1, 2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one seed, the smallest sizes")
    parser.add_argument("--out", type=pathlib.Path, default=RESULTS)
    args = parser.parse_args()
    lags, lengths, seeds = RECALL_LAGS, COPY_LENGTHS, SEEDS
    if args.quick:
        lags, lengths, seeds = lags[:1], lengths[:1], seeds[:1]
    task_list = [sm.RECALL.at(lag) for lag in lags] + [sm.COPYING.at(n) for n in lengths]
    budget = sm.Budget()
    start = time.perf_counter()
    rows = sm.sweep(sm.MODELS, task_list, seeds, budget)
    minutes = (time.perf_counter() - start) / 60
    note = f"{len(rows)} runs in {minutes:.0f} minutes"
    sm.save_results(args.out, rows, budget, note)
    print(f"wrote {args.out} ({note})")


if __name__ == "__main__":
    main()
