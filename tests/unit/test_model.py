"""Periods, months and queries."""

from __future__ import annotations

import datetime as dt

import pytest

from dsvb.indicators.engine import IndicatorQuery, UnknownCut
from dsvb.indicators.model import Period, add_months


def test_period_bounds_are_london_midnights_in_utc() -> None:
    winter = Period(dt.date(2010, 1, 1), dt.date(2010, 7, 1))
    assert winter.start_utc == dt.datetime(2010, 1, 1, 0, 0)
    assert winter.end_utc == dt.datetime(2010, 6, 30, 23, 0)  # BST


def test_period_must_not_be_empty() -> None:
    with pytest.raises(ValueError, match="must be after"):
        Period(dt.date(2010, 1, 1), dt.date(2010, 1, 1))


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2010, 1, 31), 1, dt.date(2010, 2, 28)),
        (dt.date(2010, 3, 15), -12, dt.date(2009, 3, 15)),
        (dt.date(2010, 12, 1), 1, dt.date(2011, 1, 1)),
        (dt.date(2012, 2, 29), 12, dt.date(2013, 2, 28)),
    ],
)
def test_add_months(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


def test_query_reads_cut_aliases_and_rejects_unknown_ones() -> None:
    q = IndicatorQuery(by=("area", "sex", "age_band"))
    assert q.by == ("area", "victim_sex", "victim_age_band")
    with pytest.raises(UnknownCut, match="shoe_size"):
        IndicatorQuery(by=("shoe_size",))
    with pytest.raises(ValueError, match="unknown family"):
        IndicatorQuery(families=("burglary",))
    with pytest.raises(ValueError, match="unknown indicator"):
        IndicatorQuery(indicators=("happiness",))


def test_open_period_ends_are_filled_from_the_data() -> None:
    data = Period(dt.date(2009, 12, 1), dt.date(2010, 12, 1))
    q = IndicatorQuery(start=dt.date(2010, 4, 1))
    assert q.period(data) == Period(dt.date(2010, 4, 1), dt.date(2010, 12, 1))
    assert IndicatorQuery().period(None) is None
