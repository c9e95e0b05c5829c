"""Agreement accuracy against the number of attractors for RNN, LSTM and GRU, three seeds.

    OPENBLAS_NUM_THREADS=1 python book/models/agreement_distance.py     # about 8 minutes

For each number of attractors k (2 to 12) and each cell, three models (seeds 0, 1, 2)
train on sentences with k attractors (``lib.course.agreement.train``) and are tested on
new sentences whose k attractors all have the other number. Writes
``agreement_distance.json``, which chapter 7 plots; ``tests/book/test_charlm_models.py``
re-runs one model and checks its recorded accuracy.
"""

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from lib.course import agreement  # noqa: E402

HERE = Path(__file__).resolve().parent


def main():
    start = time.perf_counter()
    results = agreement.distance_sweep(
        report=lambda line: print(f"{line} ({time.perf_counter() - start:.0f} s)", flush=True)
    )
    record = {
        "distances": list(agreement.DISTANCES),
        "seeds": [0, 1, 2],
        "accuracy": results,
        "seconds": round(time.perf_counter() - start),
        "command": "OPENBLAS_NUM_THREADS=1 python book/models/agreement_distance.py",
    }
    (HERE / "agreement_distance.json").write_text(json.dumps(record, indent=1) + "\n")
    print(f"wrote {HERE / 'agreement_distance.json'}")


if __name__ == "__main__":
    main()
