"""The explorables of chapters 1-4 compute in the static page what lib computes.

Each explorable (``lib.course.explorables``, drawn by its ES module in lib/course/js/) is
found on its chapter page by ``data-explorable``. Its controls are moved to random
positions the way a reader's slider does (value set, ``input`` event), and what the page
then shows (the full-precision values behind each figure, ``data-values``, and the
numbers in its text) is compared with ``lib``: to 1e-9 where the page keeps full
precision, to the printed digits where it prints. The story is moved on all 55 of its
numbers at once. Every move also records how long the page took to recompute and lay out
(``data-update-ms``); the times are written to _build/explorables-timing.json (and
``make bench`` reports them), not asserted, because the machine may be shared.
"""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from lib import functional
from lib.course import explorables, gradient_flow, memory, story

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "_build" / "screenshots"
PHONE = {"width": 390, "height": 844}

pytestmark = [pytest.mark.browser, pytest.mark.slow]

POSITIONS = 20
TIMINGS = ROOT / "_build" / "explorables-timing.json"
PAGES = {
    "pulse": "book/01_rnn_memory",
    "gradient-flow": "book/02_vanishing_gradients",
    "story": "book/03_lstm",
    "lstm-traces": "book/03_lstm",
    "gru-survival": "book/04_gru",
}

# The controls of explorable `name`: every slider (data-name, min, max, step) and every
# group of radio buttons (data-name, the values offered).
CONTROLS = """(name) => {
    const root = document.querySelector(`[data-explorable="${name}"]`);
    if (!root) { return null; }
    return {
        sliders: Array.from(root.querySelectorAll('input[type=range]')).map((i) => ({
            name: i.dataset.name, min: Number(i.min), max: Number(i.max), step: Number(i.step),
            hidden: i.closest('[hidden]') !== null})),
        choices: Array.from(root.querySelectorAll('fieldset.rnnx-choice')).map((f) => ({
            name: f.dataset.name,
            values: Array.from(f.querySelectorAll('input')).map((i) => i.value)})),
    };
}"""

# Set controls as a reader does: {name: value} for sliders, {name: value} for choices.
# Returns the values the inputs hold afterwards (a range input snaps to its step) and
# the update times of every move.
MOVE = """([name, sliders, choices]) => {
    const root = document.querySelector(`[data-explorable="${name}"]`);
    const times = [];
    for (const [key, value] of Object.entries(choices)) {
        const input = root.querySelector(
            `fieldset[data-name="${key}"] input[value="${value}"]`);
        input.checked = true;
        input.dispatchEvent(new Event('change', {bubbles: true}));
        times.push(Number(root.dataset.updateMs));
    }
    const held = {};
    for (const [key, value] of Object.entries(sliders)) {
        const input = root.querySelector(`input[type=range][data-name="${key}"]`);
        input.value = String(value);
        input.dispatchEvent(new Event('input', {bubbles: true}));
        held[key] = Number(input.value);
        times.push(Number(root.dataset.updateMs));
    }
    return {held, times};
}"""

# What explorable `name` shows: each figure's data-values, the text of its notes, table
# rows and sentence.
SHOWN = """(name) => {
    const root = document.querySelector(`[data-explorable="${name}"]`);
    const rows = {};
    root.querySelectorAll('tr[data-key]').forEach((tr) => {
        rows[tr.dataset.key] = Array.from(tr.querySelectorAll('td')).map((td) => td.textContent);
    });
    return {
        figures: Array.from(root.querySelectorAll('svg[data-values]'))
            .map((s) => JSON.parse(s.dataset.values)),
        references: Array.from(root.querySelectorAll('svg[data-reference-values]'))
            .map((s) => JSON.parse(s.dataset.referenceValues)),
        notes: Array.from(root.querySelectorAll('.rnnx-note')).map((p) => p.textContent),
        sentence: (root.querySelector('.rnnx-sentence') || {}).textContent || null,
        rows,
        alt: Array.from(root.querySelectorAll('svg[role=img]'))
            .map((s) => s.getAttribute('aria-label')),
    };
}"""


def number(text):
    return float(text.replace("\u2212", "-"))


def random_position(rng, controls):
    """Random slider values (on each slider's step grid) and choice values."""
    sliders = {}
    for s in controls["sliders"]:
        steps = round((s["max"] - s["min"]) / s["step"])
        sliders[s["name"]] = round(s["min"] + s["step"] * int(rng.integers(0, steps + 1)), 10)
    choices = {c["name"]: str(rng.choice(c["values"])) for c in controls["choices"]}
    return sliders, choices


@pytest.fixture(scope="module")
def timings():
    """Update times (ms) of every move, by explorable; written to _build at the end."""
    collected = {}
    yield collected
    TIMINGS.parent.mkdir(parents=True, exist_ok=True)
    summary = {
        name: {
            "moves": len(times),
            "median_ms": float(np.median(times)),
            "p95_ms": float(np.percentile(times, 95)),
            "max_ms": float(np.max(times)),
        }
        for name, times in collected.items()
        if times
    }
    TIMINGS.write_text(json.dumps(summary, indent=1) + "\n")


def explore(visits, timings, name, seed):
    """Yield (held slider values, choices, what the page shows) at POSITIONS random positions."""
    page = visits(PAGES[name]).page
    controls = page.evaluate(CONTROLS, name)
    assert controls, f"{PAGES[name]}.html has no explorable {name!r} (data-explorable)"
    rng = np.random.default_rng(seed)
    for _ in range(POSITIONS):
        sliders, choices = random_position(rng, controls)
        moved = page.evaluate(MOVE, [name, {}, choices])  # choices first: they can hide sliders
        moved = page.evaluate(MOVE, [name, sliders, {}])
        timings.setdefault(name, []).extend(moved["times"])
        yield moved["held"], choices, page.evaluate(SHOWN, name)


def assert_close(shown, expected, what, tolerance=1e-9):
    shown, expected = np.asarray(shown, dtype=float), np.asarray(expected, dtype=float)
    assert shown.shape == expected.shape, f"{what}: page shape {shown.shape}, lib {expected.shape}"
    scale = np.maximum(1.0, np.abs(expected))
    error = float(np.max(np.abs(shown - expected) / scale)) if shown.size else 0.0
    assert error < tolerance, f"{what}: the page differs from lib by {error:.2e}"


def test_pulse_equals_lib(visits, timings):
    for held, choices, shown in explore(visits, timings, "pulse", seed=1):
        steps = int(held["steps"])
        if choices["nonlinearity"] == "tanh":
            _, expected = memory.pulse_response(
                held["w_hh"], held["pulse"], steps, input_weight=held["w_ih"]
            )
        else:
            h, expected = np.zeros((1, 1)), []
            for t in range(steps):
                x = np.array([[held["pulse"] if t == 0 else 0.0]])
                h = functional.rnn_step(
                    x,
                    h,
                    np.array([[held["w_ih"]]]),
                    np.array([[held["w_hh"]]]),
                    nonlinearity="relu",
                ).h
                expected.append(h[0, 0])
        assert_close(shown["figures"][0], expected, f"pulse at {held} {choices}")
        assert f"h_{steps} = " in shown["notes"][0] and shown["alt"][0]


def test_gradient_flow_equals_lib_gradient_flow(visits, timings):
    for held, choices, shown in explore(visits, timings, "gradient-flow", seed=2):
        kind = choices["kind"]
        keep = None if kind == "rnn" else held["keep_bias"]
        expected = gradient_flow.gradient_flow(
            kind, weight_scale=held["weight_scale"], keep_bias=keep
        )
        assert_close(shown["figures"][0], expected, f"gradient flow {kind} at {held}")
        if kind == "rnn":
            assert shown["references"] == [], "the RNN is drawn without a reference line"
        else:
            plain = gradient_flow.gradient_flow("rnn", weight_scale=held["weight_scale"])
            assert_close(shown["references"][0], plain, f"RNN reference at {held}")
            assert "plain RNN at the same scale" in shown["alt"][0]


def test_story_equals_lib_story_at_all_55_numbers(visits, timings):
    count = 0
    for held, _, shown in explore(visits, timings, "story", seed=3):
        assert len(held) == 55, f"the story has {len(held)} sliders, not 55"
        changes = {}
        for key, value in held.items():
            field, *index = key.split(".")
            changes.setdefault(field, {})[tuple(int(i) for i in index)] = value
        preset = story.PRESET.replace(
            **{field: _nested(values) for field, values in changes.items()}
        )
        values = story.story_step(preset)
        for key in ("f", "i", "g", "o", "c", "h"):
            page = [number(v) for v in shown["rows"][key]]
            assert np.max(np.abs(np.array(page) - getattr(values, key))) <= 5e-4 + 1e-12, (
                f"story {key}: page {page}, lib {getattr(values, key)}"
            )
        assert shown["sentence"] == story.story_sentence(values)
        limit = np.tanh(np.abs(values.c))
        assert np.all(values.h <= limit + 1e-12)  # the chapter's claim, at this position
        assert "tanh(|c_t|) = [" + ", ".join(f"{v:.3f}" for v in limit) + "]" in shown["notes"][0]
        reachable = np.any(np.abs(values.c) >= math.atanh(0.9))
        assert ("no unit has it now" in shown["notes"][0]) == (not reachable)
        count += 1
    assert count == POSITIONS


def _nested(values):
    """{(u, j): v} or {(k,): v} -> nested tuples."""
    if all(len(key) == 1 for key in values):
        return tuple(values[(k,)] for k in range(len(values)))
    rows = 1 + max(key[0] for key in values)
    cols = 1 + max(key[1] for key in values)
    return tuple(tuple(values[(u, j)] for j in range(cols)) for u in range(rows))


def test_story_presets_and_reset(visits):
    page = visits(PAGES["story"]).page
    for label, preset in [*explorables.story_presets().items(), ("reset", story.PRESET)]:
        page.locator('[data-explorable="story"] button', has_text=label).click()
        shown = page.evaluate(SHOWN, "story")
        assert shown["sentence"] == story.story_sentence(story.story_step(preset)), label


def test_lstm_traces_equal_lib(visits, timings):
    for held, _, shown in explore(visits, timings, "lstm-traces", seed=4):
        order = ("i", "f", "g", "o")
        w_ih = np.array([[held[f"w_{g}"]] for g in order])
        bias = np.array([held[f"b_{g}"] for g in order])
        h, c, steps = np.zeros((1, 1)), np.zeros((1, 1)), []
        for x in explorables.LSTMTraceExplorer().xs:
            step = functional.lstm_step(np.array([[x]]), h, c, w_ih, np.zeros((4, 1)), bias)
            h, c = step.h, step.c
            steps.append(step)
        gates = [[s.i[0, 0], s.f[0, 0], s.o[0, 0]] for s in steps]
        states = [[s.c[0, 0], s.h[0, 0]] for s in steps]
        assert_close(shown["figures"][0], gates, f"LSTM gates at {held}")
        assert_close(shown["figures"][1], states, f"LSTM states at {held}")


def test_gru_survival_equals_lib(visits, timings):
    data = explorables.survival_data()
    w_ih = np.array(data["weight_ih"])
    hidden = data["hidden"]
    for held, choices, shown in explore(visits, timings, "gru-survival", seed=5):
        bias = np.zeros(3 * hidden)
        bias[hidden : 2 * hidden] = held["b_z"]
        keep = "z" if choices["z_keeps_old"] == "z" else "1-z"
        runs = []
        for start in (1.0, -1.0):
            h, trace = np.full((1, hidden), start), [np.full(hidden, start)]
            for x in np.array(data["xs"])[: int(held["steps"])]:
                h = functional.gru_step(
                    x[None], h, w_ih, np.zeros((3 * hidden, hidden)), bias, keep=keep
                ).h
                trace.append(h[0])
            runs.append(np.array(trace))
        left = (runs[0] - runs[1]).mean(axis=1) / 2
        assert_close(shown["figures"][0], left, f"GRU survival at {held} {choices}")


# The slider the keyboard test presses: the first, except in the story, whose first (the old
# mood) the shut forget gate hides; the review from your boss shows at once.
KEYBOARD_SLIDER = {"story": '[data-name="x.1"]'}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_sliders_work_from_the_keyboard(visits, name):
    """Focus a slider, press an arrow key: its value, readout and figure change."""
    page = visits(PAGES[name]).page
    chosen = KEYBOARD_SLIDER.get(name, "")
    handle = page.locator(f'[data-explorable="{name}"] input[type=range]{chosen}').first
    before = page.evaluate(SHOWN, name)
    handle.focus()
    value = handle.input_value()
    handle.press(
        "ArrowLeft" if float(value) >= float(handle.get_attribute("max")) else "ArrowRight"
    )
    assert handle.input_value() != value
    assert page.evaluate(SHOWN, name) != before, f"{name}: an arrow key changed nothing"
    label = page.evaluate(
        """(input) => document.querySelector(`label[for="${input.id}"]`)?.textContent""",
        handle.element_handle(),
    )
    assert label, f"{name}: the slider has no label"


# Wider than its column, or text under 11 px, anywhere inside explorable `name`.
LAYOUT = """(name) => {
    const root = document.querySelector(`[data-explorable="${name}"]`);
    const column = root.parentElement.getBoundingClientRect();
    const small = [];
    root.querySelectorAll('*').forEach((node) => {
        const own = Array.from(node.childNodes).some(
            (c) => c.nodeType === 3 && c.textContent.trim());
        const size = parseFloat(getComputedStyle(node).fontSize);
        if (own && size < 11) {
            small.push(`${node.tagName} ${size}px: ${node.textContent.slice(0, 30)}`);
        }
    });
    const box = root.getBoundingClientRect();
    const wide = Array.from(root.querySelectorAll('*')).filter((n) => {
        const r = n.getBoundingClientRect();
        return r.width > 0 && r.right > column.right + 1 && !n.closest('.rnnx-scroll');
    }).map((n) => n.tagName + '.' + n.className);
    return {overflow: root.scrollWidth - root.clientWidth, right: box.right,
            column: column.right, viewport: window.innerWidth, small, wide: wide.slice(0, 5)};
}"""


@pytest.fixture(scope="module")
def phone_visits(open_page):
    cache = {}

    def _get(doc):
        if doc not in cache:
            cache[doc] = open_page(doc, viewport=PHONE)
        return cache[doc]

    return _get


@pytest.mark.parametrize("name", sorted(PAGES))
def test_fits_a_phone_with_readable_text(phone_visits, name):
    """At 390 px every explorable fits its column, and no text is under 11 px."""
    layout = phone_visits(PAGES[name]).page.evaluate(LAYOUT, name)
    assert layout["overflow"] <= 1 and not layout["wide"], f"{name} at 390 px: {layout}"
    assert layout["right"] <= layout["viewport"], f"{name} at 390 px leaves the screen: {layout}"
    assert not layout["small"], f"{name}: text under 11 px: {layout['small'][:5]}"


@pytest.mark.parametrize("name", sorted(PAGES))
def test_screenshots_at_two_positions(open_page, name):
    """_build/screenshots/explorables/<name>-<position>-<width>.png, for a person to look at:
    as the page opens, then at a random position (a fresh page, untouched by other tests)."""
    folder = SCREENSHOTS / "explorables"
    folder.mkdir(parents=True, exist_ok=True)
    for width, viewport in (("wide", None), ("390", PHONE)):
        visit = open_page(PAGES[name], **({"viewport": viewport} if viewport else {}))
        page = visit.page
        controls = page.evaluate(CONTROLS, name)
        sliders, choices = random_position(np.random.default_rng(7), controls)
        for position in ("start", "moved"):
            if position == "moved":
                page.evaluate(MOVE, [name, {}, choices])
                page.evaluate(MOVE, [name, sliders, {}])
            path = folder / f"{name}-{position}-{width}.png"
            page.locator(f'[data-explorable="{name}"]').screenshot(path=str(path))
            assert path.stat().st_size > 5_000, f"{path} is suspiciously small"
        visit.page.context.close()
