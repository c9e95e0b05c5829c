"""lib.course.prose: published values reach the page as formatted, and numbers written
as prose writes them."""

import pytest

from lib.course import prose
from lib.course.prose import Shown, publish, scientific


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


def test_scientific_writes_powers_of_ten_with_superscripts():
    assert scientific(4.91e-4) == "4.9 × 10⁻⁴"
    assert scientific(4.59e-14, digits=1) == "5 × 10⁻¹⁴"
    assert scientific(188.0) == "1.9 × 10²"
    assert scientific(0.00998, digits=1) == "1 × 10⁻²"  # the mantissa rounds up to 10
    with pytest.raises(ValueError, match="at least 1"):
        scientific(1.0, digits=0)


def test_publish_outside_a_kernel_returns_the_texts():
    shown = publish(accuracy="0.27", gain="3x")
    assert shown == {"accuracy": "0.27", "gain": "3x"}
    assert isinstance(shown["accuracy"], Shown) and repr(shown["accuracy"]) == "0.27"
    with pytest.raises(ValueError, match="identifier"):
        publish(**{"not a name": "1"})
