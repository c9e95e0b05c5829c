"""Chapters 3 and 7 execute with the CuPy backend (``LIB_BACKEND=cupy``) on a GPU.

A learner on Colab who switches the runtime to a GPU and sets ``LIB_BACKEND=cupy`` runs
the same notebooks. nbval executes them in a kernel that inherits that variable. Skips,
with the reason, where there is no GPU (CI has none; ``make test-gpu`` runs it).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lib import backend

ROOT = Path(__file__).resolve().parents[2]
GPU_REASON = backend.gpu_unavailable_reason()
CHAPTERS = [
    str(p.relative_to(ROOT))
    for pattern in ("book/03_*.ipynb", "book/07_*.ipynb")
    for p in sorted(ROOT.glob(pattern))
]

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.slow,
    pytest.mark.skipif(GPU_REASON is not None, reason=str(GPU_REASON)),
]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_executes_on_cupy(chapter):
    env = dict(os.environ, LIB_BACKEND="cupy")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider", chapter],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
