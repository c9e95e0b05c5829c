"""Shared fixtures: one batch of submissions graded once by `make grade` for the session.

The batch holds, for every exercise with a master: the solution, the untouched student
notebook and every wrong variant of tests/exercises/exercise_variants.py; plus the
hostile notebooks and the crashes (built on exercise 1), an invalid file and a notebook
of no exercise. Grading them all in one `make grade` run keeps the suite fast (the slow
cases, the timeouts, run side by side).
"""

import copy
import csv
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from exercise_variants import (
    CRASHES,
    HOSTILE,
    LEAK_HIDDEN,
    WRONG,
    apply,
    code_cell,
    crash_notebook,
    hostile_notebook,
    student,
)

from exercises.build import fill_answers, masters, solutions

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 20  # seconds per notebook in the test batch (the hostile loops run this long)


def write(folder, name, nb):
    (folder / f"{name}.ipynb").write_text(json.dumps(nb))


@dataclass
class Batch:
    submissions: Path  # the folder of submitted notebooks
    rows: dict  # {submission file name without .ipynb: CSV row}
    feedback: Path  # the folder of feedback files
    stdout: str
    crash_cells: dict  # {crash notebook name: the crash cell's number}


@pytest.fixture(scope="session")
def graded(batch):
    """{submission file name: CSV row} for the whole batch, graded through `make grade`."""
    return batch.rows


@pytest.fixture(scope="session")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    for name, master in masters().items():
        answers = solutions(master)
        write(folder, f"{name}-solution", fill_answers(student(name), answers))
        write(folder, f"{name}-untouched", student(name))
        for variant, question, replacements, _ in WRONG.get(name, []):
            wrong = {**answers, question: apply(answers[question], replacements)}
            write(folder, f"{name}-wrong-{variant}", fill_answers(student(name), wrong))
    for variant, answers, cells, edit, _, _ in HOSTILE:
        write(folder, f"hostile-{variant}", hostile_notebook(answers, cells, edit))
    (folder / "hostile-invalid_json.ipynb").write_text('{"cells": [')
    (folder / "hostile-not_a_notebook.ipynb").write_text(json.dumps({"hello": "world"}))
    write(folder, "hostile-no_exercise", {"cells": [code_cell("x = 1")], "metadata": {}})
    # a file name that says nothing: the exercise is read from the notebook
    renamed = copy.deepcopy(fill_answers(student("ex01"), solutions(masters()["ex01"])))
    write(folder, "Untitled (3)", renamed)
    crash_cells = {}
    for variant, cell, _ in CRASHES:
        for position in ("late", "middle"):
            nb, crash_cells[f"crash-{variant}-{position}"] = crash_notebook(cell, position)
            write(folder, f"crash-{variant}-{position}", nb)
    leak = {**solutions(masters()["ex01"]), "q1": LEAK_HIDDEN}
    write(folder, "hostile-leak_hidden", fill_answers(student("ex01"), leak))

    grades = tmp_path_factory.mktemp("grades") / "grades.csv"
    command = [
        "make",
        "--no-print-directory",
        "-o",
        ".venv/.book-installed",
        "grade",
        f"SUBMISSIONS={folder}",
        f"GRADES={grades}",
        f"BIN={Path(sys.executable).parent}",
        f"GRADE_ARGS=--jobs 2 --timeout {TIMEOUT} --memory-mb 1024",
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    with open(grades, newline="") as f:
        rows = {row["submission"].removesuffix(".ipynb"): row for row in csv.DictReader(f)}
    assert len(rows) == len(list(folder.glob("*.ipynb"))), "one row per submission"
    return Batch(folder, rows, grades.with_name("grades-feedback"), done.stdout, crash_cells)
