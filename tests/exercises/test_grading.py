"""`make grade` over solutions, untouched notebooks, wrong variants and hostile notebooks.

All rows come from one batch (the `graded` fixture in conftest.py).
"""

import pytest
from exercise_variants import HOSTILE, WRONG

from exercises import checks
from exercises.build import masters

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
