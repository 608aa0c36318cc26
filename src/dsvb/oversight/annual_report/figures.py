"""The figures: the counts the report is made from, and the one controlled table it prints.

:class:`Figures` are read from assessments or from published returns; :func:`printed` puts
them through the publication policy once (:func:`controlled_table`, the same call a release
makes) and gives the cells every table, chart and sentence of the report reads. Separate
because it is the one place the disclosure rule is applied: everything else only reads a
:class:`Printed`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dsvb.indicators import formatting
from dsvb.indicators.definitions import FAMILIES, INDICATORS
from dsvb.indicators.model import Period
from dsvb.indicators.results import FORCE_CODE, IndicatorResult
from dsvb.reports import disclosure, publication
from dsvb.reports.disclosure import Policy, PublishedCell, PublishedTable

if TYPE_CHECKING:
    from dsvb.indicators.assessment import Assessment
    from dsvb.ingest.returns import PublishedReturn


@dataclass(frozen=True)
class Figures:
    """Exact figures for the report's period: one row per area (and a force row, ``ALL``),
    family and indicator. ``units`` are the codes of rows that are investigating units
    rather than boroughs (SCD2, …: in published returns; the store has none)."""

    period: Period
    results: tuple[IndicatorResult, ...]
    units: tuple[str, ...] = ()
    source: str = "police records held by the board (dsvb)"


def figures_from_assessments(assessments: Iterable[Assessment]) -> Figures:
    """The figures of typed assessments (:func:`dsvb.indicators.assessment.assess_store`, one
    per family, one period): each area's and the force's numerator and denominator."""
    results: list[IndicatorResult] = []
    period: Period | None = None
    for judged in assessments:
        if period is not None and judged.period.period != period:
            raise ValueError("the assessments of an annual report are of one period")
        period = judged.period.period
        for ia in judged.indicators:
            for figure in (*ia.areas, ia.force):
                results.append(
                    IndicatorResult(
                        figure.area_code,
                        figure.area_name,
                        judged.family,
                        ia.info.id,
                        figure.numerator,
                        figure.denominator,
                        is_rate=ia.info.is_rate,
                    )
                )
    if period is None:
        raise ValueError("an annual report needs at least one family's assessment")
    return Figures(period, tuple(results))


def figures_from_returns(returns: Iterable[PublishedReturn]) -> Figures:
    """The figures of published returns of one period (the force's tables, read with
    :func:`dsvb.ingest.returns.read_return`): borough rows, investigating units as rows of
    their own, the force total; subtotals (borough total, non-borough total) are left out
    (they are sums of rows shown)."""
    import datetime as dt

    from dsvb.indicators.from_returns import indicators_from_return

    results: list[IndicatorResult] = []
    sources: list[str] = []
    units: list[str] = []
    period: Period | None = None
    for ret in returns:
        if ret.period_start is None or ret.period_end is None:
            raise ValueError(f"{ret.source_name}: the return's period is not known")
        this = Period(ret.period_start, ret.period_end + dt.timedelta(days=1))
        if period is not None and this != period:
            raise ValueError(
                f"{ret.source_name}: the returns of an annual report are of one period"
            )
        period = this
        for r in indicators_from_return(ret):
            if r.indicator not in INDICATORS or any(k not in ("unit",) for k, _ in r.cuts):
                continue
            if r.numerator is None:  # a rate printed without its counts: no figure to show
                continue
            unit = r.cut("unit")
            if r.family not in FAMILIES:
                continue
            if unit in (None, "BOROUGH") and r.area_code != FORCE_CODE:
                results.append(_uncut(r, r.area_code, r.area_name))
            elif unit in (None, "ALL") and r.area_code == FORCE_CODE:
                results.append(_uncut(r, FORCE_CODE, r.area_name))
            elif unit not in (None, "BOROUGH", "ALL", "SPECIALIST"):
                if unit not in units:
                    units.append(unit)
                results.append(_uncut(r, unit, r.area_name))
            else:
                continue
            sources.append(ret.source_name)
    if period is None:
        raise ValueError("an annual report needs at least one return")
    # a figure printed twice (in one return, or in two) must agree: never pick one silently
    unique: dict[tuple, tuple[IndicatorResult, str]] = {}
    for r, source in zip(results, sources, strict=True):
        seen = unique.setdefault(r.key(), (r, source))
        if (seen[0].numerator, seen[0].denominator) != (r.numerator, r.denominator):
            raise ValueError(
                f"{r.indicator} ({r.family}) for {r.area_name} is {seen[0].numerator}/"
                f"{seen[0].denominator} in {seen[1]} but {r.numerator}/{r.denominator} in "
                f"{source}"
            )
    kept = tuple(r for r, _ in unique.values())
    return Figures(period, kept, tuple(units), "published returns")


def _uncut(r: IndicatorResult, code: str, name: str) -> IndicatorResult:
    return IndicatorResult(code, name, r.family, r.indicator, r.numerator, r.denominator, r.is_rate)


def controlled_table(figures: Figures, policy: Policy | None) -> PublishedTable:
    """The one table every figure of the report is read from.

    Under a policy: the figures a release publishes (:func:`publication.public_results`),
    controlled together by :func:`disclosure.apply` — the call a release of the same figures
    makes, so the same cells are withheld — and audited; a table the audit faults is refused.
    With no policy: every figure exact (an internal draft)."""
    chosen = publication.public_results(list(figures.results))
    if policy is None:
        return PublishedTable(Policy(), tuple(_exact(r) for r in chosen))
    table = disclosure.apply(chosen, policy)
    found = disclosure.audit(chosen, table)
    if found:
        raise disclosure.DisclosureError(
            f"the annual report's tables would give {len(found)} small figure(s) away: "
            + "; ".join(d.describe() for d in found[:3])
        )
    return table


def _whole(value: float | None) -> int | None:
    return None if value is None else round(value)


def _exact(r: IndicatorResult) -> PublishedCell:
    indicator = INDICATORS[r.indicator]
    return PublishedCell(
        r.family,
        r.indicator,
        r.area_code,
        r.area_name,
        indicator.denominator is not None,
        _whole(r.numerator),
        _whole(r.denominator) if indicator.denominator is not None else None,
        r.numerator is None or (indicator.denominator is not None and r.denominator is None),
        r.area_code == FORCE_CODE,
    )


class Printed:
    """The controlled table as the report reads it (:func:`printed`); remembers every cell
    it shows, so that :func:`tables_csv` writes exactly what the report printed."""

    def __init__(self, table: PublishedTable, figures: Figures, force_name: str) -> None:
        self.table = table
        self.figures = figures
        self.force_name = force_name
        self.used: dict[tuple[str, str, str], PublishedCell] = {}

    def cell(self, family: str, indicator: str, area: str = FORCE_CODE) -> PublishedCell | None:
        found = self.table.get(family, indicator, area)
        if found is not None:
            self.used[(family, indicator, area)] = found
        return found

    def count(self, family: str, indicator: str, area: str = FORCE_CODE) -> int | None:
        """The numerator of ``indicator`` (a count, or a rate's part): None when withheld or
        not held."""
        c = self.cell(family, indicator, area)
        return None if c is None else c.numerator

    def denominator(self, family: str, indicator: str, area: str = FORCE_CODE) -> int | None:
        c = self.cell(family, indicator, area)
        return None if c is None else c.denominator

    def rate(self, family: str, indicator: str, area: str = FORCE_CODE) -> float | None:
        c = self.cell(family, indicator, area)
        return None if c is None or c.suppressed else c.value

    def areas(self, family: str, *, units: bool = True) -> list[tuple[str, str]]:
        """(code, name) of the rows below force level: boroughs by name, then units."""
        rows = {
            (c.area_code, c.area_name)
            for c in self.table.cells
            if c.family == family and not c.force_level
        }
        boroughs = sorted((a for a in rows if a[0] not in self.figures.units), key=lambda a: a[1])
        unit_rows = [a for u in self.figures.units for a in rows if a[0] == u]
        return boroughs + (unit_rows if units else [])

    def families(self) -> list[str]:
        return self.table.families()


def printed(figures: Figures, policy: Policy | None, force_name: str = "MPS") -> Printed:
    """The figures as the report prints them: under ``policy`` (exact when None)."""
    return Printed(controlled_table(figures, policy), figures, force_name)


def _count_text(value: int | None) -> str:
    return disclosure.SUPPRESSED if value is None else formatting.count(value)


def _cell_text(cell: PublishedCell | None) -> str:
    return publication.shown(cell).text


def _part_text(view: Printed, family: str, indicator: str, area: str) -> str:
    """A count as a table prints it: the count, [c] when withheld, – when not held (a
    return that does not print it, or prints it garbled)."""
    cell = view.cell(family, indicator, area)
    return formatting.DASH if cell is None else _count_text(cell.numerator)
