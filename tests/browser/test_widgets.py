"""Precomputed widgets in the static pages: sliders change what is shown.

What only Python can compute (trained models, matplotlib figures) is still shown this way;
everything a formula gives is an explorable instead (tests/browser/test_explorables.py).

``lib.widgets.precomputed_explorer`` draws every view at build time and links each slider
to an ipywidgets ``Stack`` with ``jslink``, which runs in the browser: in the page, an
explorer is a VBox of [Play?, slider..., Stack]. Here every such slider is moved with the
keyboard, as a reader would, and what is shown must change and come back.
"""

import time

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The pages whose precomputed widgets the course promises, and a label that finds them.
REQUIRED = {
    "book/05_stacking": "num_layers",  # parameters per layer
    "book/06_bidirectional": "position t",  # what each direction has read
}

# Marks every explorer (data-explorer="k") and its sliders (data-explorer-slider="k.j").
FIND_EXPLORERS = """() => {
    const boxes = Array.from(document.querySelectorAll('.widget-subarea .widget-vbox'));
    const explorers = boxes.filter((box) => {
        const kids = Array.from(box.children);
        const last = kids[kids.length - 1];
        return kids.some((k) => k.classList.contains('widget-slider'))
            && last && last.classList.contains('widget-box')
            && !last.classList.contains('widget-slider');
    });
    return explorers.map((box, k) => {
        box.setAttribute('data-explorer', String(k));
        const sliders = Array.from(box.children)
            .filter((c) => c.classList.contains('widget-slider'));
        sliders.forEach((s, j) => s.setAttribute('data-explorer-slider', `${k}.${j}`));
        return sliders.map((s) => s.querySelector('.widget-label').textContent.trim());
    });
}"""

# What explorer k shows now: its visible text and a digest of each visible image's bytes
# (the image URLs are blob: URLs, new each time a Stack page is shown).
SIGNATURE = """async (k) => {
    const box = document.querySelector(`[data-explorer="${k}"]`);
    const view = box.lastElementChild;
    const images = [];
    for (const img of Array.from(view.querySelectorAll('img'))) {
        if (img.offsetParent === null) { continue; }
        const bytes = await (await fetch(img.src)).arrayBuffer();
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
        images.push(Array.from(digest.slice(0, 12)).join('.'));
    }
    return JSON.stringify({text: view.innerText, images});
}"""


def explorers(page):
    """[[slider label, ...] per explorer] on the page, each marked for locators."""
    return page.evaluate(FIND_EXPLORERS)


def slider_handle(page, k, j):
    return page.locator(f'[data-explorer-slider="{k}.{j}"] .noUi-handle')


def slider_state(page, k, j):
    handle = slider_handle(page, k, j)
    now = float(handle.get_attribute("aria-valuenow"))
    top = float(handle.get_attribute("aria-valuemax"))
    readout = page.locator(f'[data-explorer-slider="{k}.{j}"] .widget-readout').inner_text()
    return int(round(now)), int(round(top)), readout.strip()


def move_slider(page, k, j, index):
    """Move slider j of explorer k to position ``index`` with the arrow keys."""
    handle = slider_handle(page, k, j)
    handle.focus()
    now, _, _ = slider_state(page, k, j)
    key = "ArrowRight" if index > now else "ArrowLeft"
    for _ in range(abs(index - now)):
        handle.press(key)
    page.wait_for_function(
        """([k, j, index]) => {
            const h = document.querySelector(
                `[data-explorer-slider="${k}.${j}"] .noUi-handle`);
            return Math.round(parseFloat(h.getAttribute('aria-valuenow'))) === index;
        }""",
        arg=[k, j, index],
        timeout=5_000,
    )


def wait_for_change(page, k, before, timeout_s=5.0):
    """The signature of explorer k once it differs from ``before`` (or after timeout_s)."""
    deadline = time.monotonic() + timeout_s
    while True:
        now = page.evaluate(SIGNATURE, k)
        if now != before or time.monotonic() > deadline:
            return now
        page.wait_for_timeout(100)


def test_kernel_free_sliders_change_the_view(open_page, notebook_doc):
    """Moving any explorer slider changes the picture or numbers, and moving it back
    shows the first view again: every position has its own precomputed view."""
    visit = open_page(notebook_doc)
    page = visit.page
    found = explorers(page)
    required = REQUIRED.get(notebook_doc, False)
    if required is not False:
        assert found, f"{notebook_doc}.html has no kernel-free explorer (precomputed_explorer)"
        if required:
            labels = [label for sliders in found for label in sliders]
            assert required in labels, f"{notebook_doc}.html: no slider {required!r} in {labels}"
    for k, labels in enumerate(found):
        for j, label in enumerate(labels):
            start, top, readout = slider_state(page, k, j)
            if top == 0:
                continue  # a single value: nothing to move
            target = start + 1 if start < top else start - 1
            before = page.evaluate(SIGNATURE, k)
            move_slider(page, k, j, target)
            after = wait_for_change(page, k, before)
            assert slider_state(page, k, j)[2] != readout, (
                f"{notebook_doc}.html: slider {label!r} moved but its readout stayed {readout}"
            )
            assert after != before, (
                f"{notebook_doc}.html: moving slider {label!r} from position {start} to "
                f"{target} did not change the view (is it jslinked to its Stack?)"
            )
            move_slider(page, k, j, start)
            back = wait_for_change(page, k, after)
            assert back == before, (
                f"{notebook_doc}.html: slider {label!r} back at {start} shows another view"
            )
    assert not visit.page_errors, f"page errors while moving sliders: {visit.page_errors}"


def test_play_buttons_step_their_slider(open_page, notebook_doc):
    """An explorer's Play button steps its first slider, and the view follows."""
    visit = open_page(notebook_doc)
    page = visit.page
    for k, labels in enumerate(explorers(page)):
        buttons = page.locator(f'[data-explorer="{k}"] > .widget-play button')
        if buttons.count() == 0:
            continue
        start, _, _ = slider_state(page, k, 0)
        before = page.evaluate(SIGNATURE, k)
        buttons.nth(0).click()  # play
        page.wait_for_function(
            """([k, start]) => {
                const h = document.querySelector(`[data-explorer-slider="${k}.0"] .noUi-handle`);
                return Math.round(parseFloat(h.getAttribute('aria-valuenow'))) !== start;
            }""",
            arg=[k, start],
            timeout=10_000,
        )
        after = wait_for_change(page, k, before)
        buttons.nth(1).click()  # stop
        assert after != before, f"{notebook_doc}.html: Play moved {labels[0]!r}, not the view"
    assert not visit.page_errors, f"page errors while playing: {visit.page_errors}"
