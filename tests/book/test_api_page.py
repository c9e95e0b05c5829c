"""The API reference page documents every public name of lib's core.

A public name is a function or class defined in a core module (``lib/*.py``) whose name
does not start with an underscore. autodoc gives each documented object an anchor named
after its dotted path (``id="lib.recurrent.LSTM"``); a name without one was forgotten in
``book/api.md``.
"""

import importlib
import inspect
import pkgutil

import pytest

import lib

pytestmark = pytest.mark.slow


def public_names():
    names = []
    for info in pkgutil.iter_modules(lib.__path__):
        if info.ispkg:  # lib.course is the book's presentation, not the library
            continue
        module = importlib.import_module(f"lib.{info.name}")
        for name, obj in vars(module).items():
            defined_here = getattr(obj, "__module__", None) == module.__name__
            if (
                not name.startswith("_")
                and defined_here
                and inspect.isclass(obj) | inspect.isfunction(obj)
            ):
                names.append(f"{module.__name__}.{name}")
    return names


def test_the_page_documents_every_public_name(built_book):
    html = built_book.page("book/api").read_text(encoding="utf-8")
    missing = [name for name in public_names() if f'id="{name}"' not in html]
    assert not missing, f"add these to book/api.md (autofunction / autoclass): {missing}"


def test_the_public_names_are_found():
    names = public_names()
    assert "lib.recurrent.LSTM" in names and "lib.functional.gru_step" in names
    assert not [n for n in names if n.startswith("lib.course")]
