"""Records past their retention period: when a closed case is due for review.

A closed case is kept ``retention_years`` (a dated setting, ``case_settings.csv``) after its
last activity -- its closure, or anything later recorded on it (a note, a Victims' Code
contact, a MARAC action) -- and is then listed for the secretariat to review and, if nothing
requires it to be kept, delete. An open case is never due: it is still being worked. The
setting in force on the day of the review applies (a shorter period adopted later applies to
records still held).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from dsvb.cases.settings import number
from dsvb.cases.states import CaseState


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` plus whole years; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def last_activity(closed_on: dt.date, activity: Iterable[dt.date | None] = ()) -> dt.date:
    """The later of the closure and every activity date (None: none recorded)."""
    return max([closed_on, *(d for d in activity if d is not None)])


def review_date(
    state: CaseState | str,
    closed_on: dt.date | None,
    activity: Iterable[dt.date | None] = (),
    *,
    on: dt.date,
) -> dt.date | None:
    """The day the case is due for review, or None when it never is (open, or closed with no
    date of closure -- which cannot be judged and is listed by nobody)."""
    if CaseState(state) != CaseState.CLOSED or closed_on is None:
        return None
    return add_years(last_activity(closed_on, activity), number("retention_years", on))


def is_due(
    state: CaseState | str,
    closed_on: dt.date | None,
    activity: Iterable[dt.date | None] = (),
    *,
    on: dt.date,
) -> bool:
    """Whether the case is due for review on ``on``."""
    due = review_date(state, closed_on, activity, on=on)
    return due is not None and due <= on


def notes_due(held_on: dt.date, *, on: dt.date) -> bool:
    """Whether a MARAC meeting's notes, held on ``held_on``, are due for review on ``on``.

    The notes are free text about every case heard that day, kept no longer than a closed
    case: ``retention_years`` after the meeting (the setting in force on ``on``). Only the
    notes go -- the meeting (a date) stays, as the referrals and actions heard at it name it.
    """
    return add_years(held_on, number("retention_years", on)) <= on
