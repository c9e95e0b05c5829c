"""lib.course.listings: the lines of lib a chapter shows beside an equation."""

import pytest

from lib import functional
from lib.course.listings import body, matching_lines, source_lines


def test_body_hides_the_docstring_but_keeps_the_code():
    text = body(functional.lstm_step)
    assert '""" ... """' in text and functional.lstm_step.__doc__ not in text
    assert "def lstm_step(" in text


def test_matching_lines_are_stripped_code_lines_in_order():
    lines = matching_lines(functional.lstm_step, "sigmoid(a_i)", "c_new = f")
    assert len(lines) == 2 and not lines[0].startswith(" ")
    assert "sigmoid(a_i)" in lines[0] and "c_new = f" in lines[1]
    assert source_lines(functional.lstm_step, "c_new = f").data == lines[1]


def test_a_needle_that_matches_nothing_is_an_error():
    with pytest.raises(ValueError, match=r"no line of lstm_step contains \['c_next'\]"):
        matching_lines(functional.lstm_step, "c_new = f", "c_next")
    with pytest.raises(ValueError, match="at least one"):
        matching_lines(functional.lstm_step)
