"""Whether a report's figures are dsvb's own figures for the borough and period.

:class:`ComparisonData` holds what a figure is compared with, for one borough, family and
period: dsvb's own computation from the store's records (the typed assessment,
:func:`dsvb.indicators.assessment.assess_store`) and the figures of published returns held
in the store for the same borough and period (:func:`dsvb.indicators.from_returns`), among
them rates a return prints for a period of its own ("last 3 years", "2007-04 to 2007-07").
dsvb's computation is preferred; a published return is the fall-back.

A count matches when it is the same number. A percentage or rate matches when the data's
exact value prints as the report's figure does (the report's printing habits, as in
:mod:`arithmetic`), or, for a published rate printed without its counts, when the two
printed figures can stand for one true value. The difference is shown either way: the count
stated minus the data's, or percentage points.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from dsvb.indicators.definitions import INDICATORS
from dsvb.ingest.returns.precision import printed_figure
from dsvb.oversight.report_check import labels
from dsvb.oversight.report_check.arithmetic import printed, show_value
from dsvb.oversight.report_check.figures import COUNT, PERCENTAGE, StatedFigure

__all__ = [
    "COMPUTED",
    "ComparisonData",
    "DataComparison",
    "DataFigure",
    "compare",
    "from_assessment",
    "from_returns",
]

COMPUTED = "dsvb"


@dataclass(frozen=True)
class DataFigure:
    """One figure of the data: an indicator's (or count's) numerator and denominator, or a
    published rate printed without its counts (``printed``). ``period`` is "" for the
    comparison's period, else the period of its own ("last 3 years"). ``source`` is
    :data:`COMPUTED` or the published return's file name."""

    indicator: str
    numerator: float | None
    denominator: float | None
    source: str
    period: str = ""
    printed: str | None = None

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None or self.printed is not None

    def shown(self) -> str:
        if self.printed is not None and self.numerator is None:
            return self.printed
        if self.denominator is None:
            return show_value(self.numerator or 0)
        if not self.denominator or self.numerator is None:
            return "no figure"
        value = self.numerator / self.denominator
        kind = INDICATORS[self.indicator].kind if self.indicator in INDICATORS else "proportion"
        if kind == "ratio":
            return f"{show_value(self.numerator)} / {show_value(self.denominator)} = {value:.2f}"
        return f"{show_value(self.numerator)} / {show_value(self.denominator)} = {value * 100:.2f}%"


@dataclass(frozen=True)
class ComparisonData:
    """What a report's figures are compared with: one borough, family and period
    ``[period_from, period_to)``; ``notes`` say what could not be had (no records for the
    period in the store, no published return for it)."""

    area_code: str
    area_name: str
    family: str
    period_from: dt.date
    period_to: dt.date
    figures: tuple[DataFigure, ...]
    notes: tuple[str, ...] = ()

    def find(self, indicator: str, period: str = "") -> DataFigure | None:
        """The data's figure for an indicator or count: dsvb's own first, then published."""
        found = [f for f in self.figures if f.indicator == indicator and f.period == period]
        found.sort(key=lambda f: f.source != COMPUTED)
        usable = [f for f in found if f.numerator is not None or f.printed is not None]
        return usable[0] if usable else None

    @property
    def label(self) -> str:
        last = self.period_to - dt.timedelta(days=1)
        return f"{self.area_name}, {self.family}, {self.period_from} to {last}"

    def is_report_period(self, phrase: str) -> bool:
        """Whether a period the words state is the comparison's own (``2006-04 to 2007-03``)."""
        last = self.period_to - dt.timedelta(days=1)
        return phrase == f"{self.period_from:%Y-%m} to {last:%Y-%m}"


@dataclass(frozen=True)
class DataComparison:
    matches: bool
    data: DataFigure
    difference: str
    explanation: str


def from_assessment(judged: Any, area_code: str) -> list[DataFigure]:
    """dsvb's figures for one area from an :class:`~dsvb.indicators.assessment.Assessment`:
    every indicator's, and its numerator's and denominator's counts."""
    out: dict[str, DataFigure] = {}
    for assessed in judged.indicators:
        try:
            figure = assessed.area(area_code)
        except (KeyError, LookupError):
            continue
        ind = INDICATORS[assessed.info.id]
        out[ind.id] = DataFigure(ind.id, figure.numerator, figure.denominator, COMPUTED)
        out.setdefault(ind.numerator, DataFigure(ind.numerator, figure.numerator, None, COMPUTED))
        if ind.denominator is not None and figure.denominator is not None:
            out.setdefault(
                ind.denominator, DataFigure(ind.denominator, figure.denominator, None, COMPUTED)
            )
    return list(out.values())


def from_returns(
    returns: Iterable[Any], area_code: str, family: str, start: dt.date, end: dt.date
) -> list[DataFigure]:
    """The figures of published returns (:class:`~dsvb.ingest.returns.PublishedReturn`) for
    one area and family whose period is ``[start, end)`` (a return's period_end is its last
    day); a figure with a period of its own keeps it, in :func:`labels.period_phrase`'s
    spelling."""
    from dsvb.indicators.from_returns import indicators_from_return

    out: list[DataFigure] = []
    for ret in returns:
        if ret.period_start != start or ret.period_end is None:
            continue
        if ret.period_end + dt.timedelta(days=1) != end:
            continue
        for r in indicators_from_return(ret):
            if r.area_code != area_code or r.family != family:
                continue
            cut = r.cut("period") or ""
            period = "" if cut in ("", ret.period_label) else (labels.period_phrase(cut) or cut)
            extra = dict(r.extra)
            text = extra.get("published_text") if extra.get("check") == "published_only" else None
            out.append(
                DataFigure(r.indicator, r.numerator, r.denominator, ret.source_name, period, text)
            )
    return out


def _points(diff: float, unit: str) -> str:
    text = f"{diff:+.1f}"
    return f"{'0.0' if text in ('+0.0', '-0.0') else text}{unit}"


def compare(f: StatedFigure, data: DataFigure) -> DataComparison | None:
    """The stated figure against the data's, or None when they are not alike (a count
    against a rate)."""
    where = "dsvb's figure" if data.source == COMPUTED else f"the published return {data.source}"
    if f.kind == COUNT:
        if data.is_rate or data.numerator is None:
            return None
        diff = f.value - data.numerator
        same = diff == 0
        return DataComparison(
            same,
            data,
            "0" if same else f"{diff:+,.0f}",
            f"{where} is {data.shown()}"
            + ("" if same else f": the report states {show_value(f.value)}"),
        )
    shown = printed(f)
    if shown is None or not data.is_rate:
        return None
    scale = 100 if f.kind == PERCENTAGE else 1
    unit = " points" if f.kind == PERCENTAGE else ""
    if data.numerator is not None and data.denominator:
        value = Fraction(data.numerator) / Fraction(data.denominator)
        same = shown.admits(value)
        diff = float(shown.shown - value) * scale
        return DataComparison(
            same,
            data,
            _points(diff, unit),
            f"{where} is {data.shown()}, which "
            + ("prints as " if same else "does not print as ")
            + f"{f.figure} ({shown.how()})",
        )
    if data.printed is not None:
        other = printed_figure(data.printed)
        if other is None:
            return None
        same = shown.meets(other)
        diff = float(shown.shown - other.shown) * scale
        return DataComparison(
            same,
            data,
            _points(diff, unit),
            f"{where} prints {data.printed} (its counts not published)",
        )
    return None
