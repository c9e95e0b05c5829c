"""Launch buttons: every notebook page links to Binder and Colab, built from the one
repository URL in _config.yml. (The Colab setup cell: tests/test_learner_setup.py.)"""

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def repository():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    url = config["repository"]["url"].rstrip("/")
    branch = config["repository"].get("branch", "main")
    prefix = "https://github.com/"
    assert url.startswith(prefix), f"repository.url must be a GitHub address, not {url}"
    return url[len(prefix) :], branch


def test_notebook_pages_have_binder_and_colab_buttons(book_html, notebook_doc):
    org_repo, branch = repository()
    html = (book_html / f"{notebook_doc}.html").read_text(encoding="utf-8")
    binder = f"https://mybinder.org/v2/gh/{org_repo}/{branch}?urlpath=tree/{notebook_doc}.ipynb"
    colab = (
        f"https://colab.research.google.com/github/{org_repo}/blob/{branch}/{notebook_doc}.ipynb"
    )
    assert f'href="{binder}"' in html, f"{notebook_doc}.html has no Binder button ({binder})"
    assert f'href="{colab}"' in html, f"{notebook_doc}.html has no Colab button ({colab})"


EXERCISES = sorted(
    p.relative_to(ROOT).with_suffix("").as_posix() for p in ROOT.glob("exercises/*/*.ipynb")
)


@pytest.mark.parametrize("notebook", EXERCISES)
def test_every_exercise_is_a_page_with_launch_buttons(notebook):
    """Launch buttons exist only on pages of the book: each student notebook must be in
    _toc.yml (the build does not execute exercises/*, see execute.exclude_patterns)."""
    toc = (ROOT / "_toc.yml").read_text()
    assert f"file: {notebook}" in toc, f"{notebook}.ipynb is not in _toc.yml: no launch buttons"
