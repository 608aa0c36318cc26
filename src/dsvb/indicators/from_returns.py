"""Indicators from a published return.

A return gives counts (incidents, offences, sanction detections, charges, cautions, …) and
sometimes printed percentages. From them come the indicators of the DOMAIN.md table, each as
numerator and denominator, one row per area (unit, total) and indicator:

- every count the return prints, and ``other_sd`` = SDs − charges − cautions where all three
  are printed;
- every rate whose numerator and denominator it prints (``sd_rate``, ``caution_share``, …);
  where the return also prints that rate, the printed figure rides along in ``extra``
  (``published``, ``published_text`` and ``check``: ``ok`` when it is the recomputed figure
  rounded, ``truncated`` when it fits only if cut off, ``differs`` otherwise);
- a rate the return prints without its counts is given with ``numerator`` None (so ``value``
  is empty), the denominator where the return prints it, and the printed fraction in
  ``extra["published"]`` with ``check`` ``published_only``.

A garbled or missing count gives no indicator that needs it: nothing is guessed. Areas are
the force (``ALL``, named as printed, e.g. "MPS Total"), boroughs by ONS code, and units as a
``("unit", "SCD2")`` cut (boroughs ``BOROUGH``; totals ``ALL`` / ``BOROUGH`` /
``SPECIALIST``) in tables that have unit rows; returns with several periods carry a
``("period", "2009/10")`` cut.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Any

from dsvb.indicators.results import IndicatorResult
from dsvb.ingest.returns import (
    OK,
    RATES,
    FigureGroup,
    Published,
    PublishedReturn,
    check_printed,
    figure_groups,
)

if TYPE_CHECKING:
    from dsvb.indicators.assessment import Assessment

__all__ = ["COUNT_INDICATORS", "assess_return", "indicators_from_return"]

#: counts a return may print that are indicators in their own right (or their numerators)
COUNT_INDICATORS = (
    "incidents",
    "offences",
    "sanction_detections",
    "charges",
    "cautions",
    "no_crimes",
    "cris",
    "havens_referrals",
    "dv_flagged",
    "victims",
    "repeat_victims",
)


def indicators_from_return(ret: PublishedReturn) -> list[IndicatorResult]:
    """Every indicator the return allows, in the order of its rows."""
    results: list[IndicatorResult] = []
    for group in figure_groups(ret):
        results.extend(_group_indicators(group))
    return results


def _published_extra(p: Published, check: str) -> tuple[tuple[str, Any], ...]:
    extra: list[tuple[str, Any]] = [
        ("published", p.value),
        ("published_text", p.text),
        ("check", check),
    ]
    if p.source != "cell":
        extra.append(("published_in", p.source))
    extra.extend(p.comparators)
    return tuple(extra)


def _group_indicators(g: FigureGroup) -> list[IndicatorResult]:
    def result(
        indicator: str,
        numerator: int | float | None,
        denominator: int | float | None = None,
        *,
        is_rate: bool = False,
        extra: tuple[tuple[str, Any], ...] = (),
    ) -> IndicatorResult:
        return IndicatorResult(
            g.area_code,
            g.area_name,
            g.family,
            indicator,
            numerator,
            denominator,
            is_rate=is_rate,
            cuts=g.cuts,
            extra=extra,
        )

    out = [result(m, g.count(m)) for m in COUNT_INDICATORS if g.count(m) is not None]
    sds, charges, cautions = (g.count(m) for m in ("sanction_detections", "charges", "cautions"))
    if sds is not None and charges is not None and cautions is not None:
        other = sds - charges - cautions
        extra = (("check", "negative: charges + cautions exceed SDs"),) if other < 0 else ()
        out.append(result("other_sd", other, extra=extra))
    for rate, (num_measure, den_measure) in RATES.items():
        num, den = g.count(num_measure), g.count(den_measure)
        printed = g.published.get(rate)
        if num is not None and den is not None:
            extra: tuple[tuple[str, Any], ...] = ()
            if printed is not None:
                if printed.status != OK:
                    check = "printed_garbled"
                elif not den:
                    check = "no_denominator"
                else:
                    check = check_printed(num, den, printed.text)
                extra = _published_extra(printed, check)
            out.append(result(rate, num, den, is_rate=True, extra=extra))
        elif printed is not None and printed.status == OK:
            out.append(
                result(
                    rate,
                    None,
                    den,
                    is_rate=True,
                    extra=_published_extra(printed, "published_only"),
                )
            )
    return out


def assess_return(ret: PublishedReturn, family: str | None = None) -> Assessment:
    """The typed assessment of a published table by borough (one period, no months): each
    borough's figures judged against the force's (rank, target, funnel), as for an extract.

    Only the indicators the table gives are in it: an indicator it does not print (Victims'
    Code compliance, LGBT-flagged crimes in the DV table) is absent, not a figure of 0, so
    nothing reading the assessment takes "not published" for "none". No change on a previous
    period (a table of one period has none). Raises ValueError for a table without a period,
    by-area rows or the family asked for (the family defaults to the table's only one)."""
    from dsvb.indicators.assessment import assess
    from dsvb.indicators.model import Period
    from dsvb.indicators.periods import ReportingPeriod

    if ret.period_start is None or ret.period_end is None:
        raise ValueError(f"{ret.source_name}: the table has no period, so it cannot be assessed")
    rows = [r for r in indicators_from_return(ret) if not r.cuts]
    families = sorted({r.family for r in rows})
    if family is None:
        if len(families) != 1:
            raise ValueError(
                f"{ret.source_name}: give the family to assess (the table has "
                f"{', '.join(families) or 'no figures by area'})"
            )
        family = families[0]
    rows = [r for r in rows if r.family == family]
    if not rows:
        raise ValueError(f"{ret.source_name}: no figures by area for the {family} family")
    # the table's period_end is its last day; a Period ends the day after
    period = Period(ret.period_start, ret.period_end + dt.timedelta(days=1))
    judged = assess(
        family,
        ReportingPeriod.of(period),
        period.start,
        by_area=rows,
        previous=None,
        by_month=[],
    )
    held = {r.indicator for r in rows}
    return dataclasses.replace(
        judged, indicators=tuple(a for a in judged.indicators if a.info.id in held)
    )
