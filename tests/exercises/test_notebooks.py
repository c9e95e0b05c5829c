"""The student notebooks: up to date with their masters, and clean to execute (nbval)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from exercises import build, checks

ROOT = Path(__file__).resolve().parents[2]
MASTERS = build.masters()


def test_every_exercise_module_has_a_master_and_a_student_notebook():
    for name in checks.available():
        assert name in MASTERS, f"exercises/checks/{name}.py has no master notebook"
        assert (ROOT / "exercises" / checks.load(name).notebook).exists()


@pytest.mark.slow
def test_student_notebooks_are_up_to_date_with_their_masters():
    stale = [
        name
        for name, master in MASTERS.items()
        if build.student_path(master).read_text() != build.assign(master, run_tests=False)
    ]
    assert not stale, f"stale student notebooks {stale}: run `python -m exercises.build`"


@pytest.mark.parametrize("name", sorted(MASTERS))
def test_master_questions_match_the_checks(name):
    """Names and points in the master agree with exercises/checks/<name>.py."""
    nb = json.loads(MASTERS[name].read_text())
    declared = {}
    for cell in nb["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "raw" and text.startswith("# BEGIN QUESTION"):
            fields = dict(line.split(": ", 1) for line in text.splitlines()[1:] if ": " in line)
            declared[fields["name"]] = float(fields["points"])
    exercise = checks.load(name)
    assert declared == {q.name: float(q.points) for q in exercise.questions}
    assert nb["metadata"]["rnn_course"]["exercise"] == name


@pytest.mark.slow
def test_student_notebooks_execute_cleanly_under_nbval():
    notebooks = [str(build.student_path(m).relative_to(ROOT)) for m in MASTERS.values()]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider", *notebooks],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
