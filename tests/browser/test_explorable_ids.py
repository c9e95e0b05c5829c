"""Several explorables on one page get distinct element ids (labels stay tied to their inputs).

Each explorable's ES module carries its own copy of ui.js, so an id counter kept in the
module would restart in every explorable and repeat ids such as ``rnnx-1`` on a page that
shows two of them (chapter 3 shows the story and the LSTM traces). Here the assembled
modules are rendered side by side in a blank Chromium page, with a minimal stand-in for
anywidget's model, and every id on the page must be unique.
"""

import json

import anywidget
import pytest

from lib.course import explorables

pytestmark = [pytest.mark.browser]

# Import each module from a blob: URL (as anywidget does) and render it into its own div.
RENDER = """async (widgets) => {
    for (const [index, {source, state}] of widgets.entries()) {
        const url = URL.createObjectURL(new Blob([source], {type: "text/javascript"}));
        const widget = (await import(url)).default;
        const model = {
            get: (name) => state[name],
            set: (name, value) => { state[name] = value; },
            on: () => {},  // nothing changes the traits here
            off: () => {},
            save_changes: () => {},
            send: () => {},
        };
        const el = document.createElement("div");
        el.id = `host-${index}`;
        document.body.append(el);
        await widget.render({model, el});
    }
    const ids = Array.from(document.querySelectorAll("[id]"), (node) => node.id);
    const labels = Array.from(document.querySelectorAll("label[for]"), (label) => {
        const target = document.getElementById(label.htmlFor);
        return target !== null && label.closest("[id^=host-]") === target.closest("[id^=host-]");
    });
    const groups = Array.from(document.querySelectorAll("[id^=host-]"), (host) =>
        Array.from(host.querySelectorAll("input[type=radio]"), (input) => input.name));
    return {ids, labels, groups};
}"""


def widget_state(widget):
    """The synced traits the page reads (the explorable's own, not the widget machinery's)."""
    machinery = anywidget.AnyWidget.class_traits()
    names = [name for name in widget.class_traits(sync=True) if name not in machinery]
    return json.loads(json.dumps({name: getattr(widget, name) for name in names}))


def test_two_explorables_on_one_page_have_distinct_ids(browser):
    """``browser``: the session's Chromium (tests/browser/conftest.py); no book needed."""
    chosen = [
        explorables.LSTMTraceExplorer(),
        explorables.PulseExplorer(),
        explorables.GRUSurvivalExplorer(),
    ]
    widgets = [{"source": w._esm, "state": widget_state(w)} for w in chosen]
    page = browser.new_page()
    try:
        page.set_content("<!doctype html><html><body></body></html>")
        shown = page.evaluate(RENDER, widgets)
    finally:
        page.close()
    explorer_ids = [i for i in shown["ids"] if i.startswith("rnnx-") and i != "rnnx-css"]
    assert len(explorer_ids) > 10, shown["ids"]  # every slider has one
    assert len(explorer_ids) == len(set(explorer_ids)), f"repeated ids: {sorted(explorer_ids)}"
    assert shown["labels"] and all(shown["labels"]), "a label points outside its explorable"
    pulse_groups, gru_groups = set(shown["groups"][1]), set(shown["groups"][2])
    assert pulse_groups and gru_groups and not pulse_groups & gru_groups, shown["groups"]
