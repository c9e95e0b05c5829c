"""Keep the outputs that nbval compares, and only those, in the chapter notebooks.

nbval's ``--nbval-lax`` compares a cell's fresh output with the one stored in the
notebook when the cell carries the tag ``nbval-check-output`` (a tag, not nbval's
``# NBVAL_CHECK_OUTPUT`` comment, so that readers of the book do not see it in the
code); with nothing stored it has
nothing to compare, and the check passes silently. So the committed chapters keep the
stored outputs of those cells (printed numbers that must not drift, such as the
boss-raise story's gates) and no other outputs (figures and widgets are rebuilt by the
book build, and would bloat the repository).

It also stores the values of the prose's ``{eval}`name``` expressions in each markdown
cell's ``user_expressions`` metadata, exactly as jupyterlab-myst writes them when it runs
a cell: so a learner who opens a chapter in JupyterLab reads the numbers before running
anything (the book itself always takes them from its own run, see lib/course/prose.py).

    python tools/checked_outputs.py            # execute book/*.ipynb and store them
    python tools/checked_outputs.py --check    # verify, without executing (a test runs this)
"""

import argparse
import re
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.util import run_sync

ROOT = Path(__file__).resolve().parents[1]
TAG = "nbval-check-output"
EVAL = re.compile(r"\{eval\}`([^`]+)`")


def is_checked(cell):
    return cell.cell_type == "code" and TAG in cell.metadata.get("tags", [])


def problems(notebook):
    """What is wrong with the stored outputs of ``notebook``, as sentences."""
    found = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        if is_checked(cell) and not (cell.outputs and cell.execution_count):
            found.append(f"cell {index} is tagged {TAG} but has no stored output")
        if not is_checked(cell) and cell.outputs:
            found.append(f"cell {index} has stored outputs but is not tagged {TAG}")
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown" and EVAL.search(cell.source):
            stored = cell.metadata.get("user_expressions", [])
            wanted = EVAL.findall(cell.source)
            if [entry.get("expression") for entry in stored] != wanted or any(
                entry["result"].get("status") != "ok" for entry in stored
            ):
                found.append(f"cell {index}: the values of {wanted} are not stored (or failed)")
    return found


def evaluate_expressions(client, notebook):
    """Store each markdown cell's {eval} values, evaluated in the executed kernel."""
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        expressions = EVAL.findall(cell.source)
        cell.metadata.pop("user_expressions", None)
        if not expressions:
            continue
        asked = {str(k): expression for k, expression in enumerate(expressions)}
        msg_id = client.kc.execute("", silent=True, store_history=False, user_expressions=asked)
        reply = run_sync(client.kc.get_shell_msg)(timeout=60)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = run_sync(client.kc.get_shell_msg)(timeout=60)
        results = reply["content"]["user_expressions"]
        cell.metadata["user_expressions"] = [
            {"expression": expression, "result": results[str(k)]}
            for k, expression in enumerate(expressions)
        ]


def store(path):
    """Execute ``path`` and keep only the outputs of the checked cells."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=300, resources={"metadata": {"path": str(path.parent)}}
    )
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
        evaluate_expressions(client, notebook)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        cell.metadata.pop("execution", None)
        if not is_checked(cell):  # nbval wants a count beside a stored output: keep those
            cell.outputs = []
            cell.execution_count = None
    notebook.metadata.pop("widgets", None)
    nbformat.write(notebook, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--check", action="store_true", help="verify only, do not execute")
    args = parser.parse_args()
    notebooks = args.notebooks or sorted((ROOT / "book").glob("*.ipynb"))
    failed = False
    for path in notebooks:
        if not args.check:
            store(path)
        for problem in problems(nbformat.read(path, as_version=4)):
            print(f"{path.relative_to(ROOT)}: {problem}")
            failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
