"""Every page of the book, opened offline in Chromium: no errors, math and widgets rendered.

Each page is loaded once (the ``visits`` fixture) with every request to another address
blocked; the checks below read that visit. A full-page screenshot of each page is saved
under _build/screenshots/ for a person to look at.
"""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_page_loads_offline_without_errors(visits, doc):
    """No page error, no console error, no request blocked or failed (404)."""
    problems = visits(doc).problems()
    assert not problems, f"{doc}.html, opened offline:\n" + "\n".join(problems)


def test_math_is_rendered(visits, doc):
    """Every formula is typeset by MathJax (served from the book), none with a TeX error."""
    page = visits(doc).page
    math = page.evaluate(
        """() => {
            const formulas = Array.from(document.querySelectorAll('.math'));
            return {
                formulas: formulas.length,
                typeset: formulas.filter((m) => m.querySelector('mjx-container')).length,
                untypeset: formulas.filter((m) => !m.querySelector('mjx-container'))
                    .slice(0, 3).map((m) => m.textContent.slice(0, 80)),
                errors: Array.from(document.querySelectorAll('mjx-merror'))
                    .slice(0, 3).map((e) => e.getAttribute('data-mjx-error') || e.textContent),
                scripts: Array.from(document.scripts).map((s) => s.src)
                    .filter((src) => /mathjax/i.test(src)),
            };
        }"""
    )
    if math["formulas"] == 0:
        return
    assert math["scripts"] and all("/_static/offline/" in s for s in math["scripts"]), (
        f"{doc}.html loads MathJax from {math['scripts']}, not from the book "
        "(was `npm ci` run in js/? see the build log)"
    )
    assert math["typeset"] == math["formulas"], (
        f"{doc}.html: {math['formulas'] - math['typeset']} of {math['formulas']} formulas "
        f"were not rendered, e.g. {math['untypeset']}"
    )
    assert not math["errors"], f"{doc}.html: MathJax errors {math['errors']}"


def test_every_widget_view_is_rendered(visits, doc):
    """The widget manager (served from the book) renders every saved widget view."""
    visit = visits(doc)
    widgets = visit.page.evaluate(
        """() => {
            const views = Array.from(document.querySelectorAll(
                'script[type="application/vnd.jupyter.widget-view+json"]'));
            const rendered = views.filter((s) => {
                const area = s.previousElementSibling;
                return area && area.classList.contains('widget-subarea')
                    && area.querySelector('.jupyter-widgets');
            });
            const text = document.body.innerText;
            return {
                views: views.length,
                rendered: rendered.length,
                hasState: !!document.querySelector(
                    'script[type="application/vnd.jupyter.widget-state+json"]'),
                loading: /Loading widget\\.\\.\\./.test(text),
                errors: Array.from(document.querySelectorAll('.jupyter-widgets'))
                    .filter((w) => /Error displaying widget/.test(w.textContent)).length,
                manager: Array.from(document.scripts).map((s) => s.src)
                    .filter((src) => /embed-amd|require|anywidget_host/.test(src)),
            };
        }"""
    )
    if widgets["views"] == 0:
        return
    assert widgets["hasState"], f"{doc}.html shows widgets but holds no widget state"
    assert widgets["manager"] and all("/_static/offline/" in s for s in widgets["manager"]), (
        f"{doc}.html loads the widget manager from {widgets['manager']}, not from the book"
    )
    assert visit.widgets_ready and widgets["rendered"] == widgets["views"], (
        f"{doc}.html: {widgets['rendered']} of {widgets['views']} widget views rendered"
    )
    assert not widgets["loading"], f"{doc}.html still says 'Loading widget...'"
    assert not widgets["errors"], f"{doc}.html: {widgets['errors']} widgets failed to display"


def test_every_image_loads(visits, doc):
    """Every figure (and every widget image) is decoded: no broken pictures."""
    broken = visits(doc).page.evaluate(
        """() => Array.from(document.images)
            .filter((img) => !img.complete || img.naturalWidth === 0)
            .map((img) => (img.currentSrc || img.src).slice(0, 100))"""
    )
    assert not broken, f"{doc}.html: broken images {broken}"


def test_screenshot(visits, screenshot_path, doc):
    """A full-page screenshot in _build/screenshots/, for a person to look at."""
    path = screenshot_path(doc)
    visits(doc).page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000, f"{path} is suspiciously small"


CHAPTER_BUDGET_BYTES = 4_000_000
AXE = ROOT / "js" / "node_modules" / "axe-core" / "axe.min.js"
REPORT = ROOT / "_build" / "page-report.json"

WEIGHT = """() => {
    const page = performance.getEntriesByType('navigation')[0];
    const resources = performance.getEntriesByType('resource');
    const size = (entry) => entry.encodedBodySize || entry.transferSize || 0;
    return {
        total: size(page) + resources.reduce((sum, r) => sum + size(r), 0),
        largest: resources.map((r) => [r.name.split('/').slice(-2).join('/'), size(r)])
            .sort((a, b) => b[1] - a[1]).slice(0, 5),
    };
}"""


@pytest.fixture(scope="module")
def report():
    """Page weights and axe-core counts, written to _build/page-report.json for the note."""
    collected = {}
    yield collected
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(collected, indent=1, sort_keys=True) + "\n")


def test_chapter_pages_are_light(visits, report, doc):
    """Everything a page loads (HTML, scripts, styles, fonts, images) stays under 4 MB."""
    weight = visits(doc).page.evaluate(WEIGHT)
    report.setdefault(doc, {})["bytes"] = weight["total"]
    if doc.startswith("book/0"):
        assert weight["total"] < CHAPTER_BUDGET_BYTES, (
            f"{doc}.html loads {weight['total'] / 1e6:.2f} MB; largest: {weight['largest']}"
        )


def test_no_serious_accessibility_violations(visits, report, doc):
    """axe-core (installed from npm in js/) finds no serious or critical violation."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm ci` in js/ (make test does)")
    page = visits(doc).page
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .map((v) => ({id: v.id, impact: v.impact, nodes: v.nodes.length,
                          where: v.nodes.slice(0, 3).map((n) => n.target.join(' '))}))"""
    )
    counts = {}
    for violation in violations:
        counts[violation["impact"]] = counts.get(violation["impact"], 0) + violation["nodes"]
    report.setdefault(doc, {})["axe"] = counts
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, f"{doc}.html: axe-core finds {json.dumps(serious, indent=1)}"
