"""The action register's rules: which actions are overdue, which are a meeting's "matters
arising", and how the register is filtered.

Plain Python over :class:`ActionRow` (a frozen copy of what the register needs of an action),
so the rules are tested without a database and the web page, the "what's due" page and the
demo all ask the same questions the same way.

- An action is **open** while its status is open or in progress
  (:attr:`dsvb.oversight.states.ActionStatus.is_open`).
- It is **overdue** on a day when it is open and its due date has passed (due before that
  day; an action due today is not yet late; one with no due date is never overdue).
- A meeting's **matters arising** are the actions minuted at earlier meetings that are still
  open on the meeting's date, in the order the board reads them: by meeting date, then by
  the paragraph they came from (numbered paragraphs in number order: 2 before 10, 10.2 before
  10.10), then as minuted.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from dsvb.oversight.due import past_due
from dsvb.oversight.states import ActionStatus


@dataclass(frozen=True)
class ActionRow:
    """What the register knows of one action (``id`` is the stored action's)."""

    id: int
    meeting_id: int
    meeting_date: dt.date
    paragraph: str  # the source paragraph's number as minuted ("6", "10.2"); "" if none
    owners: tuple[str, ...]
    area_codes: tuple[str, ...]  # the boroughs among the owners
    task: str
    status: ActionStatus
    due: dt.date | None = None
    order: int = 0  # the order minuted, within a meeting (the stored id will do)

    @property
    def is_open(self) -> bool:
        return self.status.is_open


def is_overdue(row: ActionRow, on: dt.date) -> bool:
    """Open, with a due date before ``on`` (:func:`dsvb.oversight.due.past_due`)."""
    return row.is_open and row.due is not None and past_due(row.due, on)


def paragraph_key(number: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key that puts paragraph numbers in reading order: "2" < "10" < "10.2" <
    "10.10"; letters after numbers ("3a" after "3"); an empty number last."""
    if not number.strip():
        return ((2, ""),)
    parts = re.findall(r"\d+|[A-Za-z]+", number)
    return tuple((0, int(p)) if p.isdigit() else (1, p.lower()) for p in parts) or ((1, number),)


def register_order(row: ActionRow) -> tuple[object, ...]:
    """By meeting date, then source paragraph, then as minuted."""
    return (row.meeting_date, row.meeting_id, paragraph_key(row.paragraph), row.order, row.id)


def matters_arising(
    rows: Iterable[ActionRow], meeting_date: dt.date, *, meeting_id: int | None = None
) -> list[ActionRow]:
    """The actions from meetings before ``meeting_date`` still open, in register order.

    Actions of the meeting itself (``meeting_id``, or any meeting on the same date) are not
    matters arising: they are that meeting's own actions."""
    chosen = [
        r
        for r in rows
        if r.meeting_date < meeting_date and r.is_open and r.meeting_id != meeting_id
    ]
    return sorted(chosen, key=register_order)


@dataclass(frozen=True)
class RegisterFilter:
    """The register page's filters: a status ("open" means open or in progress), a
    borough among the owners, and overdue only."""

    status: str = ""
    area_code: str = ""
    overdue_only: bool = False

    def keeps(self, row: ActionRow, on: dt.date) -> bool:
        if self.status == "open" and not row.is_open:
            return False
        if self.status and self.status != "open" and row.status.value != self.status:
            return False
        if self.area_code and self.area_code not in row.area_codes:
            return False
        return not (self.overdue_only and not is_overdue(row, on))


def select(rows: Iterable[ActionRow], filters: RegisterFilter, on: dt.date) -> list[ActionRow]:
    """The rows the filters keep, in register order."""
    return sorted((r for r in rows if filters.keeps(r, on)), key=register_order)
