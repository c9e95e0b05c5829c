"""Published prose numbers reach the page with the digits the chapter formatted."""

import pytest
from myst_nb.core.variables import format_plain_text

from lib.course.prose import glued_text


@pytest.mark.parametrize("text", ["1.00", "0.10", "0.58", "51%", "2e-15", "0.98 ± 0.01", "it's"])
def test_the_book_shows_the_published_text_unchanged(text):
    assert format_plain_text(glued_text(text), "s") == text
