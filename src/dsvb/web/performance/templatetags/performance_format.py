"""Template filters for writing figures: ``{% load performance_format %}``."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from dsvb.indicators import small_numbers
from dsvb.indicators.comparison import Flag
from dsvb.web.performance import formatting

register = template.Library()


@register.filter
def count(value: Any) -> str:
    return formatting.count(value)


@register.filter
def percent(value: Any) -> str:
    return formatting.percent(value)


@register.filter
def figure(value: Any, kind: str) -> str:
    """An indicator value of a kind: ``{{ row.value|figure:info.kind }}``."""
    return formatting.value(value, kind)


@register.filter
def change(value: Any, kind: str) -> str:
    return formatting.change(value, kind)


@register.filter
def ordinal(value: Any) -> str:
    return formatting.ordinal(value)


@register.filter
def flag_label(flag: str | None) -> str:
    """Where a rate lies against the funnel-plot limits it was judged by, in words."""
    if not flag:
        return formatting.DASH
    return Flag(flag).label


@register.filter
def lookup(mapping: dict, key: Any) -> Any:
    return mapping.get(key) if mapping else None


@register.simple_tag
def rate(value: Any, kind: str, numerator: Any = None, denominator: Any = None) -> str:
    """A value as written in a table cell: the figure, with its counts for screen readers.

    A rate with no denominator is an en dash with its reason in visually hidden text.
    """
    if value is None:
        reason = "no figure: the denominator is 0" if kind != "count" else "no figure"
        return format_html(
            '<span aria-hidden="true">{}</span><span class="govuk-visually-hidden">{}</span>',
            formatting.DASH,
            reason,
        )
    text = formatting.value(value, kind)
    if kind != "count" and numerator is not None and denominator is not None:
        return format_html(
            '{}<span class="govuk-visually-hidden"> ({} of {})</span>',
            text,
            formatting.count(numerator),
            formatting.count(denominator),
        )
    return text


@register.simple_tag
def small_number(numerator: Any, denominator: Any, kind: str) -> str:
    """The low-reliability marker after a figure that rests on a small number (the one
    rule: :mod:`dsvb.indicators.small_numbers`), its meaning in words for screen readers."""
    if not small_numbers.is_small(numerator, denominator, kind):
        return ""
    return format_html(
        '<span class="dsvb-small-number"><span aria-hidden="true"> {}</span>'
        '<span class="govuk-visually-hidden"> (low reliability: fewer than {} records)</span>'
        "</span>",
        small_numbers.SMALL_NUMBER_SHORTHAND,
        small_numbers.SMALL_COUNT,
    )
