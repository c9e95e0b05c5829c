"""Kernel-free widgets in the static pages: sliders change what is shown, and the story's
numbers are lib's.

``lib.course.widgets.precomputed_explorer`` draws every view at build time and links each slider
to an ipywidgets ``Stack`` with ``jslink``, which runs in the browser: in the page, an
explorer is a VBox of [Play?, slider..., Stack]. Here every such slider is moved with the
keyboard, as a reader would, and what is shown must change and come back.
"""

import re
import time

import numpy as np
import pytest

from lib.course import story, story_widgets

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The pages whose kernel-free widgets the course promises, and a label that finds them.
REQUIRED = {
    "book/02_vanishing_gradients": None,  # the gradient-flow explorer: any explorer
    "book/03_lstm": "forget-gate bias b_f",  # the boss-raise story
}
STORY_PAGE = "book/03_lstm"
STORY_BIAS = "forget-gate bias b_f"
STORY_REVIEW = "review from your boss x[1]"
# (bias index, review index) pairs: corners, the middle, and off-diagonal positions.
STORY_POSITIONS = [(0, 0), (6, 4), (3, 1), (1, 3), (5, 0), (2, 2)]

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


def _number(text):
    return float(text.replace("\u2212", "-"))


STORY_VIEW = """(k) => {
    const view = document.querySelector(`[data-explorer="${k}"]`).lastElementChild;
    const visible = (e) => e.offsetParent !== null;
    const caption = Array.from(view.querySelectorAll('b')).filter(visible)
        .map((b) => b.innerText)[0] || null;
    const rows = {};
    Array.from(view.querySelectorAll('tr')).filter(visible).forEach((tr) => {
        const cells = Array.from(tr.querySelectorAll('td'));
        if (cells.length < 2) { return; }
        const mono = cells.filter((td) => /monospace/.test(td.getAttribute('style') || ''));
        rows[cells[0].innerText.trim()] = mono.map((td) => td.innerText.trim());
    });
    const sentence = Array.from(view.querySelectorAll('p')).filter(visible)
        .map((p) => p.innerText.trim()).filter((t) => t.startsWith('You keep'))[0] || null;
    return {caption, rows, sentence};
}"""


def test_story_numbers_equal_lib(open_page):
    """The boss-raise story in the static page shows exactly lib.course.story's numbers.

    For several positions of its two sliders (forget-gate bias, review), the view shown
    names the slider values, and its table (f, i, g, o, c, h for mood and budget, 3
    decimals) and sentence equal ``lib.course.story.story_step`` for those values.
    """
    page = open_page(STORY_PAGE).page
    found = explorers(page)
    matches = [k for k, labels in enumerate(found) if STORY_BIAS in labels]
    assert matches, f"{STORY_PAGE}.html: no story explorer (slider {STORY_BIAS!r}) in {found}"
    k = matches[0]
    bias_j, review_j = found[k].index(STORY_BIAS), found[k].index(STORY_REVIEW)
    checked = []
    for bias_index, review_index in STORY_POSITIONS:
        move_slider(page, k, bias_j, bias_index)
        move_slider(page, k, review_j, review_index)
        bias_readout = slider_state(page, k, bias_j)[2]
        review_readout = slider_state(page, k, review_j)[2]
        bias, review = _number(bias_readout), _number(review_readout)
        assert bias == story_widgets.EXPLORER_FORGET_BIAS[bias_index]
        assert review == story_widgets.EXPLORER_REVIEW[review_index]
        expected_caption = f"b_f = {bias:g}, review x[1] = {review:g}"
        page.wait_for_function(
            "([k, caption]) => (" + STORY_VIEW + ")(k).caption === caption",
            arg=[k, expected_caption],
            timeout=5_000,
        )
        shown = page.evaluate(STORY_VIEW, k)
        values = story.story_step(
            b_f=(bias, bias), x=(story.PRESET.x[0], review, story.PRESET.x[2])
        )
        for key in story_widgets.CHART_KEYS:
            expected = [f"{v:+.3f}" for v in np.asarray(getattr(values, key))]
            assert shown["rows"].get(key) == expected, (
                f"story at b_f={bias:g}, review={review:g}: {key} shows "
                f"{shown['rows'].get(key)}, lib.course.story computes {expected}"
            )
        assert shown["sentence"] == story.story_sentence(values), (
            f"story at b_f={bias:g}, review={review:g}: the sentence differs from lib's"
        )
        checked.append((bias, review))
    assert len(set(checked)) == len(STORY_POSITIONS)


def test_story_readouts_are_the_explorer_values(open_page):
    """The story sliders offer exactly lib.course.story's grid of values."""
    page = open_page(STORY_PAGE).page
    found = explorers(page)
    k = next(k for k, labels in enumerate(found) if STORY_BIAS in labels)
    j = found[k].index(STORY_BIAS)
    _, top, _ = slider_state(page, k, j)
    assert top == len(story_widgets.EXPLORER_FORGET_BIAS) - 1
    assert re.fullmatch(r"-?\d+(\.\d+)?", slider_state(page, k, j)[2])
