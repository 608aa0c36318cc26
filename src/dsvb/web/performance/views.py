"""Performance pages: the pan-force overview, the borough scorecard, and their exports.

Every choice (family, period, indicator, sort order) is a GET parameter, so every view has
a URL that can be shared and works without JavaScript. Figures come from the
typed assessment (:mod:`dsvb.indicators.assessment`, cached per store version by
:mod:`dsvb.web.performance.figures`); charts from
:mod:`dsvb.web.performance.charts` (cached SVG).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from dsvb.indicators import assessment as assessed
from dsvb.indicators import small_numbers
from dsvb.indicators.assessment import Figure, IndicatorInfo
from dsvb.indicators.statistics import Overdispersion
from dsvb.web.accounts import policies
from dsvb.web.accounts.decorators import policy_required
from dsvb.web.audit.models import Action
from dsvb.web.audit.pageview import audited_view, viewed
from dsvb.web.audit.recorder import record
from dsvb.web.performance import (
    charts,
    data,
    exports,
    figures,
    formatting,
    published,
    spine,
    tiles,
)
from dsvb.web.performance.forms import OverviewForm, ScorecardForm

PAGE_VERSION = 5  # part of the cached pages' keys: change it when the templates change

# column key -> (label, default direction when first chosen)
SORTS = {
    "rank": ("Rank", "asc"),
    "name": ("Area", "asc"),
    "value": ("Value", "desc"),
    "denominator": ("Denominator", "desc"),
    "change": ("Change", "desc"),
}
SORT_FIELDS = {
    "rank": "rank",
    "name": "area_name",
    "value": "value",
    "denominator": "denominator",
    "change": "change",
}


def _busy(request: HttpRequest) -> HttpResponse:
    response = render(request, "performance/busy.html", status=503)
    response["Retry-After"] = "30"
    return response


def _no_data(request: HttpRequest, heading: str) -> HttpResponse:
    return render(request, "performance/no_data.html", {"heading": heading})


def handles_busy_store(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """While an import holds the store, or when the file is not a store, say so (503)
    rather than fail."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except data.StoreBusy:
            return _busy(request)
        except data.StoreUnreadable:
            return render(request, "errors/store_unreadable.html", status=503)

    return wrapped


def _fragment(name: str, render_html: Callable[[], str]) -> SafeString:
    """Page content that depends only on the data and the query, rendered once per version.

    The key carries the store version (in the selection key), so an import makes it stale.
    """
    key = f"dsvb:perf:page:v{PAGE_VERSION}.{charts.CHART_VERSION}:{name}"
    html = cache.get(key)
    if html is None:
        html = render_html()
        cache.set(key, html, figures.CACHE_SECONDS)
    return mark_safe(html)  # our own rendered template


def overview_fragment(
    sel: figures.Selection,
    info: IndicatorInfo,
    sort: str = "rank",
    descending: bool = False,
    map_mode: str = "value",
) -> SafeString:
    """The overview's content for a selection, indicator, order and map shading (rendered
    once per store version; :mod:`dsvb.web.performance.prepare` renders the default ones
    ahead)."""
    return _fragment(
        f"overview:{sel.key}:{info.id}:{sort}:{int(descending)}:{map_mode}",
        lambda: render_to_string(
            "performance/_overview_content.html",
            _overview_context(sel, info, sort, descending, map_mode),
        ),
    )


def scorecard_fragment(sel: figures.Selection, area_code: str, choose_area: bool) -> SafeString:
    """A borough scorecard's content (``choose_area``: with the menu of boroughs, for those
    who may see every area), rendered once per store version."""
    return _fragment(
        f"scorecard:{sel.key}:{area_code}:{int(choose_area)}",
        lambda: render_to_string(
            "performance/_scorecard_content.html", _scorecard_context(sel, area_code, choose_area)
        ),
    )


def default_indicator(sel: figures.Selection) -> IndicatorInfo:
    """The indicator the overview opens on for the selection's family."""
    return _indicator(sel, None)


def _indicator(sel: figures.Selection, requested: str | None) -> IndicatorInfo:
    available = {i.id: i for i in assessed.indicators_for(sel.family)}
    return available.get(requested or "") or available[assessed.default_indicator(sel.family)]


def _sorted(rows: Sequence[Figure], sort: str, descending: bool) -> list[Figure]:
    """Rows ordered by a column; rows with no figure always last; ties by area name."""
    field = SORT_FIELDS[sort]
    present = [r for r in rows if getattr(r, field) is not None]
    missing = [r for r in rows if getattr(r, field) is None]
    present.sort(key=lambda r: r.area_name)
    present.sort(key=lambda r: getattr(r, field), reverse=descending)
    return present + sorted(missing, key=lambda r: r.area_name)


def _query(**params: Any) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _export_links(url_name: str, what: str, params: str, **kwargs: str) -> dict[str, Any]:
    """The CSV and XLSX links under a table (their hidden text names the table)."""
    return {
        "what": what,
        "links": [
            {"label": label, "href": f"{reverse(url_name, kwargs={**kwargs, 'fmt': fmt})}?{params}"}
            for fmt, label in (("csv", "CSV"), ("xlsx", "Excel (XLSX)"))
        ],
    }


# --- overview --------------------------------------------------------------------------------


def _headers(
    info: IndicatorInfo, base: dict[str, str], sort: str, descending: bool
) -> dict[str, dict[str, Any]]:
    labels = {
        "rank": "Rank",
        "name": "Area",
        "value": info.label if not info.is_rate else "Value",
        "denominator": info.denominator_short or "Denominator",
        "change": "Change on previous period",
    }
    out = {}
    for key in ("rank", "name", "value", "denominator", "change"):
        current = key == sort
        if current:
            next_dir = "asc" if descending else "desc"
            aria = "descending" if descending else "ascending"
        else:
            next_dir = SORTS[key][1]
            aria = "none"
        out[key] = {
            "key": key,
            "label": labels[key],
            "aria_sort": aria,
            "current": current,
            "descending": descending,
            "href": "?" + _query(**base, sort=key, dir=next_dir) + "#areas",
            "next": "ascending" if next_dir == "asc" else "descending",
            "numeric": key != "name",
        }
    return out


def _funnel_text(info: IndicatorInfo, areas: Sequence[Figure]) -> dict[str, Any]:
    def entries(*flags: str, field: str = "flag") -> list[Figure]:
        chosen = [a for a in areas if getattr(a, field) in flags]
        return sorted(chosen, key=lambda a: a.value or 0, reverse=True)

    # when over-dispersed, areas are judged by the widened limits ("flag"); those outside
    # only the plain exact limits ("exact_flag") are listed apart
    return {
        "above_998": entries("above_998"),
        "below_998": entries("below_998"),
        "above_95": entries("above_95"),
        "below_95": entries("below_95"),
        "within": len(entries("within")),
        "too_few": sorted(entries("too_few"), key=lambda a: a.area_name),
        "outside_998_plain": entries("above_998", "below_998", field="exact_flag"),
    }


def _dispersion_text(dispersion: Overdispersion | None) -> str:
    """One sentence on whether areas vary more than chance alone would explain."""
    if not dispersion:
        return ""
    phi = f"{dispersion.phi:.1f}".rstrip("0").rstrip(".")
    p = dispersion.p_value
    p_text = "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
    test = f"dispersion ratio {phi}, {p_text}, {dispersion.areas} areas"
    if dispersion.present:
        return (
            f"The boroughs vary more than chance alone would explain ({test}), so more of them "
            "fall outside the limits than the limits' levels suggest: some of the difference "
            "between boroughs is real, not chance. The limits drawn allow for this "
            "over-dispersion (Spiegelhalter's additive random-effects method, never narrower "
            "than the exact limits), and the boroughs are judged by them; the light dotted "
            "lines are the 99.8% limits for chance alone."
        )
    return (
        f"The boroughs vary no more than chance would explain ({test}): the limits need no "
        "allowance for over-dispersion."
    )


def _outside_sentence(
    info: IndicatorInfo, text: dict[str, Any], overdispersed: bool = False
) -> str:
    def names(rows: list[Figure]) -> str:
        return ", ".join(f"{r.area_name} ({formatting.percent(r.value)})" for r in rows)

    parts = []
    if text["above_998"]:
        parts.append(f"above the 99.8% limit: {names(text['above_998'])}")
    if text["below_998"]:
        parts.append(f"below the 99.8% limit: {names(text['below_998'])}")
    limits = "99.8% limits allowing for over-dispersion" if overdispersed else "99.8% limits"
    if not parts:
        return f"No area is outside the {limits}."
    return f"Outside the {limits}, " + "; ".join(parts) + "."


def _tile_map(
    sel: figures.Selection, info: IndicatorInfo, areas: Sequence[Figure]
) -> dict[str, Any]:
    by_code = {a.area_code: a for a in areas}
    grid = [t for t in tiles.grid() if t.area_code in by_code]
    rows, cols = tiles.size()
    marks = [
        {"row": t.row, "col": t.col, "abbr": t.abbreviation, "value": by_code[t.area_code].value}
        for t in grid
    ]
    known = [a for a in areas if a.value is not None]
    description = (
        f"The {len(grid)} boroughs of London drawn as squares on a grid that keeps neighbours "
        f"next to each other, each shaded by {info.label.lower()} ({sel.family_label.lower()}, "
        f"{sel.choice.label}) and labelled with a three-letter abbreviation and its value; "
        "darker is higher."
    )
    if known:
        high = max(known, key=lambda a: a.value)
        low = min(known, key=lambda a: a.value)
        description += (
            f" Highest: {high.area_name} ({formatting.value(high.value, info.kind)}); "
            f"lowest: {low.area_name} ({formatting.value(low.value, info.kind)})."
        )
    svg, legend = charts.tile_map_svg(
        chart_id="tile-map",
        title=f"Map of London boroughs: {info.label}, {sel.choice.label}",
        description=description,
        legend_title=info.label if len(info.label) <= 28 else "Value",
        kind=info.kind,
        tiles=marks,
        columns=cols,
        rows=rows,
    )
    key = [
        {"abbr": t.abbreviation, "name": by_code[t.area_code].area_name}
        for t in sorted(grid, key=lambda t: by_code[t.area_code].area_name)
    ]
    for band in legend:
        colour = band["colour"]
        band["css"] = str(charts.BLUES.index(colour) + 1) if colour in charts.BLUES else "none"
    return {"svg": svg, "legend": legend, "tiles": len(grid), "key": key}


MAP_MODES = ("value", "significance")


def _significance_map(
    sel: figures.Selection,
    info: IndicatorInfo,
    areas: Sequence[Figure],
    london: float | None,
) -> dict[str, Any]:
    """The tile map shaded by each borough's judgement against London (its funnel flag at
    95%), with the whole legend; the same description pattern as :func:`_tile_map`."""
    by_code = {a.area_code: a for a in areas}
    grid = [t for t in tiles.grid() if t.area_code in by_code]
    rows, cols = tiles.size()
    marks = [
        charts.SignificanceTile(
            row=t.row,
            col=t.col,
            abbr=t.abbreviation,
            value=by_code[t.area_code].value,
            significance=spine.significance_of_flag(by_code[t.area_code].flag),
        )
        for t in grid
    ]
    counts: dict[str, int] = {}
    for m in marks:
        words = spine.judgement(m.significance, info.higher_is_better).words
        counts[words] = counts.get(words, 0) + 1
    tally = "; ".join(f"{words}: {n}" for words, n in counts.items())
    description = (
        f"The {len(grid)} boroughs of London drawn as squares on a grid that keeps neighbours "
        f"next to each other, each shaded by how its {info.label.lower()} "
        f"({sel.family_label.lower()}, {sel.choice.label}) compares with London's "
        f"{formatting.value(london, info.kind)} and labelled with a three-letter "
        f"abbreviation, a symbol for the comparison and its value. {tally}."
    )
    svg, legend = charts.significance_tile_map_svg(
        chart_id="tile-map",
        title=f"Map of London boroughs: {info.label} compared with London, {sel.choice.label}",
        description=description,
        kind=info.kind,
        higher_is_better=info.higher_is_better,
        tiles=marks,
        columns=cols,
        rows=rows,
    )
    key = [
        {"abbr": t.abbreviation, "name": by_code[t.area_code].area_name}
        for t in sorted(grid, key=lambda t: by_code[t.area_code].area_name)
    ]
    entries = [
        {"label": f"{j.words} ({counts.get(j.words, 0)})", "symbol": j.symbol, "css": j.key}
        for j in legend
    ]
    return {
        "svg": svg,
        "legend": entries,
        "tiles": len(grid),
        "key": key,
        "mode": "significance",
        "note": spine.LIMITS_NOTE,
    }


def _map_links(base: dict[str, str], mode: str, available: bool) -> list[dict[str, Any]]:
    """The choice of shading, as links (a GET parameter: works without JavaScript)."""
    if not available:
        return []
    return [
        {
            "label": label,
            "href": "?" + _query(**base, map=key) + "#map",
            "current": key == mode,
        }
        for key, label in (("value", "by value"), ("significance", "compared with London"))
    ]


def _small_numbers(figures_: Iterable[tuple[Any, Any, str]]) -> bool:
    """Whether any figure (numerator, denominator, kind) rests on a small number (the one
    rule: :mod:`dsvb.indicators.small_numbers`); the page then explains the marker."""
    return any(small_numbers.is_small(n, d, kind) for n, d, kind in figures_)


@policy_required(lambda user, **_: policies.can_view_all_areas(user))
@audited_view("the pan-force overview")
@handles_busy_store
def overview(request: HttpRequest) -> HttpResponse:
    sel = figures.select(request.GET.get("family"), request.GET.get("period"))
    if sel is None:
        return _no_data(request, "Pan-force overview")
    info = _indicator(sel, request.GET.get("indicator"))
    viewed(request, area="ALL", family=sel.family, period=sel.choice.key, indicator=info.id)
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "rank"
    descending = request.GET.get("dir", SORTS[sort][1]) == "desc"
    if sort == "change" and not sel.has_previous:
        # no previous period held: the table has no change column to sort by
        sort, descending = "rank", SORTS["rank"][1] == "desc"
    map_mode = request.GET.get("map") if request.GET.get("map") in MAP_MODES else "value"
    content = overview_fragment(sel, info, sort, descending, map_mode)
    return render(
        request, "performance/overview.html", {"sel": sel, "info": info, "content": content}
    )


def _overview_context(
    sel: figures.Selection,
    info: IndicatorInfo,
    sort: str,
    descending: bool,
    map_mode: str = "value",
) -> dict[str, Any]:
    base = {"family": sel.family, "period": sel.choice.key, "indicator": info.id}
    form = OverviewForm(initial=base, selection=sel)
    judged = figures.assessment(sel)
    summary_rows = [
        {
            **row.force.record(),
            "indicator": row.info.id,
            "info": row.info,
            "target": row.target,
            "outside_998": row.outside_998,
            "funnel_available": row.funnel.available,
            "href": "?"
            + _query(family=sel.family, period=sel.choice.key, indicator=row.info.id)
            + "#indicator",
        }
        for row in judged.indicators
    ]
    detail = judged.indicator(info.id)
    areas = detail.areas
    force = detail.force

    funnel = None
    if detail.funnel.available:
        text = _funnel_text(info, areas)
        dispersion = detail.funnel.dispersion
        sentence = _outside_sentence(info, text, bool(dispersion and dispersion.present))
        funnel = {
            "svg": charts.funnel_svg(
                chart_id="funnel-plot",
                title=f"Funnel plot: {info.label} by area against {info.denominator_short}",
                description=(
                    f"Each borough's {info.label.lower()} ({sel.family_label.lower()}, "
                    f"{sel.choice.label}) plotted against its number of "
                    f"{(info.denominator_short or '').lower()}, with 95% and 99.8% control "
                    f"limits around the force rate of {formatting.percent(force.value)}. "
                    f"{sentence}"
                ),
                indicator_label=info.label,
                denominator_label=info.denominator_short or "Denominator",
                target=detail.funnel.target,
                areas=[a.record() for a in areas],
                curve=[dataclasses.asdict(p) for p in detail.funnel.curve],
                widened=detail.funnel.widened,
                steps=detail.funnel.steps,
                reference_target=detail.target.value if detail.target else None,
            ),
            "text": text,
            "sentence": sentence,
            "dispersion": dispersion,
            "widened": detail.funnel.widened,
            "dispersion_text": _dispersion_text(dispersion),
            "rows": sorted(areas, key=lambda a: (a.denominator, a.area_name)),
        }

    target = detail.target
    trend_note = detail.trend_note
    trend_text = trend_svg = None
    if not trend_note:  # person-based indicators have no monthly series
        trend_text = charts.describe_trend(detail.trend, info.kind)
        trend_svg = charts.trend_svg(
            chart_id="trend-chart",
            title=f"{info.label} by month, all areas, {sel.choice.label}",
            description=f"{info.label} for the whole force ({sel.family_label.lower()}), month "
            f"by month: {trend_text}."
            + (f" The target is {formatting.value(target.value, info.kind)}." if target else ""),
            indicator_label=info.label,
            kind=info.kind,
            series=detail.trend,
            target=target.value if target else None,
        )

    params = _query(**base)
    exports_for = {
        name: _export_links("performance:export", what, params, table=name)
        for name, what in (
            ("summary", "all indicators at force level"),
            ("areas", f"{info.label} by area"),
            ("funnel", f"{info.label}: funnel-plot limits"),
            ("trend", f"{info.label} by month"),
        )
        if not (name == "trend" and trend_note)
    }
    return {
        "sel": sel,
        "info": info,
        "form": form,
        "summary": summary_rows,
        "force": force,
        "target": target,
        "rows": _sorted(areas, sort, descending),
        "headers": _headers(info, base, sort, descending),
        "sort_label": SORTS[sort][0],
        "sort_descending": descending,
        "funnel": funnel,
        "funnel_reason": detail.funnel.reason,
        "map": _significance_map(sel, info, areas, force.value)
        if map_mode == "significance" and funnel
        else _tile_map(sel, info, areas),
        "map_links": _map_links(
            {**base, "sort": sort, "dir": "desc" if descending else "asc"},
            "significance" if map_mode == "significance" and funnel else "value",
            funnel is not None,
        ),
        "small_numbers": _small_numbers((a.numerator, a.denominator, info.kind) for a in areas),
        "small_number_note": small_numbers.SMALL_NUMBER_NOTE,
        "trend": detail.trend,
        "trend_text": trend_text,
        "trend_svg": trend_svg,
        "trend_note": trend_note,
        "exports": exports_for,
        "any_missing": any(a.value is None for a in areas),
    }


# --- scorecard -------------------------------------------------------------------------------


def _scorecard_rows(card: Sequence[assessed.ScorecardRow]) -> list[dict[str, Any]]:
    """The scorecard's rows for the template: the area's figure with its indicator, the
    force's value, the target and the trend (a sparkline and words)."""
    rows = []
    for row in card:
        info = row.info
        base = {
            **row.figure.record(),
            "indicator": info.id,
            "info": info,
            "force_value": row.force_value,
            "target": row.target,
            "series": row.figure.series,
            "trend_note": row.trend_note,
        }
        if row.trend_note:  # person-based: no monthly series to draw
            rows.append(
                {
                    **base,
                    "trend_text": row.trend_note,
                    "trend_short": assessed.NO_MONTHLY_TREND_SHORT,
                    "sparkline": None,
                }
            )
            continue
        trend = charts.describe_trend(row.figure.series, info.kind)
        rows.append(
            {
                **base,
                "trend_text": trend,
                "trend_short": charts.short_trend(row.figure.series, info.kind),
                "sparkline": charts.sparkline_svg(
                    [s.value for s in row.figure.series],
                    f"{info.label} by month: {trend}",
                    width=100,
                ),
            }
        )
    return rows


@policy_required(
    lambda user, area_code=None, **_: (
        policies.can_view_performance(user)
        and (area_code is None or policies.can_view_area(user, area_code))
    )
)
@audited_view("a borough scorecard")
@handles_busy_store
def scorecard(request: HttpRequest, area_code: str | None = None) -> HttpResponse:
    keep = _query(family=request.GET.get("family"), period=request.GET.get("period"))
    if area_code is None:
        if not policies.can_view_all_areas(request.user):
            if not request.user.area_code:
                raise PermissionDenied
            target = reverse("performance:scorecard-area", args=[request.user.area_code])
            return redirect(f"{target}?{keep}" if keep else target)
        chosen = request.GET.get("area")
        if chosen in figures.borough_names():
            target = reverse("performance:scorecard-area", args=[chosen])
            return redirect(f"{target}?{keep}" if keep else target)
        return _choose_area(request)
    names = figures.borough_names()
    if area_code not in names:
        raise Http404("No such borough")
    sel = figures.select(request.GET.get("family"), request.GET.get("period"))
    if sel is None:
        return _no_data(request, f"{names[area_code]} scorecard")
    viewed(request, family=sel.family, period=sel.choice.key)
    choose_area = policies.can_view_all_areas(request.user)
    content = scorecard_fragment(sel, area_code, choose_area)
    params = _query(family=sel.family, period=sel.choice.key)
    return render(
        request,
        "performance/scorecard.html",
        {
            "sel": sel,
            "area_name": names[area_code],
            "content": content,
            "overview_href": reverse("performance:overview") + "?" + params
            if choose_area
            else None,
        },
    )


def _scorecard_context(sel: figures.Selection, area_code: str, choose_area: bool) -> dict[str, Any]:
    judged = figures.assessment(sel)
    card = judged.scorecard(area_code)
    area_name = judged.area_name(area_code)
    form = ScorecardForm(
        initial={"area": area_code, "family": sel.family, "period": sel.choice.key},
        selection=sel,
        choose_area=choose_area,
    )
    rows = _scorecard_rows(card)
    monthly = [r for r in rows if not r.get("trend_note")]
    months = [m.label for m in monthly[0]["series"]] if monthly else []
    params = _query(family=sel.family, period=sel.choice.key)
    exports_for = {
        name: _export_links(
            "performance:scorecard-export", what, params, area_code=area_code, table=name
        )
        for name, what in (
            ("scorecard", f"the {area_name} scorecard"),
            ("monthly", f"{area_name}'s figures by month"),
            ("notes", f"notes from {area_name}'s published returns"),
        )
    }
    return {
        "sel": sel,
        "area_code": area_code,
        "area_name": area_name,
        "form": form,
        "form_action": reverse("performance:scorecard")
        if choose_area
        else reverse("performance:scorecard-area", args=[area_code]),
        "rows": rows,
        "monthly_rows": monthly,
        "not_monthly": [r["info"].label for r in rows if r.get("trend_note")],
        "no_monthly_reason": assessed.NO_MONTHLY_TREND_REASON,
        "caveats": [r for r in rows if r.get("history_caveat") or r.get("no_comparison")],
        "months": months,
        "spine": _spine(sel, rows),
        "spine_key": _spine_key(),
        "spine_note": spine.LIMITS_NOTE,
        "small_numbers": _small_numbers(
            (r["numerator"], r["denominator"], r["info"].kind) for r in rows
        ),
        "small_number_note": small_numbers.SMALL_NUMBER_NOTE,
        "returns": published.notes_for_area(area_code, sel.current.token),
        "exports": exports_for,
    }


def _borough_ranges(sel: figures.Selection) -> dict[str, tuple[tuple | None, int]]:
    """Each indicator's spread over the boroughs (lowest, 25th and 75th percentiles, highest)
    and how many boroughs have a value, from the (cached) assessment."""
    ranges = {}
    for assessed_ in figures.assessment(sel).indicators:
        values = [a.value for a in assessed_.areas]
        ranges[assessed_.info.id] = (spine.quartiles(values), sum(v is not None for v in values))
    return ranges


def _spine(sel: figures.Selection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The spine chart's rows: each indicator of the scorecard against London and the range
    of the boroughs (lowest, 25th and 75th percentiles, highest), judged by the borough's
    funnel flag at 95%. Also writes each scorecard row's "against_london" words, so the table
    says what the chart shows."""
    out = []
    ranges = _borough_ranges(sel)
    for row in rows:
        info = row["info"]
        spread, boroughs = ranges.get(row["indicator"], (None, 0))
        spread = spread or (None, None, None, None)
        spine_row = spine.SpineRow(
            label=info.label,
            kind=info.kind,
            higher_is_better=info.higher_is_better,
            value=row["value"],
            # a count's London figure is the total of the boroughs, not comparable with one
            london=row["force_value"] if info.is_rate else None,
            lowest=spread[0],
            q25=spread[1],
            q75=spread[2],
            highest=spread[3],
            significance=spine.significance_of_flag(row.get("flag")),
            boroughs=boroughs,
        )
        row["against_london"] = spine_row.words

        def text(v: float | None, kind: str = info.kind) -> str:
            return formatting.value(v, kind)

        low, high = (spread[3], spread[0]) if spine_row.reversed else (spread[0], spread[3])
        london = (
            f"London {text(row['force_value'])}"
            if info.is_rate
            else f"London total {text(row['force_value'])}"
        )
        described = (
            f"{text(row['value'])} ({london}): "
            f"{spine_row.words.lower()}. The boroughs range from {text(low)} on the left to "
            f"{text(high)} on the right ({spine_row.orientation}), the middle half from "
            f"{text(spread[1])} to {text(spread[2])}."
        )
        out.append(
            {
                "row": spine_row,
                "info": info,
                "judged": spine_row.judged,
                "described": described,
                "london": london,
                "left": text(low),
                "right": text(high),
                "svg": spine.spine_svg(spine_row, f"spine-{row['indicator']}", described),
                "numerator": row["numerator"],
                "denominator": row["denominator"],
            }
        )
    return out


def _spine_key() -> list[dict[str, Any]]:
    """The key to the spine's markers: every shape with its words."""
    return [
        {"svg": spine.marker_svg(s, hib), "words": spine.comparison_words(s, hib)}
        for s, hib in (
            (spine.HIGHER, True),
            (spine.SIMILAR, True),
            (spine.HIGHER, False),
            (spine.HIGHER, None),
            (spine.LOWER, None),
            (spine.NOT_COMPARED, None),
        )
    ]


def _choose_area(request: HttpRequest) -> HttpResponse:
    sel = figures.select(request.GET.get("family"), request.GET.get("period"))
    if sel is None:
        return _no_data(request, "Borough scorecards")
    viewed(request, family=sel.family, period=sel.choice.key)
    form = ScorecardForm(
        initial={"family": sel.family, "period": sel.choice.key}, selection=sel, choose_area=True
    )
    params = _query(family=sel.family, period=sel.choice.key)
    areas = [
        {
            "code": code,
            "name": name,
            "href": reverse("performance:scorecard-area", args=[code]) + "?" + params,
        }
        for code, name in figures.borough_names().items()
    ]
    return render(
        request, "performance/scorecard_choose.html", {"sel": sel, "form": form, "areas": areas}
    )


# --- exports ---------------------------------------------------------------------------------


def _audit_export(
    request: HttpRequest,
    table: exports.ExportTable,
    fmt: str,
    sel: figures.Selection,
    object_id: str,
    area: str,
    **details: Any,
) -> None:
    record(
        request,
        Action.EXPORTED,
        f"Exported {table.title} ({fmt.upper()})",
        object_type="table",
        object_id=object_id,
        table=object_id,
        format=fmt,
        family=sel.family,
        period=sel.choice.key,
        area=area,
        filename=f"{table.filename}.{fmt}",
        rows=len(table.rows),
        **details,
    )


@policy_required(
    lambda user, **_: policies.can_view_all_areas(user) and policies.can_export_performance(user)
)
@audited_view("an overview table (download)")
@handles_busy_store
def export_overview(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    if table not in exports.OVERVIEW_TABLES or fmt not in exports.FORMATS:
        raise Http404("No such table or format")
    sel = figures.select(request.GET.get("family"), request.GET.get("period"))
    if sel is None:
        raise Http404("No data")
    info = _indicator(sel, request.GET.get("indicator"))
    if table == "funnel" and not figures.assessment(sel).indicator(info.id).funnel.available:
        raise Http404("No funnel plot for this indicator")
    if table == "trend" and info.is_person_based:
        raise Http404("No monthly trend for a person-based indicator")
    export = exports.overview_table(sel, table, info.id)
    response = exports.response(export, fmt)
    details = {} if table == "summary" else {"indicator": info.id}
    _audit_export(request, export, fmt, sel, f"overview-{table}", "ALL", **details)
    return response


@policy_required(
    lambda user, area_code, **_: (
        policies.can_export_performance(user) and policies.can_view_area(user, area_code)
    )
)
@audited_view("a scorecard table (download)")
@handles_busy_store
def export_scorecard(request: HttpRequest, area_code: str, table: str, fmt: str) -> HttpResponse:
    if table not in exports.SCORECARD_TABLES or fmt not in exports.FORMATS:
        raise Http404("No such table or format")
    if area_code not in figures.borough_names():
        raise Http404("No such borough")
    sel = figures.select(request.GET.get("family"), request.GET.get("period"))
    if sel is None:
        raise Http404("No data")
    export = exports.scorecard_table(sel, table, area_code)
    response = exports.response(export, fmt)
    _audit_export(request, export, fmt, sel, f"scorecard-{table}", area_code)
    return response
