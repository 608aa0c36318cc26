"""The assessment of a family and period: every area's figures, judged. One call, typed.

:func:`assess` takes the engine's results for a period (by area, by area and month, and by
area for the period before) and gives, for every indicator of the family, the force's and
each borough's figure with its change on the previous period (and whether that change is
more than chance), whether the target is met, the Wilson interval, the funnel-plot position
against the force rate, the rank, and the caveats of person-based figures; plus the funnel's
limits for drawing, the force trend by month and each area's monthly series. The pages, their
exports, the CLI (``dsvb assess``) and the coming board's cycle (briefs, letters, the annual
report) all read this one object, so they cannot disagree; nothing here knows about the web.

Every object is frozen. ``Figure.record()`` gives a figure as a flat mapping (the columns of
the exports and of ``dsvb assess``).

Person-based indicators (repeat victims, repeat cautions: docs/decisions/0004) look back
before the period. When the look-back reaches before the first month held, the figure is
marked (it misses earlier offences or cautions), a change on the previous period is given
only when the previous period's look-back is wholly held too, and there is no monthly trend:
each person is counted once, in the month of their latest offence, so a monthly series
drifts upward by construction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from dsvb import reference
from dsvb.indicators import caveats, comparison, statistics
from dsvb.indicators.caveats import HistoryGap
from dsvb.indicators.definitions import ALL_FAMILIES, COUNTS, FAMILIES, INDICATORS
from dsvb.indicators.engine import IndicatorQuery
from dsvb.indicators.formatting import percent
from dsvb.indicators.model import Period
from dsvb.indicators.periods import ReportingPeriod, month_label, months_label, months_of
from dsvb.indicators.results import FORCE_CODE, IndicatorResult
from dsvb.indicators.statistics import Overdispersion

__all__ = [
    "NO_MONTHLY_TREND",
    "NO_MONTHLY_TREND_REASON",
    "NO_MONTHLY_TREND_SHORT",
    "Assessment",
    "CurvePoint",
    "Figure",
    "Funnel",
    "IndicatorAssessment",
    "IndicatorInfo",
    "MonthFigure",
    "ScorecardRow",
    "TargetInfo",
    "assess",
    "assess_store",
    "default_indicator",
    "indicator_info",
    "indicators_for",
    "queries",
]

PREFERRED_INDICATOR = "sd_rate"
FUNNEL_POINTS = 120  # points along each control-limit curve when not drawn at every denominator
DENSE_CURVE = 400  # up to this many denominators, the limits are drawn at every one, as steps
WINDOW_MONTHS = caveats.WINDOW_MONTHS  # the repeat look-back of the assessment's queries
NO_MONTHLY_TREND_REASON = (
    "each person is counted once, in the month of their latest offence in the period, so "
    "people counted in later months have had longer to come back and a monthly series drifts "
    "upward by construction"
)
NO_MONTHLY_TREND = f"No trend by month for this indicator: {NO_MONTHLY_TREND_REASON}."
NO_MONTHLY_TREND_SHORT = (
    "Not shown: each person is counted once, in the month of their latest offence"
)


# --- indicators -------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorInfo:
    """What the assessment needs to know of an indicator, from its one definition."""

    id: str
    label: str
    kind: str  # count | proportion | ratio
    higher_is_better: bool | None
    description: str
    numerator_label: str
    denominator_label: str | None
    numerator_short: str
    denominator_short: str | None
    person_source: str | None = None  # victims | cautioned_offenders | suspects: person-based
    # whether the numerator's records are some of the denominator's (same source): only then
    # is the rate a binomial proportion, with a Wilson interval and funnel-plot limits
    numerator_within_denominator: bool = True

    @property
    def is_person_based(self) -> bool:
        """Counts people, each once, looking back before the period for earlier offences."""
        return self.person_source is not None

    @property
    def is_rate(self) -> bool:
        return self.kind != "count"

    @property
    def is_proportion(self) -> bool:
        return self.kind == "proportion"

    @property
    def is_binomial(self) -> bool:
        """A proportion of its denominator's records: intervals and funnel limits apply."""
        return self.is_proportion and self.numerator_within_denominator

    @property
    def direction_text(self) -> str:
        if self.higher_is_better is None:
            return "no better direction: ranked highest first"
        return "higher is better" if self.higher_is_better else "lower is better"


def _short(count_id: str) -> str:
    return count_id.replace("_", " ").capitalize()


@cache
def indicator_info(indicator_id: str) -> IndicatorInfo:
    """The indicator's information, derived from its definition (cached)."""
    ind = INDICATORS[indicator_id]
    source = COUNTS[ind.numerator].source
    return IndicatorInfo(
        id=ind.id,
        label=ind.label,
        kind=ind.kind,
        higher_is_better=ind.higher_is_better,
        description=ind.description,
        numerator_label=COUNTS[ind.numerator].description,
        denominator_label=COUNTS[ind.denominator].description if ind.denominator else None,
        numerator_short=_short(ind.numerator),
        denominator_short=_short(ind.denominator) if ind.denominator else None,
        person_source=source if source in caveats.PERSON_SOURCES else None,
        numerator_within_denominator=comparison.numerator_within_denominator(ind.id),
    )


@cache
def indicators_for(family: str) -> tuple[IndicatorInfo, ...]:
    """The family's indicators, in definition order."""
    return tuple(indicator_info(i.id) for i in INDICATORS.values() if i.applies_to(family))


def default_indicator(family: str) -> str:
    """The indicator a page opens on: sanction detection rate, else the first proportion."""
    ids = [i.id for i in indicators_for(family)]
    if PREFERRED_INDICATOR in ids:
        return PREFERRED_INDICATOR
    return next((i.id for i in indicators_for(family) if i.is_proportion), ids[0])


# --- the objects --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthFigure:
    month: str  # YYYY-MM
    label: str  # Nov 2010
    numerator: float
    denominator: float | None
    value: float | None


@dataclass(frozen=True)
class TargetInfo:
    """The target in force on the period's last day (the one the force reports against), and
    when the period began under another one (or none), which."""

    value: float
    direction: str  # higher_is_better | lower_is_better
    source: str
    changed: str | None = None


@dataclass(frozen=True)
class Figure:
    """One area's (or the force's) figure for one indicator and period, judged.

    ``change`` is None when there is nothing to compare with; ``no_change_reason`` then says
    why in a sentence (no previous period held, no comparable figure, no figure at all), so
    no page or export shows an unexplained blank. ``assessment`` is 'better' / 'worse' for a
    change that is more than chance (95%, each direction at 2.5%), 'no significant change',
    'no change', or a direction marked 'not tested' for figures no test applies to.
    The funnel fields (``flag``, the limits) are set for areas of binomial proportions only.
    """

    area_code: str
    area_name: str
    numerator: float
    denominator: float | None
    value: float | None
    previous_numerator: float | None = None
    previous_denominator: float | None = None
    previous_value: float | None = None
    change: float | None = None
    change_percent: float | None = None
    assessment: str | None = None
    no_change_reason: str | None = None
    target_met: bool | None = None
    wilson_lower: float | None = None
    wilson_upper: float | None = None
    history_caveat: str | None = None
    history_caveat_short: str | None = None
    no_comparison: str | None = None
    no_comparison_short: str | None = None
    rank: int | None = None
    ranked: int | None = None
    flag: str | None = None  # comparison.Flag value, judged by the limits below
    lower_95: float | None = None
    upper_95: float | None = None
    lower_998: float | None = None
    upper_998: float | None = None
    exact_flag: str | None = None  # when widened: the flag against the limits for chance alone
    exact_lower_95: float | None = None
    exact_upper_95: float | None = None
    exact_lower_998: float | None = None
    exact_upper_998: float | None = None
    series: tuple[MonthFigure, ...] = ()

    def record(self) -> dict[str, Any]:
        """The figure as a flat mapping (no monthly series): a row of an export."""
        return {
            f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "series"
        }


@dataclass(frozen=True)
class CurvePoint:
    """The control limits at one denominator, for drawing the funnel."""

    n: int
    lower_95: float | None
    upper_95: float | None
    lower_998: float | None
    upper_998: float | None
    exact_lower_95: float | None = None
    exact_upper_95: float | None = None
    exact_lower_998: float | None = None
    exact_upper_998: float | None = None


@dataclass(frozen=True)
class Funnel:
    """The funnel plot of an indicator: the limits along the denominators, through every
    area's own (drawn as steps when few), the method the areas were judged by and the
    over-dispersion test; or why there is none."""

    available: bool
    target: float | None  # the force rate the limits are around
    curve: tuple[CurvePoint, ...] = ()
    steps: bool = False
    method: str | None = None  # exact | widened
    dispersion: Overdispersion | None = None
    reason: str = ""

    @property
    def widened(self) -> bool:
        return self.method == "widened"


@dataclass(frozen=True)
class IndicatorAssessment:
    """One indicator of the family for the period: the force, every borough, the funnel,
    the force's monthly trend (none for person-based figures, with ``trend_note`` saying
    why) and the target."""

    info: IndicatorInfo
    force: Figure
    areas: tuple[Figure, ...]
    funnel: Funnel
    trend: tuple[MonthFigure, ...]
    trend_note: str | None
    target: TargetInfo | None

    @property
    def indicator(self) -> str:
        return self.info.id

    @property
    def outside_998(self) -> int:
        """Boroughs outside the 99.8% limits (the ones they were judged by)."""
        return sum(a.flag in ("above_998", "below_998") for a in self.areas)

    def area(self, code: str) -> Figure:
        """The figure of one area (``ALL`` for the force)."""
        if code == FORCE_CODE:
            return self.force
        for figure in self.areas:
            if figure.area_code == code:
                return figure
        raise KeyError(code)


@dataclass(frozen=True)
class ScorecardRow:
    """One indicator on an area's scorecard: the area's figure beside the force's."""

    assessed: IndicatorAssessment
    figure: Figure

    @property
    def info(self) -> IndicatorInfo:
        return self.assessed.info

    @property
    def force_value(self) -> float | None:
        return self.assessed.force.value

    @property
    def target(self) -> TargetInfo | None:
        return self.assessed.target

    @property
    def trend_note(self) -> str | None:
        return self.assessed.trend_note


@dataclass(frozen=True)
class Assessment:
    """Every indicator of a family for a reporting period, for the force and every borough."""

    family: str
    period: ReportingPeriod
    first_month: dt.date | None  # the first month the data hold
    has_previous: bool  # the previous period lies wholly within the months held
    areas: tuple[tuple[str, str], ...]  # (code, name) of the boroughs, by name
    indicators: tuple[IndicatorAssessment, ...]

    @property
    def family_label(self) -> str:
        return FAMILIES[self.family].label

    @property
    def previous_label(self) -> str:
        return self.period.previous_label

    def indicator(self, indicator_id: str) -> IndicatorAssessment:
        for assessed in self.indicators:
            if assessed.info.id == indicator_id:
                return assessed
        raise KeyError(indicator_id)

    def scorecard(self, area_code: str) -> tuple[ScorecardRow, ...]:
        """Every indicator of the family for one area."""
        return tuple(ScorecardRow(a, a.area(area_code)) for a in self.indicators)

    def area_name(self, area_code: str) -> str:
        return dict(self.areas)[area_code]


# --- the queries --------------------------------------------------------------------------------


def queries(
    period: ReportingPeriod, has_previous: bool
) -> tuple[IndicatorQuery, IndicatorQuery | None, IndicatorQuery]:
    """The engine queries an assessment reads: every family by area for the period and the
    one before (when held), and by area and month for the period. Every family at once, so
    one set of results serves every family's assessment (and caches well)."""
    p, prev = period.period, period.previous
    by_area = IndicatorQuery(ALL_FAMILIES, p.start, p.end, by=("area",))
    previous = (
        IndicatorQuery(ALL_FAMILIES, prev.start, prev.end, by=("area",)) if has_previous else None
    )
    by_month = IndicatorQuery(ALL_FAMILIES, p.start, p.end, by=("area", "month"))
    return by_area, previous, by_month


# --- judging one figure -------------------------------------------------------------------------


def _value(info: IndicatorInfo, numerator: float | None, denominator: float | None) -> Any:
    if numerator is None:
        return None
    if not info.is_rate:
        return numerator
    if not denominator:
        return None
    return numerator / denominator


def _assess(
    info: IndicatorInfo, change: float | None, test: statistics.ChangeTest | None
) -> str | None:
    """'better' or 'worse' for a change that is more than chance (95%, each direction at
    2.5%), 'no significant change' for one that is not, 'no change' for none; for figures
    that cannot be tested (ratios, rates of other records) the direction alone, marked as
    untested. A significant change takes its direction from the test: counts over periods
    of different lengths are tested as rates per day, which can fall while the count rises."""
    if change is None or info.higher_is_better is None:
        return None
    if test is not None and test.significant:
        return "better" if (test.direction > 0) == info.higher_is_better else "worse"
    if change == 0:
        return "no change"
    direction = "better" if (change > 0) == info.higher_is_better else "worse"
    if test is None:
        return f"{direction}, not tested"
    return "no significant change"


def _significant(
    info: IndicatorInfo,
    numerator: float,
    denominator: float | None,
    previous_numerator: float,
    previous_denominator: float | None,
    days: tuple[int, int],
) -> statistics.ChangeTest | None:
    """The test of a change, for the figures a test applies to: proportions of their
    denominator's records (Fisher's exact test), and counts of records (not of people, nor
    ratios), compared as rates per day over the two periods' lengths ``days``."""
    if info.is_binomial:
        return statistics.change_test(
            numerator, denominator, previous_numerator, previous_denominator
        )
    if info.kind == "count" and not info.is_person_based:
        return statistics.change_test(
            numerator, None, previous_numerator, None, days=days[0], previous_days=days[1]
        )
    return None


@dataclass(frozen=True)
class _Comparing:
    """What every figure of an indicator shares about its previous period."""

    has_previous: bool  # the previous period is held
    gap: HistoryGap | None  # the figure's own look-back gap
    incomparable: HistoryGap | None  # why the previous figure does not compare
    previous_label: str
    days: tuple[int, int]

    @property
    def compare(self) -> bool:
        return self.has_previous and self.incomparable is None


def _measure(
    info: IndicatorInfo,
    code: str,
    name: str,
    now: IndicatorResult | None,
    before: IndicatorResult | None,
    comparing: _Comparing,
    target: reference.Target | None,
) -> dict[str, Any]:
    numerator = now.numerator if now else 0
    denominator = now.denominator if now else (0 if info.is_rate else None)
    value = _value(info, numerator, denominator)
    gap, incomparable = comparing.gap, comparing.incomparable
    row: dict[str, Any] = {
        "area_code": code,
        "area_name": name,
        "numerator": numerator,
        "denominator": denominator,
        "value": value,
        "history_caveat": gap.text if gap else None,
        "history_caveat_short": gap.short if gap else None,
        "no_comparison": incomparable.text if incomparable else None,
        "no_comparison_short": incomparable.short if incomparable else None,
    }
    if comparing.compare:
        p_num = before.numerator if before else 0
        p_den = before.denominator if before else (0 if info.is_rate else None)
        p_value = _value(info, p_num, p_den)
        row.update(previous_numerator=p_num, previous_denominator=p_den, previous_value=p_value)
        if value is not None and p_value is not None:
            row["change"] = value - p_value
            if not info.is_rate and p_value:
                row["change_percent"] = (value - p_value) / p_value
            test = _significant(info, numerator, denominator, p_num, p_den, comparing.days)
            row["assessment"] = _assess(info, row["change"], test)
        elif value is None:
            row["no_change_reason"] = "No change: there is no figure for this period (no " + (
                f"{(info.denominator_short or '').lower()})."
            )
        else:
            row["no_change_reason"] = (
                f"No change: there is no figure for the {comparing.previous_label} (no "
                f"{(info.denominator_short or '').lower()} then)."
            )
    elif incomparable is not None:
        row["no_change_reason"] = incomparable.text
    else:
        row["no_change_reason"] = (
            f"No change: the data held do not cover the {comparing.previous_label}."
        )
    if target is not None and value is not None:
        row["target_met"] = (
            value >= target.value
            if target.direction == "higher_is_better"
            else value <= target.value
        )
    if info.is_binomial and denominator and 0 <= numerator <= denominator:
        low, high = statistics.wilson_interval(numerator, denominator)
        row.update(wilson_lower=low, wilson_upper=high)
    return row


def period_target(indicator: str, family: str, period: Period) -> reference.Target | None:
    """The target in force on the period's last day: the one the force reports against
    (targets run by financial year, and a rolling year usually spans two)."""
    return reference.target_for(indicator, family, period.end - dt.timedelta(days=1))


def target_info(
    target: reference.Target | None, at_start: reference.Target | None = None
) -> TargetInfo | None:
    """The target, and when the period began under another one (or none), which."""
    if target is None:
        return None
    changed = None
    if at_start != target:
        earlier = "no target" if at_start is None else f"a target of {percent(at_start.value)}"
        changed = (
            f"this target applies from {target.valid_from:%-d %B %Y}; the period began "
            f"under {earlier}"
        )
    return TargetInfo(target.value, target.direction, target.source, changed)


def history_gap(
    info: IndicatorInfo, period: Period, first_month: dt.date | None
) -> HistoryGap | None:
    """The gap in a person-based figure's look-back (see :func:`caveats.history_gap`)."""
    return caveats.history_gap(info.id, period, first_month, WINDOW_MONTHS)


def comparison_gap(
    info: IndicatorInfo, period: ReportingPeriod, first_month: dt.date | None
) -> HistoryGap | None:
    """Why a person-based figure has no comparable previous figure: the previous period's
    look-back is not wholly held, so it had less history to look back over. None when the
    two compare (or there is no previous period at all: :attr:`Figure.no_change_reason`
    says so apart)."""
    if not period.has_previous(first_month) or first_month is None:
        return None
    if history_gap(info, period.previous, first_month) is None:
        return None
    previous_label = period.previous_label
    if info.person_source == "cautioned_offenders":
        reason = (
            f"cautions before {first_month:%B %Y}, the first month of data held, are not seen, "
            f"so the {previous_label} had less history to look back over"
        )
        short = "earlier period saw less caution history"
    else:
        reason = (
            f"the look-back for the {previous_label} reaches before {first_month:%B %Y}, the "
            "first month of data held, so it had less history to look back over"
        )
        short = "earlier period's look-back reaches before the data held"
    return HistoryGap(f"No comparable previous figure: {reason}.", short)


# --- the funnel -------------------------------------------------------------------------------


_LIMITS = ("lower_95", "upper_95", "lower_998", "upper_998")


def _limits(limits: comparison.Limits | None, prefix: str = "") -> dict[str, Any]:
    return {f"{prefix}{f}": None if limits is None else getattr(limits, f) for f in _LIMITS}


def _funnel(info: IndicatorInfo, force: Mapping[str, Any], areas: list[dict[str, Any]]) -> Funnel:
    """The funnel plot's figures from :func:`comparison.compare`, the one judgement of the
    areas: each area's flag and the limits it was judged by (``lower_95`` …; widened ones
    when the areas are over-dispersed, with the plain exact ones as ``exact_*``), and the
    limits along the denominators for the chart, through every area's own denominator.
    Updates the area rows with their flags and limits."""
    target = force["value"]
    dens = [a["denominator"] for a in areas if a["denominator"]]
    if not info.is_proportion or target is None or not dens:
        return Funnel(False, target)
    if not info.is_binomial:
        return Funnel(False, target, reason=comparison.why_no_funnel(info.id) or "")
    if any(a["numerator"] > a["denominator"] for a in areas if a["denominator"]) or target > 1:
        # e.g. offences recorded without an incident in the period: not a binomial proportion
        return Funnel(
            False,
            target,
            reason="In at least one area the numerator is larger than the denominator "
            "(records counted in one and not the other), so the figures are not proportions "
            "of their denominators and funnel-plot limits would be misleading.",
        )
    judged = comparison.compare(
        [
            comparison.AreaCounts(a["area_code"], a["area_name"], a["numerator"], a["denominator"])
            for a in areas
        ],
        target,
    )
    for area, result in zip(areas, judged.areas, strict=True):
        area.update(_limits(result.limits), flag=result.flag.value)
        area.update(_limits(result.exact if judged.widened else None, "exact_"))
        area["exact_flag"] = result.exact_flag.value if judged.widened else None
    # the limits along the denominators: every one when few (drawn as steps), else an even
    # grid; always through each area's own denominator, so the lines meet the markers there
    low, high = max(1, int(min(dens) * 0.8)), int(max(dens) * 1.1) + 1
    steps = high - low <= DENSE_CURVE
    if steps:
        grid = set(range(low, high + 1))
    else:
        grid = {round(low + (high - low) * k / FUNNEL_POINTS) for k in range(FUNNEL_POINTS + 1)}
    grid |= set(dens)
    curve = []
    for n, exact, widened in judged.limits_at(sorted(grid)):
        point = {"n": n, **_limits(widened if judged.widened else exact)}
        if judged.widened:
            point.update(_limits(exact, "exact_"))
        curve.append(CurvePoint(**point))
    return Funnel(True, target, tuple(curve), steps, judged.method, judged.dispersion)


def _series(
    info: IndicatorInfo, months: list[str], counts: Mapping[str, tuple[float, float | None]]
) -> tuple[MonthFigure, ...]:
    out = []
    for month in months:
        numerator, denominator = counts.get(month, (0, 0 if info.is_rate else None))
        out.append(
            MonthFigure(
                month,
                month_label(month),
                numerator,
                denominator,
                _value(info, numerator, denominator),
            )
        )
    return tuple(out)


# --- the one call -----------------------------------------------------------------------------


def _index(rows: Iterable[IndicatorResult], family: str) -> dict[tuple[str, str], IndicatorResult]:
    return {(r.area_code, r.indicator): r for r in rows if r.family == family}


def assess(
    family: str,
    period: ReportingPeriod,
    first_month: dt.date | None,
    *,
    by_area: Sequence[IndicatorResult],
    previous: Sequence[IndicatorResult] | None,
    by_month: Sequence[IndicatorResult],
    areas: Mapping[str, str] | None = None,
) -> Assessment:
    """Assess every indicator of ``family`` for ``period`` from the engine's results of the
    three :func:`queries` (``previous`` None when the previous period is not held).

    ``areas`` are the boroughs compared (code -> name; by default the force's boroughs from
    the reference data): an area with no records has a figure of 0 (of 0), not none.
    """
    if family not in FAMILIES:
        raise KeyError(f"unknown family {family!r}")
    names = dict(areas) if areas is not None else reference.boroughs()
    has_previous = period.has_previous(first_month) and previous is not None
    now = _index(by_area, family)
    before = _index(previous or (), family)
    monthly: dict[tuple[str, str], dict[str, tuple[float, float | None]]] = defaultdict(dict)
    # The engine's force row for an (area, month) query is the grand total (month "ALL"):
    # the force's months are the sums of every area's (counts add up over areas).
    force_months: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0, 0])
    for r in by_month:
        if r.family != family or r.area_code == FORCE_CODE:
            continue
        month = r.cut("month")
        monthly[(r.area_code, r.indicator)][month] = (r.numerator, r.denominator)
        total = force_months[(r.indicator, month)]
        total[0] += r.numerator or 0
        total[1] += r.denominator or 0
    for (indicator_id, month), (numerator, denominator) in force_months.items():
        is_rate = indicator_info(indicator_id).is_rate
        monthly[(FORCE_CODE, indicator_id)][month] = (numerator, denominator if is_rate else None)
    months = months_of(period.period)
    p, prev = period.period, period.previous
    days = ((p.end - p.start).days, (prev.end - prev.start).days)
    force_name = next((r.area_name for r in by_area if r.area_code == FORCE_CODE), "All areas")

    assessed = []
    for info in indicators_for(family):
        target = period_target(info.id, family, p)
        target_at_start = reference.target_for(info.id, family, p.start)
        comparing = _Comparing(
            has_previous,
            history_gap(info, p, first_month),
            comparison_gap(info, period, first_month),
            months_label(prev),
            days,
        )
        force = _measure(
            info,
            FORCE_CODE,
            force_name,
            now.get((FORCE_CODE, info.id)),
            before.get((FORCE_CODE, info.id)),
            comparing,
            target,
        )
        rows = [
            _measure(
                info,
                code,
                name,
                now.get((code, info.id)),
                before.get((code, info.id)),
                comparing,
                target,
            )
            for code, name in names.items()
        ]
        ranks = statistics.rank([a["value"] for a in rows], higher_is_better=info.higher_is_better)
        ranked = sum(r is not None for r in ranks)
        for row, r in zip(rows, ranks, strict=True):
            row.update(rank=r, ranked=ranked)
        funnel = _funnel(info, force, rows)
        # person-based figures have no monthly series: each person is counted once, in the
        # month of their latest offence, so the months drift upward by construction
        trend_note = NO_MONTHLY_TREND if info.is_person_based else None
        trend = () if trend_note else _series(info, months, monthly.get((FORCE_CODE, info.id), {}))
        figures = tuple(
            Figure(
                **row,
                series=()
                if trend_note
                else _series(info, months, monthly.get((row["area_code"], info.id), {})),
            )
            for row in rows
        )
        assessed.append(
            IndicatorAssessment(
                info=info,
                force=Figure(**force, series=trend),
                areas=figures,
                funnel=funnel,
                trend=trend,
                trend_note=trend_note,
                target=target_info(target, target_at_start),
            )
        )
    return Assessment(
        family=family,
        period=period,
        first_month=first_month,
        has_previous=has_previous,
        areas=tuple(names.items()),
        indicators=tuple(assessed),
    )


def assess_store(
    con: Any, family: str, period: ReportingPeriod, first_month: dt.date | None
) -> Assessment:
    """Run the :func:`queries` on an Ibis connection to a store and assess (the CLI's way;
    the pages read cached results and call :func:`assess`)."""
    from dsvb.indicators.engine import compute

    has_previous = period.has_previous(first_month)
    by_area, previous, by_month = queries(period, has_previous)
    return assess(
        family,
        period,
        first_month,
        by_area=compute(con, by_area),
        previous=compute(con, previous) if previous is not None else None,
        by_month=compute(con, by_month),
    )


# --- as rows ----------------------------------------------------------------------------------

#: The columns of :func:`records` (``dsvb assess``): one row per indicator and area.
RECORD_COLUMNS = (
    "family",
    "period_from",
    "period_to",
    "indicator",
    "label",
    "kind",
    "area_code",
    "area_name",
    "numerator",
    "denominator",
    "value",
    "previous_value",
    "change",
    "assessment",
    "no_change_reason",
    "target",
    "target_met",
    "wilson_lower",
    "wilson_upper",
    "rank",
    "ranked",
    "flag",
    "lower_95",
    "upper_95",
    "lower_998",
    "upper_998",
    "limits",
    "history_caveat",
)


def records(
    judged: Assessment, *, area: str | None = None, indicator: str | None = None
) -> list[dict[str, Any]]:
    """The assessment as flat rows (:data:`RECORD_COLUMNS`): per indicator, each borough by
    name then the force (``ALL``); only one area or indicator when asked."""
    out = []
    p = judged.period.period
    for assessed in judged.indicators:
        if indicator is not None and assessed.info.id != indicator:
            continue
        for figure in (*sorted(assessed.areas, key=lambda f: f.area_name), assessed.force):
            if area is not None and figure.area_code != area:
                continue
            row = figure.record()
            out.append(
                {
                    **{k: row.get(k) for k in RECORD_COLUMNS if k in row},
                    "family": judged.family,
                    "period_from": p.start.isoformat(),
                    "period_to": p.end.isoformat(),
                    "indicator": assessed.info.id,
                    "label": assessed.info.label,
                    "kind": assessed.info.kind,
                    "target": assessed.target.value if assessed.target else None,
                    "limits": assessed.funnel.method if figure.flag is not None else None,
                }
            )
    return [{k: r.get(k) for k in RECORD_COLUMNS} for r in out]
