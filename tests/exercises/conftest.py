"""Shared fixtures: one batch of submissions graded once by `make grade` for the session.

The batch holds, for every exercise with a master: the solution, the untouched student
notebook and every wrong variant of tests/exercises/variants.py; plus the hostile
notebooks (built on exercise 1), an invalid file and a notebook of no exercise. Grading
them all in one `make grade` run keeps the suite fast (the slow cases, the timeouts,
run side by side).
"""

import copy
import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from exercise_variants import HOSTILE, WRONG, apply

from exercises.build import fill_answers, masters, solutions, student_path

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 20  # seconds per notebook in the test batch (the hostile loops run this long)


def student(name):
    return json.loads(student_path(masters()[name]).read_text())


def code_cell(text):
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "outputs": [],
        "source": text,
    }


def hostile_notebook(answers, cells, edit):
    nb = fill_answers(
        student("ex01"), solutions(masters()["ex01"]) if answers == "solution" else {}
    )
    setup = next(i for i, c in enumerate(nb["cells"]) if "# Setup" in "".join(c["source"]))
    for offset, text in enumerate(cells, start=1):
        nb["cells"].insert(setup + offset, code_cell(text))
    checks = [
        c
        for c in nb["cells"]
        if c["cell_type"] == "code" and "grader.check(" in "".join(c["source"])
    ]
    if edit == "delete":
        nb["cells"].remove(checks[1])
    elif edit == "edit":
        checks[0]["source"] = 'print("q1 passed!")'
    return nb


def write(folder, name, nb):
    (folder / f"{name}.ipynb").write_text(json.dumps(nb))


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    """{submission file name: CSV row} for the whole batch, graded through `make grade`."""
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
    return rows
