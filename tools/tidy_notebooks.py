"""Keep the committed notebooks clean: what JupyterLab writes, and nothing a session leaves.

    python -m tools.tidy_notebooks           # rewrite the notebooks that need it
    python -m tools.tidy_notebooks --check   # exit 1, saying why, if one needs it (a test runs it)

For every chapter, student exercise and exercise master:

- **Notebook metadata as JupyterLab writes it.** When it opens a notebook, JupyterLab sets
  ``kernelspec`` to the kernel's spec and ``language_info`` to what ipykernel reports, and
  marks the notebook modified if either differs. Both are stored exactly so; the Python
  version inside ``language_info`` is kept as committed (JupyterLab rewrites it on any
  other Python, a one-line change that this script leaves alone). Saved widget state goes.
- **No outputs** except those nbval compares (``tools/checked_outputs.py``), and no cell
  metadata that only records a session (execution times, trust, scroll and collapse state).
- **What the book hides, JupyterLab collapses.** A code cell tagged ``hide-input``,
  ``remove-input`` or ``remove-cell`` gets ``jupyter.source_hidden`` (JupyterLab shows its
  first line and "..."); ``hide-output`` or ``remove-output`` gets ``jupyter.outputs_hidden``.
- **MyST that JupyterLab cannot show is replaced by MyST that both show.** jupyterlab-myst
  draws a ``{margin}`` note with no height at windows 1024 px and wider, on top of the
  next paragraph; an admonition with ``:class: margin`` reads as a box in JupyterLab and
  sits in the margin in the book. So ``{margin} Title`` becomes ``{admonition} Title`` and
  an untitled ``{margin}`` becomes ``{note}``, each with ``:class: margin``.

``make notebooks`` runs this after tools/add_colab_cell.py; ``python -m exercises.build``
applies the same to the student notebooks it writes.
"""

import argparse
import copy
import re
import sys

import nbformat

from tools import notebooks
from tools.checked_outputs import is_checked

# What ipykernel reports (ipykernel.ipkernel.IPythonKernel.language_info), less "version".
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
}
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
VERSION = re.compile(r"^\d+\.\d+\.\d+$")
SESSION_METADATA = ("execution", "ExecuteTime", "collapsed", "scrolled", "trusted")
NOTEBOOK_SESSION_METADATA = ("widgets", "signature")
SOURCE_HIDDEN_TAGS = {"hide-input", "remove-input", "remove-cell"}
OUTPUTS_HIDDEN_TAGS = {"hide-output", "remove-output"}
MARGIN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{margin\}(?P<title>[^\n]*)\n", re.M)


def this_python():
    return ".".join(str(part) for part in sys.version_info[:3])


def tidy_metadata(metadata):
    """Notebook metadata as JupyterLab would leave it (the committed Python version kept)."""
    version = metadata.get("language_info", {}).get("version", "")
    metadata["kernelspec"] = dict(KERNELSPEC)
    metadata["language_info"] = {
        **LANGUAGE_INFO,
        "version": version if VERSION.match(str(version)) else this_python(),
    }
    for key in NOTEBOOK_SESSION_METADATA:
        metadata.pop(key, None)


def collapsed_in_lab(tags):
    """JupyterLab's ``jupyter`` cell metadata for a code cell with these tags."""
    found = {}
    if SOURCE_HIDDEN_TAGS & set(tags):
        found["source_hidden"] = True
    if OUTPUTS_HIDDEN_TAGS & set(tags):
        found["outputs_hidden"] = True
    return found


def tidy_code_cell(cell):
    for key in SESSION_METADATA:
        cell.metadata.pop(key, None)
    cell.metadata.pop("jupyter", None)
    jupyter = collapsed_in_lab(cell.metadata.get("tags", []))
    if jupyter:
        cell.metadata["jupyter"] = jupyter
    if not is_checked(cell):  # nbval wants a count beside a stored output: keep those
        cell.outputs = []
        cell.execution_count = None


def lab_readable_margins(text):
    """``text`` with every ``{margin}`` directive replaced by a margin-class admonition."""

    def replace(match):
        title = match["title"].strip()
        directive = f"{{admonition}} {title}" if title else "{note}"
        return f"{match['fence']}{directive}\n:class: margin\n"

    return MARGIN.sub(replace, text)


def tidy_markdown_cell(cell):
    cell.metadata.pop("trusted", None)
    cell.source = lab_readable_margins(cell.source)


def tidy(nb):
    """A tidy copy of ``nb`` (a NotebookNode, as ``notebooks.read`` gives)."""
    nb = nbformat.from_dict(copy.deepcopy(nb))
    tidy_metadata(nb.metadata)
    for cell in nb.cells:
        if cell.cell_type == "code":
            tidy_code_cell(cell)
        elif cell.cell_type == "markdown":
            tidy_markdown_cell(cell)
    return nb


def problems(nb):
    """Why ``nb`` is not tidy, as sentences (empty when it is)."""
    clean = tidy(nb)
    found = []
    if nb.get("metadata") != clean.metadata:
        found.append("notebook metadata is not what JupyterLab writes (kernelspec, language_info)")
    for index, (cell, tidied) in enumerate(zip(nb["cells"], clean.cells)):
        if cell.source != tidied.source:
            found.append(f"cell {index}: {{margin}}, which JupyterLab draws over the next text")
        if cell.get("outputs", []) != tidied.get("outputs", []):
            found.append(f"cell {index} has outputs that nbval does not check")
        if cell.get("metadata") != tidied.metadata or cell.get("execution_count") != tidied.get(
            "execution_count"
        ):
            found.append(f"cell {index}: metadata or execution count left by a session")
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report, change nothing")
    args = parser.parse_args(argv)
    untidy = False
    for path in notebooks.committed():
        nb = notebooks.read(path)
        if args.check:
            for problem in problems(nb):
                print(f"{notebooks.relative(path)}: {problem}")
                untidy = True
        elif notebooks.write(path, tidy(nb)):
            print(f"tidied: {notebooks.relative(path)}")
    if untidy:
        print("run `make notebooks` (python -m tools.tidy_notebooks) to fix them")
    return 1 if untidy else 0


if __name__ == "__main__":
    sys.exit(main())
