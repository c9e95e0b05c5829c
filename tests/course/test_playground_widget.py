"""The playground widget on the Python side: its settings, checks and what it ships."""

import json
import re
from pathlib import Path

import pytest
import traitlets

from lib import tasks
from lib.course import playground
from lib.course.explorables import JS
from lib.course.playground import Playground

ROOT = Path(__file__).resolve().parents[2]


def test_the_settings_are_the_ones_the_page_reads():
    page_list = re.search(r"SETTINGS = \[([^\]]*)\]", (JS / "playground_settings.js").read_text())
    names = tuple(re.findall(r'"(\w+)"', page_list.group(1)))
    assert names == playground.SETTINGS
    assert tuple(Playground().settings) == names


def test_the_defaults_are_those_of_the_claim():
    """Chapters 2 and 3 link to these: delayed recall at lag 40, the keep gate open and
    the LSTM's input gate mostly shut (lib.set_keep_gate_bias(rnn, 4, input_gate=-2))."""
    settings = Playground().settings
    assert settings["task"] == "recall" and settings["lag"] == 40
    assert settings["keep_bias"] == 4 and settings["input_bias"] == -2
    assert settings["lr"] in playground.LEARNING_RATES


def test_only_offered_learning_rates_are_accepted():
    widget = Playground(lr=0.003)
    assert widget.lr == 0.003
    with pytest.raises(traitlets.TraitError, match="lr must be one of the rates"):
        Playground(lr=0.004)


@pytest.mark.parametrize(
    "setting, value", [("lag", 0), ("hidden", 65), ("cell", "cnn"), ("task", "copy"), ("clip", -1)]
)
def test_settings_out_of_range_are_refused(setting, value):
    with pytest.raises(traitlets.TraitError):
        Playground(**{setting: value})


def test_the_review_vocabulary_is_libs_in_libs_order():
    words = playground.review_words()
    assert words["positive"] + words["negative"] + words["neutral"] == list(tasks.VOCABULARY)


def test_the_page_and_the_worker_are_self_contained_modules():
    """Both travel as text (blob: URLs cannot import), so every import is inlined."""
    widget = Playground()
    for name, source in (("page", widget._esm), ("worker", widget.worker)):
        assert not re.search(r"^import ", source, re.MULTILINE), f"the {name} still imports"
    assert "export default" in widget._esm
    assert "self.onmessage" in widget.worker and "class Adam" in widget.worker


def test_the_page_text_states_the_runs_constants():
    """book/playground.ipynb tells the reader the batch size, the held-out set, how often it
    is measured, the run's length and the mark of "learned": the numbers of training_run.js."""
    source = (JS / "training_run.js").read_text()
    constants = {
        name: float(value)
        for name, value in re.findall(r"^export const (\w+) = ([\d.]+);", source, re.MULTILINE)
    }
    notebook = json.loads((ROOT / "book" / "playground.ipynb").read_text())
    text = " ".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown")
    text = " ".join(text.split())
    assert f"a fresh batch of {constants['BATCH']:.0f} examples" in text
    assert f"the accuracy on {constants['HELD_OUT']:.0f} held-out examples" in text
    assert f"every {constants['EVAL_EVERY']:.0f} updates" in text
    assert f"after {constants['MAX_UPDATES']:.0f} updates" in text
    assert f"the {100 * constants['LEARNED']:.0f}% that counts as learned" in text
