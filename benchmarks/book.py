"""How long the book takes: each chapter's execution, a full build, and a rebuild.

    python benchmarks/book.py

Each chapter is executed in a fresh kernel (as the book build and nbval do); then the
book is built from scratch into a temporary folder with the command of ``make book``,
and built again with nothing changed (the execution cache answers). Targets: a chapter
under 60 s, a full build under 5 minutes on 2 cores, a rebuild under 30 s.
"""

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"


def execute_seconds(path):
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=600, resources={"metadata": {"path": str(path.parent)}}
    )
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def build_seconds(output):
    command = [str(JUPYTER_BOOK), "build", str(ROOT), "-W", "-n", "--keep-going", "--all"]
    start = time.perf_counter()
    done = subprocess.run([*command, "--path-output", output], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"the build failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return time.perf_counter() - start


def main():
    print(f"{'what':40} {'seconds':>8}  target")
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        print(f"{'execute ' + path.name:40} {execute_seconds(path):>8.1f}  < 60", flush=True)
    with tempfile.TemporaryDirectory() as output:
        print(f"{'full build (empty cache)':40} {build_seconds(output):>8.1f}  < 300", flush=True)
        print(f"{'rebuild, nothing changed':40} {build_seconds(output):>8.1f}  < 30", flush=True)


if __name__ == "__main__":
    main()
