"""The equality page (London, or one borough with London beside it) and its exports.

A thin adapter: the analysis, its correction for multiple comparisons and its sentences are
:mod:`dsvb.equality` (cached per store version by :mod:`dsvb.web.performance.equality`);
this module only lays them out. Every choice (area, family, period) is a GET parameter, as
on the scorecard, so each view has a URL to share and works without JavaScript. A borough
user sees their own borough only, with London's figures as the comparison; the London page
(every borough's correction, London's rows) is for those who see every area.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString

from dsvb.equality import sentences
from dsvb.equality.analysis import EqualityAnalysis, EqualityRow, rows_of
from dsvb.equality.recording import RecordingRow
from dsvb.equality.strands import (
    MEASURES,
    ROLE_LABELS,
    STRANDS,
    UNDESCRIBED,
    Measure,
    group_label,
)
from dsvb.indicators import assessment as assessed
from dsvb.indicators.comparison import Flag
from dsvb.indicators.periods import month_label
from dsvb.indicators.results import FORCE_CODE
from dsvb.web.accounts import policies
from dsvb.web.accounts.decorators import policy_required
from dsvb.web.audit.pageview import audited_view, viewed
from dsvb.web.performance import charts, dotplot, exports, figures, formatting
from dsvb.web.performance import equality as cached
from dsvb.web.performance.forms import EqualityForm
from dsvb.web.performance.views import (
    _audit_export,
    _export_links,
    _fragment,
    _no_data,
    _query,
    handles_busy_store,
)

PAGE_VERSION = 2  # part of the rendered fragment's key: change it when the template changes


def _may_see(user: Any, area_code: str | None = None, **_: Any) -> bool:
    """Any performance data, and the area asked for: London (``ALL``) is every area's."""
    if not policies.can_view_performance(user):
        return False
    if area_code is None:
        return True
    if area_code == FORCE_CODE:
        return policies.can_view_all_areas(user)
    return policies.can_view_area(user, area_code)


def _lower_first(text: str) -> str:
    """A label in running text: "Not disabled" -> "not disabled"; ethnic groups keep their
    capital ("White"), as the sentences write them; an acronym (LGBT) is left alone."""
    if text in ("Asian", "Black", "Mixed", "White") or not text[1:2].islower():
        return text
    return text[:1].lower() + text[1:]


@policy_required(_may_see)
@audited_view("an equality page")
@handles_busy_store
def equality(request: HttpRequest, area_code: str | None = None) -> HttpResponse:
    keep = _query(family=request.GET.get("family"), period=request.GET.get("period"))

    def to(url_name: str, *args: str) -> HttpResponse:
        target = reverse(url_name, args=args)
        return redirect(f"{target}?{keep}" if keep else target)

    if area_code is None:
        if not policies.can_view_all_areas(request.user):
            if not request.user.area_code:
                raise PermissionDenied
            return to("performance:equality-area", request.user.area_code)
        chosen = request.GET.get("area")
        if chosen in figures.borough_names():
            return to("performance:equality-area", chosen)
        code = FORCE_CODE
    elif area_code == FORCE_CODE:
        return to("performance:equality")
    elif area_code not in figures.borough_names():
        raise Http404("No such borough")
    else:
        code = area_code
    name = cached.place(code)
    sel = figures.select(request.GET.get("family"), request.GET.get("period"))
    if sel is None:
        return _no_data(request, f"Equality and disproportionality: {name}")
    viewed(request, area=code, family=sel.family, period=sel.choice.key)
    choose_area = policies.can_view_all_areas(request.user)
    params = _query(family=sel.family, period=sel.choice.key)
    return render(
        request,
        "performance/equality.html",
        {
            "sel": sel,
            "area_name": name,
            "content": equality_fragment(sel, code, choose_area),
            "scorecard_href": reverse("performance:scorecard-area", args=[code]) + "?" + params
            if code != FORCE_CODE
            else None,
            "overview_href": reverse("performance:overview") + "?" + params
            if choose_area
            else None,
        },
    )


def equality_fragment(sel: figures.Selection, area_code: str, choose_area: bool) -> SafeString:
    """The page's content for an area (rendered once per store version and choice)."""
    return _fragment(
        f"equality:v{PAGE_VERSION}:{sel.key}:{area_code}:{int(choose_area)}",
        lambda: render_to_string(
            "performance/_equality_content.html", context(sel, area_code, choose_area)
        ),
    )


# --- the content -----------------------------------------------------------------------------


def _rate(row: EqualityRow, measure: Measure) -> tuple[str, str]:
    """The rate and its 95% interval in words: a percentage, or per 1,000 residents."""
    if row.rate is None:
        return formatting.DASH, formatting.DASH
    if measure.kind == "proportion":
        return formatting.percent(row.rate), formatting.interval(row.rate_lower, row.rate_upper)
    low, high = row.rate_lower, row.rate_upper
    interval = (
        formatting.DASH
        if low is None or high is None
        else f"{formatting.ratio(low)} to {formatting.ratio(high)}"
    )
    return formatting.ratio(row.rate), interval


def _verdict(row: EqualityRow) -> str:
    """Why a row has the call it has, in a few words (beside the tag)."""
    if row.direction is None:
        return ""
    words = f"{row.direction} than {_lower_first(group_label(row.reference_group))}"
    if row.served_less_well:
        words += ": worse for this group"
    elif row.served_less_well is False:
        words += ": better for this group"
    return words


def _no_ratio_reason(row: EqualityRow) -> str:
    if row.group in UNDESCRIBED:
        return "no ratio: describes no group of people"
    if row.note:
        return f"no ratio: {row.note}"
    return "no ratio: too few to compare"


def _row(row: EqualityRow, measure: Measure, london: EqualityRow | None) -> dict[str, Any]:
    rate, rate_interval = _rate(row, measure)
    out: dict[str, Any] = {
        "group": row.group,
        "label": row.group_label,
        "numerator": formatting.count(row.numerator),
        "denominator": formatting.count(row.denominator),
        "rate": rate,
        "rate_interval": rate_interval,
        "is_reference": row.is_reference,
        "ratio": formatting.ratio(row.ratio) if row.ratio is not None else None,
        "ratio_interval": dotplot.describe_interval(row.ratio_lower_95, row.ratio_upper_95),
        "corrected": dotplot.describe_interval(row.adjusted_lower, row.adjusted_upper),
        "disproportionate": bool(row.disproportionate),
        "verdict": _verdict(row),
        "no_ratio": _no_ratio_reason(row) if row.ratio is None and not row.is_reference else "",
        "note": row.note,
        "london": None,
    }
    if london is not None:
        out["london"] = {
            "ratio": formatting.ratio(london.ratio) if london.ratio is not None else None,
            "corrected": dotplot.describe_interval(london.adjusted_lower, london.adjusted_upper),
            "disproportionate": bool(london.disproportionate),
            "is_reference": london.is_reference,
        }
    return out


def _strand_label(cut: str) -> str:
    role, _, _strand = cut.partition("_")
    label = STRANDS[_strand].label
    return f"{ROLE_LABELS[role]}'s {_lower_first(label)}"


def _dots(strands: Sequence[dict[str, Any]]) -> tuple[list[dotplot.Dot], list[EqualityRow]]:
    dots: list[dotplot.Dot] = []
    shown: list[EqualityRow] = []
    for strand in strands:
        rows = [r for r in strand["source"] if not r.is_reference and r.ratio is not None]
        if not rows:
            continue
        dots.append(
            dotplot.Dot(
                f"{strand['label']}, against {_lower_first(strand['reference'])}",
                None,
                None,
                None,
                False,
                heading=True,
            )
        )
        for r in rows:
            lower, upper = r.adjusted_lower, r.adjusted_upper
            if lower is None:  # not tested (no p-value): the plain 95% interval
                lower, upper = r.ratio_lower_95, r.ratio_upper_95
            dots.append(dotplot.Dot(r.group_label, r.ratio, lower, upper, bool(r.disproportionate)))
            shown.append(r)
    return dots, shown


def _measure(
    judged: EqualityAnalysis, measure: Measure, area_code: str, place: str
) -> dict[str, Any]:
    info = assessed.indicator_info(measure.indicator)
    area_rows = judged.for_area(area_code)
    london_rows = (
        {(r.strand, r.group): r for r in judged.for_area(FORCE_CODE) if r.measure == measure.id}
        if area_code != FORCE_CODE
        else {}
    )
    strands = []
    for _role, strand, cut in measure.cuts():
        source = rows_of(area_rows, measure=measure.id, strand=cut)
        if not source:
            continue
        label = _strand_label(cut)
        strands.append(
            {
                "id": f"{measure.id}-{cut}",
                "label": label,
                "reference": group_label(strand.reference),
                "why_reference": strand.why_reference,
                "rows": [_row(r, measure, london_rows.get((cut, r.group))) for r in source],
                "called": sum(bool(r.disproportionate) for r in source),
                "source": source,
            }
        )
    dots, shown = _dots(strands)
    called = [r for r in shown if r.disproportionate]
    notes = sorted({r.note for s in strands for r in s["source"] if r.note})
    plot = None
    if shown:
        chart_id = f"dotplot-{measure.id}"
        low, high = dotplot.scale(dots)
        confidence = judged.correction.confidence_text
        listed = "; ".join(
            f"{_strand_label(r.strand)}: {r.group_label}, {formatting.ratio(r.ratio)} "
            f"({dotplot.describe_interval(r.adjusted_lower, r.adjusted_upper)})"
            for r in called
        )
        description = (
            f"{measure.label}, {place}: each group's ratio to its strand's reference group "
            f"(a dot; 1 means no difference, drawn as a dashed line), with its interval "
            f"corrected for the {judged.correction.tested:,} comparisons made ({confidence} "
            f"confidence), on a logarithmic scale from {dotplot._tick_label(low)} to "
            f"{dotplot._tick_label(high)}. "
            + (
                f"Called disproportionate (filled diamonds): {listed}."
                if called
                else "No difference is called disproportionate (every marker is an open circle)."
            )
            + " The tables below give every figure."
        )
        plot = {
            "svg": dotplot.dot_plot_svg(
                dots,
                chart_id=chart_id,
                title=f"{measure.label} by group, ratios to the reference group: {place}",
                description=description,
            ),
            "description": description,
        }
    population = measure.kind == "population_rate"
    for s in strands:
        del s["source"]  # the template reads the rows made for it
    return {
        "id": measure.id,
        "label": measure.label,
        "kind": measure.kind,
        "population": population,
        "count_label": info.numerator_short,
        "denominator_label": "Residents" if population else info.denominator_short,
        "rate_label": "Per 1,000 residents a year" if population else "Rate",
        "higher_is_better": measure.higher_is_better,
        "strands": strands,
        "plot": plot,
        "called": len(called),
        "notes": notes,
    }


def _recording(judged: EqualityAnalysis, area_code: str) -> dict[str, Any]:
    period_rows = [r for r in judged.recording_for(area_code) if r.month is None]
    london = {r.strand: r for r in judged.recording_for(FORCE_CODE) if r.month is None}
    months: dict[str, dict[str, RecordingRow]] = {}
    for r in judged.recording_for(area_code):
        if r.month is not None:
            months.setdefault(r.month, {})[r.strand] = r
    boroughs_above: dict[str, list[str]] = {}
    if area_code == FORCE_CODE:
        for r in judged.recording:
            if r.month is None and r.flag == Flag.ABOVE_998.value:
                boroughs_above.setdefault(r.strand, []).append(r.area_name)
    rows = []
    for r in period_rows:
        series = [months[m][r.strand].share if r.strand in months[m] else None for m in months]
        trend = ", ".join(
            f"{month_label(m)} {formatting.percent(months[m][r.strand].share)}"
            for m in months
            if r.strand in months[m]
        )
        ldn = london.get(r.strand)
        rows.append(
            {
                "strand": r.strand,
                "label": r.label,
                "counted": r.counted,
                "not_recorded": formatting.count(r.not_recorded),
                "total": formatting.count(r.total),
                "share": formatting.percent(r.share),
                "interval": formatting.interval(r.lower, r.upper),
                "london": formatting.percent(ldn.share) if ldn else formatting.DASH,
                "flag": r.flag,
                "flag_label": r.flag_label,
                "boroughs_above": boroughs_above.get(r.strand, []),
                "sparkline": charts.sparkline_svg(
                    series, f"{r.label}, share not recorded by month: {trend}", width=100
                )
                if any(v is not None for v in series)
                else None,
            }
        )
    strands = [r.strand for r in period_rows]
    return {
        "rows": rows,
        "series": [{"strand": r.strand, "label": r.label} for r in period_rows],
        "months": [
            {
                "month": m,
                "label": month_label(m),
                "cells": [
                    formatting.percent(months[m][s].share) if s in months[m] else formatting.DASH
                    for s in strands
                ],
            }
            for m in months
        ],
        "sentences": sentences.recording_sentences(judged, area_code),
    }


def context(sel: figures.Selection, area_code: str, choose_area: bool) -> dict[str, Any]:
    """What the content template shows for an area (``ALL``: London)."""
    judged = cached.analysis(sel)
    place = cached.place(area_code)
    form = EqualityForm(
        initial={"area": area_code, "family": sel.family, "period": sel.choice.key},
        selection=sel,
        choose_area=choose_area,
    )
    params = _query(family=sel.family, period=sel.choice.key)
    exports_for = {
        name: _export_links(
            "performance:equality-export", what, params, area_code=area_code, table=name
        )
        for name, what in (
            ("ratios", f"the rates and ratios for {place}"),
            ("recording", f"the recording quality for {place}"),
        )
    }
    has_rows = bool(judged.for_area(area_code))
    return {
        "sel": sel,
        "area_code": area_code,
        "area_name": place,
        "is_london": area_code == FORCE_CODE,
        "form": form,
        "form_action": reverse("performance:equality")
        if choose_area
        else reverse("performance:equality-area", args=[area_code]),
        "has_rows": has_rows,
        "summary": sentences.summary(judged, area_code) if has_rows else [],
        "findings": sentences.findings(judged, area_code) if has_rows else [],
        "correction": judged.correction.describe(),
        "notes": judged.notes,
        "synthetic": judged.population_synthetic,
        "measures": [_measure(judged, m, area_code, place) for m in MEASURES.values()]
        if has_rows
        else [],
        "recording": _recording(judged, area_code) if has_rows else None,
        "exports": exports_for,
    }


# --- exports ---------------------------------------------------------------------------------


@policy_required(
    lambda user, area_code, **_: policies.can_export_performance(user) and _may_see(user, area_code)
)
@audited_view("an equality table (download)")
@handles_busy_store
def export_equality(request: HttpRequest, area_code: str, table: str, fmt: str) -> HttpResponse:
    if table not in cached.TABLES or fmt not in exports.FORMATS:
        raise Http404("No such table or format")
    if area_code != FORCE_CODE and area_code not in figures.borough_names():
        raise Http404("No such borough")
    sel = figures.select(request.GET.get("family"), request.GET.get("period"))
    if sel is None:
        raise Http404("No data")
    export = cached.export_table(sel, table, area_code)
    response = exports.response(export, fmt)
    _audit_export(request, export, fmt, sel, f"equality-{table}", area_code)
    return response
