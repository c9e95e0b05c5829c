"""The references page: book/references.bib sorted by the course's bibliography style
(book/_ext/bibliography_order.py), and every entry findable by a link."""

import sys
from pathlib import Path

from pybtex.database import parse_file

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "book" / "_ext"))

from bibliography_order import CourseSorting  # noqa: E402

BIB = parse_file(str(ROOT / "book" / "references.bib"))
# No stable web address that we could check: a technical report known by its number.
WITHOUT_LINK = {"blelloch1990"}


def sorted_keys():
    return [entry.key for entry in CourseSorting().sort(list(BIB.entries.values()))]


def test_a_braced_group_author_sorts_under_its_first_letter():
    keys = sorted_keys()
    assert (
        keys.index("katharopoulos2020") < keys.index("keras_bidirectional") < keys.index("le2015")
    )


def test_an_entry_without_author_sorts_by_its_title():
    keys = sorted_keys()
    assert keys.index("vaswani2017") < keys.index("why_lstm_tds") < keys.index("williams1990")


def test_every_entry_has_a_url_or_a_doi():
    missing = [
        key
        for key, entry in BIB.entries.items()
        if key not in WITHOUT_LINK and not ({"url", "doi"} & {f.lower() for f in entry.fields})
    ]
    assert not missing, f"add a url or doi to: {missing}"
