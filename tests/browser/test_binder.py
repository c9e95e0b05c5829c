"""The learner's set alone is enough to run the course (`make lab`, Binder, Colab).

``binder/requirements.txt`` is what Binder installs and what `make lab` installs (the
``lab_venv`` fixture builds a fresh environment with `make lab`'s own rule). Every module
that the chapters and exercises import must be importable in it, and one chapter notebook
must execute there from top to bottom.
"""

import ast
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = ROOT / "book" / "01_rnn_memory.ipynb"
LOCAL_PACKAGES = {"lib", "exercises"}  # importable from the repository itself
CELL_TIMEOUT_S = 300


def imported_modules(path):
    """Top-level names of every module the code cells of a notebook import."""
    nb = nbformat.read(path, as_version=4)
    names = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        # IPython magics and shell escapes are not Python: blank them out.
        lines = cell.source.splitlines()
        source = "\n".join("" if s.lstrip().startswith(("%", "!")) else s for s in lines)
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def course_notebooks():
    chapters = sorted((ROOT / "book").glob("*.ipynb"))
    exercises = sorted((ROOT / "exercises").glob("*/*.ipynb"))
    return chapters + exercises


@pytest.fixture(scope="module")
def binder_python(lab_venv):
    """The Python of the fresh `make lab` (= Binder) environment."""
    return lab_venv / "bin" / "python"


def test_binder_environment_imports_what_the_notebooks_import(binder_python):
    wanted = set()
    for path in course_notebooks():
        wanted |= imported_modules(path)
    third_party = sorted(
        name for name in wanted - LOCAL_PACKAGES if name not in sys.stdlib_module_names
    )
    code = (
        "import importlib, json, sys\n"
        "missing = []\n"
        f"for name in {third_party!r}:\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as error:\n"
        "        missing.append(f'{name}: {error!r}')\n"
        "print(json.dumps(missing))\n"
    )
    result = subprocess.run(
        [str(binder_python), "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    missing = json.loads(result.stdout.strip().splitlines()[-1])
    assert not missing, f"the Binder environment cannot import: {missing}"


def test_a_chapter_executes_in_the_binder_environment(binder_python, tmp_path, monkeypatch):
    """Chapter 1 runs top to bottom on a kernel of the Binder environment."""
    kernels = tmp_path / "jupyter" / "kernels" / "binder-check"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [str(binder_python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Binder check",
                "language": "python",
            }
        )
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(CHAPTER, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name="binder-check",
        timeout=CELL_TIMEOUT_S,
        resources={"metadata": {"path": str(CHAPTER.parent)}},
    )
    client.execute()  # raises CellExecutionError, with the traceback, if a cell fails
    outputs = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]
    assert outputs, f"{CHAPTER.name} produced no output in the Binder environment"
