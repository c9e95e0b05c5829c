"""Numbers in the chapters' prose come from the run, not from the keyboard.

A decimal number in a chapter's markdown (text, math and code spans alike) must either be
published by the chapter's code and shown with ``{eval}`name``` (``lib.course.prose``),
or be a constant on the short list below, each with the reason it may be typed: a value
the text chooses (a hyper-parameter, an input of the story), a mathematical constant, or
a number the text *defines* rather than measures. Anything else is a number that could
drift away from the output it describes.
"""

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted(ROOT.glob("book/[0-9][0-9]*_*.ipynb"))  # 03_lstm, 03b_lstm_memory, ...

DECIMAL = re.compile(r"(?<![\w.])\d*\.\d+(?![\w.]*\d)")
# What is not prose to check: published values, citations and references, links.
SKIP = re.compile(
    r"\{eval\}`[^`]*`"  # a published value
    r"|\{(?:cite|cite:p|cite:t|numref|ref|doc|download)\}`[^`]*`"
    r"|\]\([^)]*\)"  # the target of a Markdown link
    r"|https?://\S+"
)

# Typed constants allowed in every chapter, with the reason.
ALLOWED_EVERYWHERE = {
    "0.5": "one half: sigma(0), a fair coin, a threshold the text chooses",
    "0.25": "1/4: the sigmoid's largest slope; chance with four symbols",
}

# Constants allowed in one chapter only: {chapter file name: {number: reason}}.
ALLOWED = {
    "05_stacking.ipynb": {
        "0.01": "the learning rate the depth experiment chooses",
        "3.0": "keep_gate_bias=3.0: the update-gate bias the recall runs start with",
    },
    "06_bidirectional.ipynb": {
        "0.02": "the learning rate the direction and merge experiments choose",
    },
    "03_lstm.ipynb": {
        "0.7": "the boss-raise story's published input: the old mood, c = [0.7, 0.3]",
        "0.3": "the boss-raise story's published input: the old budget, c = [0.7, 0.3]",
        "0.9": "the boss-raise story's published claim, h = [0.9, 0.9], which the text refutes",
    },
    "03b_lstm_memory.ipynb": {
        "0.8": "an example per-step factor the text chooses (0.8^50), beside sigma(4)^50",
    },
    "07_language_model.ipynb": {
        "1.5": "a loss the self-check question chooses",
        "4.5": "e^1.5, the self-check answer worked by hand",
        "0.9": "the accuracy threshold the text chooses for 'holds'",
    },
    "01_rnn_memory.ipynb": {
        "0.9": "a recurrent weight w_hh the pulse experiment chooses; the 'solved' threshold",
        "0.35": "the accuracy below which the text counts a recall run as near guessing",
    },
    "02_vanishing_gradients.ipynb": {
        "2.1": "the weight of Nguyen's update example, an input the text chooses",
        "0.001": "the gradient (Nguyen's update) of that example, an input",
        "0.1": "the learning rate the update example chooses",
        "2.0999": "the new weight as printed in Nguyen's figure, quoted to show its slip",
        "0.3": "the per-step factor of the Why-do-we-need-LSTM example, an input",
        "1.5": "a weight scale the text chooses (one of the widget's settings)",
        "0.2": "the learning rate the clipping experiment chooses",
        "0.01": "a learning rate the text chooses; PyTorch's default leaky-ReLU slope",
        "0.9": "the accuracy above which the text counts a run as passing a control",
    },
}


def decimals(text):
    """The decimal numbers of a markdown text, outside published values, citations, links."""
    return DECIMAL.findall(SKIP.sub(" ", text))


def test_the_scanner_finds_typed_numbers_and_skips_published_ones():
    text = "It reaches 0.27 ({eval}`acc`), see {cite:p}`le2015` and [v1.2](http://a.b/1.5)."
    assert decimals(text) == ["0.27"]
    assert decimals("$0.3^4 = 0.0081$ and `x * 0.9`") == ["0.3", "0.0081", "0.9"]
    assert decimals("version 2.13.0 of torch, section 3") == []


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_decimal_in_the_prose_is_published_or_a_listed_constant(chapter):
    notebook = nbformat.read(chapter, as_version=4)
    allowed = {**ALLOWED_EVERYWHERE, **ALLOWED.get(chapter.name, {})}
    typed = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "markdown":
            continue
        for number in dict.fromkeys(decimals(cell.source)):
            if number not in allowed:
                line = next(ln for ln in cell.source.splitlines() if number in ln)
                typed.append(f"cell {index}: {number!r} in: {line.strip()[:100]}")
    assert not typed, (
        f"{chapter.name} types numbers in its prose; publish them from the code that "
        "computes them and write {eval}`name` (lib.course.prose), or add a constant with "
        "its reason to ALLOWED:\n" + "\n".join(typed)
    )
