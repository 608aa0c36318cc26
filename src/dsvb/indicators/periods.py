"""Reporting periods: which periods a store's months offer, and what an asked-for period is.

One definition for the pages (the period menus), the assessment (a period and the one before
it), the CLI (``--from``/``--to`` with open ends filled from the months held) and exports.
A period is half-open ``[start, end)`` of whole Europe/London dates
(:class:`dsvb.indicators.model.Period`); the menus offer 12-month periods, then quarters,
wholly within the months held, latest first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dsvb.indicators.model import Period, add_months

__all__ = [
    "MAX_YEARS_OFFERED",
    "DataOutsidePeriod",
    "NoDataHeld",
    "PeriodError",
    "ReportingPeriod",
    "choose",
    "month_label",
    "months_label",
    "months_of",
    "reporting_periods",
    "resolve",
]

MAX_YEARS_OFFERED = 24  # rolling 12-month periods offered in the menus


class PeriodError(ValueError):
    """A period cannot be had from the data: the message says why, in the user's words."""


class NoDataHeld(PeriodError):
    """The data hold no months at all (nothing imported, or an empty extract)."""


class DataOutsidePeriod(PeriodError):
    """An end given alone leaves nothing of the data before or after it."""


def _month_name(day: dt.date) -> str:
    return day.strftime("%B %Y")


@dataclass(frozen=True)
class ReportingPeriod:
    """A period as the menus offer it: a key for URLs (``12m-2010-11``, ``3m-2010-09``), a
    label in words, the period, and the period of the same length before it."""

    key: str
    label: str
    period: Period

    @classmethod
    def of(cls, period: Period) -> ReportingPeriod:
        """Any period given by its dates (the CLI's ``--from``/``--to``), compared with the
        period of the same number of whole months before it."""
        last = period.end - dt.timedelta(days=1)
        return cls(
            f"{period.start.isoformat()}..{period.end.isoformat()}",
            f"{period.start:%-d %B %Y} to {last:%-d %B %Y}",
            period,
        )

    @property
    def months(self) -> int:
        p = self.period
        return (p.end.year - p.start.year) * 12 + (p.end.month - p.start.month)

    @property
    def previous(self) -> Period:
        return self.period.shifted_back(max(1, self.months))

    @property
    def previous_label(self) -> str:
        """The previous period in words: ``12 months to November 2009``."""
        return months_label(self.previous)

    def has_previous(self, first_month: dt.date | None) -> bool:
        """The previous period lies wholly within the months held (from ``first_month``)."""
        return first_month is not None and self.previous.start >= first_month

    @property
    def slug(self) -> str:
        """For file names: ``12-months-to-2010-11``."""
        months, _, end = self.key.partition("-")
        return f"{months.rstrip('m')}-months-to-{end}"


def months_of(period: Period) -> list[str]:
    """The months of a period as ``YYYY-MM`` (the engine's month cut)."""
    out, day = [], dt.date(period.start.year, period.start.month, 1)
    while day < period.end:
        out.append(f"{day:%Y-%m}")
        day = add_months(day, 1)
    return out


def month_label(month: str) -> str:
    """``2010-11`` as ``Nov 2010``."""
    return dt.date.fromisoformat(f"{month}-01").strftime("%b %Y")


def months_label(period: Period) -> str:
    """A whole-month period in words: ``12 months to November 2009``."""
    last = add_months(period.end, -1)
    return f"{len(months_of(period))} months to {_month_name(last)}"


def reporting_periods(
    first_month: dt.date | None, last_month: dt.date | None
) -> tuple[ReportingPeriod, ...]:
    """12-month periods, then quarters, wholly within the months held (``first_month`` to
    ``last_month``, first days of months), latest first. Data of less than a year still
    offer their latest 12 months, named as partial, so that there is a yearly view."""
    if first_month is None or last_month is None:
        return ()
    first, last = first_month, last_month
    choices: list[ReportingPeriod] = []
    end = add_months(last, 1)
    while add_months(end, -12) >= first and len(choices) < MAX_YEARS_OFFERED:
        choices.append(
            ReportingPeriod(
                f"12m-{add_months(end, -1):%Y-%m}",
                f"12 months to {_month_name(add_months(end, -1))}",
                Period(add_months(end, -12), end),
            )
        )
        end = add_months(end, -1)
    if not choices:
        end = add_months(last, 1)
        choices.append(
            ReportingPeriod(
                f"12m-{last:%Y-%m}",
                f"12 months to {_month_name(last)} (partial: data from {_month_name(first)})",
                Period(add_months(end, -12), end),
            )
        )
    quarter_end = add_months(last, 1)
    while add_months(quarter_end, -3) >= first:
        start = add_months(quarter_end, -3)
        choices.append(
            ReportingPeriod(
                f"3m-{add_months(quarter_end, -1):%Y-%m}",
                f"3 months to {_month_name(add_months(quarter_end, -1))}",
                Period(start, quarter_end),
            )
        )
        quarter_end = start
    return tuple(choices)


def choose(key: str | None, choices: tuple[ReportingPeriod, ...]) -> ReportingPeriod | None:
    """The period for a key (from a URL); the latest 12 months when the key is unknown."""
    for choice in choices:
        if choice.key == key:
            return choice
    return choices[0] if choices else None


def _held_text(held: Period) -> str:
    first, last = held.start, add_months(held.end, -1)
    return f"{first:%Y-%m}" if first == last else f"{first:%Y-%m} to {last:%Y-%m}"


def resolve(
    start: dt.date | None, end: dt.date | None, held: Period | None, where: str = "the store"
) -> Period:
    """The period asked for (``--from``/``--to``), open ends filled from the months the data
    hold (``held``). Raises :class:`NoDataHeld` when an open end cannot be filled, and
    :class:`DataOutsidePeriod` when an end given alone leaves nothing of the data."""
    if start is not None and end is not None:
        return Period(start, end)
    if held is None:
        raise NoDataHeld(
            f"{where} holds no incidents or crimes"
            + ("; import an extract first" if where == "the store" else "")
        )
    if start is not None and start >= held.end:
        raise DataOutsidePeriod(
            f"--from {start} is after the data: {where} holds months {_held_text(held)}; "
            "give an earlier --from, or --to as well"
        )
    if end is not None and end <= held.start:
        raise DataOutsidePeriod(
            f"--to {end} is before the data: {where} holds months {_held_text(held)}; "
            "give a later --to, or --from as well"
        )
    return Period(start or held.start, end or held.end)


def held_text(held: Period) -> str:
    """The months held in words for messages: ``2009-04 to 2010-11``."""
    return _held_text(held)
