"""Caveats on person-based figures: how much history their look-back has.

Person-based indicators (repeat victims, repeat cautions: docs/decisions/0004) look back
before the period. When the look-back reaches before the first month the store holds, the
figure misses earlier offences or cautions and is understated; every page, download and
publication that shows such a figure says so, in the words given here (one definition).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dsvb.indicators.definitions import COUNTS, INDICATORS
from dsvb.indicators.engine import IndicatorQuery
from dsvb.indicators.model import Period, add_months

__all__ = ["PERSON_SOURCES", "WINDOW_MONTHS", "HistoryGap", "history_gap", "person_source"]

PERSON_SOURCES = ("victims", "cautioned_offenders", "suspects")  # sources whose rows are people
WINDOW_MONTHS = IndicatorQuery().window_months  # the repeat look-back of the usual queries


@dataclass(frozen=True)
class HistoryGap:
    """Why a person-based figure for a period misses history: its look-back reaches before
    the first month the store holds. ``text`` is a sentence; ``short`` fits a table cell."""

    text: str
    short: str


def person_source(indicator_id: str) -> str | None:
    """``victims``, ``cautioned_offenders`` or ``suspects`` for a person-based indicator
    (people counted once each, in the month of their latest offence), else None."""
    source = COUNTS[INDICATORS[indicator_id].numerator].source
    return source if source in PERSON_SOURCES else None


def history_gap(
    indicator_id: str,
    period: Period,
    first_month: dt.date | None,
    window_months: int = WINDOW_MONTHS,
) -> HistoryGap | None:
    """The gap in a person-based figure's look-back for ``period``; None when the look-back
    lies wholly within the months held (or the indicator is not person-based).

    Repeat victims look back ``window_months`` before each offence, so the look-back starts
    that many months before the period. Repeat cautions look back over all history, so
    cautions before the first month held are never seen.
    """
    source = person_source(indicator_id)
    if source is None or first_month is None:
        return None
    if source == "suspects" or INDICATORS[indicator_id].numerator == source:
        return None  # people counted once each: no look-back (only repeats look back)
    first = f"{first_month:%B %Y}"
    if source == "cautioned_offenders":
        return HistoryGap(
            f"Cautions before {first}, the first month of data held, are not seen, so this "
            "figure is understated.",
            f"understated: cautions before {first_month:%b %Y} are not seen",
        )
    start = add_months(period.start, -window_months)
    if start >= first_month:
        return None
    if INDICATORS[indicator_id].kind == "ratio":  # missing history removes repeat victims
        effect, short = (
            "so repeat victims and their earlier offences are undercounted and this figure "
            "is unreliable",
            "unreliable: look-back reaches before the data held",
        )
    else:
        effect, short = (
            "so this figure is understated",
            "understated: look-back reaches before the data held",
        )
    return HistoryGap(
        f"The {window_months}-month look-back reaches back to {start:%B %Y}, before the first "
        f"month of data held ({first}), {effect}.",
        short,
    )
