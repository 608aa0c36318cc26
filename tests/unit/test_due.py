"""What's due: late, due soon, later and done, sorted, for a given day."""

from __future__ import annotations

import datetime as dt

import pytest

from dsvb.oversight.due import SOON_DAYS, Deadline, DeadlineKind, Standing, classify

TODAY = dt.date(2010, 6, 1)


def d(kind: str, day: dt.date, done: dt.date | None = None, key: str = "") -> Deadline:
    return Deadline(kind, f"{kind} {day}", "E09000022", day, done, key or f"{kind}-{day}")


def test_each_deadline_lands_in_one_group_by_its_date_and_whether_it_was_done() -> None:
    late = d("draft_report", TODAY - dt.timedelta(days=1))
    today = d("final_report", TODAY)
    edge = d("letter", TODAY + dt.timedelta(days=SOON_DAYS))
    later = d("follow_up", TODAY + dt.timedelta(days=SOON_DAYS + 1))
    done_late = d("action", TODAY - dt.timedelta(days=30), done=TODAY - dt.timedelta(days=2))
    result = classify([later, done_late, edge, today, late], TODAY)
    assert result.late == (late,)
    assert result.soon == (today, edge)
    assert result.later == (later,)
    assert result.done == (done_late,)
    assert [result.count(s) for s in Standing] == [1, 2, 1, 1]
    assert done_late.done_late and done_late.days_late(TODAY) == 28
    assert late.days_late(TODAY) == 1 and today.days_late(TODAY) == 0


def test_late_ones_lead_with_the_longest_overdue_and_done_ones_with_the_latest() -> None:
    days = [TODAY - dt.timedelta(days=n) for n in (3, 40, 10)]
    result = classify([d("action", day, key=f"a{n}") for n, day in enumerate(days)], TODAY)
    assert [x.due for x in result.late] == sorted(days)
    done = [d("action", day, done=day, key=f"b{n}") for n, day in enumerate(days)]
    assert [x.due for x in classify(done, TODAY).done] == sorted(days, reverse=True)


def test_the_same_deadlines_in_any_order_classify_the_same() -> None:
    items = [d(k.value, TODAY + dt.timedelta(days=n - 5)) for n, k in enumerate(DeadlineKind)]
    assert classify(items, TODAY) == classify(list(reversed(items)), TODAY)


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError):
        Deadline("lunch", "x", None, TODAY)
