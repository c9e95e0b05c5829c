"""The book builds with warnings as errors, and every page in the table of contents exists."""

import html as html_text
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow

CHAPTERS = [
    "book/01_rnn_memory",
    "book/02_vanishing_gradients",
    "book/03_lstm",
    "book/03b_lstm_memory",
    "book/04_gru",
    "book/05_stacking",
    "book/06_bidirectional",
    "book/07_language_model",
    "book/08_after_the_lstm",
]


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def problems(built_book):
    """The warnings and errors of a build, with the tracebacks of failed notebooks."""
    log = ANSI.sub("", built_book.log)
    lines = [
        line
        for line in log.splitlines()
        if re.search(r"WARNING|ERROR|Error|failed", line) and "IPKernelApp" not in line
    ]
    report = "\n".join(lines[-40:]) or log[-4000:]
    for err in sorted((built_book.html / "reports").rglob("*.err.log")):
        report += f"\n\n--- {err.relative_to(built_book.html)} ---\n"
        report += ANSI.sub("", err.read_text(errors="replace"))[-3000:]
    return report


def test_book_builds_with_warnings_as_errors(built_book):
    assert built_book.returncode == 0, (
        "`jupyter-book build . -W -n --keep-going --all` failed; its warnings and errors:\n"
        + problems(built_book)
    )


def test_every_toc_page_is_built(built_book, toc_docs):
    assert (built_book.html / "index.html").is_file()
    assert set(CHAPTERS) <= set(toc_docs), "a chapter is missing from _toc.yml"
    missing = [doc for doc in toc_docs if not built_book.page(doc).is_file()]
    assert not missing, f"pages not built: {missing}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_was_executed(built_book, chapter):
    """A chapter page shows the outputs of its code cells: it was executed, not skipped."""
    page = built_book.page(chapter)
    assert page.is_file(), f"{chapter}.html was not built"
    html = page.read_text(encoding="utf-8")
    assert "cell_output" in html, f"{chapter}.html has no cell outputs: was it executed?"


def test_exercises_are_pages_not_executed(built_book, toc_docs):
    """The graded exercises are in the book but not run at build time (their answers are
    blank by design, and `make book` does not install the grader)."""
    exercises = [doc for doc in toc_docs if doc.startswith("exercises/")]
    on_disk = sorted(
        str(path.relative_to(ROOT).with_suffix(""))
        for path in ROOT.glob("exercises/ex[0-9][0-9]_*/ex[0-9][0-9]_*.ipynb")
    )
    assert sorted(exercises) == on_disk, "every student notebook is a page of the book"
    for doc in exercises:
        assert f"{doc}.ipynb: Excluded from execution" in ANSI.sub("", built_book.log), doc


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_published_numbers_appear_exactly_as_formatted(built_book, chapter):
    """{eval}`name` shows the published text verbatim ("0.50" stays "0.50", not 0.5)."""
    glue = built_book.html.parent / "jupyter_execute" / f"{chapter}.glue.json"
    assert glue.is_file(), f"{chapter} publishes no numbers: its prose types them"
    published = {v["data"]["text/plain"] for v in json.loads(glue.read_text()).values()}
    page = built_book.page(chapter).read_text(encoding="utf-8")
    shown = re.findall(r'<span class="pasted-text">(.*?)</span>', page)
    assert shown, f"{chapter} publishes numbers but its page shows none"
    changed = sorted({html_text.unescape(s) for s in shown} - published)
    assert not changed, f"{chapter}: shown but never published as such: {changed}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_figure_says_what_it_shows(built_book, chapter):
    """Each image's alt text is a description (cell metadata mystnb.image.alt), not the
    file path myst-nb falls back on, which a screen reader would read out."""
    page = built_book.page(chapter).read_text(encoding="utf-8")
    alts = [html_text.unescape(a) for a in re.findall(r'<img alt="([^"]*)"', page)]
    assert alts, f"{chapter}.html has no images"
    undescribed = [a for a in alts if not a.strip() or a.startswith("../_images/")]
    assert not undescribed, f"{chapter}: figures without a description: {undescribed}"
