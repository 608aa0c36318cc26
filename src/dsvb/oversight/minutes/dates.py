"""Dates: the meeting's date and an action's due date, as the minutes write them.

Reads dates written day-month-year, month-day-year, ISO or numeric, and a due date stated
with an action ("by 30 June", "at the next meeting"), relative to the meeting's date.
Separate because date reading is self-contained and is used both for the meeting's own date
and for every action.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from dsvb.oversight.minutes.lines import _MONTH, _MONTHS

_DATE_DMY = re.compile(
    rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{_MONTH})\s*,?\s+(?P<y>\d{{4}})\b",
    re.I,
)
_DATE_MDY = re.compile(
    rf"\b(?P<m>{_MONTH})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})\b", re.I
)
_DATE_ISO = re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")
_DATE_NUMERIC = re.compile(r"\b(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{2}|\d{4})\b")
_DUE = re.compile(
    r"\b(?:by|before|no\s+later\s+than)\s+(?P<what>(?:the\s+)?(?:end\s+of\s+)?"
    rf"(?:(?:the\s+)?(?:next|following)\s+(?:board\s+)?meeting|\d{{4}}-\d{{2}}-\d{{2}}|"
    rf"\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:\s*,?\s+\d{{4}})?|"
    rf"{_MONTH}(?:\s+\d{{4}})?))",
    re.I,
)


def _month(text: str) -> int:
    return _MONTHS[text.lower().rstrip(".")]


def _find_date(text: str) -> dt.date | None:
    """The first full date written in the text (day, month and year), or None."""
    for pattern in (_DATE_DMY, _DATE_MDY, _DATE_ISO, _DATE_NUMERIC):
        for m in pattern.finditer(text):
            try:
                month = int(m.group("m")) if m.group("m").isdigit() else _month(m.group("m"))
                year = int(m.group("y"))
                year += 2000 if year < 100 else 0
                return dt.date(year, month, int(m.group("d")))
            except (ValueError, KeyError):
                continue
    return None


def _due(text: str, meeting: dt.date | None) -> tuple[dt.date | None, str]:
    """The due date an action states ("by 31 March 2008", "by the end of April"), and the
    phrase; a date without a year takes the meeting's year (the next one if already past);
    a month alone means its last day; "by the next meeting" gives the phrase, no date."""
    m = _DUE.search(text)
    if not m:
        return None, ""
    phrase = " ".join(m.group(0).split())
    what = m.group("what")
    if re.search(r"meeting", what, re.I):
        return None, phrase
    full = _find_date(what)
    if full is not None:
        return full, phrase
    day = re.search(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH})", what, re.I)
    month_only = re.search(rf"({_MONTH})(?:\s+(\d{{4}}))?", what, re.I)
    try:
        if day:
            month, d, year = _month(day.group(2)), int(day.group(1)), None
        elif month_only:
            month = _month(month_only.group(1))
            year = int(month_only.group(2)) if month_only.group(2) else None
            d = 0
        else:
            return None, phrase
        if year is None:
            if meeting is None:
                return None, phrase
            year = meeting.year + (1 if month < meeting.month else 0)
        d = d or calendar.monthrange(year, month)[1]
        return dt.date(year, month, d), phrase
    except (ValueError, KeyError):
        return None, phrase
