"""The review planner's promises, over any history of reviews, concerns and meetings: every
borough not yet reviewed in the cycle comes before any already reviewed; no borough twice;
more concerns never move a borough later (all else equal); the same inputs give the same plan."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from dsvb import reference
from dsvb.oversight.planner import Concern, Meeting, Plan, Review, propose

BOROUGHS = reference.boroughs()
CODES = tuple(BOROUGHS)
CYCLE = dt.date(2008, 4, 1)
FIRST_MEETING = dt.date(2011, 1, 20)
SETTINGS = settings(max_examples=150, deadline=None)

review_dates = st.dates(dt.date(2003, 1, 1), FIRST_MEETING - dt.timedelta(days=1))


@st.composite
def inputs(draw: st.DrawFn) -> dict:
    boroughs = draw(st.sets(st.sampled_from(CODES), min_size=1, max_size=12))
    codes = sorted(boroughs)
    reviews = draw(st.lists(st.builds(Review, st.sampled_from(codes), review_dates), max_size=20))
    concern_counts = draw(st.dictionaries(st.sampled_from(codes), st.integers(0, 5)))
    concerns = {
        code: tuple(Concern(code, "outlier", f"indicator {i}") for i in range(n))
        for code, n in concern_counts.items()
    }
    gaps = draw(st.lists(st.integers(1, 120), min_size=0, max_size=6))
    meetings, day = [], FIRST_MEETING
    for gap in [0, *gaps]:
        day += dt.timedelta(days=gap)
        meetings.append(Meeting(day, draw(st.integers(0, 3))))
    weight = draw(st.sampled_from([0.0, 1.0, 6.0, 12.5]))
    return {
        "boroughs": {c: BOROUGHS[c] for c in codes},
        "reviews": reviews,
        "cycle_start": CYCLE,
        "meetings": meetings,
        "concerns": concerns,
        "weight": weight,
    }


def _reviewed_in_cycle(args: dict) -> set[str]:
    return {r.area_code for r in args["reviews"] if r.meeting >= args["cycle_start"]}


def _position(plan: Plan, code: str) -> int:
    return [p.area_code for p in plan.order].index(code)


@SETTINGS
@given(inputs())
def test_boroughs_not_yet_reviewed_this_cycle_come_first(args: dict) -> None:
    plan = propose(**args)
    done = _reviewed_in_cycle(args)
    for sequence in (plan.order, plan.slots):
        seen_done = False
        for proposal in sequence:
            if proposal.area_code in done:
                seen_done = True
            else:
                assert not seen_done, f"{proposal.area_name} proposed after a reviewed borough"
    assert {c for c, _, _ in plan.coverage.reviewed} == done
    assert {c for c, _ in plan.coverage.not_yet} == set(args["boroughs"]) - done


@SETTINGS
@given(inputs())
def test_no_borough_twice_and_every_slot_filled_while_boroughs_remain(args: dict) -> None:
    plan = propose(**args)
    codes = [p.area_code for p in plan.slots]
    assert len(codes) == len(set(codes))
    assert sorted(p.area_code for p in plan.order) == sorted(args["boroughs"])
    slots = sum(m.slots for m in args["meetings"])
    assert len(codes) == min(slots, len(args["boroughs"]))
    for meeting in args["meetings"]:
        assert sum(p.meeting_date == meeting.date for p in plan.slots) <= meeting.slots
    assert [p.area_code for p in plan.slots] == [p.area_code for p in plan.order[: len(codes)]]
    assert all(p.reasons for p in plan.order)


@SETTINGS
@given(inputs(), st.data())
def test_more_concerns_never_move_a_borough_later(args: dict, data: st.DataObject) -> None:
    code = data.draw(st.sampled_from(sorted(args["boroughs"])))
    extra = data.draw(st.integers(1, 4))
    before = propose(**args)
    more = dict(args["concerns"])
    more[code] = (
        *more.get(code, ()),
        *(Concern(code, "worse", f"more {i}") for i in range(extra)),
    )
    after = propose(**{**args, "concerns": more})
    assert _position(after, code) <= _position(before, code)
    # and the others keep their order among themselves
    others_before = [p.area_code for p in before.order if p.area_code != code]
    others_after = [p.area_code for p in after.order if p.area_code != code]
    assert others_before == others_after


@SETTINGS
@given(inputs())
def test_the_same_inputs_give_the_same_plan_in_any_order_of_reviews(args: dict) -> None:
    plan = propose(**args)
    shuffled = {**args, "reviews": list(reversed(args["reviews"]))}
    assert propose(**shuffled) == plan
