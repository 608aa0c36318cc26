"""Comparing a borough with London: the significance words, marks and the spine chart.

The spine chart is Fingertips' "area profile": for each indicator a bar from the worst to the
best borough, the middle half (25th to 75th percentile) darker, London's value as a black
centre line and the borough's value as a marker. Better is always on the right (the scale is
reversed when lower is better); an indicator with no better direction runs low to high and
is not judged better or worse.

The marker says three things at once, so no one depends on colour: its **shape** says where
the borough lies against London (triangle up: significantly higher; triangle down:
significantly lower; circle: similar; open diamond: not compared), its **colour** says whether
that is better or worse, and the **text** beside it says it in words. Significance is the
borough's funnel-plot flag at 95% against the London rate (exact binomial limits, widened
when the boroughs are over-dispersed: :mod:`dsvb.indicators.comparison`); counts, ratios
and rates of other records have no such test and are "not compared".

Inputs are small frozen dataclasses of plain values, so the drawing does not depend on how
the figures are held.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

from dsvb.indicators.comparison import Flag

__all__ = [
    "LIMITS_NOTE",
    "SIGNIFICANCE",
    "Significance",
    "SpineRow",
    "comparison_words",
    "judgement",
    "marker_svg",
    "quartiles",
    "significance_of_flag",
    "spine_svg",
]

HIGHER, SIMILAR, LOWER, NOT_COMPARED = "higher", "similar", "lower", "not compared"
SIGNIFICANCE = (HIGHER, SIMILAR, LOWER, NOT_COMPARED)
LIMITS_NOTE = (
    "Significantly different means outside the 95% funnel-plot limits around London's rate "
    "(exact binomial limits, widened when the boroughs vary more than chance explains); "
    "similar means within them. Counts, ratios and rates of other records have no such test, "
    "and a borough with too few records to tell is not compared."
)


@dataclass(frozen=True)
class Significance:
    """How a judgement is drawn and written: a key (better/similar/worse/higher/lower/not
    compared), the words, the marker's shape and a colour."""

    key: str
    words: str
    shape: str  # triangle-up | triangle-down | circle | diamond
    symbol: str  # the shape as a character, for text and tiles
    colour: str
    ink: str  # text colour on the colour


# Okabe-Ito colours (safe with every common colour-vision deficiency): key -> words, fill, ink.
STYLES = {
    "better": ("Significantly better than London", "#0072b2", "#ffffff"),
    "worse": ("Significantly worse than London", "#d55e00", "#0b0c0c"),
    "higher": ("Significantly higher than London", "#cc79a7", "#0b0c0c"),
    "lower": ("Significantly lower than London", "#f0e442", "#0b0c0c"),
    "similar": ("Similar to London", "#bfc1c3", "#0b0c0c"),
    "not compared": ("Not compared with London", "#ffffff", "#0b0c0c"),
}
SHAPES = {
    HIGHER: ("triangle-up", "▲"),
    LOWER: ("triangle-down", "▼"),
    SIMILAR: ("circle", "●"),
    NOT_COMPARED: ("diamond", "◇"),
}


def significance_of_flag(flag: str | None) -> str:
    """The borough against London at 95% from its funnel flag: above either limit is
    'higher', below either 'lower', within 'similar'; too few or no flag 'not compared'."""
    if not flag:
        return NOT_COMPARED
    f = Flag(flag)
    if f in (Flag.ABOVE_95, Flag.ABOVE_998):
        return HIGHER
    if f in (Flag.BELOW_95, Flag.BELOW_998):
        return LOWER
    if f is Flag.WITHIN:
        return SIMILAR
    return NOT_COMPARED


def judgement(significance: str, higher_is_better: bool | None) -> Significance:
    """The judgement drawn for a significance: better or worse when the indicator has a
    better direction, higher or lower when it has none."""
    if significance not in SIGNIFICANCE:
        raise ValueError(f"unknown significance {significance!r}: expected one of {SIGNIFICANCE}")
    if significance in (HIGHER, LOWER) and higher_is_better is not None:
        key = "better" if (significance == HIGHER) == higher_is_better else "worse"
    else:
        key = significance
    words, colour, ink = STYLES[key]
    shape, symbol = SHAPES[significance]
    return Significance(key, words, shape, symbol, colour, ink)


def comparison_words(significance: str, higher_is_better: bool | None) -> str:
    return judgement(significance, higher_is_better).words


def quartiles(values: Sequence[float | None]) -> tuple[float, float, float, float] | None:
    """Lowest, 25th percentile, 75th percentile and highest of the known values (linear
    interpolation between order statistics, as numpy's default); None when there are none."""
    known = sorted(v for v in values if v is not None)
    if not known:
        return None

    def at(q: float) -> float:
        pos = q * (len(known) - 1)
        low = int(pos)
        high = min(low + 1, len(known) - 1)
        return known[low] + (known[high] - known[low]) * (pos - low)

    return known[0], at(0.25), at(0.75), known[-1]


@dataclass(frozen=True)
class SpineRow:
    """One indicator of a borough against London and the range of the boroughs."""

    label: str
    kind: str  # proportion | count | ratio
    higher_is_better: bool | None
    value: float | None
    london: float | None  # comparable with a borough's value: None for a count (a total)
    lowest: float | None
    q25: float | None
    q75: float | None
    highest: float | None
    significance: str  # higher | similar | lower | not compared
    boroughs: int = 0

    def __post_init__(self) -> None:
        if self.significance not in SIGNIFICANCE:
            raise ValueError(
                f"{self.label}: unknown significance {self.significance!r}, expected one of "
                f"{SIGNIFICANCE}"
            )

    @property
    def judged(self) -> Significance:
        return judgement(self.significance, self.higher_is_better)

    @property
    def words(self) -> str:
        return self.judged.words

    @property
    def reversed(self) -> bool:
        """Lower is better: the scale runs high to low so better is on the right."""
        return self.higher_is_better is False

    @property
    def orientation(self) -> str:
        if self.higher_is_better is None:
            return "no better direction: lower values on the left"
        if self.higher_is_better:
            return "higher is better: higher values on the right"
        return "lower is better: lower values on the right"


WIDTH, HEIGHT, PAD = 300, 30, 10
BAR = "#b1b4b6"  # the range of the boroughs
MIDDLE = "#6f777b"  # their middle half
CENTRE = "#0b0c0c"  # London


def _marker(shape: str, x: float, y: float, fill: str, size: float = 8.0) -> str:
    stroke = 'stroke="#0b0c0c" stroke-width="1.5"'
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size * 0.8:.1f}" fill="{fill}" {stroke}/>'
    if shape == "triangle-up":
        pts = [(x, y - size), (x + size, y + size * 0.8), (x - size, y + size * 0.8)]
    elif shape == "triangle-down":
        pts = [(x, y + size), (x + size, y - size * 0.8), (x - size, y - size * 0.8)]
    else:  # diamond
        pts = [(x, y - size), (x + size * 0.8, y), (x, y + size), (x - size * 0.8, y)]
    coords = " ".join(f"{px:.1f},{py:.1f}" for px, py in pts)
    return f'<polygon points="{coords}" fill="{fill}" {stroke}/>'


def marker_svg(significance: str, higher_is_better: bool | None) -> SafeString:
    """The marker alone, for a key (hidden from screen readers: the key's words say it)."""
    j = judgement(significance, higher_is_better)
    return mark_safe(  # numbers and fixed colours only
        '<svg class="dsvb-spine__marker" xmlns="http://www.w3.org/2000/svg" width="20" '
        'height="20" viewBox="0 0 20 20" aria-hidden="true" focusable="false">'
        + _marker(j.shape, 10, 10, j.colour)
        + "</svg>"
    )


def spine_svg(row: SpineRow, chart_id: str, describe: str) -> SafeString:
    """One indicator's spine: the boroughs' range, their middle half, London's line and the
    borough's marker; named (title) and described (desc) for assistive technology."""
    j = row.judged
    parts = [
        f'<svg class="dsvb-spine__svg" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
        f'focusable="false" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'data-significance="{escape(row.significance)}" data-judgement="{j.key}" '
        f'data-shape="{j.shape}" data-reversed="{str(row.reversed).lower()}">'
        f'<title id="{chart_id}-title">{escape(row.label)}: {escape(j.words)}</title>'
        f'<desc id="{chart_id}-desc">{escape(describe)}</desc>'
    ]
    span = [v for v in (row.lowest, row.highest, row.value, row.london) if v is not None]
    if span:
        low, high = min(span), max(span)
        width = high - low or 1.0

        def x(v: float) -> float:
            share = 0.5 if high == low else (v - low) / width
            if row.reversed:
                share = 1 - share
            return PAD + share * (WIDTH - 2 * PAD)

        mid = HEIGHT / 2
        if row.lowest is not None and row.highest is not None:
            a, b = sorted((x(row.lowest), x(row.highest)))
            parts.append(
                f'<rect class="dsvb-spine__range" x="{a:.1f}" y="{mid - 7:.1f}" '
                f'width="{max(b - a, 1):.1f}" height="14" fill="{BAR}"/>'
            )
        if row.q25 is not None and row.q75 is not None:
            a, b = sorted((x(row.q25), x(row.q75)))
            parts.append(
                f'<rect class="dsvb-spine__middle" x="{a:.1f}" y="{mid - 7:.1f}" '
                f'width="{max(b - a, 1):.1f}" height="14" fill="{MIDDLE}"/>'
            )
        if row.london is not None:
            c = x(row.london)
            parts.append(
                f'<line class="dsvb-spine__london" x1="{c:.1f}" x2="{c:.1f}" y1="2" '
                f'y2="{HEIGHT - 2}" stroke="{CENTRE}" stroke-width="3"/>'
            )
        if row.value is not None:
            parts.append(
                f'<g class="dsvb-spine__area">{_marker(j.shape, x(row.value), mid, j.colour)}</g>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # numbers and escaped text only
