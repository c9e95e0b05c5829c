"""lib.course.prose: a published value reaches the book's page exactly as it was formatted."""

import pytest

from lib.course import prose


class Recorder:
    """A stand-in IPython shell: collects what ``publish`` displays."""

    def __init__(self):
        self.user_ns, self.shown = {}, []


@pytest.mark.parametrize("text", ["0.40", "1.00", "0.75 ± 0.20 (0.50–1.00)", "10⁻⁵", "4 of 5"])
def test_the_page_shows_the_published_text_digit_for_digit(monkeypatch, text):
    shell = Recorder()
    monkeypatch.setattr(prose, "_ipython", lambda: shell)
    monkeypatch.setattr(
        "IPython.display.display", lambda data, raw, metadata: shell.shown.append(data)
    )
    prose.publish(value=text)
    (data,) = shell.shown
    glued = data[prose.GLUE_PREFIX + "text/plain"]
    # the book's {eval} role (book/_ext/prose_numbers.py) shows the glued text verbatim
    assert glued == text
    assert repr(shell.user_ns["value"]) == text  # what a kernel shows for {eval}`value`


def test_a_name_must_be_an_identifier():
    with pytest.raises(ValueError, match="identifier"):
        prose.publish(**{"not a name": "1"})
