"""The built HTML names nothing on the network, and the served scripts are not committed."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# A tag that makes the browser fetch something: scripts, stylesheets, preloads, images.
REMOTE = re.compile(
    r"<(?:script[^>]*\ssrc|link[^>]*\shref|img[^>]*\ssrc|iframe[^>]*\ssrc)\s*=\s*[\"'](?:https?:)?//",
    re.IGNORECASE,
)
VENDORED = [
    "_static/offline/mathjax/tex-chtml.js",
    "_static/offline/mathjax/output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff",
    "_static/offline/requirejs/require.js",
    "_static/offline/html-manager/embed-amd.js",
    "_static/offline/widgets_config.js",
    "_static/offline/mathjax2_shim.js",
    "_static/offline/anywidget_host.js",
    "_static/offline/anywidget/index.js",
]


def test_no_page_loads_anything_from_the_network(book_html):
    remote = {}
    for page in sorted(book_html.rglob("*.html")):
        found = REMOTE.findall(page.read_text(encoding="utf-8", errors="replace"))
        # <link rel="canonical"/"alternate"> would not fetch, but none is expected either.
        if found:
            remote[page.relative_to(book_html).as_posix()] = found[:3]
    assert not remote, f"pages that fetch from other hosts: {remote}"


def test_mathjax_requirejs_and_the_widget_manager_are_served_by_the_book(book_html):
    missing = [name for name in VENDORED if not (book_html / name).is_file()]
    assert not missing, (
        f"not in the built book: {missing}. Was `npm ci` run in js/ (make book does it)? "
        "Without it the pages load these scripts from CDNs."
    )


def test_the_served_scripts_are_installed_not_committed():
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    copies = [
        name
        for name in tracked
        if "node_modules/" in name
        or Path(name).name in {"tex-chtml.js", "require.js", "require.min.js", "embed-amd.js"}
    ]
    assert not copies, f"committed copies of installed scripts: {copies}"
