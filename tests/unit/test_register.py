"""The action register's rules: overdue, matters arising and their order, the filters."""

from __future__ import annotations

import datetime as dt

from dsvb.oversight.register import (
    ActionRow,
    RegisterFilter,
    is_overdue,
    matters_arising,
    paragraph_key,
    select,
)
from dsvb.oversight.states import ActionStatus

JUNE, SEPT, NOV = dt.date(2010, 6, 15), dt.date(2010, 9, 14), dt.date(2010, 11, 16)
LAMBETH, SOUTHWARK = "E09000022", "E09000028"


def row(
    id: int,
    meeting_date: dt.date,
    paragraph: str,
    status: ActionStatus = ActionStatus.OPEN,
    due: dt.date | None = None,
    areas: tuple[str, ...] = (),
    meeting_id: int | None = None,
) -> ActionRow:
    return ActionRow(
        id=id,
        meeting_id=meeting_id if meeting_id is not None else meeting_date.month,
        meeting_date=meeting_date,
        paragraph=paragraph,
        owners=("Board staff",),
        area_codes=areas,
        task=f"task {id}",
        status=status,
        due=due,
        order=id,
    )


def test_overdue_is_open_with_a_due_date_passed() -> None:
    due = dt.date(2010, 7, 1)
    assert is_overdue(row(1, JUNE, "1", due=due), dt.date(2010, 7, 2))
    assert not is_overdue(row(1, JUNE, "1", due=due), due), "due today is not yet late"
    assert not is_overdue(row(1, JUNE, "1", due=due), dt.date(2010, 6, 30))
    assert not is_overdue(row(1, JUNE, "1"), dt.date(2030, 1, 1)), "no due date: never late"
    assert is_overdue(row(1, JUNE, "1", ActionStatus.IN_PROGRESS, due), dt.date(2010, 8, 1))
    for closed in (ActionStatus.DONE, ActionStatus.DROPPED):
        assert not is_overdue(row(1, JUNE, "1", closed, due), dt.date(2010, 8, 1))


def test_paragraph_numbers_sort_in_reading_order() -> None:
    numbers = ["10.10", "2", "", "10", "10.2", "3a", "3"]
    assert sorted(numbers, key=paragraph_key) == ["2", "3", "3a", "10", "10.2", "10.10", ""]


def test_matters_arising_are_earlier_meetings_open_actions_by_meeting_then_paragraph() -> None:
    rows = [
        row(1, SEPT, "10"),
        row(2, JUNE, "12"),
        row(3, JUNE, "2"),
        row(4, JUNE, "3", ActionStatus.DONE),  # closed: not arising
        row(5, JUNE, "4", ActionStatus.IN_PROGRESS),
        row(6, NOV, "1"),  # the meeting's own
        row(7, dt.date(2010, 12, 1), "1"),  # later
        row(8, SEPT, "9", ActionStatus.DROPPED),
        row(9, SEPT, "2.1"),
    ]
    arising = matters_arising(rows, NOV, meeting_id=NOV.month)
    assert [r.id for r in arising] == [3, 5, 2, 9, 1]


def test_matters_arising_leave_out_the_meetings_own_actions_by_id() -> None:
    rows = [row(1, JUNE, "1", meeting_id=1), row(2, JUNE, "1", meeting_id=2)]
    assert [r.id for r in matters_arising(rows, SEPT, meeting_id=2)] == [1]
    assert matters_arising(rows, JUNE) == [], "an action is not arising at its own meeting"


def test_filters() -> None:
    on = dt.date(2010, 10, 1)
    rows = [
        row(1, JUNE, "1", areas=(LAMBETH,), due=dt.date(2010, 7, 1)),
        row(2, JUNE, "2", ActionStatus.DONE, areas=(LAMBETH,), due=dt.date(2010, 7, 1)),
        row(3, JUNE, "3", ActionStatus.IN_PROGRESS, areas=(SOUTHWARK, LAMBETH)),
        row(4, SEPT, "1"),
    ]
    ids = lambda f: [r.id for r in select(rows, f, on)]  # noqa: E731
    assert ids(RegisterFilter()) == [1, 2, 3, 4]
    assert ids(RegisterFilter(status="open")) == [1, 3, 4]
    assert ids(RegisterFilter(status="done")) == [2]
    assert ids(RegisterFilter(area_code=LAMBETH)) == [1, 2, 3]
    assert ids(RegisterFilter(area_code=SOUTHWARK)) == [3]
    assert ids(RegisterFilter(overdue_only=True)) == [1]
    assert ids(RegisterFilter(status="in_progress", area_code=LAMBETH)) == [3]
