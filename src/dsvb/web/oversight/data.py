"""The figures the cycle's papers rest on, for a family and any period of dates (a brief's,
a session's, a year's), through the performance pages' cache: the same typed assessment
(and equality analysis) the scorecards show, so a brief, a finding and a scorecard cannot
disagree about a borough's figure.
"""

from __future__ import annotations

import datetime as dt

from dsvb.equality.analysis import EqualityAnalysis
from dsvb.indicators.assessment import Assessment
from dsvb.indicators.model import Period
from dsvb.indicators.periods import ReportingPeriod
from dsvb.web.performance import data, figures
from dsvb.web.performance import equality as equality_cache


def period(start: dt.date, last_day: dt.date) -> ReportingPeriod:
    """The reporting period from ``start`` to ``last_day`` inclusive (the papers' way of
    giving dates), as the engine counts it (end exclusive)."""
    return ReportingPeriod.of(Period(start, last_day + dt.timedelta(days=1)))


def selection(family: str, start: dt.date, last_day: dt.date) -> figures.Selection | None:
    """The performance pages' selection for any period; None when the store holds no data.
    A period the store holds only part of is still assessed (the figures say so)."""
    current = data.state()
    if current.version == 0 or current.first_month is None:
        return None
    return figures.Selection(current, family, period(start, last_day))


def assessment(family: str, start: dt.date, last_day: dt.date) -> Assessment | None:
    """Every indicator of ``family`` for the period, every borough and the force (cached per
    store version); None when the store holds no data."""
    sel = selection(family, start, last_day)
    return figures.assessment(sel) if sel is not None else None


def equality(start: dt.date, last_day: dt.date, family: str = "dv") -> EqualityAnalysis | None:
    """The equality analysis for the period (cached per store version); None without data."""
    sel = selection(family, start, last_day)
    return equality_cache.analysis(sel) if sel is not None else None


def period_of_year(year: int, months: int = 12) -> tuple[dt.date, dt.date] | None:
    """The annual report's default period: the ``months`` whole months ending with the last
    month the store holds up to the end of ``year`` (the 2010 report: "12 months to November
    2010"); None when the store holds no month in ``year`` -- never another year's figures."""
    current = data.state()
    if current.last_month is None or current.first_month is None:
        return None
    last = min(current.last_month.replace(day=1), dt.date(year, 12, 1))
    if last.year != year or last < current.first_month.replace(day=1):
        return None
    next_month = (last + dt.timedelta(days=32)).replace(day=1)
    start_month0 = next_month.year * 12 + next_month.month - 1 - months
    start = dt.date(start_month0 // 12, start_month0 % 12 + 1, 1)
    return max(start, current.first_month), next_month - dt.timedelta(days=1)


def latest_period(months: int = 12) -> tuple[dt.date, dt.date] | None:
    """The latest ``months`` whole months the store holds (first day, last day): the
    default period of a new brief or annual report."""
    current = data.state()
    if current.last_month is None or current.first_month is None:
        return None
    end = current.last_month.replace(day=1)
    next_month = (end + dt.timedelta(days=32)).replace(day=1)
    start_month0 = next_month.year * 12 + next_month.month - 1 - months
    start = dt.date(start_month0 // 12, start_month0 % 12 + 1, 1)
    start = max(start, current.first_month)
    return start, next_month - dt.timedelta(days=1)
