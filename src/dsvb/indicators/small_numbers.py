"""Small numbers: when a figure rests on so few records that it should be read with care.

One rule for every page, table and export that marks such figures. A rate or count built on
fewer than :data:`SMALL_COUNT` records moves a long way with one record more or less (a
count of 9 has a 95% Poisson interval of about 4 to 17), so it is marked ``[u]`` — the
Government Statistical Service's shorthand for "low reliability" — and a footnote says why.
No Django here: the pages and the command line share it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "SMALL_COUNT",
    "SMALL_NUMBER_NOTE",
    "SMALL_NUMBER_SHORTHAND",
    "SmallNumberRule",
    "is_small",
]

SMALL_COUNT = 10
"""A figure whose numerator (or, for a rate, whose denominator) is below this is marked."""

SMALL_NUMBER_SHORTHAND = "[u]"
SMALL_NUMBER_NOTE = (
    f"{SMALL_NUMBER_SHORTHAND} low reliability: the figure rests on fewer than {SMALL_COUNT} "
    "records (its numerator, or for a rate its denominator), so one record more or less moves "
    "it a long way. Read it with care."
)


@dataclass(frozen=True)
class SmallNumberRule:
    """The rule as data, so a page can say which threshold it applied."""

    threshold: int = SMALL_COUNT

    def applies(self, numerator: float | None, denominator: float | None, kind: str) -> bool:
        if numerator is None:
            return False  # no figure to mark
        if kind != "count":
            if not denominator:
                return False  # no rate: the page shows no figure, and says why
            return min(numerator, denominator) < self.threshold
        return numerator < self.threshold


RULE = SmallNumberRule()


def is_small(numerator: float | None, denominator: float | None, kind: str) -> bool:
    """Whether a figure of ``kind`` (count, proportion, ratio) rests on a small number."""
    return RULE.applies(numerator, denominator, kind)
