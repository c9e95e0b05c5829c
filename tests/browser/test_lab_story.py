"""The live version: chapter 3 in JupyterLab, its story explorer moved by a reader.

JupyterLab (the ``lab`` extra, which ``make test`` installs) is started on 127.0.0.1 with a
random token, chapter 3 is opened in headless Chromium and run, and a slider of the story
explorer is moved: the numbers it shows change, computed by the same ES module as in the
static book, and the kernel's widget receives the new value (anywidget syncs the trait).
Self-contained: it starts and stops its own server.
"""

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.browser, pytest.mark.slow]

START_TIMEOUT_S = 120
RUN_TIMEOUT_MS = 240_000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """(base URL, token) of a JupyterLab serving the repository, stopped afterwards."""
    jupyter = Path(sys.executable).parent / "jupyter"
    found = subprocess.run(
        [str(jupyter), "lab", "--version"], capture_output=True, text=True, check=False
    )
    if found.returncode != 0:
        pytest.fail("JupyterLab is not installed: `make test` installs it (the lab extra)")
    port, token = free_port(), secrets.token_hex(16)
    home = tmp_path_factory.mktemp("lab-home")
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home / "config"), HOME=str(home))
    command = [
        str(jupyter),
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={ROOT}",
        "--ServerApp.port_retries=0",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "getuid") and os.getuid() == 0:
        command.append("--allow-root")
    log = (home / "lab.log").open("w")
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"JupyterLab did not start:\n{(home / 'lab.log').read_text()[-3000:]}")
            time.sleep(0.5)
    yield base, token
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()
    shutil.rmtree(home / "config", ignore_errors=True)


def test_story_slider_recomputes_in_jupyterlab(browser, lab):
    base, token = lab
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{base}/lab/tree/book/03_lstm.ipynb?token={token}")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        page.wait_for_function(
            "() => /Idle/.test(document.querySelector('.jp-Notebook-ExecutionIndicator, "
            "#jp-main-statusbar')?.textContent || '')",
            timeout=60_000,
        )
        page.locator(".jp-Notebook").click()
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        story = page.locator('[data-explorable="story"]')
        story.wait_for(state="attached", timeout=RUN_TIMEOUT_MS)
        story.scroll_into_view_if_needed()
        before = story.locator("tr[data-key=h] td").all_text_contents()
        slider = story.locator('input[type=range][data-name="b_f.0"]')
        slider.evaluate(
            "(input) => { input.value = '10'; "
            "input.dispatchEvent(new Event('input', {bubbles: true})); }"
        )
        after = story.locator("tr[data-key=h] td").all_text_contents()
        assert after != before, f"the story's h stayed {before} after moving b_f"
        forget = story.locator("tr[data-key=f] td").first.text_content()
        assert float(forget) > 0.95, f"b_f = 10 should open the forget gate, shows {forget}"
    finally:
        context.close()
    assert not [e for e in errors if "anywidget" in e.lower()], errors
