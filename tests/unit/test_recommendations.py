"""Recommendations to the force: numbering per year, dated updates, status changes, progress."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from dsvb.oversight.recommendations import (
    Recommendation,
    RecommendationError,
    Status,
    Update,
    number_next,
    parse_reference,
    progress,
    status_label,
)


def rec(year: int = 2010, number: int = 4, **kw) -> Recommendation:
    return Recommendation(
        year,
        number,
        kw.pop("text", "MPS to review borough practice of the use of cautions."),
        kw.pop("owner", "MPS Violent Crime Directorate"),
        **kw,
    )


def test_a_reference_is_year_and_number_and_reads_back() -> None:
    r = rec(2010, 3)
    assert r.reference == "2010/3"
    assert parse_reference(r.reference) == (2010, 3)
    assert parse_reference(" 2009 / 12 ") == (2009, 12)
    with pytest.raises(RecommendationError, match="not a recommendation reference"):
        parse_reference("2010-3")


def test_numbering_starts_again_each_year_and_never_reuses_a_number() -> None:
    existing = [rec(2009, n) for n in (1, 2, 3, 8)] + [rec(2010, 1), rec(2010, 3)]
    assert number_next(existing, 2009) == 9
    assert number_next(existing, 2010) == 4  # 2 was withdrawn: the gap is kept
    assert number_next(existing, 2011) == 1
    assert number_next([], 2010) == 1


def test_an_update_returns_a_new_recommendation_with_its_status() -> None:
    r = rec()
    later = r.with_update(Update(dt.date(2011, 3, 1), "Reviewed on every borough.", "ongoing"))
    assert r.status is Status.OPEN and r.updates == ()  # unchanged: frozen
    assert later.status is Status.ONGOING
    assert later.last_update is not None and later.last_update.text.startswith("Reviewed")
    with pytest.raises(dataclasses.FrozenInstanceError):
        later.status = Status.COMPLETE  # type: ignore[misc]


def test_an_update_dated_before_the_last_is_refused() -> None:
    r = rec().with_update(Update(dt.date(2011, 3, 1), "Started.", Status.ONGOING))
    with pytest.raises(RecommendationError, match="dated before the last one"):
        r.with_update(Update(dt.date(2011, 2, 28), "Earlier.", Status.ONGOING))
    same_day = r.with_update(Update(dt.date(2011, 3, 1), "Same day.", Status.COMPLETE))
    assert same_day.status is Status.COMPLETE


def test_a_complete_recommendation_moves_back_only_when_reopened_with_a_reason() -> None:
    done = rec().with_update(Update(dt.date(2011, 3, 1), "Done.", Status.COMPLETE))
    with pytest.raises(RecommendationError, match=r"2010/4: .*needs a reason"):
        done.with_update(Update(dt.date(2011, 6, 1), "Not done after all.", Status.ONGOING))
    with pytest.raises(RecommendationError, match="cannot become open"):
        done.with_update(Update(dt.date(2011, 6, 1), "Back.", Status.OPEN, reopened_because="x"))
    reopened = done.with_update(
        Update(
            dt.date(2011, 6, 1),
            "Caution shares rose again.",
            Status.ONGOING,
            reopened_because="the 2011 data show caution shares above 50% on four boroughs",
        )
    )
    assert reopened.status is Status.ONGOING
    assert [u.status for u in reopened.updates] == [Status.COMPLETE, Status.ONGOING]
    # news that keeps the status is not a move, and needs no reason
    assert (
        done.with_update(Update(dt.date(2011, 7, 1), "Audited.", "complete")).status == "complete"
    )


def test_the_status_is_the_cycles_one_definition() -> None:
    from dsvb.oversight import states

    assert Status is states.RecommendationStatus
    assert status_label(Status.ONGOING) == "Ongoing"


def test_bad_values_are_refused_with_the_reference() -> None:
    with pytest.raises(RecommendationError, match="start at 1"):
        rec(number=0)
    with pytest.raises(RecommendationError, match="2010/4 has no owner"):
        rec(owner=" ")
    with pytest.raises(ValueError):
        Update(dt.date(2011, 1, 1), "x", "finished")  # not a status
    with pytest.raises(RecommendationError, match="says nothing"):
        Update(dt.date(2011, 1, 1), "  ", Status.OPEN)


def test_progress_gives_last_years_in_order_with_their_latest_status() -> None:
    a = rec(2009, 2, text="Develop joint targets with CPS.").with_update(
        Update(dt.date(2010, 6, 1), "Working group set up.", Status.ONGOING)
    )
    b = rec(2009, 1, text="Review no-crime decisions.")
    b = b.with_update(Update(dt.date(2010, 4, 1), "Decisions made centrally.", Status.ONGOING))
    b = b.with_update(Update(dt.date(2010, 12, 1), "97% compliance.", Status.COMPLETE))
    this_year = rec(2010, 1)
    shown = progress([a, this_year, b], 2010)
    assert [p.recommendation.reference for p in shown] == ["2009/1", "2009/2"]
    assert [p.status for p in shown] == [Status.COMPLETE, Status.ONGOING]
    assert [len(p.updates) for p in shown] == [2, 1]
    # as the report dated 1 November 2010 saw it: b not yet complete
    then = progress([a, b], 2010, as_of=dt.date(2010, 11, 1))
    assert [p.status for p in then] == [Status.ONGOING, Status.ONGOING]
    assert progress([a, b], 2010, as_of=dt.date(2010, 1, 1))[0].status is Status.OPEN
    assert progress([a, b], 2012) == []
