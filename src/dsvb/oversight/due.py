"""What is due in the board's cycle, and what is late.

Every deadline the cycle has -- a brief to send, a borough's draft and final reports, a letter
to send, a follow-up report, an open action with a date -- is one :class:`Deadline`; the dates
come from the stored objects and, where none is stored, from the dated rules of
:mod:`dsvb.oversight.deadlines`, so the what's-due page, the board's home page and the
calendar feed show the same dates. :func:`classify` sorts them into late, due soon, later and
done for a given day; who sees which deadline is decided elsewhere (the web app asks
:func:`dsvb.access.decide` about the object each deadline belongs to).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

#: how far ahead a deadline counts as "due soon" (the page's middle group)
SOON_DAYS = 14


class DeadlineKind(StrEnum):
    BRIEF_SEND = "brief_send"
    DRAFT_REPORT = "draft_report"
    FINAL_REPORT = "final_report"
    LETTER = "letter"
    FOLLOW_UP = "follow_up"
    ACTION = "action"

    @property
    def label(self) -> str:
        return {
            "brief_send": "Brief to send",
            "draft_report": "Draft report",
            "final_report": "Final report",
            "letter": "Letter to send",
            "follow_up": "Follow-up report",
            "action": "Action",
        }[self.value]


class Standing(StrEnum):
    LATE = "late"
    SOON = "soon"
    LATER = "later"
    DONE = "done"

    @property
    def label(self) -> str:
        return {
            "late": "Late",
            "soon": f"Due within {SOON_DAYS} days",
            "later": "Later",
            "done": "Done",
        }[self.value]


def past_due(due: dt.date, today: dt.date) -> bool:
    """The one rule of lateness in the cycle: a thing due on a day is late from the next day
    (due today is not yet late), for deadlines here and the action register alike."""
    return due < today


@dataclass(frozen=True)
class Deadline:
    """One deadline: what (``kind``, ``subject`` in words), whose (``area_code``, None for
    the board's own), when it is due and when it was done (None: not yet). ``key`` is stable
    for the same deadline across fetches ("brief-12-draft"): the calendar's event id."""

    kind: DeadlineKind
    subject: str
    area_code: str | None
    due: dt.date
    done: dt.date | None = None
    key: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", DeadlineKind(self.kind))

    def standing(self, today: dt.date) -> Standing:
        """Done, late (not done and its day has passed), due within ``SOON_DAYS`` or later."""
        if self.done is not None:
            return Standing.DONE
        if past_due(self.due, today):
            return Standing.LATE
        if self.due <= today + dt.timedelta(days=SOON_DAYS):
            return Standing.SOON
        return Standing.LATER

    def days_late(self, today: dt.date) -> int:
        """Days past the due date (0 when not late); a deadline done late counts to its
        done date."""
        until = self.done or today
        return max(0, (until - self.due).days)

    @property
    def done_late(self) -> bool:
        return self.done is not None and self.done > self.due


@dataclass(frozen=True)
class Classified:
    """Deadlines grouped by standing on ``today``: late ones oldest first (the longest
    overdue leads), due and later ones soonest first, done ones latest first."""

    today: dt.date
    late: tuple[Deadline, ...]
    soon: tuple[Deadline, ...]
    later: tuple[Deadline, ...]
    done: tuple[Deadline, ...]

    def groups(self) -> tuple[tuple[Standing, tuple[Deadline, ...]], ...]:
        return (
            (Standing.LATE, self.late),
            (Standing.SOON, self.soon),
            (Standing.LATER, self.later),
            (Standing.DONE, self.done),
        )

    def count(self, standing: Standing | str) -> int:
        return len(dict(self.groups())[Standing(standing)])


def _order(d: Deadline) -> tuple[dt.date, str, str, str]:
    return (d.due, d.kind.value, d.area_code or "", d.key or d.subject)


def classify(deadlines: Iterable[Deadline], today: dt.date) -> Classified:
    """Late, due within ``SOON_DAYS``, later and done, each sorted (see :class:`Classified`)."""
    groups: dict[Standing, list[Deadline]] = {s: [] for s in Standing}
    for d in deadlines:
        groups[d.standing(today)].append(d)
    for standing, items in groups.items():
        items.sort(key=_order, reverse=standing is Standing.DONE)
    return Classified(
        today,
        tuple(groups[Standing.LATE]),
        tuple(groups[Standing.SOON]),
        tuple(groups[Standing.LATER]),
        tuple(groups[Standing.DONE]),
    )
