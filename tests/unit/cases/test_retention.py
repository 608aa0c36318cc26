"""Retention: a closed case is due for review retention_years after its last activity."""

from __future__ import annotations

import datetime as dt

from dsvb.cases.retention import add_years, is_due, last_activity, notes_due, review_date
from dsvb.cases.settings import number

TODAY = dt.date(2026, 12, 6)
YEARS = number("retention_years", TODAY)


def test_the_installed_period_is_six_years():
    assert YEARS == 6


def test_open_cases_are_never_due():
    assert review_date("open", None, on=TODAY) is None
    assert not is_due("open", dt.date(2000, 1, 1), [dt.date(2000, 1, 2)], on=TODAY)


def test_a_closed_case_is_due_on_the_anniversary_of_its_closure():
    closed = dt.date(2020, 12, 6)
    assert review_date("closed", closed, on=TODAY) == dt.date(2026, 12, 6)
    assert is_due("closed", closed, on=TODAY)
    assert not is_due("closed", dt.date(2020, 12, 7), on=TODAY)  # one day short


def test_later_activity_restarts_the_clock_earlier_does_not():
    closed = dt.date(2019, 1, 1)
    later_note = dt.date(2021, 3, 1)
    assert last_activity(closed, [dt.date(2018, 5, 1), None, later_note]) == later_note
    assert not is_due("closed", closed, [later_note], on=TODAY)
    assert is_due("closed", closed, [dt.date(2018, 5, 1)], on=TODAY)
    assert review_date("closed", closed, [later_note], on=TODAY) == dt.date(2027, 3, 1)


def test_leap_day_becomes_28_february():
    assert add_years(dt.date(2020, 2, 29), 6) == dt.date(2026, 2, 28)
    assert add_years(dt.date(2020, 2, 29), 4) == dt.date(2024, 2, 29)


def test_a_closed_case_without_a_closure_date_is_not_listed():
    assert review_date("closed", None, on=TODAY) is None


def test_meeting_notes_are_due_on_the_anniversary_of_the_meeting():
    held = dt.date(2020, 12, 6)
    assert notes_due(held, on=TODAY)
    assert not notes_due(held, on=dt.date(2026, 12, 5))
    assert not notes_due(dt.date(2020, 12, 7), on=TODAY)
