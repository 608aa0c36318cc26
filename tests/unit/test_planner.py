"""The review planner: coverage of the cycle, the proposed order and its reasons in words,
concerns read from a real assessment (the published 2010 DV table) and the findings rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dsvb import reference
from dsvb.indicators.from_returns import assess_return
from dsvb.ingest.returns import read_return
from dsvb.oversight.findings import draft_all
from dsvb.oversight.planner import (
    CONCERN_WEIGHT,
    Concern,
    Meeting,
    Review,
    concerns_from,
    months_between,
    propose,
)

ROOT = Path(__file__).resolve().parents[2]
DV_2010 = ROOT / "src" / "dsvb" / "reference" / "published" / "dv_by_borough_12m_to_2010-11.csv"
CODE = {name: code for code, name in reference.boroughs().items()}
CYCLE = dt.date(2008, 1, 1)
JAN_2011, MAR_2011 = dt.date(2011, 1, 20), dt.date(2011, 3, 17)

FOUR = {CODE[n]: n for n in ("Newham", "Hounslow", "Sutton", "Greenwich")}


def test_months_between_counts_whole_months() -> None:
    assert months_between(dt.date(2008, 3, 10), dt.date(2011, 1, 20)) == 34
    assert months_between(dt.date(2008, 3, 25), dt.date(2011, 1, 20)) == 33
    assert months_between(dt.date(2011, 1, 20), dt.date(2008, 3, 10)) == 0


def test_every_borough_once_per_cycle_coverage() -> None:
    reviews = [
        Review(CODE["Newham"], dt.date(2007, 6, 1)),  # before the cycle
        Review(CODE["Hounslow"], dt.date(2008, 9, 1)),
        Review(CODE["Hounslow"], dt.date(2010, 11, 15)),  # the latest counts
        Review(CODE["Sutton"], dt.date(2009, 3, 1)),
    ]
    plan = propose(FOUR, reviews, CYCLE, [Meeting(JAN_2011)])
    assert plan.coverage.reviewed == (
        (CODE["Sutton"], "Sutton", dt.date(2009, 3, 1)),
        (CODE["Hounslow"], "Hounslow", dt.date(2010, 11, 15)),
    )
    assert plan.coverage.not_yet == ((CODE["Greenwich"], "Greenwich"), (CODE["Newham"], "Newham"))
    assert not plan.coverage.complete
    assert plan.coverage.describe() == (
        "2 of 4 boroughs reviewed since the cycle began on 1 January 2008; 2 not yet"
    )


def test_the_order_never_reviewed_then_longest_waiting_then_this_cycle_s() -> None:
    reviews = [
        Review(CODE["Newham"], dt.date(2007, 6, 1)),
        Review(CODE["Sutton"], dt.date(2007, 3, 1)),
        Review(CODE["Hounslow"], dt.date(2010, 11, 15)),
    ]
    plan = propose(FOUR, reviews, CYCLE, [Meeting(JAN_2011), Meeting(MAR_2011)])
    assert [(p.meeting_date, p.area_name) for p in plan.slots] == [
        (JAN_2011, "Greenwich"),
        (JAN_2011, "Sutton"),
        (MAR_2011, "Newham"),
        (MAR_2011, "Hounslow"),
    ]
    greenwich, sutton, newham, hounslow = plan.slots
    assert greenwich.reasons == (
        "never reviewed (the cycle began 36 months ago)",
        "no concerns in the data",
    )
    assert sutton.reasons[0] == "not reviewed since March 2007 (46 months)"
    assert sutton.score == 46 and newham.score == 43
    assert hounslow.tier == 3
    assert hounslow.reasons[0] == "already reviewed in this cycle, in November 2010 (2 months)"


def test_concerns_bring_a_borough_forward_by_their_weight() -> None:
    reviews = [
        Review(CODE["Newham"], dt.date(2008, 3, 1)),  # 34 months
        Review(CODE["Sutton"], dt.date(2007, 3, 1)),  # 46 months
        Review(CODE["Hounslow"], dt.date(2007, 1, 1)),  # 48 months
        Review(CODE["Greenwich"], dt.date(2006, 1, 1)),  # 60 months
    ]
    newham = CODE["Newham"]
    concerns = {
        newham: (
            Concern(newham, "outlier", "sanction detection rate, below"),
            Concern(newham, "outlier", "charge rate, below"),
        )
    }
    cycle = dt.date(2010, 1, 1)  # none reviewed in it yet
    plan = propose(FOUR, reviews, cycle, [Meeting(JAN_2011)], concerns, weight=CONCERN_WEIGHT)
    # Newham 34 + 2 x 6 = 46 ties Sutton's 46 months: by name
    assert [p.area_name for p in plan.order] == ["Greenwich", "Hounslow", "Newham", "Sutton"]
    assert plan.order[2].score == 34 + 2 * CONCERN_WEIGHT == plan.order[3].score
    assert plan.order[2].reasons == (
        "not reviewed since March 2008 (34 months)",
        "2 indicators outside the 99.8% limits: sanction detection rate, below; charge rate, below",
    )
    # weight 0: time alone
    plain = propose(FOUR, reviews, cycle, [Meeting(JAN_2011)], concerns, weight=0)
    assert [p.area_name for p in plain.order] == ["Greenwich", "Hounslow", "Sutton", "Newham"]


def test_ties_go_by_name_and_a_plan_never_holds_a_borough_twice() -> None:
    plan = propose(FOUR, [], CYCLE, [Meeting(JAN_2011, 3), Meeting(MAR_2011, 3)])
    names = [p.area_name for p in plan.slots]
    assert names == ["Greenwich", "Hounslow", "Newham", "Sutton"]  # 6 slots, 4 boroughs
    assert {p.score for p in plan.slots} == {36}


def test_concerns_from_the_2010_table_and_its_findings() -> None:
    judged = assess_return(read_return(DV_2010))
    drafts = draft_all(judged, dt.date(2010, 12, 1))
    concerns = concerns_from(judged, drafts)
    hounslow = concerns[CODE["Hounslow"]]
    assert [(c.kind, c.what) for c in hounslow] == [
        ("missed_target", "sanction detection rate 43.4% against 46.0%"),
        ("follow_up", "cautions as a share of sanction detections 58.2%"),
    ]
    assert CODE["Sutton"] not in concerns  # above the target, no follow-up
    # the table's funnel is widened (over-dispersed boroughs): no borough outside 99.8%
    assert not any(c.kind == "outlier" for cs in concerns.values() for c in cs)
    plan = propose(
        None,
        [Review(code, dt.date(2009, 1, 15)) for code in reference.boroughs()],
        dt.date(2011, 1, 1),
        [Meeting(JAN_2011), Meeting(MAR_2011)],
        concerns,
    )
    # two concerns each (below the SD target and cautions above half), 36, by name
    two = [(p.area_name, p.score) for p in plan.slots[:3]]
    assert two == [(n, 24 + 2 * CONCERN_WEIGHT) for n in ("Brent", "Hillingdon", "Hounslow")]
    hounslow_slot = plan.slots[2]
    assert hounslow_slot.reasons == (
        "not reviewed since January 2009 (24 months)",
        "1 target missed: sanction detection rate 43.4% against 46.0%",
        "1 follow-up request drafted from the data: cautions as a share of sanction "
        "detections 58.2%",
    )
    # then one concern each, 30, by name: the first of them fills the fourth slot
    assert [p.area_name for p in plan.slots[3:]] == ["Barking and Dagenham"]
    newham = next(p for p in plan.order if p.area_name == "Newham")
    assert newham.score == 24 + CONCERN_WEIGHT
    assert len(plan.order) == 32


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reviews": [Review("E09999999", dt.date(2009, 1, 1))]}, "not a borough here"),
        ({"reviews": [Review(CODE["Sutton"], JAN_2011)]}, "is not before the first coming"),
        ({"meetings": [Meeting(MAR_2011), Meeting(JAN_2011)]}, "in date order"),
        ({"meetings": [Meeting(JAN_2011), Meeting(JAN_2011)]}, "one per date"),
        ({"meetings": [Meeting(JAN_2011, -1)]}, "has -1 slots"),
        ({"weight": -1.0}, "must not be negative"),
        ({"concerns": {"E09999999": ()}}, "not boroughs here"),
    ],
)
def test_bad_inputs_are_refused_in_words(kwargs: dict, message: str) -> None:
    args = {
        "boroughs": FOUR,
        "reviews": [],
        "cycle_start": CYCLE,
        "meetings": [Meeting(JAN_2011)],
        **kwargs,
    }
    with pytest.raises(ValueError, match=message):
        propose(**args)
