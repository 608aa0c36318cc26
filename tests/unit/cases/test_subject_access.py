"""Subject access: one person's records across agencies, matched on names (case, accents,
spacing) and an exact date of birth; the report lists what each agency holds."""

from __future__ import annotations

import datetime as dt

import pytest

from dsvb.cases.subject_access import (
    Holding,
    PersonRecord,
    RecordTable,
    Search,
    build_report,
    matches,
    normalise,
)
from dsvb.oversight.render import to_docx, to_html

DOB = dt.date(1985, 3, 4)
RECORDS = [
    PersonRecord(1, "Lambeth Police CSU", "Zoë", "O'Neill", "", DOB),
    PersonRecord(2, "Lambeth IDVA service", " zoe ", "o neill", "", DOB),
    PersonRecord(3, "Lambeth Housing", "Zoe", "Smith", "Zoe O'Neill; Z. Smith", None),
    PersonRecord(4, "Lambeth Refuge", "Zoe", "O'Neill", "", dt.date(1985, 3, 5)),
    PersonRecord(5, "Lambeth Police CSU", "Zoey", "ONeill", "", DOB),
    PersonRecord(6, "Lambeth Police CSU", "Neill", "Zoe O", "", DOB),
]


def ids(found):
    return [r.id for r in found]


def test_normalise_ignores_case_accents_spacing_and_apostrophes():
    assert normalise("  ZOË   O’Neill ") == normalise("zoe o'neill") == "zoe o neill"
    assert normalise("Anne-Marie") == "anne marie"


def test_match_across_agencies_on_names_and_other_names():
    found = matches(Search("ZOE", "o'neill"), RECORDS)
    assert ids(found) == [3, 2, 1, 4]  # by agency, then id; not Zoey, not a swapped name
    assert 5 not in ids(found)


def test_a_date_of_birth_given_must_match_exactly():
    found = matches(Search("Zoe", "O'Neill", DOB), RECORDS)
    assert sorted(ids(found)) == [1, 2]  # not 4 (a day out), not 3 (none recorded)


def test_a_search_needs_both_names():
    with pytest.raises(ValueError, match="given name and a family name"):
        Search(" ", "O'Neill")


def test_the_report_lists_each_agencys_records_and_says_when_none_are_held():
    holdings = [
        Holding(
            RECORDS[0],
            (("Names", "Zoë O'Neill"), ("Date of birth", "4 March 1985")),
            (
                RecordTable("Cases", ("Case", "Opened"), (("Case 7", "1 October 2026"),)),
                RecordTable("Case notes", ("Case", "Note"), ()),
            ),
        ),
        Holding(RECORDS[1], (("Names", "zoe o neill"),), ()),
    ]
    doc = build_report(holdings, produced_on=dt.date(2026, 12, 6))
    text = doc.text()
    assert "2 records of this person held by 2 agencies." in text
    assert doc.section("agency-Lambeth Police CSU").subsections[0].title == "Person record 1"
    assert "Case 7" in text and "Case notes: none held." in text
    assert "Lambeth IDVA service" in text
    html = to_html(doc)
    assert "Case 7" in html and "Lambeth IDVA service" in html
    assert to_docx(doc)[:2] == b"PK"


def test_a_report_with_nothing_held_says_so():
    doc = build_report([], produced_on=dt.date(2026, 12, 6))
    assert "No agency holds a record matching the request." in doc.text()
