"""Precomputed explorers in the static pages: sliders and Play switch what is shown.

What only Python can compute (trained models, matplotlib figures) is drawn at build time
for every slider position (``lib.course.precomputed.precomputed_explorer``); in the page a
slider picks one view. Everything a formula gives is an explorable that computes in the
page instead (tests/browser/test_explorables.py). Here every slider is moved with the
keyboard, as a reader would: what is shown must change, and come back.
"""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The pages whose precomputed explorers the course promises, and a slider label on each.
REQUIRED = {
    "book/05_stacking": "num_layers",
    "book/06_bidirectional": "position t",
}
EXPLORER = '[data-explorable="precomputed"]'

VIEW = """(k) => {
    const root = document.querySelectorAll('[data-explorable="precomputed"]')[k];
    const view = root.querySelector('.rnnx-view');
    // The theme gives the first scrollable <pre> it finds a tabindex after load, so that
    // attribute is left out: the view is the same with or without it.
    const html = view.innerHTML.replace(/ tabindex="-?[0-9]+"/g, '');
    return {html: html.length + ':' + html.slice(-200),
            alt: Array.from(view.querySelectorAll('img')).map((i) => i.alt)};
}"""


def sliders(page, k):
    return page.locator(EXPLORER).nth(k).locator("input[type=range]")


def test_precomputed_sliders_change_the_view(open_page, notebook_doc):
    visit = open_page(notebook_doc)
    page = visit.page
    count = page.locator(EXPLORER).count()
    if notebook_doc in REQUIRED:
        assert count, f"{notebook_doc}.html has no precomputed explorer"
        labels = page.locator(f"{EXPLORER} label").all_text_contents()
        assert REQUIRED[notebook_doc] in labels, f"{notebook_doc}.html: sliders {labels}"
    for k in range(count):
        for j in range(sliders(page, k).count()):
            handle = sliders(page, k).nth(j)
            start, top = handle.input_value(), handle.get_attribute("max")
            key, back = ("ArrowLeft", "ArrowRight") if start == top else ("ArrowRight", "ArrowLeft")
            before = page.evaluate(VIEW, k)
            handle.focus()
            handle.press(key)
            after = page.evaluate(VIEW, k)
            assert after != before, f"{notebook_doc}.html: slider {j} moved, the view did not"
            assert all(after["alt"]), f"{notebook_doc}.html: an image without alt text"
            handle.press(back)
            assert page.evaluate(VIEW, k) == before, f"{notebook_doc}.html: slider {j} back"
    assert not visit.page_errors, f"page errors while moving sliders: {visit.page_errors}"


def test_play_buttons_step_their_slider(open_page, notebook_doc):
    """An explorer's Play button steps its first slider, and the view follows."""
    page = open_page(notebook_doc).page
    for k in range(page.locator(EXPLORER).count()):
        play = page.locator(EXPLORER).nth(k).locator("button", has_text="Play")
        if play.count() == 0:
            continue
        first = sliders(page, k).first
        start, before = first.input_value(), page.evaluate(VIEW, k)
        play.click()
        page.wait_for_function(
            "([k, start]) => document.querySelectorAll('[data-explorable=\"precomputed\"]')[k]"
            ".querySelector('input[type=range]').value !== start",
            arg=[k, start],
            timeout=10_000,
        )
        page.locator(EXPLORER).nth(k).locator("button", has_text="Pause").click()
        assert page.evaluate(VIEW, k) != before, f"{notebook_doc}.html: Play moved the slider only"
