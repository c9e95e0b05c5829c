"""The shape of the library: the core is a network library that needs NumPy only.

``lib/`` holds the network (cells, sequence models, training, data); the book's figures,
widgets and experiments live in ``lib/course/``, which imports the core and is never
imported by it. These tests read the import statements of every core module (also those
inside functions) and import ``lib`` in a fresh interpreter to see what it loads.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

LIB = Path(__file__).resolve().parents[2] / "lib"
CORE_MODULES = sorted(p for p in LIB.glob("*.py"))
# What a core module must not import: the presentation layer and its plotting/widget stack.
FORBIDDEN = ("lib.course", "matplotlib", "ipywidgets", "IPython", "PIL")
MAX_LINES = 300


def imported_names(path):
    """Every module a file imports, resolved to absolute dotted names."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = "lib"
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from . import x / from .course import y
                base = package + ("." + base if base else "")
            names += [base] + [f"{base}.{alias.name}" for alias in node.names]
    return names


@pytest.mark.parametrize("path", CORE_MODULES, ids=lambda p: p.name)
def test_core_module_imports_no_presentation(path):
    bad = [
        name
        for name in imported_names(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    ]
    assert not bad, f"lib/{path.name} is core and imports {bad}: move that code to lib/course/"


def test_the_check_sees_a_forbidden_import(tmp_path):
    module = tmp_path / "sneaky.py"
    module.write_text("def f():\n    from .course import story\n    import matplotlib.pyplot\n")
    names = imported_names(module)
    assert "lib.course.story" in names and "matplotlib.pyplot" in names


def test_import_lib_loads_numpy_only():
    code = (
        "import sys, lib\n"
        "model = lib.LSTM(3, 4)\n"
        f"print([m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r} "
        "or m.startswith('lib.course')])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=LIB.parent, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]", f"import lib loaded {done.stdout.strip()}"


def module_docstring(path):
    return ast.get_docstring(ast.parse(path.read_text())) or ""


@pytest.mark.parametrize(
    "path", sorted(LIB.rglob("*.py")), ids=lambda p: str(p.relative_to(LIB.parent))
)
def test_modules_are_short_or_say_why(path):
    lines = len(path.read_text().splitlines())
    if lines > MAX_LINES:
        assert "Why this module is long:" in module_docstring(path), (
            f"{path.relative_to(LIB.parent)} has {lines} lines (> {MAX_LINES}): split it by "
            "idea, or say at its top why it is one module ('Why this module is long: ...')"
        )
