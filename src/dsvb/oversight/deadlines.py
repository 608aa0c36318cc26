"""The board's cycle's deadlines: one dated rule per deadline, as data.

How long before a session a borough's draft and final reports are due, when the letter after
it should go, when the follow-up report is due: ``reference/data/oversight_deadlines.csv``,
one row per rule with the dates it applies between (a board that changes its practice adds
a row, not code). Every date the planner, the brief's section A, the what's-due page and the
calendar feed show comes from :func:`due`, so they cannot disagree. A date the secretariat
adjusts on one brief is stored with that brief; these are the defaults.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources

from dsvb.reference.file_errors import ReferenceFileError

UNITS = ("days", "weeks", "months", "next_meeting")
ANCHORS = ("meeting", "letter")


@dataclass(frozen=True)
class DeadlineRule:
    rule: str
    anchor: str  # what the offset counts from: the meeting's date, or the letter's
    offset: int
    unit: str
    valid_from: dt.date
    valid_to: dt.date | None
    source: str

    def applies_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


class RuleFileError(ReferenceFileError):
    """A mistake in the rules file, naming the line and the column."""


@cache
def rules() -> tuple[DeadlineRule, ...]:
    """Every rule in the file, checked as read (a mistake fails at start-up and in tests)."""
    name = "oversight_deadlines.csv"
    text = resources.files("dsvb.reference").joinpath("data", name).read_text(encoding="utf-8")
    return parse_rules(text, name)


def parse_rules(text: str, name: str) -> tuple[DeadlineRule, ...]:
    """The rules in a CSV text, or :class:`RuleFileError` naming the line and column."""
    out: list[DeadlineRule] = []
    for line, row in enumerate(csv.DictReader(text.splitlines()), start=2):

        def fail(column: str, why: str, line: int = line) -> RuleFileError:
            return RuleFileError(name, line, column, why)

        if row["anchor"] not in ANCHORS:
            raise fail("anchor", f"{row['anchor']!r} is not one of {', '.join(ANCHORS)}")
        if row["unit"] not in UNITS:
            raise fail("unit", f"{row['unit']!r} is not one of {', '.join(UNITS)}")
        try:
            offset = int(row["offset"])
        except ValueError:
            raise fail("offset", f"{row['offset']!r} is not a whole number") from None
        try:
            start = dt.date.fromisoformat(row["valid_from"])
            end = dt.date.fromisoformat(row["valid_to"]) if row["valid_to"] else None
        except ValueError as exc:
            raise fail("valid_from/valid_to", str(exc)) from None
        out.append(
            DeadlineRule(row["rule"], row["anchor"], offset, row["unit"], start, end, row["source"])
        )
    return tuple(out)


def rule(name: str, on: dt.date) -> DeadlineRule:
    """The rule ``name`` in force on ``on`` (the anchor's date)."""
    for r in rules():
        if r.rule == name and r.applies_on(on):
            return r
    raise KeyError(f"no deadline rule {name!r} in force on {on}")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due(name: str, anchor: dt.date, *, next_meeting: dt.date | None = None) -> dt.date | None:
    """The deadline ``name`` for an anchor date (the meeting's, or the letter's).

    A rule counted to the next meeting gives that meeting's date, or None while no next
    meeting is planned.
    """
    r = rule(name, anchor)
    if r.unit == "days":
        return anchor + dt.timedelta(days=r.offset)
    if r.unit == "weeks":
        return anchor + dt.timedelta(weeks=r.offset)
    if r.unit == "months":
        return add_months(anchor, r.offset)
    return next_meeting


@dataclass(frozen=True)
class BriefDates:
    """Section A's dates for a borough's brief: the defaults from the meeting's date."""

    meeting: dt.date
    sent: dt.date
    draft_due: dt.date
    final_due: dt.date


def brief_dates(meeting: dt.date) -> BriefDates:
    """When a brief goes out and its draft and final reports are due, for a session on
    ``meeting`` (the secretariat may adjust each on the brief)."""
    sent, draft, final = (due(n, meeting) for n in ("brief_sent", "draft_due", "final_due"))
    assert sent and draft and final
    return BriefDates(meeting, sent, draft, final)
