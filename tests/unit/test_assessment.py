"""The assessment of a family and period, without Django or a store: hand-made engine
results in, typed and frozen judgements out, checked against figures worked by hand and
against the statistics module's own tests (Wilson, Fisher, funnel limits)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from dsvb.indicators import assessment, comparison, statistics
from dsvb.indicators.model import Period
from dsvb.indicators.periods import ReportingPeriod, reporting_periods
from dsvb.indicators.results import FORCE_CODE, IndicatorResult

AREAS = {"A1": "Alpha", "B2": "Beta", "C3": "Gamma"}
YEAR = ReportingPeriod(
    "12m-2010-11", "12 months to November 2010", Period(dt.date(2009, 12, 1), dt.date(2010, 12, 1))
)
HELD_FROM = dt.date(2008, 12, 1)  # two years held: the previous year is comparable


def rate(area: str, indicator: str, numerator: int, denominator: int, **cuts: str):
    name = AREAS.get(area, "All areas")
    return IndicatorResult(
        area, name, "dv", indicator, numerator, denominator, True, tuple(cuts.items())
    )


def count(area: str, indicator: str, numerator: int, **cuts: str):
    name = AREAS.get(area, "All areas")
    return IndicatorResult(area, name, "dv", indicator, numerator, None, False, tuple(cuts.items()))


def judge(now, before, by_month=(), first=HELD_FROM, period=YEAR):
    return assessment.assess(
        "dv", period, first, by_area=now, previous=before, by_month=by_month, areas=AREAS
    )


NOW = [
    rate("A1", "sd_rate", 60, 100),
    rate("B2", "sd_rate", 300, 1000),
    rate("C3", "sd_rate", 5, 10),
    rate(FORCE_CODE, "sd_rate", 365, 1110),
    count("A1", "incidents", 120),
    count("B2", "incidents", 800),
    count("C3", "incidents", 20),
    count(FORCE_CODE, "incidents", 940),
]
BEFORE = [
    rate("A1", "sd_rate", 40, 100),
    rate("B2", "sd_rate", 290, 1000),
    rate("C3", "sd_rate", 0, 0),
    rate(FORCE_CODE, "sd_rate", 330, 1100),
    count("A1", "incidents", 100),
    count("B2", "incidents", 800),
    count("C3", "incidents", 25),
    count(FORCE_CODE, "incidents", 925),
]


def test_each_figure_is_judged_as_worked_by_hand() -> None:
    judged = judge(NOW, BEFORE)
    sd = judged.indicator("sd_rate")
    alpha = sd.area("A1")
    assert (alpha.numerator, alpha.denominator, alpha.value) == (60, 100, 0.6)
    assert alpha.previous_value == 0.4
    assert alpha.change == pytest.approx(0.2)
    # 60/100 against 40/100 is significant by Fisher's exact test; higher is better
    assert statistics.change_test(60, 100, 40, 100).significant
    assert alpha.assessment == "better"
    assert (alpha.wilson_lower, alpha.wilson_upper) == statistics.wilson_interval(60, 100)
    beta = sd.area("B2")
    assert beta.assessment == "no significant change"  # 30.0% against 29.0%
    # ranks: Alpha 60% and Gamma 50% above Beta 30% (higher is better)
    assert [sd.area(c).rank for c in ("A1", "C3", "B2")] == [1, 2, 3]
    assert {f.ranked for f in sd.areas} == {3}
    # the target in force on 30 November 2010 (reference data), met or not
    assert sd.target is not None
    assert alpha.target_met is (sd.target.value <= 0.6)
    assert sd.force.value == pytest.approx(365 / 1110)


def test_a_missing_change_always_says_why() -> None:
    judged = judge(NOW, BEFORE)
    gamma = judged.indicator("sd_rate").area("C3")
    assert gamma.change is None
    assert gamma.no_change_reason == (
        "No change: there is no figure for the 12 months to November 2009 (no offences then)."
    )
    assert judged.indicator("sd_rate").area("A1").no_change_reason is None
    # nothing held before the period: every figure says so, none is silently blank
    unheld = judge(NOW, None, first=YEAR.period.start)
    assert unheld.has_previous is False
    for assessed in unheld.indicators:
        for figure in (*assessed.areas, assessed.force):
            assert figure.change is None
            assert figure.no_change_reason
            if not assessed.info.is_person_based:
                assert "do not cover the 12 months to November 2009" in figure.no_change_reason


def test_counts_compare_as_rates_per_day_and_ratios_of_people_are_not_tested() -> None:
    judged = judge(NOW, BEFORE)
    incidents = judged.indicator("incidents")
    assert incidents.info.higher_is_better is None
    assert incidents.area("A1").change == 20
    assert incidents.area("A1").change_percent == pytest.approx(0.2)
    assert incidents.area("A1").assessment is None  # no better direction: not judged
    assert incidents.area("A1").wilson_lower is None  # not a proportion


def test_the_funnel_judges_each_area_by_the_limits_at_its_denominator() -> None:
    sd = judge(NOW, BEFORE).indicator("sd_rate")
    assert sd.funnel.available
    expected = comparison.compare(
        [
            comparison.AreaCounts(c, AREAS[c], *nd)
            for c, nd in {"A1": (60, 100), "B2": (300, 1000), "C3": (5, 10)}.items()
        ],
        365 / 1110,
    )
    for area, want in zip(sorted(sd.areas, key=lambda f: f.area_code), expected.areas, strict=True):
        assert area.flag == want.flag.value
        assert area.lower_998 == (want.limits.lower_998 if want.limits else None)
    drawn = {p.n: p for p in sd.funnel.curve}
    for area in sd.areas:  # the curve passes through each area's own denominator
        assert drawn[area.denominator].lower_95 == area.lower_95
    assert sd.outside_998 == sum(a.flag in ("above_998", "below_998") for a in sd.areas)
    # a count has no funnel plot
    assert judge(NOW, BEFORE).indicator("incidents").funnel.available is False


def test_person_based_figures_carry_their_look_back_caveat_and_no_monthly_trend() -> None:
    short = judge(NOW, BEFORE, first=dt.date(2009, 6, 1))
    repeat = short.indicator("repeat_victim_rate")
    assert repeat.trend == () and repeat.trend_note == assessment.NO_MONTHLY_TREND
    assert repeat.force.history_caveat and "understated" in repeat.force.history_caveat
    assert repeat.force.change is None and not short.has_previous
    assert "do not cover" in (repeat.force.no_change_reason or "")
    # the previous year held, but its own look-back is not: no comparable figure, and why
    held = judge(NOW, BEFORE, first=HELD_FROM).indicator("repeat_victim_rate")
    assert held.force.history_caveat is None
    assert held.force.no_comparison and held.force.change is None
    assert held.force.no_change_reason == held.force.no_comparison


def test_monthly_series_add_up_to_the_force_trend() -> None:
    months = [
        rate(area, "sd_rate", n, d, month=m)
        for m, figures in {
            "2009-12": {"A1": (5, 10), "B2": (20, 90)},
            "2010-01": {"A1": (7, 9), "B2": (25, 80), "C3": (1, 2)},
        }.items()
        for area, (n, d) in figures.items()
    ]
    sd = judge(NOW, BEFORE, by_month=months).indicator("sd_rate")
    assert len(sd.trend) == 12  # every month of the period, empty ones as 0 of 0
    assert (sd.trend[0].numerator, sd.trend[0].denominator) == (25, 100)
    assert (sd.trend[1].numerator, sd.trend[1].denominator) == (33, 91)
    assert sd.trend[2].value is None
    assert [m.label for m in sd.trend[:2]] == ["Dec 2009", "Jan 2010"]
    alpha = sd.area("A1")
    assert [m.value for m in alpha.series[:2]] == [0.5, 7 / 9]


def test_the_objects_are_frozen_and_the_rows_flat() -> None:
    judged = judge(NOW, BEFORE)
    with pytest.raises(dataclasses.FrozenInstanceError):
        judged.indicator("sd_rate").force.value = 1.0  # type: ignore[misc]
    rows = assessment.records(judged, indicator="sd_rate")
    assert [r["area_code"] for r in rows] == ["A1", "B2", "C3", FORCE_CODE]  # by name, then ALL
    assert all(tuple(r) == assessment.RECORD_COLUMNS for r in rows)
    assert rows[0]["limits"] == judged.indicator("sd_rate").funnel.method
    card = judged.scorecard("B2")
    assert [row.info.id for row in card] == [i.info.id for i in judged.indicators]
    assert card[0].figure.area_code == "B2"


def test_reporting_periods_offer_years_then_quarters_latest_first() -> None:
    choices = reporting_periods(dt.date(2009, 4, 1), dt.date(2010, 11, 1))
    assert [c.key for c in choices[:3]] == ["12m-2010-11", "12m-2010-10", "12m-2010-09"]
    assert choices[0].previous == Period(dt.date(2008, 12, 1), dt.date(2009, 12, 1))
    assert not choices[0].has_previous(dt.date(2009, 4, 1))
    assert choices[0].slug == "12-months-to-2010-11"
    quarters = [c for c in choices if c.key.startswith("3m-")]
    assert quarters[0].period == Period(dt.date(2010, 9, 1), dt.date(2010, 12, 1))
    assert reporting_periods(None, None) == ()
