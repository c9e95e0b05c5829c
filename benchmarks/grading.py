"""Grading at class size: 300 generated submissions through `make grade`'s code.

    python benchmarks/grading.py [--count 300] [--jobs 2] [--timeout 60] [--scaling 40]

The batch mixes, in a fixed rotation over the exercises on disk: 60 % correct notebooks,
30 % wrong ones (every wrong variant of tests/exercises/exercise_variants.py in turn, the
untouched student notebooks among them) and 10 % hostile ones (endless loops, memory
hogs, exits, segfaults, edited check cells, grader patches, unreadable files). It is
graded once with --jobs 2 (notebooks per minute, counts by status, peak memory of the
grader and its sandboxes together, sampled every 0.2 s), then a slice of plain
notebooks (no hostile ones, whose time is set by the limits) with --jobs 1, 2 and 4, to
show how the time grows with --jobs. Nothing is asserted.
"""

import argparse
import json
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "exercises"))

from exercise_variants import (  # noqa: E402
    CRASHES,
    HOSTILE,
    WRONG,
    apply,
    crash_notebook,
    hostile_notebook,
    student,
)

from exercises import grade  # noqa: E402
from exercises.build import fill_answers, masters, solutions  # noqa: E402


def hostile_kinds():
    """[(name, notebook dict or raw text)]: every hostile notebook of the test batch."""
    kinds = [(f"hostile-{v}", hostile_notebook(a, c, e)) for v, a, c, e, _, _ in HOSTILE]
    kinds += [(f"crash-{v}", crash_notebook(cell, "late")[0]) for v, cell, _ in CRASHES]
    kinds += [("invalid_json", '{"cells": [')]
    return kinds


def generate(folder, count):
    """Write ``count`` submissions into ``folder``; returns {kind: how many}."""
    names = sorted(masters())
    answers = {name: solutions(masters()[name]) for name in names}
    wrong = [
        (name, variant, {**answers[name], q: apply(answers[name][q], r)})
        for name in names
        for variant, q, r, _ in WRONG.get(name, [])
    ] + [(name, "untouched", {}) for name in names]
    hostile = hostile_kinds()
    made = Counter()
    for index in range(count):
        slot = index % 10
        if slot < 6:
            name = names[index % len(names)]
            nb, kind = fill_answers(student(name), answers[name]), "correct"
        elif slot < 9:
            name, variant, filled = wrong[index % len(wrong)]
            nb, kind = fill_answers(student(name), filled), "wrong"
        else:
            label, nb = hostile[(index // 10) % len(hostile)]
            kind = "hostile"
        path = folder / f"{index:03d}-{kind}.ipynb"
        path.write_text(nb if isinstance(nb, str) else json.dumps(nb))
        made[kind] += 1
    return made


class PeakMemory:
    """The largest total resident memory of this process and its children, sampled."""

    def __init__(self, every=0.2):
        self.every, self.peak, self._stop = every, 0, threading.Event()

    def __enter__(self):
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _sample(self):
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    continue
            self.peak = max(self.peak, total)
            time.sleep(self.every)


def run(folder, jobs, timeout):
    """Grade ``folder``; returns (seconds, rows, peak bytes)."""
    options = grade.parse_args([str(folder), "unused.csv", "--jobs", str(jobs)])
    options.timeout, options.cell_timeout = timeout, timeout / 2
    options.probe_timeout = min(10.0, timeout / 4)
    options.progress = sys.stderr.isatty()
    with tempfile.TemporaryDirectory() as out, PeakMemory() as memory:
        start = time.monotonic()
        rows = grade.grade_folder(folder, Path(out) / "grades.csv", options)
        seconds = time.monotonic() - start
    return seconds, rows, memory.peak


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--scaling", type=int, default=40, help="plain notebooks per --jobs run")
    options = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="grading-bench-"))
    try:
        batch = work / "batch"
        batch.mkdir()
        made = generate(batch, options.count)
        seconds, rows, peak = run(batch, options.jobs, options.timeout)
        statuses = Counter(row["status"] for row in rows)
        report = [
            f"## {len(rows)} submissions, --jobs {options.jobs}, --timeout {options.timeout:g}",
            "",
            f"- mix: {', '.join(f'{v} {k}' for k, v in made.items())}",
            f"- {seconds:.0f} s: **{60 * len(rows) / seconds:.1f} notebooks per minute**",
            f"- status: {', '.join(f'{k} {v}' for k, v in statuses.most_common())}",
            f"- peak memory (grader and sandboxes, resident): {peak / 2**20:.0f} MB",
        ]
        plain = work / "plain"
        plain.mkdir()
        for path in sorted(batch.glob("*-correct.ipynb"))[: options.scaling]:
            shutil.copy(path, plain / path.name)
        report += [
            "",
            "| --jobs | seconds | notebooks per minute | peak MB |",
            "| ---: | ---: | ---: | ---: |",
        ]
        for jobs in (1, 2, 4):
            seconds, rows, peak = run(plain, jobs, options.timeout)
            rate = 60 * len(rows) / seconds
            report.append(f"| {jobs} | {seconds:.1f} | {rate:.1f} | {peak / 2**20:.0f} |")
        print("\n".join(report))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
