"""The chapter notebooks under nbval: they execute, and their checked numbers hold.

A cell tagged ``nbval-check-output`` keeps its output in the committed
notebook (``tools/checked_outputs.py`` stores them); nbval executes the chapter afresh
and fails when that cell prints anything else. Without a stored output nbval would
compare nothing, so a test first makes sure every checked cell has one.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "book").glob("*.ipynb"))


def test_checked_cells_have_stored_outputs():
    done = subprocess.run(
        [sys.executable, "tools/checked_outputs.py", "--check"],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_executes_and_its_checked_outputs_hold(chapter):
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider", chapter],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
