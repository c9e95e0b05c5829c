"""A learner's JupyterLab, end to end: `make lab` in a fresh environment, driven in Chromium.

`make lab` starts JupyterLab from the ``lab_venv`` environment (built offline by its own
rule, see conftest.py) on 127.0.0.1, on a copy of the course in a temporary folder (so
nothing here can write into the checkout). Through the page, like a learner, the test
writes wrong answers and then the right one into exercise 1's first answer cell, runs the
`grader.check` cell under it and reads the feedback; then it opens chapter 3 and checks
that its MyST reads as formatted text (a citation, a margin note), that what the book hides
is collapsed, and that opening a notebook does not mark it modified.

The feedback texts are written to ``_build/screenshots/lab-feedback.txt`` and screenshots
(1280 px and 390 px wide) to ``_build/screenshots/lab-*.png``.
"""

import importlib.util
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import nbformat
import pytest

from exercises.build import masters, solutions

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
EXERCISE = "exercises/ex01_rnn_cell/ex01_rnn_cell.ipynb"
CHAPTER = "book/03_lstm.ipynb"
WRONG_VARIANTS = ("W_hh_untransposed", "sigmoid", "h_x_swapped")  # of tests/exercises
START_TIMEOUT_S = 180
KERNEL_TIMEOUT_MS = 120_000
WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# JupyterLab settings for the test only: no autosave (the page edits notebooks), no news
# pop-up over the page, and every cell in the page (no virtual scrolling) so that the n-th
# cell element is the n-th cell.
SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": '{"autosave": false}',
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": '{"fetchNews": "false"}',
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": '{"windowingMode": "none"}',
}

CURRENT_PANEL = "window.jupyterapp.shell.currentWidget"
KERNEL_IDLE = f"""() => {{
    const panel = {CURRENT_PANEL};
    const kernel = panel && panel.sessionContext && panel.sessionContext.session
        && panel.sessionContext.session.kernel;
    return !!kernel && kernel.status === 'idle';
}}"""


# The text (paragraphs, list items, headings) that lies under one of the given notes.
TEXT_UNDER_NOTES = """(notes) => notes.flatMap((note) => {
    const box = note.getBoundingClientRect();
    const text = document.querySelectorAll(
        '.jp-MarkdownCell p, .jp-MarkdownCell li, .jp-MarkdownCell h2, .jp-MarkdownCell h3');
    return Array.from(text).filter((element) => {
        const other = element.getBoundingClientRect();
        return !note.contains(element) && other.height > 0
            && other.top < box.bottom - 1 && other.bottom > box.top + 1
            && other.left < box.right - 1 && other.right > box.left + 1;
    }).map((element) => element.innerText.slice(0, 80));
})"""


def wrong_answers():
    """[(variant, source, words the feedback must contain)] for question 1 of exercise 1."""
    spec = importlib.util.spec_from_file_location(
        "exercise_variants", ROOT / "tests" / "exercises" / "exercise_variants.py"
    )
    variants = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(variants)
    solution = solutions(masters()["ex01"])["q1"]
    chosen = {v[0]: v for v in variants.WRONG["ex01"] if v[1] == "q1"}
    return [
        (name, variants.apply(solution, chosen[name][2]), chosen[name][3])
        for name in WRONG_VARIANTS
    ]


def course_copy(folder):
    """What a learner opens, copied into ``folder``: the chapters, the exercises, lib."""
    ignore = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "dist")
    for name in ("book", "exercises", "lib"):
        shutil.copytree(ROOT / name, folder / name, ignore=ignore)
    return folder


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Lab:
    """`make lab` running in the background; ``output`` collects what it printed."""

    def __init__(self, venv, home, root, env):
        self.port = free_port()
        self.token = None  # JupyterLab makes one up and prints it in the address
        settings = home / "settings"
        for name, text in SETTINGS.items():
            (settings / name).parent.mkdir(parents=True, exist_ok=True)
            (settings / name).write_text(text)
        env = dict(
            env,
            JUPYTER_CONFIG_DIR=str(home / "config"),
            JUPYTER_DATA_DIR=str(home / "data"),
            JUPYTER_RUNTIME_DIR=str(home / "runtime"),
            JUPYTERLAB_SETTINGS_DIR=str(settings),
            JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
        )
        lab_args = (
            f"--no-browser --port={self.port} --ServerApp.root_dir={root} "
            "--LabApp.expose_app_in_browser=True"
        )
        self.output = []
        self.process = subprocess.Popen(
            ["make", "lab", f"VENV={venv}", f"LAB_ARGS={lab_args}"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True,  # its own process group: stopped as a whole below
        )  # fmt: skip
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self):
        for line in self.process.stdout:
            self.output.append(line)

    def printed(self):
        return "".join(self.output)

    def wait_for_address(self):
        """The http://127.0.0.1:PORT/lab?token=... address that `make lab` printed."""
        pattern = re.compile(rf"http://127\.0\.0\.1:{self.port}/lab\?token=(\w+)")
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            found = pattern.search(self.printed())
            if found:
                self.token = found.group(1)
                return found.group(0)
            if self.process.poll() is not None:
                break
            time.sleep(0.5)
        pytest.fail(f"`make lab` printed no address to open:\n{self.printed()[-4000:]}")

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture(scope="module")
def lab(lab_venv, tmp_path_factory, make_env):
    root = course_copy(tmp_path_factory.mktemp("course"))
    running = Lab(lab_venv, tmp_path_factory.mktemp("lab-home"), root, make_env)
    running.address = running.wait_for_address()
    running.root = root
    yield running
    running.stop()


@pytest.fixture(scope="module")
def lab_context(browser):
    context = browser.new_context(viewport=WIDE)
    yield context
    context.close()


def open_notebook(context, lab, path):
    """A page with the notebook at ``path`` open and its kernel idle."""
    page = context.new_page()
    workspace = re.sub(r"\W", "-", path)  # a fresh workspace: nothing else open
    page.goto(f"http://127.0.0.1:{lab.port}/lab/workspaces/{workspace}/tree/{path}"
              f"?reset&token={lab.token}")  # fmt: skip
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=KERNEL_TIMEOUT_MS)
    page.wait_for_function(KERNEL_IDLE, timeout=KERNEL_TIMEOUT_MS)
    return page


def command(page, name):
    page.evaluate("(name) => window.jupyterapp.commands.execute(name)", name)


def wait_until_run(page, index, count_before):
    """Wait until cell ``index`` has a newer execution count and the kernel is idle."""
    page.wait_for_function(
        f"""([index, before]) => {{
            const cell = {CURRENT_PANEL}.content.widgets[index];
            const count = cell.model.executionCount;
            return count !== null && count !== before && ({KERNEL_IDLE})();
        }}""",
        arg=[index, count_before],
        timeout=KERNEL_TIMEOUT_MS,
    )


def execution_count(page, index):
    return page.evaluate(
        f"(index) => {CURRENT_PANEL}.content.widgets[index].model.executionCount", index
    )


def is_modified(page):
    return page.evaluate(f"() => {CURRENT_PANEL}.context.model.dirty")


def answer_and_check(page, answer_index, check_index, source):
    """Write ``source`` into the answer cell as a learner would, run it and its check cell,
    and return the feedback the check cell shows."""
    cells = page.locator(".jp-Notebook .jp-Cell")
    cells.nth(answer_index).locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(source)
    before = execution_count(page, check_index)
    page.keyboard.press("Shift+Enter")  # runs the answer, moves to the check cell
    page.keyboard.press("Shift+Enter")  # runs grader.check("q1")
    wait_until_run(page, check_index, before)
    return cells.nth(check_index).locator(".jp-OutputArea-output").inner_text()


def screenshots(page, path, name):
    """Screenshots of ``page`` 1280 and 390 px wide: _build/screenshots/lab-NAME-*.png."""
    page.screenshot(path=path(f"lab-{name}-wide"))
    page.set_viewport_size(PHONE)
    page.evaluate("() => window.jupyterapp.shell.collapseLeft()")  # as a phone user would
    page.wait_for_timeout(500)
    page.screenshot(path=path(f"lab-{name}-phone"))
    page.set_viewport_size(WIDE)


def test_make_lab_prints_the_address_and_starts_as_root_too(lab):
    printed = lab.printed()
    assert "Open the http://127.0.0.1:...?token=... address" in printed
    command_line = next(line for line in printed.splitlines() if "jupyter lab" in line)
    as_root = os.getuid() == 0
    assert ("--allow-root" in command_line) == as_root, (
        f"`make lab` as {'root' if as_root else 'a normal user'} ran: {command_line}"
    )
    assert lab.process.poll() is None, f"JupyterLab stopped:\n{printed[-3000:]}"


def test_exercise_feedback_in_jupyterlab(lab, lab_context, screenshot_path):
    notebook = nbformat.read(lab.root / EXERCISE, as_version=4)
    answers = [
        i for i, c in enumerate(notebook.cells) if "otter_answer_cell" in c.metadata.get("tags", [])
    ]
    answer, check = answers[0], answers[0] + 1
    assert notebook.cells[check].source.strip() == 'grader.check("q1")'

    page = open_notebook(lab_context, lab, EXERCISE)
    assert not is_modified(page), "opening the exercise marked it modified"
    before = execution_count(page, check)
    command(page, "notebook:run-all-cells")  # as shipped: every cell runs, nothing raises
    wait_until_run(page, check, before)
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert page.locator(".jp-RenderedText[data-mime-type*='error']").count() == 0
    assert errors.count() == 0 or "Error" not in errors.first.inner_text()

    report = []
    for name, source, words in wrong_answers():
        feedback = answer_and_check(page, answer, check, source)
        report.append(
            f"--- wrong answer {name}: feedback shown under grader.check('q1')\n{feedback}"
        )
        assert words.lower() in feedback.lower(), f"{name}: the feedback does not say {words!r}"
        assert "q1 passed" not in feedback, feedback
        if name == WRONG_VARIANTS[0]:
            screenshots(page, screenshot_path, "exercise-wrong")
    right = solutions(masters()["ex01"])["q1"]
    feedback = answer_and_check(page, answer, check, right)
    report.append(f"--- right answer: feedback\n{feedback}")
    screenshot_path("lab-feedback").with_suffix(".txt").write_text("\n".join(report) + "\n")
    assert "q1 passed" in feedback and "failed" not in feedback.lower(), feedback
    screenshots(page, screenshot_path, "exercise-right")
    page.close()


def test_chapter_reads_as_formatted_text(lab, lab_context, screenshot_path):
    page = open_notebook(lab_context, lab, CHAPTER)
    page.wait_for_selector(".jp-MarkdownCell .myst", timeout=KERNEL_TIMEOUT_MS)
    screenshots(page, screenshot_path, "chapter")
    markdown = page.locator(".jp-MarkdownCell .jp-RenderedMarkdown")
    rendered = "\n".join(markdown.all_inner_texts())
    for raw in ("{cite", "{margin}", "{note}", "{admonition}", ":class:"):
        assert raw not in rendered, f"MyST shown as raw text in JupyterLab: {raw!r}"

    # a citation is an element of its own (jupyterlab-myst has no bibliography: it shows the key)
    citation = page.locator(
        "xpath=//*[contains(@class, 'jp-MarkdownCell')]//*[self::span or self::cite]"
        "[normalize-space(.)='hochreiter1997']"
    )
    assert citation.count() >= 1, "the {cite} role of chapter 3 is not rendered as a citation"

    notes = page.locator(".jp-MarkdownCell .margin, .jp-MarkdownCell aside")
    assert "speech recognition" in notes.first.inner_text()
    assert notes.first.bounding_box()["height"] > 20, "the margin note has no height"
    drawn_over = notes.evaluate_all(TEXT_UNDER_NOTES)
    notes.first.scroll_into_view_if_needed()
    screenshots(page, screenshot_path, "chapter-margin-note")
    assert not drawn_over, f"margin notes drawn over this text: {drawn_over}"

    hidden = page.locator(".jp-Cell.jp-CodeCell .jp-InputPlaceholder")
    assert hidden.count() > 1, "hide-input cells are not collapsed in JupyterLab"
    assert hidden.first.inner_text().strip().startswith("# @title"), (
        "the Colab cell does not show as its one-line title"
    )
    metadata = page.evaluate(f"() => {CURRENT_PANEL}.context.model.metadata")
    committed = nbformat.read(lab.root / CHAPTER, as_version=4).metadata
    assert metadata["kernelspec"] == committed["kernelspec"]
    committed_python = committed["language_info"]["version"]
    assert metadata["language_info"] == {**committed.language_info, "version": metadata[
        "language_info"]["version"]}  # fmt: skip
    if metadata["language_info"]["version"] == committed_python:
        assert not is_modified(page), "opening the chapter marked it modified"
    page.close()


# Labels of the story explorer's sliders whose text does not fit their box.
CUT_LABELS = """() => Array.from(document.querySelectorAll('.rnnx-slider label'))
    .filter((label) => label.offsetParent !== null && label.scrollWidth > label.clientWidth)
    .map((label) => label.textContent)"""


def test_story_explorer_slider_labels_are_readable(lab, lab_context, screenshot_path):
    name = "live_story_check.ipynb"
    chapter = nbformat.read(lab.root / CHAPTER, as_version=4)
    code = "from lib.course.explorables import StoryExplorer\n\nStoryExplorer()"
    nb = nbformat.v4.new_notebook(
        metadata=chapter.metadata, cells=[nbformat.v4.new_code_cell(code)]
    )
    nbformat.write(nb, lab.root / name)
    page = open_notebook(lab_context, lab, name)
    command(page, "notebook:run-all-cells")
    page.wait_for_selector(".rnnx-slider", timeout=KERNEL_TIMEOUT_MS)
    page.evaluate(
        "() => document.querySelectorAll('.rnnx details').forEach((d) => (d.open = true))"
    )
    page.wait_for_timeout(300)
    labels = page.locator(".rnnx-slider label")
    assert labels.count() >= 55, "a slider for each of the story's 55 numbers"
    screenshots(page, screenshot_path, "live-story")
    cut = page.evaluate(CUT_LABELS)
    assert not cut, f"slider labels cut short: {cut}"
    page.close()
