"""Charts for the performance pages: SVG drawn on the server, cached, accessible.

Charts are Vega-Lite specifications built with Altair and rendered to SVG by
``vl_convert`` (no browser, no network). Rendering takes ~0.1 s (more for the first chart
in a process), so each SVG is cached — in this process and in the Django cache — under a
hash of everything it is drawn from; the same figures never render twice.

Every SVG is embedded inline with ``role="img"``, a ``<title>`` and a ``<desc>`` (what the
chart shows and what to notice), and the page gives the same figures as a table. Colour is
never the only carrier: funnel points differ in shape, tiles carry their value as text.

Sparklines are small enough to write directly as SVG (no renderer needed).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

from dsvb.indicators.assessment import MonthFigure
from dsvb.indicators.comparison import Flag
from dsvb.web.performance import formatting, spine

FONT = "Arial, Helvetica, sans-serif"
TEXT = "#0b0c0c"
GREY = "#505a5f"
# ColorBrewer "Blues", 5 classes: sequential, single hue, safe for colour-blind readers.
BLUES = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
NO_DATA = "#f3f2f1"
LIGHT = "#8c8c8c"  # lines for reference only (3:1 on white, as WCAG asks of graphics)
# Okabe-Ito colours (distinguishable with every common colour-vision deficiency), with shapes;
# the words are the flags' own (one definition: dsvb.indicators.comparison.Flag.label).
FLAG_STYLE = {
    Flag.ABOVE_998: ("#d55e00", "triangle-up"),
    Flag.ABOVE_95: ("#e69f00", "triangle-up"),
    Flag.WITHIN: (GREY, "circle"),
    Flag.BELOW_95: ("#56b4e9", "triangle-down"),
    Flag.BELOW_998: ("#0072b2", "triangle-down"),
    Flag.TOO_FEW: ("#ffffff", "diamond"),
}
CACHE_SECONDS = 24 * 60 * 60
CHART_VERSION = 7  # part of every cache key: change it when the drawing code changes


# --- rendering and caching -----------------------------------------------------------------


class _Memo:
    """A small thread-safe LRU of rendered charts, in front of the Django cache."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self.items: OrderedDict[str, str] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        return None

    def put(self, key: str, svg: str) -> None:
        with self.lock:
            self.items[key] = svg
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


_memo = _Memo()
_render_lock = threading.Lock()


def _vega_svg(spec: dict[str, Any]) -> str:
    import vl_convert

    with _render_lock:  # one renderer per process; serialise first use
        return vl_convert.vegalite_to_svg(spec)


def cached_svg(
    payload: dict[str, Any],
    build: Callable[[], dict[str, Any]],
    *,
    chart_id: str,
    title: str,
    description: str,
    focusable_points: bool = False,
) -> SafeString:
    """The accessible SVG for a chart drawn from ``payload`` (rendered once, then cached).

    ``build`` returns the Vega-Lite specification and is only called on a cache miss.
    With ``focusable_points``, marks drawn with ``aria=True`` and a ``description`` become
    focusable points named by a ``<title>`` (see :func:`_points`).
    """
    text = json.dumps(
        {
            "v": CHART_VERSION,
            "payload": payload,
            "id": chart_id,
            "title": title,
            "desc": description,
            "points": focusable_points,
        },
        sort_keys=True,
        default=str,
    )
    key = "dsvb:chart:" + hashlib.sha256(text.encode()).hexdigest()
    svg = _memo.get(key)
    if svg is None:
        svg = cache.get(key)
        if svg is None:
            svg = _accessible(
                _vega_svg(build()), chart_id, title, description, points=focusable_points
            )
            cache.set(key, svg, CACHE_SECONDS)
        _memo.put(key, svg)
    return mark_safe(svg)  # rendered by vl_convert from our own data


_SVG_OPEN = re.compile(r"<svg\b([^>]*)>")
_INNER_ARIA = re.compile(r'\s(?:role|aria-[a-z]+)="[^"]*"')


_LABELLED_MARK = re.compile(r'<path aria-label="([^"]*)" role="graphics-symbol"([^>]*?)/>')
_POINT = re.compile(r'<path data-dsvb-point="([^"]*)"([^>]*?)/>')


def _points(svg: str) -> str:
    """Each labelled mark as a focusable point named by its label: a ``<title>`` (shown on
    hover) and ``aria-label`` (read when the point takes keyboard focus)."""
    return _POINT.sub(
        lambda m: (
            f'<path class="dsvb-point" tabindex="0" role="img" aria-label="{m.group(1)}"'
            f"{m.group(2)}><title>{m.group(1)}</title></path>"
        ),
        svg,
    )


def _accessible(
    svg: str, chart_id: str, title: str, description: str, *, points: bool = False
) -> str:
    """Name the chart for assistive technology: role, title and description.

    A chart with focusable ``points`` is a group (an image's parts are hidden from
    assistive technology, and a focusable part of an image is an error), its points named.
    """
    if points:
        svg = _LABELLED_MARK.sub(r'<path data-dsvb-point="\1"\2/>', svg)
    # The renderer labels its groups and marks for assistive technology; one name for the
    # whole chart (and the table beside it) serves better, so those roles are removed.
    svg = _INNER_ARIA.sub("", svg)
    if points:
        svg = _points(svg)
    match = _SVG_OPEN.search(svg)
    if match is None:
        raise ValueError("the renderer returned no <svg> element")
    attrs = re.sub(r'\sclass="[^"]*"', "", match.group(1))
    opening = (
        f'<svg{attrs} class="dsvb-chart__svg" role="{"group" if points else "img"}" '
        'focusable="false" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
    )
    return svg[: match.start()] + opening + svg[match.end() :]


def _config(chart: Any, **legend: Any) -> dict[str, Any]:
    spec = chart.configure(
        font=FONT,
        background="#ffffff",
        aria=False,
        axis={"labelFontSize": 13, "titleFontSize": 14, "labelColor": TEXT, "titleColor": TEXT},
        legend={
            "labelFontSize": 13,
            "titleFontSize": 14,
            "labelColor": TEXT,
            "titleColor": TEXT,
            **legend,
        },
        view={"stroke": None},
    ).to_dict(validate=False)  # the specification is fixed; validating costs ~2 s per process
    return spec


def _y_format(kind: str) -> str:
    return {"proportion": ".0%", "ratio": ".2f"}.get(kind, ",d")


def _y_axis_options(kind: str) -> dict[str, Any]:
    """Axis labels that never repeat: whole percentages are labelled at least a point apart
    (a narrow range would otherwise put ticks every half point, each shown twice)."""
    step = {"proportion": 0.01, "ratio": 0.01}.get(kind, 1)
    return {"format": _y_format(kind), "tickMinStep": step}


# --- funnel plot ---------------------------------------------------------------------------


def funnel_svg(
    *,
    chart_id: str,
    title: str,
    description: str,
    indicator_label: str,
    denominator_label: str,
    target: float,
    areas: Sequence[dict[str, Any]],
    curve: Sequence[dict[str, Any]],
    widened: bool = False,
    steps: bool = False,
    reference_target: float | None = None,
) -> SafeString:
    """Each area's proportion against its denominator, with the 95% and 99.8% control limits
    its flag was judged by (``lower_95`` … in ``curve``; widened for over-dispersion when
    ``widened``, with the plain exact 99.8% limits drawn lighter for reference). Markers
    take their colour and shape from the area's flag. The limits are step functions of the
    denominator: drawn as steps when ``steps`` (the curve has every denominator), else as
    lines through the areas' own denominators, so a marker beyond a line is flagged.

    Every mark is in the legend: the limits, London's value (``target``, the centre of the
    funnel), the board's target when ``reference_target`` is given, and the areas by flag.
    Each point is named (area, value, counts and flag) by a ``<title>`` shown on hover and
    is focusable, its name read when it takes keyboard focus."""
    points = [
        {
            "area": a["area_name"],
            "n": a["denominator"],
            "value": a["value"],
            "flag": Flag(a["flag"]).label,
            "label": a["area_name"] if Flag(a["flag"]).outside_998 else "",
            "name": (
                f"{a['area_name']}: {formatting.percent(a['value'])} "
                f"({formatting.count(a.get('numerator'))} of {formatting.count(a['denominator'])})"
                f", {Flag(a['flag']).label.lower()}"
            ),
        }
        for a in areas
        if a.get("flag") and a["value"] is not None
    ]
    suffix = " allowing for over-dispersion" if widened else ""
    styles = [
        ("", "95", f"95% limits{suffix}", [6, 4], GREY),
        ("", "998", f"99.8% limits{suffix}", [1, 0], GREY),
    ]
    if widened:
        styles.append(("exact_", "998", "99.8% limits for chance alone", [2, 3], LIGHT))
    lines = [
        {
            "n": c["n"],
            "value": c[f"{prefix}{side}_{level}"],
            "line": f"{prefix}{side}_{level}",
            "limits": name,
        }
        for c in curve
        for prefix, level, name, _dash, _colour in styles
        for side in ("lower", "upper")
    ]
    rules = [{"y": target, "limits": f"London value {formatting.percent(target)}"}]
    rule_styles = [([1, 0], TEXT)]
    if reference_target is not None:
        rules.append(
            {"y": reference_target, "limits": f"Target {formatting.percent(reference_target)}"}
        )
        rule_styles.append(([10, 4], "#1d70b8"))
    payload = {
        "kind": "funnel",
        "points": points,
        "lines": lines,
        "target": target,
        "rules": rules,
        "steps": steps,
    }

    def build() -> dict[str, Any]:
        import altair as alt

        x = alt.X(
            "n:Q",
            title=f"{denominator_label} (denominator)",
            axis=alt.Axis(format=",d", tickCount=6),
            scale=alt.Scale(zero=False, nice=True),
        )
        y_scale = alt.Scale(zero=False, nice=True)
        names = [name for _, _, name, _, _ in styles] + [r["limits"] for r in rules]
        dashes = [s[3] for s in styles] + [d for d, _ in rule_styles]
        colours = [s[4] for s in styles] + [c for _, c in rule_styles]
        limits = (
            alt.Chart(alt.Data(values=lines))
            .mark_line(strokeWidth=1.5, interpolate="step-after" if steps else "linear")
            .encode(
                x=x,
                y=alt.Y(
                    "value:Q",
                    title=indicator_label,
                    axis=alt.Axis(**_y_axis_options("proportion")),
                    scale=y_scale,
                ),
                detail="line:N",
                strokeDash=alt.StrokeDash(
                    "limits:N", title="Lines", scale=alt.Scale(domain=names, range=dashes)
                ),
                color=alt.Color(
                    "limits:N", title="Lines", scale=alt.Scale(domain=names, range=colours)
                ),
            )
        )
        force = (
            alt.Chart(alt.Data(values=rules))
            .mark_rule(strokeWidth=2)
            .encode(
                y="y:Q",
                strokeDash=alt.StrokeDash(
                    "limits:N", title="Lines", scale=alt.Scale(domain=names, range=dashes)
                ),
                color=alt.Color(
                    "limits:N", title="Lines", scale=alt.Scale(domain=names, range=colours)
                ),
            )
        )
        flags = [flag.label for flag in FLAG_STYLE]
        dots = (
            alt.Chart(alt.Data(values=points))
            .mark_point(filled=True, size=90, opacity=0.95, stroke=TEXT, strokeWidth=0.8, aria=True)
            .encode(
                x=x,
                y="value:Q",
                description="name:N",
                fill=alt.Fill(
                    "flag:N",
                    title="Area",
                    scale=alt.Scale(domain=flags, range=[c for c, _ in FLAG_STYLE.values()]),
                ),
                shape=alt.Shape(
                    "flag:N",
                    title="Area",
                    scale=alt.Scale(domain=flags, range=[m for _, m in FLAG_STYLE.values()]),
                ),
            )
        )
        labels = (
            alt.Chart(alt.Data(values=[p for p in points if p["label"]]))
            .mark_text(align="left", dx=8, dy=-6, fontSize=12, color=TEXT)
            .encode(x=x, y="value:Q", text="label:N")
        )
        force_label = (
            alt.Chart(alt.Data(values=[{"target": target}]))
            .mark_text(align="right", dy=-8, fontSize=12, color=TEXT, x="width")
            .encode(y="target:Q", text=alt.value(f"London {formatting.percent(target)}"))
        )
        chart = alt.layer(limits, force, force_label, dots, labels).properties(
            width=520, height=340
        )
        return _config(chart, orient="bottom", direction="vertical", labelLimit=0)

    return cached_svg(
        payload,
        build,
        chart_id=chart_id,
        title=title,
        description=description,
        focusable_points=True,
    )


# --- tile map ------------------------------------------------------------------------------


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def ink_for(fill: str) -> str:
    """Black or white text, whichever contrasts more with the fill."""
    return TEXT if contrast(TEXT, fill) >= contrast("#ffffff", fill) else "#ffffff"


def bands(values: Sequence[float | None], kind: str) -> list[tuple[float, float]]:
    """Up to five equal-width bands spanning the values (fewer when they are few or equal)."""
    present = sorted(v for v in values if v is not None)
    if not present:
        return []
    low, high = present[0], present[-1]
    if low == high:
        return [(low, high)]
    k = min(len(BLUES), len(set(present)))
    width = (high - low) / k
    return [(low + i * width, high if i == k - 1 else low + (i + 1) * width) for i in range(k)]


def band_of(value: float, edges: Sequence[tuple[float, float]]) -> int:
    for i, (_, high) in enumerate(edges):
        if value <= high or i == len(edges) - 1:
            return i
    return len(edges) - 1


def band_label(edge: tuple[float, float], kind: str) -> str:
    low, high = edge
    if low == high:
        return formatting.value(low, kind)
    return f"{formatting.value(low, kind)} to {formatting.value(high, kind)}"


def _labelled_tiles(base: Any, rects: Any) -> dict[str, Any]:
    """The tiles with each borough's abbreviation and value written on them, in the ink
    each tile's fill needs (both tile maps)."""
    import altair as alt

    ink = alt.Color("ink:N", scale=None)
    abbr = base.mark_text(dy=-9, fontSize=13, fontWeight="bold").encode(text="abbr:N", color=ink)
    text = base.mark_text(dy=9, fontSize=12).encode(text="text:N", color=ink)
    chart = alt.layer(rects, abbr, text).properties(width=alt.Step(58), height=alt.Step(54))
    return _config(chart)


def tile_map_svg(
    *,
    chart_id: str,
    title: str,
    description: str,
    legend_title: str,
    kind: str,
    tiles: Sequence[dict[str, Any]],
    columns: int,
    rows: int,
) -> tuple[SafeString, list[dict[str, str]]]:
    """The boroughs on a fixed grid, shaded by value, each tile naming its value.

    ``tiles`` carry ``row``, ``col``, ``abbr`` and ``value``. Returns the SVG and the
    legend (label, colour) so the page can repeat it in text.
    """
    edges = bands([t["value"] for t in tiles], kind)
    palette = BLUES if len(edges) == len(BLUES) else BLUES[len(BLUES) - len(edges) :]
    legend = [{"label": band_label(e, kind), "colour": palette[i]} for i, e in enumerate(edges)]
    if any(t["value"] is None for t in tiles):
        legend.append({"label": "No data", "colour": NO_DATA})
    marks = []
    for t in tiles:
        if t["value"] is None:
            band, fill, text = "No data", NO_DATA, formatting.DASH
        else:
            i = band_of(t["value"], edges)
            band, fill, text = legend[i]["label"], palette[i], formatting.value(t["value"], kind)
        marks.append(
            {
                "row": t["row"],
                "col": t["col"],
                "abbr": t["abbr"],
                "text": text,
                "band": band,
                "ink": ink_for(fill),
            }
        )
    payload = {"kind": "tiles", "marks": marks, "legend": legend, "title": legend_title}

    def build() -> dict[str, Any]:
        import altair as alt

        x = alt.X(
            "col:O", axis=None, scale=alt.Scale(domain=list(range(columns)), paddingInner=0.06)
        )
        y = alt.Y("row:O", axis=None, scale=alt.Scale(domain=list(range(rows)), paddingInner=0.06))
        base = alt.Chart(alt.Data(values=marks)).encode(x=x, y=y)
        rects = base.mark_rect(stroke=GREY, strokeWidth=1).encode(
            color=alt.Color(
                "band:N",
                title=legend_title,
                sort=[entry["label"] for entry in legend],
                scale=alt.Scale(
                    domain=[entry["label"] for entry in legend],
                    range=[entry["colour"] for entry in legend],
                ),
                legend=alt.Legend(
                    orient="right",
                    symbolType="square",
                    symbolSize=300,
                    symbolStrokeColor=GREY,
                    symbolStrokeWidth=1,
                ),
            )
        )
        return _labelled_tiles(base, rects)

    svg = cached_svg(payload, build, chart_id=chart_id, title=title, description=description)
    return svg, legend


@dataclass(frozen=True)
class SignificanceTile:
    """A borough's tile for the map shaded by significance against London."""

    row: int
    col: int
    abbr: str
    value: float | None
    significance: str  # higher | similar | lower | not compared (spine.SIGNIFICANCE)


def significance_legend(higher_is_better: bool | None) -> list[spine.Significance]:
    """Every judgement a tile can show, in a fixed order (the whole legend, always)."""
    order = (spine.HIGHER, spine.SIMILAR, spine.LOWER, spine.NOT_COMPARED)
    judged = [spine.judgement(s, higher_is_better) for s in order]
    if higher_is_better is False:  # better first
        judged[0], judged[2] = judged[2], judged[0]
    return judged


def significance_tile_map_svg(
    *,
    chart_id: str,
    title: str,
    description: str,
    kind: str,
    higher_is_better: bool | None,
    tiles: Sequence[SignificanceTile],
    columns: int,
    rows: int,
) -> tuple[SafeString, list[spine.Significance]]:
    """The boroughs on the fixed grid, shaded by their judgement against London (better,
    similar, worse, not compared; or higher and lower when the indicator has no better
    direction). Each tile carries the judgement's symbol (the spine chart's marker shape)
    beside its value, so the map never depends on colour alone. Returns the SVG and the
    legend (every judgement, whether or not a tile shows it)."""
    legend = significance_legend(higher_is_better)
    labels = [f"{j.symbol} {j.words}" for j in legend]
    marks = []
    for t in tiles:
        j = spine.judgement(t.significance, higher_is_better)
        value = formatting.DASH if t.value is None else formatting.value(t.value, kind)
        marks.append(
            {
                "row": t.row,
                "col": t.col,
                "abbr": t.abbr,
                "text": f"{j.symbol} {value}",
                "band": f"{j.symbol} {j.words}",
                "ink": j.ink,
            }
        )
    payload = {"kind": "tiles-significance", "marks": marks, "legend": labels}

    def build() -> dict[str, Any]:
        import altair as alt

        x = alt.X(
            "col:O", axis=None, scale=alt.Scale(domain=list(range(columns)), paddingInner=0.06)
        )
        y = alt.Y("row:O", axis=None, scale=alt.Scale(domain=list(range(rows)), paddingInner=0.06))
        base = alt.Chart(alt.Data(values=marks)).encode(x=x, y=y)
        rects = base.mark_rect(stroke=TEXT, strokeWidth=1).encode(
            color=alt.Color(
                "band:N",
                title="Against London",
                sort=labels,
                scale=alt.Scale(domain=labels, range=[j.colour for j in legend]),
                legend=alt.Legend(
                    orient="bottom",
                    direction="vertical",
                    symbolType="square",
                    symbolSize=300,
                    symbolStrokeColor=TEXT,
                    symbolStrokeWidth=1,
                    labelLimit=0,
                ),
            )
        )
        return _labelled_tiles(base, rects)

    svg = cached_svg(payload, build, chart_id=chart_id, title=title, description=description)
    return svg, legend


# --- trend ---------------------------------------------------------------------------------


def trend_svg(
    *,
    chart_id: str,
    title: str,
    description: str,
    indicator_label: str,
    kind: str,
    series: Sequence[MonthFigure],
    target: float | None,
) -> SafeString:
    points = [{"month": s.label, "value": s.value} for s in series]
    order = [s.label for s in series]
    payload = {"kind": "trend", "points": points, "target": target, "format": kind}

    def build() -> dict[str, Any]:
        import altair as alt

        x = alt.X("month:O", title="Month", sort=order, axis=alt.Axis(labelAngle=-40))
        y = alt.Y(
            "value:Q",
            title=indicator_label,
            axis=alt.Axis(**_y_axis_options(kind)),
            scale=alt.Scale(zero=kind == "count", nice=True),
        )
        base = alt.Chart(alt.Data(values=[p for p in points if p["value"] is not None]))
        layers = [
            base.mark_line(color="#1d70b8", strokeWidth=3).encode(x=x, y=y),
            base.mark_point(color="#1d70b8", filled=True, size=60).encode(x=x, y=y),
        ]
        if target is not None:
            rule = alt.Chart(alt.Data(values=[{"target": target, "label": "Target"}]))
            layers.append(rule.mark_rule(color=TEXT, strokeDash=[6, 4]).encode(y="target:Q"))
            layers.append(
                rule.mark_text(align="left", dx=4, dy=-8, color=TEXT, fontSize=12, x=0).encode(
                    y="target:Q", text=alt.value(f"Target {formatting.value(target, kind)}")
                )
            )
        return _config(alt.layer(*layers).properties(width=560, height=260))

    return cached_svg(payload, build, chart_id=chart_id, title=title, description=description)


def describe_trend(series: Sequence[MonthFigure], kind: str) -> str:
    """In words: 'rising from 44.0% in Dec 2009 to 51.0% in Nov 2010 (lowest …, highest …)'."""
    known = [s for s in series if s.value is not None]
    if not known:
        return "no figures for any month"
    if len(known) == 1:
        return f"{formatting.value(known[0].value, kind)} in {known[0].label} only"
    first, last = known[0], known[-1]
    a, b = formatting.value(first.value, kind), formatting.value(last.value, kind)
    low = min(known, key=lambda s: s.value)
    high = max(known, key=lambda s: s.value)
    if a == b:
        movement = f"level at {a} in {first.label} and {last.label}"
    else:
        word = "rising" if last.value > first.value else "falling"
        movement = f"{word} from {a} in {first.label} to {b} in {last.label}"
    spread = (
        f" (lowest {formatting.value(low.value, kind)} in {low.label}, "
        f"highest {formatting.value(high.value, kind)} in {high.label})"
    )
    return movement + spread


def short_trend(series: Sequence[MonthFigure], kind: str) -> str:
    """In a few words: 'rising, 44.0% to 51.0%'."""
    known = [s for s in series if s.value is not None]
    if not known:
        return "no figures"
    if len(known) == 1:
        return formatting.value(known[0].value, kind)
    a = formatting.value(known[0].value, kind)
    b = formatting.value(known[-1].value, kind)
    if a == b:
        return f"level, {a}"
    word = "rising" if known[-1].value > known[0].value else "falling"
    return f"{word}, {a} to {b}"


# --- sparklines ----------------------------------------------------------------------------


def sparkline_svg(
    values: Sequence[float | None], label: str, width: int = 120, height: int = 28
) -> SafeString:
    """A small line of monthly values; gaps where a month has no value."""
    known = [v for v in values if v is not None]
    pad = 3
    parts = [
        f'<svg class="dsvb-sparkline" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}" '
        f'focusable="false"><title>{escape(label)}</title>'
    ]
    if known:
        low, high = min(known), max(known)
        span = high - low or 1.0
        step = (width - 2 * pad) / max(1, len(values) - 1)

        def point(i: int, v: float) -> tuple[float, float]:
            y = height - pad - (v - low) / span * (height - 2 * pad) if high != low else height / 2
            return round(pad + i * step, 1), round(y, 1)

        segment: list[tuple[float, float]] = []
        segments = []
        for i, v in enumerate(values):
            if v is None:
                if segment:
                    segments.append(segment)
                segment = []
            else:
                segment.append(point(i, v))
        if segment:
            segments.append(segment)
        for seg in segments:
            coords = " ".join(f"{x},{y}" for x, y in seg)
            if len(seg) == 1:
                x, y = seg[0]
                parts.append(f'<circle cx="{x}" cy="{y}" r="2" fill="#1d70b8"/>')
            else:
                parts.append(
                    f'<polyline points="{coords}" fill="none" stroke="#1d70b8" '
                    'stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>'
                )
        last_i = max(i for i, v in enumerate(values) if v is not None)
        x, y = point(last_i, values[last_i])
        parts.append(f'<circle cx="{x}" cy="{y}" r="3" fill="#0b0c0c"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # numbers and an escaped label only
