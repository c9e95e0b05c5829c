"""`make grade` over solutions, untouched notebooks, wrong variants and hostile notebooks.

All rows come from one batch (the `graded` fixture in conftest.py).
"""

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from exercise_variants import CRASHES, HOSTILE, WRONG

from exercises import checks
from exercises.build import masters

ROOT = Path(__file__).resolve().parents[2]
EXERCISES = sorted(masters())
QUESTION_COLUMNS = ("submission", "exercise", "score", "possible", "status", "message")


def test_csv_has_the_documented_columns(graded):
    row = graded["ex01-solution"]
    assert list(row)[: len(QUESTION_COLUMNS)] == list(QUESTION_COLUMNS)
    assert {"q1", "q2", "q3"} <= set(row)


@pytest.mark.parametrize("name", EXERCISES)
def test_solution_scores_full_marks(graded, name):
    row = graded[f"{name}-solution"]
    exercise = checks.load(name)
    assert (row["exercise"], row["status"]) == (name, "ok"), row["message"]
    assert float(row["score"]) == float(row["possible"]) == exercise.points, row["message"]
    for question in exercise.questions:
        assert float(row[question.name]) == question.points


@pytest.mark.parametrize("name", EXERCISES)
def test_untouched_student_notebook_scores_zero(graded, name):
    row = graded[f"{name}-untouched"]
    assert (row["exercise"], row["status"], float(row["score"])) == (name, "ok", 0.0), row
    assert "return" in row["message"]  # "did you forget `return`?"


def test_the_exercise_is_read_from_the_notebook_not_the_file_name(graded):
    row = graded["Untitled (3)"]
    assert (row["exercise"], row["status"]) == ("ex01", "ok")
    assert float(row["score"]) == checks.load("ex01").points


WRONG_CASES = [
    pytest.param(name, variant, question, words, id=f"{name}-{variant}")
    for name in EXERCISES
    for variant, question, _, words in WRONG.get(name, [])
]


@pytest.mark.parametrize(("name", "variant", "question", "words"), WRONG_CASES)
def test_wrong_variant_loses_points_and_is_named(graded, name, variant, question, words):
    row = graded[f"{name}-wrong-{variant}"]
    points = checks.load(name).question(question).points
    assert float(row[question]) < points, row["message"]
    assert float(row["score"]) < float(row["possible"])
    said = next(part for part in row["message"].split(" | ") if part.startswith(question + " "))
    assert words in said, said


def test_every_exercise_has_wrong_variants_for_every_question():
    for name in EXERCISES:
        covered = {question for _, question, _, _ in WRONG.get(name, [])}
        assert covered == {q.name for q in checks.load(name).questions}, name


@pytest.mark.parametrize(
    ("variant", "status", "score"), [pytest.param(v, s, p, id=v) for v, _, _, _, s, p in HOSTILE]
)
def test_hostile_notebook(graded, variant, status, score):
    row = graded[f"hostile-{variant}"]
    assert row["status"] == status, row
    expected = float(row["possible"]) if score == "full" else 0.0
    assert float(row["score"]) == expected, row


@pytest.mark.parametrize(
    ("variant", "status"),
    [
        ("invalid_json", "invalid_notebook"),
        ("not_a_notebook", "invalid_notebook"),
        ("no_exercise", "unknown_exercise"),
    ],
)
def test_unreadable_notebooks_get_a_row(graded, variant, status):
    row = graded[f"hostile-{variant}"]
    assert (row["status"], float(row["score"])) == (status, 0.0)
    assert row["message"]


# --- crashes: points earned before them are kept --------------------------------------------

CRASH_CASES = [pytest.param(v, s, id=v) for v, _, s in CRASHES]


@pytest.mark.parametrize(("variant", "status"), CRASH_CASES)
def test_a_crash_after_every_answer_keeps_full_marks_and_names_the_cell(batch, variant, status):
    name = f"crash-{variant}-late"
    row = batch.rows[name]
    assert row["status"] == status, row
    assert float(row["score"]) == float(row["possible"]), row
    assert f"cell {batch.crash_cells[name]}" in row["message"], row["message"]


@pytest.mark.parametrize(("variant", "status"), CRASH_CASES)
def test_a_crash_before_an_answer_leaves_that_answer_without_points(batch, variant, status):
    row = batch.rows[f"crash-{variant}-middle"]
    points = {q.name: q.points for q in checks.load("ex01").questions}
    assert row["status"] == status, row
    assert float(row["q1"]) == points["q1"], row  # answered before the crash
    assert float(row["q2"]) == float(row["q3"]) == 0.0, row
    assert "not graded: the notebook stopped before `rnn_forward` was defined" in row["message"]


# --- feedback files -------------------------------------------------------------------------


def feedback_of(batch, name):
    return (batch.feedback / f"{name}.md").read_text()


def test_one_feedback_file_per_submission(batch):
    files = {p.stem for p in batch.feedback.glob("*.md")}
    assert files == set(batch.rows)


def test_feedback_gives_each_questions_points_and_the_named_mistake(batch):
    name = "ex01-wrong-W_hh_untransposed"
    row, text = batch.rows[name], feedback_of(batch, name)
    assert f"**Score: {float(row['score']):g} / 6**" in text
    for question in ("q1", "q2", "q3"):
        assert f"## {question}: {float(row[question]):g} / 2 " in text
    assert "## q1: 0 / 2 ✗" in text
    assert text.index("## q1") < text.index("W_hh is used untransposed") < text.index("## q2")


def test_feedback_keeps_the_case_of_the_names_it_starts_with(batch):
    text = feedback_of(batch, "ex01-wrong-h_x_swapped")
    assert "\nh and x are swapped" in text, text


def test_feedback_says_how_the_notebook_ran(batch):
    name = "crash-segfault-late"
    text = feedback_of(batch, name)
    assert f"killed by SIGSEGV) in cell {batch.crash_cells[name]}" in text
    assert "**Score: 6 / 6**" in text


def test_feedback_never_shows_hidden_inputs(batch):
    """The answer prints its inputs in an exception raised on the hidden tests only."""
    row = batch.rows["hostile-leak_hidden"]
    assert float(row["q1"]) == 0.0 and "LEAK" in row["message"]  # the instructor sees it all
    text = feedback_of(batch, "hostile-leak_hidden")
    # (q2 and q3 call rnn_step on their public inputs, which it does not know: it raises
    # there too, and their public inputs may be shown)
    q1 = text[text.index("## q1") : text.index("## q2")]
    assert "LEAK [" not in q1 and "[[" not in q1
    assert "right on the public tests, wrong on the hidden ones" in q1
    assert "ValueError" in q1 and 'raise ValueError("LEAK " + repr(x.tolist()))' in q1


def test_the_terminal_summary_counts_statuses_and_averages_questions(batch):
    statuses = Counter(row["status"] for row in batch.rows.values())
    line = next(ln for ln in batch.stdout.splitlines() if ln.startswith("status: "))
    assert dict(
        (word.rsplit(" ", 1)[0], int(word.rsplit(" ", 1)[1]))
        for word in line.removeprefix("status: ").split(", ")
    ) == dict(statuses)
    ex01 = [r for r in batch.rows.values() if r["exercise"] == "ex01"]
    mean = sum(float(r["q1"]) for r in ex01) / len(ex01)
    assert f"ex01 ({len(ex01)} notebooks): " in batch.stdout
    assert f"q1 {mean:.2f}/2" in batch.stdout


def test_progress_bar_shows_a_time_estimate(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for index in range(3):
        (folder / f"broken-{index}.ipynb").write_text('{"cells": [')
    done = subprocess.run(
        [sys.executable, "-m", "exercises.grade", str(folder), str(tmp_path / "g.csv")]
        + ["--progress"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "grading: 100%" in done.stderr and "3/3" in done.stderr and "ETA" in done.stderr
    assert "status: invalid_notebook 3" in done.stdout
    assert len(list((tmp_path / "g-feedback").glob("*.md"))) == 3
