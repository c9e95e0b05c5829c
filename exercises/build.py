"""Regenerate the student notebooks from the otter-assign masters.

    python -m exercises.build                 # all; otter also checks that the solutions pass
    python -m exercises.build ex01 --fast     # one exercise, without running the solutions
    python -m exercises.build --check         # exit 1 if a committed student notebook is stale

For each master ``exercises/exNN_topic/master/exNN_topic.ipynb`` this runs
``otter assign`` into a temporary folder and writes its student notebook, normalised
(the title first, then the Colab setup cell, then otter's init cell; cell ids numbered;
outputs cleared; tidied by tools/tidy_notebooks.py and written as JupyterLab saves), to
``exercises/exNN_topic/exNN_topic.ipynb``. The normalisation makes the output byte-for-byte
reproducible, so ``--check`` (and the test that calls it) can tell when a master changed
and its student notebook was not rebuilt.
"""

import argparse
import contextlib
import copy
import io
import json
import os
import re
import sys
import tempfile
from pathlib import Path

from tools import notebooks
from tools.add_colab_cell import with_setup_cell
from tools.tidy_notebooks import tidy

EXERCISES_DIR = Path(__file__).resolve().parent
ROOT = EXERCISES_DIR.parent


def masters(names=()):
    """{exercise name: master path}, e.g. {'ex01': .../ex01_rnn_cell/master/ex01_rnn_cell.ipynb}."""
    found = {}
    for path in sorted(EXERCISES_DIR.glob("ex[0-9][0-9]_*/master/ex[0-9][0-9]_*.ipynb")):
        name = path.name[:4]
        if not names or name in names:
            found[name] = path
    return found


def student_path(master):
    return master.parent.parent / master.name


def normalise(nb, exercise):
    """A deterministic copy: numbered cell ids, no outputs, no execution counts."""
    nb = copy.deepcopy(nb)
    for index, cell in enumerate(nb["cells"]):
        cell["id"] = f"{exercise}-{index:03d}"
        if cell["cell_type"] == "code":
            # otter's init cell, laid out as `ruff format` wants it (make lint checks notebooks)
            if cell["source"].startswith("# Initialize Otter"):
                cell["source"] = cell["source"].replace(
                    "import otter\ngrader", "import otter\n\ngrader"
                )
            cell["outputs"] = []
            cell["execution_count"] = None
    nb.setdefault("metadata", {})["rnn_course"] = {"exercise": exercise}
    return nb


def assign(master, run_tests=True):
    """Run otter assign on ``master``; return the normalised student notebook as text."""
    from otter.assign import main as otter_assign  # slow to import: only when building

    # otter runs the solutions in a kernel started from a temporary folder: make sure
    # that kernel can import lib and exercises from this checkout.
    path = os.environ.get("PYTHONPATH", "")
    if str(ROOT) not in path.split(os.pathsep):
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), path]))
    with tempfile.TemporaryDirectory(prefix="otter-assign-") as out:
        try:
            with contextlib.redirect_stdout(io.StringIO()) as log:
                otter_assign(str(master), out, no_pdfs=True, no_run_tests=not run_tests)
        except Exception as error:
            raise RuntimeError(
                f"otter assign {master} failed: {error}\n{log.getvalue()}"
            ) from error
        nb = notebooks.read(Path(out) / "student" / master.name)
    nb = with_setup_cell(nb, student_path(master))  # the Colab launch button needs it
    return notebooks.dumps(tidy(normalise(nb, master.name[:4])))


# --- solutions and variants, for the tests -------------------------------------------------


def source(cell):
    value = cell.get("source", "")
    return "".join(value) if isinstance(value, list) else value


def solutions(master):
    """{question name: solution source} from a master, with the SOLUTION markers removed."""
    nb = json.loads(Path(master).read_text())
    found, question, inside = {}, None, False
    for cell in nb["cells"]:
        text = source(cell)
        if cell["cell_type"] == "raw":
            match = re.search(r"^name:\s*(\S+)", text, re.M)
            if text.startswith("# BEGIN QUESTION") and match:
                question = match.group(1)
            inside = text.startswith("# BEGIN SOLUTION") or (
                inside and not text.startswith("# END SOLUTION")
            )
        elif inside and cell["cell_type"] == "code":
            lines = [
                ln for ln in text.splitlines() if not re.match(r"\s*# (BEGIN|END) SOLUTION", ln)
            ]
            found[question] = "\n".join(lines)
    return found


def fill_answers(student_nb, answers):
    """A copy of the student notebook with answer cells replaced: answers = {question: source}.

    The k-th answer cell (otter tags it ``otter_answer_cell``) belongs to the k-th question.
    """
    nb = copy.deepcopy(student_nb)
    cells = [c for c in nb["cells"] if "otter_answer_cell" in c.get("metadata", {}).get("tags", [])]
    for number, cell in enumerate(cells, start=1):
        if f"q{number}" in answers:
            cell["source"] = answers[f"q{number}"]
    return nb


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m exercises.build", description=__doc__.split("\n")[0]
    )
    parser.add_argument("names", nargs="*", help="exercises to build (default: all), e.g. ex01")
    parser.add_argument("--check", action="store_true", help="only report stale student notebooks")
    parser.add_argument("--fast", action="store_true", help="skip otter's run of the solutions")
    options = parser.parse_args(argv)
    stale = []
    for name, master in masters(options.names).items():
        text = assign(master, run_tests=not (options.fast or options.check))
        target = student_path(master)
        if options.check:
            if not target.exists() or target.read_text() != text:
                stale.append(str(target.relative_to(ROOT)))
            continue
        target.write_text(text)
        print(f"{name}: wrote {target.relative_to(ROOT)}")
    if stale:
        print("stale student notebooks (run `python -m exercises.build`):\n  " + "\n  ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
