"""The equality page's dot plot: each group's ratio to its reference group, with its
interval, on a logarithmic scale with a line at 1 (no difference).

Written directly as SVG (a few dozen shapes; no renderer needed), like the spine chart. A
logarithmic scale draws a ratio of 2 and of 0.5 the same distance from 1, as they are the
same size of difference. Intervals that run off the scale (or have no upper limit, a ratio
over a reference group with none recorded) end in an arrow. The marker says whether the
difference is called disproportionate by its fill *and* its shape (a filled diamond, or an
open circle), never by colour alone; the page's tables give every figure in words.

The chart is one image (``role="img"``) named by a ``<title>`` and a ``<desc>`` that says
what it shows and which differences are called disproportionate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

from dsvb.indicators.formatting import ratio as ratio_text

FONT = "Arial, Helvetica, sans-serif"
TEXT = "#0b0c0c"
LINE = "#505a5f"  # interval lines (7:1 on white)
CALLED = "#0b0c0c"
LIMIT = 32.0  # the scale never runs beyond 1/32 to 32: beyond, an arrow says "more"

LABEL_WIDTH = 260
PLOT_WIDTH = 380
RIGHT = 24
ROW = 24
TOP = 34
BOTTOM = 10


@dataclass(frozen=True)
class Dot:
    """One group's ratio (None: no ratio) and the interval drawn (upper None: no limit)."""

    label: str
    ratio: float | None
    lower: float | None
    upper: float | None
    called: bool  # called disproportionate
    heading: bool = False  # a strand's name, drawn as a heading row (no marker)


def scale(dots: Sequence[Dot]) -> tuple[float, float]:
    """The scale's ends: powers of 2 around every ratio and interval end, at least 1/2 to
    2, at most 1/32 to 32."""
    values = [
        v
        for d in dots
        if d.ratio  # a ratio of 0 is written in words, not drawn
        for v in (d.ratio, d.lower, d.upper)
        if v is not None and v > 0 and math.isfinite(v)
    ]
    low = min([0.5, *values])
    high = max([2.0, *values])
    low = max(1 / LIMIT, 2 ** math.floor(math.log2(low)))
    high = min(LIMIT, 2 ** math.ceil(math.log2(high)))
    return low, high


def _tick_label(value: float) -> str:
    if value >= 1:
        return f"{value:g}"
    return f"1/{round(1 / value):g}"


def dot_plot_svg(dots: Sequence[Dot], *, chart_id: str, title: str, description: str) -> SafeString:
    """The dot plot of ``dots`` (rows in order), as accessible inline SVG."""
    low, high = scale(dots)
    width = LABEL_WIDTH + PLOT_WIDTH + RIGHT
    height = TOP + ROW * len(dots) + BOTTOM
    span = math.log(high) - math.log(low)

    def x(value: float) -> float:
        value = min(max(value, low), high)
        return round(LABEL_WIDTH + (math.log(value) - math.log(low)) / span * PLOT_WIDTH, 1)

    parts = [
        f'<svg class="dsvb-dotplot" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" focusable="false" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" id="{chart_id}" '
        f'font-family="{FONT}" font-size="14">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
    ]
    ticks: list[float] = []
    k = round(math.log2(low))
    while 2**k <= high * 1.0001:  # ticks at powers of 2, labelled along the top
        ticks.append(2.0**k)
        k += 1
    for tick in ticks:
        parts.append(
            f'<text x="{x(tick)}" y="{TOP - 12}" text-anchor="middle" fill="{TEXT}">'
            f"{_tick_label(tick)}</text>"
        )
    one = x(1.0)
    for i, dot in enumerate(dots):
        top = TOP + ROW * i
        cy = top + ROW / 2
        if dot.heading:  # a strand's name across the whole width, over no grid
            parts.append(
                f'<text x="4" y="{cy + 5}" fill="{TEXT}" font-weight="bold">'
                f"{escape(dot.label)}</text>"
            )
            continue
        for tick in ticks:  # the grid, row by row (so headings stay clear of it)
            parts.append(
                f'<line x1="{x(tick)}" y1="{top}" x2="{x(tick)}" y2="{top + ROW}" '
                'stroke="#dddddd" stroke-width="1"/>'
            )
        parts.append(
            f'<line x1="{one}" y1="{top}" x2="{one}" y2="{top + ROW}" stroke="{TEXT}" '
            'stroke-width="2" stroke-dasharray="4 3"/>'
        )
        parts.append(
            f'<text x="{LABEL_WIDTH - 10}" y="{cy + 5}" text-anchor="end" fill="{TEXT}">'
            f"{escape(dot.label)}</text>"
        )
        if dot.ratio is None or dot.ratio <= 0:  # no ratio, or none in the group: words
            words = "no ratio" if dot.ratio is None else "0: none recorded in this group"
            parts.append(f'<text x="{LABEL_WIDTH + 6}" y="{cy + 5}" fill="{TEXT}">{words}</text>')
            continue
        if dot.lower is not None:
            x1 = x(dot.lower) if dot.lower > 0 else x(low)
            x2 = x(dot.upper) if dot.upper is not None else x(high)
            parts.append(
                f'<line x1="{x1}" y1="{cy}" x2="{x2}" y2="{cy}" stroke="{LINE}" stroke-width="2"/>'
            )
            if dot.lower <= low:
                parts.append(_arrow(x(low), cy, -1))
            if dot.upper is None or dot.upper >= high:
                parts.append(_arrow(x(high), cy, 1))
        cx = x(dot.ratio)
        if dot.called:
            parts.append(
                f'<path d="M{cx} {cy - 7} L{cx + 7} {cy} L{cx} {cy + 7} L{cx - 7} {cy} Z" '
                f'fill="{CALLED}" stroke="{CALLED}" stroke-width="1"/>'
            )
        else:
            parts.append(
                f'<circle cx="{cx}" cy="{cy}" r="5" fill="#ffffff" stroke="{TEXT}" '
                'stroke-width="2"/>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # numbers and escaped text only


def _arrow(tip: float, cy: float, direction: int) -> str:
    back = tip - 7 * direction
    return (
        f'<path d="M{tip} {cy} L{back} {cy - 5} L{back} {cy + 5} Z" fill="{LINE}" stroke="none"/>'
    )


def describe_interval(lower: float | None, upper: float | None) -> str:
    """An interval in words for the tables and the description."""
    if lower is None:
        return "–"
    return f"{ratio_text(lower)} to {'no upper limit' if upper is None else ratio_text(upper)}"
