"""The committed notebooks, read and written exactly as JupyterLab saves them.

JupyterLab saves through nbformat (keys sorted, one-space indent, sources split into
lines, a final newline). Writing the same bytes here means that opening a notebook the
tools wrote and saving it unchanged in JupyterLab leaves no diff.
"""

from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def chapters():
    return sorted((ROOT / "book").glob("*.ipynb"))


def student_exercises():
    return sorted((ROOT / "exercises").glob("ex[0-9][0-9]_*/ex[0-9][0-9]_*.ipynb"))


def exercise_masters():
    return sorted((ROOT / "exercises").glob("ex[0-9][0-9]_*/master/ex[0-9][0-9]_*.ipynb"))


def committed():
    """Every notebook a learner or an instructor opens: chapters, exercises, masters."""
    return chapters() + student_exercises() + exercise_masters()


def relative(path):
    return Path(path).resolve().relative_to(ROOT).as_posix()


def read(path):
    """The notebook at ``path`` (an nbformat NotebookNode: each source one string)."""
    return nbformat.read(path, as_version=4)


def reads(text):
    return nbformat.reads(text, as_version=4)


def dumps(nb):
    """``nb`` as the text JupyterLab would save."""
    return nbformat.writes(nbformat.from_dict(nb), version=4) + "\n"


def write(path, nb):
    """Write ``nb`` to ``path`` if its text changed; True if it did."""
    path = Path(path)
    new = dumps(nb)
    if path.exists() and path.read_text(encoding="utf-8") == new:
        return False
    path.write_text(new, encoding="utf-8")
    return True
