"""Launch buttons: every notebook page links to Binder and Colab, built from the one
repository URL in _config.yml, and every notebook can set itself up on Colab."""

import subprocess
import sys
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


def test_every_notebook_has_the_colab_setup_cell():
    """tools/add_colab_cell.py --check: each chapter and exercise notebook starts with the
    current Colab setup cell (run `python tools/add_colab_cell.py` to add or update it)."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "add_colab_cell.py"), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


EXERCISES = sorted(
    p.relative_to(ROOT).with_suffix("").as_posix() for p in ROOT.glob("exercises/*/*.ipynb")
)


@pytest.mark.parametrize("notebook", EXERCISES)
def test_every_exercise_is_a_page_with_launch_buttons(notebook):
    """Launch buttons exist only on pages of the book: each student notebook must be in
    _toc.yml (the build does not execute exercises/*, see execute.exclude_patterns)."""
    toc = (ROOT / "_toc.yml").read_text()
    assert f"file: {notebook}" in toc, f"{notebook}.ipynb is not in _toc.yml: no launch buttons"
