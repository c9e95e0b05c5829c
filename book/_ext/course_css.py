"""The course's style sheet, ``book/_static/course.css``, on every page.

Jupyter Book 1 serves the ``_static/`` folder of the book root (here the repository
root); the course keeps its own static files next to the chapters instead, so this
extension adds ``book/_static`` to ``html_static_path`` and the sheet to every page, after
the theme's (so that its rules win at equal specificity).
"""

from pathlib import Path

STATIC = Path(__file__).resolve().parents[1] / "_static"
SHEET = "course.css"


def _add_static_path(app, config):
    config.html_static_path.append(str(STATIC))


def setup(app):
    if not (STATIC / SHEET).is_file():
        raise FileNotFoundError(f"expected the course's style sheet at {STATIC / SHEET}")
    app.connect("config-inited", _add_static_path)
    app.add_css_file(SHEET)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
