"""The figures the performance pages show, derived once per store version and cached.

Every figure comes from :func:`dsvb.web.performance.data.results` (the same queries the
data service warms: all families by area, and by area and month). For one family and period
the figures are derived in one pass — the force summary, each indicator's area table (with
ranks, change, target, Wilson intervals and funnel-plot limits), the force trend by month
and each area's scorecard — and stored in the Django cache under keys that carry the store
version, so an import makes them stale at once and a page view only reads small pieces.

Person-based indicators (repeat victims, repeat cautions: docs/decisions/0004) look back
before the period. When the look-back reaches before the first month the store holds, the
figure is marked (it misses earlier offences or cautions), a change on the previous period
is given only when the previous period's look-back is wholly held too, and there is no
monthly trend: each person is counted once, in the month of their latest offence, so a
monthly series drifts upward by construction.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from dataclasses import dataclass
from functools import cache as memoize
from functools import lru_cache
from typing import Any

from django.core.cache import cache

from dsvb import reference
from dsvb.indicators import caveats, comparison, statistics
from dsvb.indicators.caveats import HistoryGap
from dsvb.indicators.definitions import ALL_FAMILIES, COUNTS, FAMILIES, INDICATORS
from dsvb.indicators.engine import IndicatorQuery
from dsvb.indicators.model import Period, add_months
from dsvb.indicators.results import FORCE_CODE, IndicatorResult
from dsvb.web.performance import data
from dsvb.web.performance.formatting import percent

CACHE_SECONDS = 6 * 60 * 60
FAMILY_CHOICES = [(f.id, f.label) for f in FAMILIES.values()]
DEFAULT_FAMILY = "dv"
PREFERRED_INDICATOR = "sd_rate"
FUNNEL_POINTS = 120  # points along each control-limit curve when not drawn at every denominator
PERSON_SOURCES = caveats.PERSON_SOURCES
WINDOW_MONTHS = caveats.WINDOW_MONTHS  # the repeat look-back of the pages' queries
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
    id: str
    label: str
    kind: str  # count | proportion | ratio
    higher_is_better: bool | None
    description: str
    numerator_label: str
    denominator_label: str | None
    numerator_short: str
    denominator_short: str | None
    person_source: str | None = None  # victims | cautioned_offenders for person-based ones
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


@memoize
def indicator_info(indicator_id: str) -> IndicatorInfo:
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
        person_source=source if source in PERSON_SOURCES else None,
        numerator_within_denominator=comparison.numerator_within_denominator(ind.id),
    )


def _short(count_id: str) -> str:
    return count_id.replace("_", " ").capitalize()


@memoize
def indicators_for(family: str) -> tuple[IndicatorInfo, ...]:
    return tuple(indicator_info(i.id) for i in INDICATORS.values() if i.applies_to(family))


def default_indicator(family: str) -> str:
    ids = [i.id for i in indicators_for(family)]
    if PREFERRED_INDICATOR in ids:
        return PREFERRED_INDICATOR
    return next((i.id for i in indicators_for(family) if i.is_proportion), ids[0])


def borough_names() -> dict[str, str]:
    """The areas pages compare (the boroughs of the force), code -> name, by name."""
    return reference.boroughs()


# --- what a page shows: family and period -----------------------------------------------------


@dataclass(frozen=True)
class Selection:
    current: data.StoreState
    family: str
    choice: data.PeriodChoice

    @property
    def period(self) -> Period:
        return self.choice.period

    @property
    def previous(self) -> Period:
        return self.choice.previous

    @property
    def has_previous(self) -> bool:
        """The previous period lies wholly within the months the store holds."""
        first = self.current.first_month
        return first is not None and self.previous.start >= first

    @property
    def family_label(self) -> str:
        return FAMILIES[self.family].label

    @property
    def previous_label(self) -> str:
        last = add_months(self.previous.end, -1)
        months = len(months_of(self.previous))
        return f"{months} months to {last:%B %Y}"

    @property
    def key(self) -> str:
        return f"{self.current.token}:{self.family}:{self.choice.key}"


def select(family: str | None, period_key: str | None) -> Selection | None:
    """The family and period asked for (defaults for unknown values); None without data."""
    current = data.state()
    choices = period_choices(current)
    if not choices:
        return None
    choice = next((c for c in choices if c.key == period_key), choices[0])
    if family not in FAMILIES:
        family = DEFAULT_FAMILY
    return Selection(current, family, choice)


@lru_cache(maxsize=16)
def period_choices(current: data.StoreState) -> tuple[data.PeriodChoice, ...]:
    """The periods to choose from (as :func:`data.period_choices`), once per store state."""
    return tuple(data.period_choices(current))


def months_of(period: Period) -> list[str]:
    """The months of a period as ``YYYY-MM`` (the engine's month cut)."""
    out, day = [], dt.date(period.start.year, period.start.month, 1)
    while day < period.end:
        out.append(f"{day:%Y-%m}")
        day = add_months(day, 1)
    return out


def month_label(month: str) -> str:
    return dt.date.fromisoformat(f"{month}-01").strftime("%b %Y")


# --- person-based figures: how much history they look back over -------------------------------


def history_gap(
    info: IndicatorInfo, period: Period, first_month: dt.date | None
) -> HistoryGap | None:
    """The gap in a person-based figure's look-back (see :func:`caveats.history_gap`)."""
    return caveats.history_gap(info.id, period, first_month, WINDOW_MONTHS)


def comparison_gap(info: IndicatorInfo, sel: Selection) -> HistoryGap | None:
    """Why a person-based figure has no comparable previous figure: the previous period's
    look-back is not wholly held, so it had less history to look back over. None when the
    two compare (or there is no previous period at all: the pages say so apart)."""
    if not sel.has_previous:
        return None
    if history_gap(info, sel.previous, sel.current.first_month) is None:
        return None
    first = sel.current.first_month
    if info.person_source == "cautioned_offenders":
        reason = (
            f"cautions before {first:%B %Y}, the first month of data held, are not seen, so "
            f"the {sel.previous_label} had less history to look back over"
        )
        short = "earlier period saw less caution history"
    else:
        reason = (
            f"the look-back for the {sel.previous_label} reaches before {first:%B %Y}, the "
            "first month of data held, so it had less history to look back over"
        )
        short = "earlier period's look-back reaches before the data held"
    return HistoryGap(f"No comparable previous figure: {reason}.", short)


# --- reading the cache ------------------------------------------------------------------------


def _cache_key(sel: Selection, part: str) -> str:
    return f"dsvb:perf:v6:{sel.key}:{part}"


def _part(sel: Selection, part: str) -> Any:
    """One of the three cached parts for a family and period, derived together on a miss.

    Three keys per family and period (not one per indicator or area) keep the number of
    cache entries small, so a bounded cache does not evict pieces of a set one by one.
    """
    hit = cache.get(_cache_key(sel, part))
    if hit is not None:
        return hit
    with _building_lock(sel.key):  # threads of a worker wait for one derivation, not repeat it
        hit = cache.get(_cache_key(sel, part))
        if hit is not None:
            return hit
        parts = _build(sel)
        cache.set_many({_cache_key(sel, k): v for k, v in parts.items()}, CACHE_SECONDS)
        return parts[part]


_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _building_lock(key: str) -> threading.Lock:
    with _locks_guard:
        if len(_locks) > 256:
            _locks.clear()
        return _locks.setdefault(key, threading.Lock())


def summary(sel: Selection) -> list[dict[str, Any]]:
    """One row per indicator of the family at force level."""
    return _part(sel, "summary")


def detail(sel: Selection, indicator_id: str) -> dict[str, Any]:
    """One indicator by area: area rows, the force row, funnel curves, the force trend."""
    return _part(sel, "details")[indicator_id]


def scorecard(sel: Selection, area_code: str) -> dict[str, Any]:
    """Every indicator of the family for one area, with its monthly figures."""
    return _part(sel, "areas")[area_code]


# --- building -------------------------------------------------------------------------------


def _queries(sel: Selection) -> tuple[IndicatorQuery, IndicatorQuery | None, IndicatorQuery]:
    """The same queries :func:`data.warm` computes, so the pages share its cache."""
    p, prev = sel.period, sel.previous
    by_area = IndicatorQuery(ALL_FAMILIES, p.start, p.end, by=("area",))
    previous = (
        IndicatorQuery(ALL_FAMILIES, prev.start, prev.end, by=("area",))
        if sel.has_previous
        else None
    )
    by_month = IndicatorQuery(ALL_FAMILIES, p.start, p.end, by=("area", "month"))
    return by_area, previous, by_month


def _index(rows: list[IndicatorResult], family: str) -> dict[tuple[str, str], IndicatorResult]:
    return {(r.area_code, r.indicator): r for r in rows if r.family == family}


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


def _measure(
    info: IndicatorInfo,
    now: IndicatorResult | None,
    before: IndicatorResult | None,
    has_previous: bool,
    target: reference.Target | None,
    days: tuple[int, int],
) -> dict[str, Any]:
    numerator = now.numerator if now else 0
    denominator = now.denominator if now else (0 if info.is_rate else None)
    value = _value(info, numerator, denominator)
    row: dict[str, Any] = {
        "numerator": numerator,
        "denominator": denominator,
        "value": value,
        "previous_numerator": None,
        "previous_denominator": None,
        "previous_value": None,
        "change": None,
        "change_percent": None,
        "assessment": None,
        "target_met": None,
        "wilson_lower": None,
        "wilson_upper": None,
        "history_caveat": None,
        "history_caveat_short": None,
        "no_comparison": None,
        "no_comparison_short": None,
    }
    if has_previous:
        p_num = before.numerator if before else 0
        p_den = before.denominator if before else (0 if info.is_rate else None)
        p_value = _value(info, p_num, p_den)
        row.update(previous_numerator=p_num, previous_denominator=p_den, previous_value=p_value)
        if value is not None and p_value is not None:
            row["change"] = value - p_value
            if not info.is_rate and p_value:
                row["change_percent"] = (value - p_value) / p_value
            test = _significant(info, numerator, denominator, p_num, p_den, days)
            row["assessment"] = _assess(info, row["change"], test)
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


def _target_row(
    target: reference.Target | None, at_start: reference.Target | None = None
) -> dict[str, Any] | None:
    """The target, and when the period began under another one (or none), which."""
    if target is None:
        return None
    row = {"value": target.value, "direction": target.direction, "source": target.source}
    if at_start != target:
        earlier = "no target" if at_start is None else f"a target of {percent(at_start.value)}"
        row["changed"] = (
            f"this target applies from {target.valid_from:%-d %B %Y}; the period began "
            f"under {earlier}"
        )
    return row


LIMIT_FIELDS = ("lower_95", "upper_95", "lower_998", "upper_998")
EXACT_FIELDS = tuple(f"exact_{f}" for f in LIMIT_FIELDS)
DENSE_CURVE = 400  # up to this many denominators, the limits are drawn at every one, as steps


def _limit_fields(limits: comparison.Limits | None, prefix: str = "") -> dict[str, Any]:
    return {f"{prefix}{f}": None if limits is None else getattr(limits, f) for f in LIMIT_FIELDS}


def _funnel(info: IndicatorInfo, force: dict[str, Any], areas: list[dict[str, Any]]) -> dict:
    """The funnel plot's figures from :func:`comparison.compare`, the one judgement of the
    areas: each area's flag and the limits it was judged by (``lower_95`` …; widened ones
    when the areas are over-dispersed, with the plain exact ones as ``exact_*``), and the
    limits along the denominators for the chart, through every area's own denominator."""
    target = force["value"]
    dens = [a["denominator"] for a in areas if a["denominator"]]
    if not info.is_proportion or target is None or not dens:
        return {"available": False, "target": target, "curve": [], "reason": ""}
    if not info.is_binomial:
        return {
            "available": False,
            "target": target,
            "curve": [],
            "reason": comparison.why_no_funnel(info.id) or "",
        }
    if any(a["numerator"] > a["denominator"] for a in areas if a["denominator"]) or target > 1:
        # e.g. offences recorded without an incident in the period: not a binomial proportion
        return {
            "available": False,
            "target": target,
            "curve": [],
            "reason": "In at least one area the numerator is larger than the denominator "
            "(records counted in one and not the other), so the figures are not proportions "
            "of their denominators and funnel-plot limits would be misleading.",
        }
    judged = comparison.compare(
        [
            comparison.AreaCounts(a["area_code"], a["area_name"], a["numerator"], a["denominator"])
            for a in areas
        ],
        target,
    )
    for area, result in zip(areas, judged.areas, strict=True):
        area.update(_limit_fields(result.limits), flag=result.flag.value)
        area.update(_limit_fields(result.exact if judged.widened else None, "exact_"))
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
        point = {"n": n, **_limit_fields(widened if judged.widened else exact)}
        if judged.widened:
            point.update(_limit_fields(exact, "exact_"))
        curve.append(point)
    od = judged.dispersion
    dispersion = None
    if od is not None:
        dispersion = {
            "areas": od.areas,
            "phi": od.phi,
            "p_value": od.p_value,
            "tau2": od.tau2,
            "present": od.present,
        }
    return {
        "available": True,
        "target": target,
        "curve": curve,
        "steps": steps,
        "method": judged.method,
        "dispersion": dispersion,
    }


def _series(
    info: IndicatorInfo, months: list[str], counts: dict[str, tuple[float, float | None]]
) -> list[dict[str, Any]]:
    out = []
    for month in months:
        numerator, denominator = counts.get(month, (0, 0 if info.is_rate else None))
        out.append(
            {
                "month": month,
                "label": month_label(month),
                "numerator": numerator,
                "denominator": denominator,
                "value": _value(info, numerator, denominator),
            }
        )
    return out


def _build(sel: Selection) -> dict[str, Any]:
    by_area, previous_query, by_month = _queries(sel)
    now = _index(data.results(by_area, sel.current), sel.family)
    before = _index(data.results(previous_query, sel.current), sel.family) if previous_query else {}
    monthly: dict[tuple[str, str], dict[str, tuple]] = defaultdict(dict)
    # The engine's force row for an (area, month) query is the grand total (month "ALL"):
    # the force's months are the sums of every area's (counts add up over areas).
    force_months: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0, 0])
    for r in data.results(by_month, sel.current):
        if r.family != sel.family or r.area_code == FORCE_CODE:
            continue
        month = r.cut("month")
        monthly[(r.area_code, r.indicator)][month] = (r.numerator, r.denominator)
        total = force_months[(r.indicator, month)]
        total[0] += r.numerator or 0
        total[1] += r.denominator or 0
    for (indicator_id, month), (numerator, denominator) in force_months.items():
        is_rate = indicator_info(indicator_id).is_rate
        monthly[(FORCE_CODE, indicator_id)][month] = (numerator, denominator if is_rate else None)
    months = months_of(sel.period)
    names = borough_names()
    has_previous = sel.has_previous
    days = ((sel.period.end - sel.period.start).days, (sel.previous.end - sel.previous.start).days)

    details: dict[str, Any] = {}
    summary_rows = []
    cards: dict[str, list[dict[str, Any]]] = {code: [] for code in names}
    for info in indicators_for(sel.family):
        target = period_target(info.id, sel.family, sel.period)
        target_at_start = reference.target_for(info.id, sel.family, sel.period.start)
        gap = history_gap(info, sel.period, sel.current.first_month)
        incomparable = comparison_gap(info, sel)
        compare = has_previous and incomparable is None
        notes = {
            "history_caveat": gap.text if gap else None,
            "history_caveat_short": gap.short if gap else None,
            "no_comparison": incomparable.text if incomparable else None,
            "no_comparison_short": incomparable.short if incomparable else None,
        }
        force = _measure(
            info,
            now.get((FORCE_CODE, info.id)),
            before.get((FORCE_CODE, info.id)),
            compare,
            target,
            days,
        )
        force.update(notes)
        areas = []
        for code, name in names.items():
            row = _measure(
                info, now.get((code, info.id)), before.get((code, info.id)), compare, target, days
            )
            row.update(notes, area_code=code, area_name=name)
            areas.append(row)
        ranks = statistics.rank([a["value"] for a in areas], higher_is_better=info.higher_is_better)
        ranked = sum(r is not None for r in ranks)
        for area, r in zip(areas, ranks, strict=True):
            area.update(rank=r, ranked=ranked)
        funnel = _funnel(info, force, areas)
        outside = [a["area_name"] for a in areas if a.get("flag") in ("above_998", "below_998")]
        # person-based figures have no monthly series: each person is counted once, in the
        # month of their latest offence, so the months drift upward by construction
        trend_note = NO_MONTHLY_TREND if info.is_person_based else None
        trend = [] if trend_note else _series(info, months, monthly.get((FORCE_CODE, info.id), {}))
        target_row = _target_row(target, target_at_start)
        details[info.id] = {
            "force": force,
            "areas": areas,
            "funnel": funnel,
            "trend": trend,
            "trend_note": trend_note,
            "target": target_row,
        }
        summary_rows.append(
            {
                "indicator": info.id,
                **force,
                "target": target_row,
                "outside_998": len(outside),
                "funnel_available": funnel["available"],
            }
        )
        for area in areas:
            series = (
                []
                if trend_note
                else _series(info, months, monthly.get((area["area_code"], info.id), {}))
            )
            cards[area["area_code"]].append(
                {
                    "indicator": info.id,
                    **area,
                    "force_value": force["value"],
                    "target": target_row,
                    "series": series,
                    "trend_note": trend_note,
                }
            )
    return {
        "summary": summary_rows,
        "details": details,
        "areas": {
            code: {"area_code": code, "area_name": names[code], "rows": rows}
            for code, rows in cards.items()
        },
    }
