"""A fresh build of the whole book, shared by tests/book and tests/browser (one build per run).

The book is built once per test session with the exact command of `make book`
(``jupyter-book build . -W -n --keep-going``), into a temporary folder, so that every
chapter is executed from scratch: a cached success from an earlier build cannot hide a
chapter that a change to ``lib`` has broken. Set ``BOOK_BUILD_DIR`` to build into a
folder of your choice instead (its execution cache then carries over between runs).
"""

import importlib.util
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BUILD_TIMEOUT_S = 1800


def jupyter_book_executable():
    """The jupyter-book next to this Python (the project's .venv), else the one on PATH."""
    beside = Path(sys.executable).parent / "jupyter-book"
    found = str(beside) if beside.exists() else shutil.which("jupyter-book")
    if found is None:
        pytest.fail("jupyter-book is not installed: run `make test` (it installs .[test])")
    return found


def build_command(output_dir):
    """The command of `make book` (see the Makefile), writing into ``output_dir/_build``."""
    return [
        jupyter_book_executable(),
        "build",
        str(ROOT),
        "-W",
        "-n",
        "--keep-going",
        "--all",
        "--path-output",
        str(output_dir),
    ]


def toc_files():
    """Every document listed in _toc.yml (root first), as paths without suffix."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return files


@dataclass
class BuiltBook:
    returncode: int
    log: str
    html: Path  # the folder with index.html

    def page(self, doc):
        """The HTML file of a document named as in _toc.yml (``book/03_lstm``)."""
        return self.html / f"{doc}.html"


@pytest.fixture(scope="session")
def built_book(tmp_path_factory):
    chosen = os.environ.get("BOOK_BUILD_DIR")
    output_dir = Path(chosen).resolve() if chosen else tmp_path_factory.mktemp("book")
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.pop("BOOK_BUILD_DIR", None)
    result = subprocess.run(
        build_command(output_dir),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=BUILD_TIMEOUT_S,
    )
    return BuiltBook(result.returncode, result.stdout, output_dir / "_build" / "html")


@pytest.fixture(scope="session")
def experiment_script():
    """experiment_script("after_the_lstm") -> the module book/experiments/after_the_lstm.py,
    whose constants (the seeds, the sizes) and run functions a test re-uses."""

    def _load(name):
        path = Path(__file__).resolve().parents[1] / "book" / "experiments" / f"{name}.py"
        spec = importlib.util.spec_from_file_location(f"experiment_{name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return _load


@pytest.fixture(scope="session")
def toc_docs():
    """Every document of _toc.yml, root first (``book/intro``, ``book/notation``, ...)."""
    return toc_files()


def source_suffix(doc):
    """'.ipynb' or '.md': the file a toc entry was built from."""
    for suffix in (".ipynb", ".md"):
        if (ROOT / f"{doc}{suffix}").exists():
            return suffix
    return None


def pytest_generate_tests(metafunc):
    """`doc`: every page of _toc.yml; `notebook_doc`: those built from a notebook."""
    docs = toc_files()
    if "doc" in metafunc.fixturenames:
        metafunc.parametrize("doc", docs)
    if "notebook_doc" in metafunc.fixturenames:
        metafunc.parametrize("notebook_doc", [d for d in docs if source_suffix(d) == ".ipynb"])
