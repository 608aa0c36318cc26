"""What a printed figure can stand for, at the precision it was printed with.

A printed rate is a true value cut to a few decimals, so it stands for an interval of true
values, not a point. DOMAIN.md says how the reports cut: whole percentages are sometimes
truncated (Newham 47.76% printed 47%) and sometimes rounded (MPS 48.93% printed 49%), while
one-decimal tables are rounded. So ``49%`` stands for anything from 48.5% up to (not
including) 50%, and ``24.5%`` only for 24.45% to 24.55%. An exact half may go either way.

Two printed figures agree when their intervals meet; a printed figure agrees with a count
over a count when the quotient lies in its interval; and a printed rate is impossible for a
denominator when no whole number over it lies in its interval (3% of 12: 0/12 is 0% and
1/12 is 8.33%). Everything here is exact arithmetic on fractions: a float's edges never
decide whether two figures agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from dsvb.ingest.returns.model import _FOOTNOTE

__all__ = [
    "ROUNDED",
    "TRUNCATED",
    "TRUNCATED_UP_TO_DECIMALS",
    "PrintedFigure",
    "printed_figure",
]

ROUNDED, TRUNCATED = "rounded", "truncated"

#: the most decimals a report prints truncated (DOMAIN.md: whole percentages are sometimes
#: truncated; one-decimal tables are rounded)
TRUNCATED_UP_TO_DECIMALS = 0


@dataclass(frozen=True)
class PrintedFigure:
    """A printed percentage (or plain ratio) and the true values it can stand for.

    ``shown`` is the printed number as a fraction of the whole for a percentage (``24.5%`` is
    49/200), as printed otherwise (``2.5``).
    """

    text: str
    shown: Fraction
    decimals: int
    percent: bool

    @property
    def step(self) -> Fraction:
        """One unit in the last printed place, on the scale of ``shown``."""
        return Fraction(1, 10**self.decimals) / (100 if self.percent else 1)

    @property
    def readings(self) -> tuple[str, ...]:
        """How the report may have cut the true value to print it."""
        if self.decimals <= TRUNCATED_UP_TO_DECIMALS:
            return (ROUNDED, TRUNCATED)
        return (ROUNDED,)

    def how(self, readings: tuple[str, ...] | None = None) -> str:
        return " or ".join(readings or self.readings)

    def interval(self, readings: tuple[str, ...] | None = None) -> tuple[Fraction, Fraction, bool]:
        """``(low, high, high_is_open)``: the true values the figure can stand for.

        Rounded: from half a step below to half a step above, both included (an exact half
        may go either way). Truncated: from the figure up to, not including, a step above.
        With both, their union, which is one interval. Never below zero.
        """
        readings = readings or self.readings
        half = self.step / 2
        low = self.shown - half if ROUNDED in readings else self.shown
        if TRUNCATED in readings:
            return max(low, Fraction(0)), self.shown + self.step, True
        return max(low, Fraction(0)), self.shown + half, False

    def admits(self, value: Fraction, readings: tuple[str, ...] | None = None) -> bool:
        """Whether the true value ``value`` could be printed as this figure."""
        low, high, open_ = self.interval(readings)
        return low <= value and (value < high if open_ else value <= high)

    def meets(self, other: PrintedFigure) -> bool:
        """Whether one true value could be printed as both figures."""
        a_low, a_high, a_open = self.interval()
        b_low, b_high, b_open = other.interval()
        below_a = b_low < a_high if a_open else b_low <= a_high
        below_b = a_low < b_high if b_open else a_low <= b_high
        return below_a and below_b

    def numerators(self, denominator: int, readings: tuple[str, ...] | None = None) -> range:
        """The whole numbers ``k >= 0`` for which ``k / denominator`` prints as this figure.

        Not capped at the denominator: some printed rates rightly exceed 100% (offences
        reclassified from incidents of other types, detections of earlier crimes).
        """
        if denominator <= 0:
            return range(0)
        low, high, open_ = self.interval(readings)
        first = max(0, math.ceil(low * denominator))
        top = high * denominator
        last = math.floor(top)
        if open_ and top == last:
            last -= 1
        return range(first, last + 1)

    def nearest(self, denominator: int) -> tuple[int, int]:
        """The whole numbers just below and just above the interval, over ``denominator``."""
        low, _, _ = self.interval()
        below = max(0, math.ceil(low * denominator) - 1)
        return below, below + 1

    def describe(self, readings: tuple[str, ...] | None = None) -> str:
        """``24.45% to 24.55%`` or ``48.5% to under 50%``, as printed text."""
        low, high, open_ = self.interval(readings)
        return f"{_show(low, self)} to {'under ' if open_ else ''}{_show(high, self)}"

    def show(self, value: Fraction | float) -> str:
        """A true value at two more decimals than printed (``24.60%``)."""
        return _show(Fraction(value), self, extra=2)


def _show(value: Fraction, figure: PrintedFigure, extra: int = 1) -> str:
    scaled = value * (100 if figure.percent else 1)
    places = figure.decimals + extra
    exact = Decimal(scaled.numerator) / Decimal(scaled.denominator)
    text = f"{exact:.{places}f}"
    if extra == 1 and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text + ("%" if figure.percent else "")


def printed_figure(text: str) -> PrintedFigure | None:
    """The figure a cell prints (``"24.5%"``, ``"2.5"``), or None when it is not a number."""
    cleaned = _FOOTNOTE.sub("", text.strip())
    percent = cleaned.endswith("%")
    number = cleaned.rstrip("%").strip().replace(",", "")
    try:
        value = Fraction(Decimal(number))
    except (InvalidOperation, ValueError, OverflowError):
        return None
    if value < 0:
        return None
    decimals = len(number.split(".", 1)[1]) if "." in number else 0
    return PrintedFigure(cleaned, value / (100 if percent else 1), decimals, percent)
