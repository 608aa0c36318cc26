"""How figures are written: on the pages, in chart text, in the assessment's sentences and exports.

Rates are percentages with one decimal place, rounded half up (as the board's one-decimal
tables are); counts carry thousands separators; ratios two decimal places. A rate with no
denominator is written as an en dash.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

DASH = "–"


def _round(value: float, places: int) -> Decimal:
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def count(value: Any) -> str:
    if value is None:
        return DASH
    if isinstance(value, float) and not value.is_integer():
        return f"{_round(value, 1):,}"
    return f"{int(value):,}"


def percent(value: Any, places: int = 1) -> str:
    """A proportion (0.4893) as a percentage ('48.9%')."""
    if value is None:
        return DASH
    return f"{_round(float(value) * 100, places)}%"


def ratio(value: Any) -> str:
    if value is None:
        return DASH
    return f"{_round(value, 2)}"


def value(value: Any, kind: str) -> str:
    """A value of an indicator of the given kind (count | proportion | ratio)."""
    if kind == "proportion":
        return percent(value)
    if kind == "ratio":
        return ratio(value)
    return count(value)


def signed(text: str, negative: bool, zero: bool) -> str:
    if zero:
        return text
    return f"−{text}" if negative else f"+{text}"


def change(change_value: Any, kind: str) -> str:
    """A change on the previous period: percentage points for proportions, else the difference."""
    if change_value is None:
        return DASH
    number = float(change_value)
    if kind == "proportion":
        rounded = _round(abs(number) * 100, 1)
        return signed(f"{rounded} pts", number < 0, rounded == 0)
    if kind == "ratio":
        rounded = _round(abs(number), 2)
        return signed(f"{rounded}", number < 0, rounded == 0)
    rounded = _round(abs(number), 0)
    return signed(f"{int(rounded):,}", number < 0, rounded == 0)


def interval(low: Any, high: Any) -> str:
    if low is None or high is None:
        return DASH
    return f"{percent(low)} to {percent(high)}"


def ordinal(n: int | None) -> str:
    if n is None:
        return DASH
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
