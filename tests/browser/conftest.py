"""Open the built book in headless Chromium, offline, and record what every page does.

The book built fresh for this test run (the ``built_book`` fixture of tests/conftest.py,
shared with tests/book; set ``BOOK_HTML`` to test an existing folder such as
``_build/html``) is served by Python's ``http.server`` on 127.0.0.1 at a random port.
Every request for any other address is aborted and recorded, so a page that needs the
network fails its test instead of quietly fetching a CDN copy.

Playwright drives Debian's Chromium (``/usr/bin/chromium``, installed by ``.ci/run``),
not a browser build of its own; without it the browser tests are skipped, saying why.
"""

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "_build" / "screenshots"
WIDGET_TIMEOUT_MS = 30_000
VIEWPORT = {"width": 1280, "height": 900}


def chromium_path():
    """Debian's Chromium, or None."""
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def book_html(request):
    """The folder of the built book (index.html inside): BOOK_HTML, else this run's build."""
    chosen = os.environ.get("BOOK_HTML")
    if chosen:
        html = Path(chosen).resolve()
        if not (html / "index.html").is_file():
            pytest.fail(f"BOOK_HTML={chosen} has no index.html")
        return html
    built = request.getfixturevalue("built_book")
    if built.returncode != 0:
        pytest.fail(f"the book build failed, so its pages cannot be tested:\n{built.log[-4000:]}")
    return built.html


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="session")
def origin(book_html):
    """http://127.0.0.1:PORT serving the built book, for the whole session."""
    handler = functools.partial(_QuietHandler, directory=str(book_html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if executable is None:
        pytest.skip(
            "Debian's chromium is not installed (/usr/bin/chromium): the browser tests of "
            "the built book need it (`.ci/run` installs it with apt-get)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        )
        yield browser
        browser.close()


@dataclass
class Visit:
    """What happened while one page loaded."""

    doc: str
    url: str
    page: object = None
    page_errors: list = field(default_factory=list)
    console_errors: list = field(default_factory=list)
    blocked: list = field(default_factory=list)  # (resource type, url) of other origins
    failed: list = field(default_factory=list)  # (status or failure, url) on the book's own
    widgets_ready: bool = True

    def problems(self):
        lines = [f"page error: {e}" for e in self.page_errors]
        lines += [f"console error: {e}" for e in self.console_errors]
        lines += [f"blocked {kind} request: {url}" for kind, url in self.blocked]
        lines += [f"failed request ({why}): {url}" for why, url in self.failed]
        return lines


WAIT_FOR_WIDGETS = """() => {
    const views = document.querySelectorAll(
        'script[type="application/vnd.jupyter.widget-view+json"]');
    return Array.from(views).every((s) => {
        const area = s.previousElementSibling;
        return area && area.classList.contains('widget-subarea') && area.children.length > 0;
    });
}"""


@pytest.fixture(scope="session")
def open_page(browser, origin):
    """open_page(doc, viewport=VIEWPORT) -> Visit: load a page offline, wait for math and
    widgets to render."""
    contexts = []

    def _open(doc, viewport=VIEWPORT):
        context = browser.new_context(viewport=viewport, service_workers="block")
        contexts.append(context)
        page = context.new_page()
        visit = Visit(doc=doc, url=f"{origin}/{doc}.html", page=page)

        def route(route):
            request = route.request
            if request.url.startswith(origin + "/"):
                route.continue_()
            else:
                visit.blocked.append((request.resource_type, request.url))
                route.abort("blockedbyclient")

        def on_response(response):
            if response.url.startswith(origin + "/") and response.status >= 400:
                visit.failed.append((response.status, response.url))

        def on_request_failed(request):
            if request.url.startswith(origin + "/"):
                visit.failed.append((request.failure, request.url))

        def on_console(message):
            if message.type == "error":
                visit.console_errors.append(message.text)

        page.route("**/*", route)
        page.on("pageerror", lambda error: visit.page_errors.append(str(error)))
        page.on("console", on_console)
        page.on("response", on_response)
        page.on("requestfailed", on_request_failed)
        page.goto(visit.url, wait_until="load")
        # MathJax 3 typesets once its startup promise resolves.
        page.evaluate(
            """async () => {
                const mj = window.MathJax;
                if (mj && mj.startup && mj.startup.promise) { await mj.startup.promise; }
            }"""
        )
        try:
            page.wait_for_function(WAIT_FOR_WIDGETS, timeout=WIDGET_TIMEOUT_MS)
        except Exception:  # a timeout: reported by the widget test, with details
            visit.widgets_ready = False
        page.wait_for_load_state("networkidle")
        return visit

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def visits(open_page):
    """One visit per page, shared by the page checks (opened on first use)."""
    cache = {}

    def _get(doc):
        if doc not in cache:
            cache[doc] = open_page(doc)
        return cache[doc]

    return _get


@pytest.fixture(scope="session")
def screenshot_path():
    """screenshot_path(doc) -> _build/screenshots/book__03_lstm.png (folder created)."""

    def _path(doc):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS / (doc.replace("/", "__") + ".png")

    return _path


# --- the learner's environment (`make lab`, Binder) ------------------------------------

# `make wheelhouse` (a step of `make test`) fills it; the same as tests/exercises uses
WHEELHOUSE = Path(os.environ.get("RNN_COURSE_WHEELHOUSE", Path(sys.prefix) / "wheelhouse"))
LAB_VENV_TIMEOUT_S = 1200


@pytest.fixture(scope="session")
def make_env():
    """The environment for running `make` from a test: without the variables of the
    `make test` that may have started pytest (its jobserver would leak in)."""
    return {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}


@pytest.fixture(scope="session")
def lab_venv(tmp_path_factory, make_env):
    """A fresh virtual environment made by `make lab`'s own rule, offline.

    ``make VENV=<tmp> <tmp>/.lab-installed`` is the recipe `make lab` runs (a venv, then
    ``pip install -r binder/requirements.txt``, which is also what Binder installs), here
    with ``PIP_NO_INDEX=1`` and ``PIP_FIND_LINKS`` at the wheelhouse: `make test` fetched
    those wheels at set-up, so this needs no network. Set ``LAB_VENV`` to a folder built
    this way before to reuse it (quicker while working on the tests).
    """
    chosen = os.environ.get("LAB_VENV")
    if chosen:
        return Path(chosen).resolve()
    if not (WHEELHOUSE / ".complete").exists():
        pytest.fail(
            f"no wheelhouse at {WHEELHOUSE}: run `make wheelhouse` once (needs PyPI; `make "
            "test` does it first), so that this test builds the environment offline"
        )
    venv = tmp_path_factory.mktemp("lab") / "venv"
    env = dict(make_env, PIP_NO_INDEX="1", PIP_FIND_LINKS=str(WHEELHOUSE))
    done = subprocess.run(
        ["make", f"VENV={venv}", f"{venv}/.lab-installed"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=LAB_VENV_TIMEOUT_S,
    )  # fmt: skip
    assert done.returncode == 0, (
        "building the `make lab` environment failed:\n" + done.stdout[-4000:]
    )
    return venv


@pytest.fixture(scope="module")
def module_page(browser):
    """module_page("train.js", "train") -> (page, exported names): a blank page with the ES
    module lib/course/js/train.js (its imports inlined) imported as window.train."""
    from lib.course.explorables import IMPORT_AS_GLOBAL, module_source

    contexts = []

    def _load(filename, name):
        context = browser.new_context()
        contexts.append(context)
        page = context.new_page()
        page.set_content(f"<!doctype html><title>{filename}</title>")
        return page, page.evaluate(IMPORT_AS_GLOBAL, [module_source(filename), name])

    yield _load
    for context in contexts:
        context.close()
