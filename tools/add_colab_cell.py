"""Insert (or update) the Colab setup cell at the top of every chapter and exercise notebook.

    python tools/add_colab_cell.py           # write the cells
    python tools/add_colab_cell.py --check   # exit 1 if a notebook lacks the current cell

The book's Colab launch button opens a notebook from GitHub on its own, without the rest
of the repository, so the notebook's first cell fetches the course when (and only when) it
runs on Google Colab: it clones the repository given by ``repository.url`` and
``repository.branch`` in _config.yml (the one place where the address is set), installs it
(chapters: ``pip install -e .``; exercises: ``binder/requirements.txt``, which adds the
grader), puts the clone first on ``sys.path`` and changes into the notebook's folder in it.
Anywhere else (the book build, Binder, JupyterLab, nbval) the cell does nothing.

The cell is tagged ``colab-setup`` (how this script finds it again) and ``remove-cell``
(the book's HTML does not show it). Run this script again after changing the repository
URL in _config.yml, or after regenerating the exercise notebooks.
"""

import argparse
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
TAG = "colab-setup"
CLONE = "/content/rnn-course"


def notebooks():
    """The chapters (book/*.ipynb) and the student exercise notebooks (exercises/*/*.ipynb).

    ``python -m exercises.build`` adds the cell to the student notebooks it writes, so
    running this script is needed for them only after a change of the repository URL.
    """
    chapters = sorted((ROOT / "book").glob("*.ipynb"))
    exercises = sorted((ROOT / "exercises").glob("*/*.ipynb"))
    return chapters + exercises


def repository():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    repo = config.get("repository") or {}
    url = str(repo.get("url", "")).rstrip("/")
    if not url:
        raise SystemExit("_config.yml has no repository.url")
    return url, str(repo.get("branch") or "main")


def cell_source(path):
    """The setup cell for the notebook at ``path`` (its folder decides what is installed)."""
    url, branch = repository()
    folder = path.resolve().parent.relative_to(ROOT).as_posix()
    if folder.startswith("exercises/"):
        install, what = '"-r", "binder/requirements.txt"', "the course and the grader"
    else:
        install, what = '"-e", "."', "the course"
    return (
        f"# On Google Colab only: fetch and install {what}; elsewhere this does nothing.\n"
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
        f'    pip = [sys.executable, "-m", "pip", "install", "--quiet", {install}]\n'
        "    subprocess.run(pip, check=True)\n"
        "    sys.path.insert(0, CLONE)\n"
        f'    os.chdir(os.path.join(CLONE, "{folder}"))'
    )


def setup_cell(path):
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": "colab-setup",
        "metadata": {"tags": [TAG, "remove-cell"]},
        "outputs": [],
        "source": cell_source(path).splitlines(keepends=True),
    }


def current_cell(nb):
    """Index of the tagged setup cell, or None."""
    for k, cell in enumerate(nb.get("cells", [])):
        if TAG in cell.get("metadata", {}).get("tags", []):
            return k
    return None


def is_up_to_date(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    k = current_cell(nb)
    return k == 0 and "".join(nb["cells"][0]["source"]) == cell_source(path)


def with_setup_cell(nb, path):
    """``nb`` (a notebook dict for the file at ``path``) with the current setup cell first."""
    k = current_cell(nb)
    if k is not None:
        nb["cells"].pop(k)
    cell = setup_cell(path)
    if nb.get("nbformat", 4) == 4 and nb.get("nbformat_minor", 0) < 5:
        del cell["id"]  # cell ids exist from nbformat 4.5 on
    nb["cells"].insert(0, cell)
    return nb


def write(path):
    """Put the current setup cell first in the notebook at ``path``; True if it changed."""
    text = path.read_text(encoding="utf-8")
    nb = with_setup_cell(json.loads(text), path)
    new = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report missing cells")
    args = parser.parse_args(argv)
    paths = notebooks()
    if args.check:
        stale = [p.relative_to(ROOT).as_posix() for p in paths if not is_up_to_date(p)]
        for name in stale:
            print(f"{name}: no current Colab setup cell (run python tools/add_colab_cell.py)")
        return 1 if stale else 0
    for path in paths:
        changed = write(path)
        print(f"{'updated' if changed else 'up to date'}: {path.relative_to(ROOT).as_posix()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
