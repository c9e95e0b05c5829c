"""What a learner sees under `grader.check("q1")`: the diagnosis first, in wrapping text.

The student notebook of exercise 1 runs in a real kernel (nbclient) with a right q1, an
answer that raises in q2 and a wrong q3; the check cells' outputs are read back.
"""

import json
import re

import nbformat
import pytest
from nbclient import NotebookClient

from exercises.build import fill_answers, masters, solutions, student_path

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def check_outputs():
    """{question: the display data of its grader.check cell}."""
    master = masters()["ex01"]
    answers = solutions(master)
    answers["q2"] = answers["q2"].replace("hs.append(h)", "hs.append(h[undefined])")
    answers["q3"] = answers["q3"].replace(
        "hs = rnn_forward(xs, h0, W_ih, W_hh, b_ih, b_hh)\n    return hs[-1] @ W_out.T",
        "h = h0\n    for x in xs:\n        h = rnn_step(x, h, W_ih, W_hh, b_ih, b_hh)\n"
        "    return h @ W_out",
    )
    assert "W_out.T" not in answers["q3"]
    nb = fill_answers(json.loads(student_path(master).read_text()), answers)
    nb = nbformat.reads(json.dumps(nb), as_version=4)
    folder = student_path(master).parent
    NotebookClient(nb, timeout=120, resources={"metadata": {"path": str(folder)}}).execute()
    found = {}
    for cell in nb.cells:
        match = re.search(r'grader\.check\("(q\d)"\)', cell.source)
        if cell.cell_type == "code" and match:
            (output,) = [o for o in cell.outputs if "data" in o]
            found[match.group(1)] = output["data"]
    return found


def test_the_diagnosis_comes_first_in_one_line(check_outputs):
    text = check_outputs["q3"]["text/plain"]
    first = text.splitlines()[0]
    assert first.startswith("q3 ✗ W_out is used untransposed"), text
    assert text.index("W_out is used untransposed") < text.index("q3 results:")  # otter's


def test_the_html_wraps_between_words_and_folds_otters_report(check_outputs):
    page = check_outputs["q3"]["text/html"]
    assert "word-break: normal" in page and "overflow-wrap: normal" in page
    first = re.search(r"<p[^>]*>(.*?)</p>", page).group(1)
    assert "W_out is used untransposed" in first and "<pre" not in first
    assert page.index("W_out is used untransposed") < page.index("<details")
    assert "Test case failed" in page[page.index("<details") :]


def test_an_exception_shows_the_learners_line(check_outputs):
    text = check_outputs["q2"]["text/plain"].splitlines()[0]
    assert "NameError: name 'undefined' is not defined" in text
    assert "in `rnn_forward`, line" in text and "`hs.append(h[undefined])`" in text, text


def test_a_right_answer_shows_otters_success(check_outputs):
    assert "</strong> passed!" in check_outputs["q1"]["text/html"]
    assert check_outputs["q1"]["text/plain"] == "q1 results: All test cases passed!"
