"""Comparing areas with the force: funnel-plot limits, flags, "too few to judge".

One call, :func:`compare`, takes each area's numerator and denominator and the force value
and returns, per area, the control limits at its denominator and its **flag**: where it
lies against the limits it is judged by. The web pages (funnel plot, tables, exports) and
``dsvb compare`` all show this one result, so a marker, a table cell and an exported row can
never disagree.

The rules (docs/decisions/0011-exact-funnel-limits.md; glossary "Funnel plot"):

- **Exact limits.** With :math:`X \\sim \\text{Binomial}(n, \\theta)`, ``θ`` the force
  value, an area with *x* of *n* is *above the 95% limit* when :math:`P(X \\ge x) \\le
  0.025`, *above the 99.8% limit* when :math:`P(X \\ge x) \\le 0.001`, and below likewise.
  The limits drawn and exported are the boundaries of those rules
  (:func:`~dsvb.indicators.statistics.exact_limits`): ``value > upper`` exactly when the
  test flags it, ``value < lower`` likewise, and a value **on** a limit is **inside**. Each
  flag's false-alarm rate is at most 2.5% (0.1%) per side at every denominator.
- **Too few to judge.** An area whose denominator is 0, or at whose denominator no count on
  the side of the force value where its value lies could be flagged at 95% (3 of 3 at a
  force value of 94%: even 100% has probability 0.83), is ``too_few``, not ``within``: the
  test could not have found a difference in that direction, so "within" would claim
  evidence there is none of. An area exactly at the force value is too few only when
  neither side could be flagged. A too-few area is never outside its limits (the limit on
  its side is 0% or 100%), so the flag and the drawn limits still agree.
- **Over-dispersion.** When the areas vary more than chance explains (Spiegelhalter's
  Winsorised test, :func:`~dsvb.indicators.statistics.overdispersion`), every area is
  judged by *widened* limits — the outer of the exact limits and the normal limits with the
  between-area variance added (:func:`~dsvb.indicators.statistics.widened_limits`), so never
  narrower than the exact ones — and those are the limits drawn, tabulated and exported;
  ``method`` says which. The plain exact limits are kept beside them (``exact``) for
  reference. Whether an area is too few to judge depends on its denominator only (the exact
  test), not on the widening.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from dsvb.indicators import statistics
from dsvb.indicators.definitions import COUNTS, INDICATORS
from dsvb.indicators.statistics import FUNNEL_LEVELS, Overdispersion

__all__ = [
    "COLUMNS",
    "AreaComparison",
    "AreaCounts",
    "Comparison",
    "Flag",
    "Limits",
    "compare",
    "numerator_within_denominator",
    "records",
    "why_no_funnel",
]


class Flag(StrEnum):
    """Where an area lies against the limits it is judged by."""

    ABOVE_998 = "above_998"
    ABOVE_95 = "above_95"
    WITHIN = "within"
    BELOW_95 = "below_95"
    BELOW_998 = "below_998"
    TOO_FEW = "too_few"

    @property
    def label(self) -> str:
        """The words every page, table and export uses for the flag."""
        return {
            "above_998": "Above the 99.8% limit",
            "above_95": "Above the 95% limit",
            "within": "Within the 95% limits",
            "below_95": "Below the 95% limit",
            "below_998": "Below the 99.8% limit",
            "too_few": "Too few to judge",
        }[self.value]

    @property
    def outside_998(self) -> bool:
        return self in (Flag.ABOVE_998, Flag.BELOW_998)

    @property
    def outside_95(self) -> bool:
        return self not in (Flag.WITHIN, Flag.TOO_FEW)


@dataclass(frozen=True)
class Limits:
    """Lower and upper control limits (proportions) at one denominator, at 95% and 99.8%."""

    lower_95: float
    upper_95: float
    lower_998: float
    upper_998: float

    def flag(self, value: float) -> Flag:
        """Where ``value`` lies: outside a limit only when strictly beyond it."""
        if value > self.upper_998:
            return Flag.ABOVE_998
        if value < self.lower_998:
            return Flag.BELOW_998
        if value > self.upper_95:
            return Flag.ABOVE_95
        if value < self.lower_95:
            return Flag.BELOW_95
        return Flag.WITHIN


@dataclass(frozen=True)
class AreaCounts:
    """An area's figures to compare: a count of records out of a count of records."""

    code: str
    name: str
    numerator: int
    denominator: int


@dataclass(frozen=True)
class AreaComparison:
    """One area against the force: its limits and flag (see the module's rules)."""

    code: str
    name: str
    numerator: int
    denominator: int
    value: float | None  # None when the denominator is 0
    exact: Limits | None  # the exact limits at its denominator; None when it is 0
    widened: Limits | None  # when the areas are over-dispersed
    flag: Flag

    @property
    def limits(self) -> Limits | None:
        """The limits the flag was judged by: widened when there are any, else exact."""
        return self.widened if self.widened is not None else self.exact

    @property
    def exact_flag(self) -> Flag:
        """The flag by the exact limits alone (equal to ``flag`` when not widened)."""
        if self.exact is None or self.value is None:
            return Flag.TOO_FEW
        if self.flag is Flag.TOO_FEW:
            return Flag.TOO_FEW
        return self.exact.flag(self.value)


@dataclass(frozen=True)
class Comparison:
    """Every area against the force value ``target``."""

    target: float
    areas: tuple[AreaComparison, ...]
    dispersion: Overdispersion | None

    @property
    def widened(self) -> bool:
        """Whether the areas are judged by limits widened for over-dispersion."""
        return self.dispersion is not None and self.dispersion.present

    @property
    def method(self) -> str:
        """``widened`` or ``exact``: the limits the flags were judged by."""
        return "widened" if self.widened else "exact"

    def limits_at(
        self, denominators: Sequence[int] | np.ndarray
    ) -> list[tuple[int, Limits | None, Limits | None]]:
        """``(n, exact, widened)`` at each denominator, for drawing the funnel: the same
        functions the areas were judged by, so the lines pass through every area's limits.
        ``widened`` is None when not over-dispersed; both are None at a denominator of 0."""
        n = np.asarray(denominators, dtype=np.int64)
        exact = _limits(self.target, n, None)
        tau2 = self.dispersion.tau2 if self.widened and self.dispersion else None
        wide = _limits(self.target, n, tau2) if tau2 is not None else [None] * len(n)
        return [(int(d), e, w) for d, e, w in zip(n, exact, wide, strict=True)]

    def count(self, *flags: Flag) -> int:
        return sum(a.flag in flags for a in self.areas)


def _limits(target: float, n: np.ndarray, tau2: float | None) -> list[Limits | None]:
    """Limits at each denominator: exact, or widened by ``tau2`` (None where n is 0)."""
    if tau2 is None:
        by_level = [statistics.exact_limits(target, n, level) for level in FUNNEL_LEVELS]
    else:
        by_level = [statistics.widened_limits(target, n, tau2, level) for level in FUNNEL_LEVELS]
    (lo95, hi95), (lo998, hi998) = by_level
    return [
        None if d == 0 else Limits(float(lo95[i]), float(hi95[i]), float(lo998[i]), float(hi998[i]))
        for i, d in enumerate(n)
    ]


def _whole(value: float, what: str, area: AreaCounts) -> int:
    if value is None or isinstance(value, bool) or not float(value).is_integer() or value < 0:
        raise ValueError(
            f"area {area.code} ({area.name}): the {what} must be a count of records "
            f"(a whole number, 0 or more), not {value!r}"
        )
    return int(value)


def compare(areas: Sequence[AreaCounts], target: float) -> Comparison:
    """Judge each area's proportion against the force value ``target`` (a proportion).

    Every area gets exact limits at its denominator and a flag; when the areas (those with
    a denominator) are over-dispersed, they are judged by the widened limits. Raises
    ``ValueError`` naming the area when a count is not a whole number of records or a
    numerator exceeds its denominator (the figure is then not a proportion of it), and for
    a target outside [0, 1].
    """
    if target is None or not 0 <= target <= 1 or math.isnan(target):
        raise ValueError(f"the force value must be a proportion between 0 and 1, not {target}")
    numerators, denominators = [], []
    for area in areas:
        numerator = _whole(area.numerator, "numerator", area)
        denominator = _whole(area.denominator, "denominator", area)
        if numerator > denominator:
            raise ValueError(
                f"area {area.code} ({area.name}): the numerator {numerator} exceeds the "
                f"denominator {denominator}, so the figure is not a proportion of it"
            )
        numerators.append(numerator)
        denominators.append(denominator)
    n = np.asarray(denominators, dtype=np.int64)
    x = np.asarray(numerators, dtype=np.int64)
    held = n > 0
    dispersion = statistics.overdispersion(x[held], n[held], target) if held.any() else None
    widened = dispersion is not None and dispersion.present
    exact = _limits(target, n, None)
    wide = _limits(target, n, dispersion.tau2) if widened and dispersion else [None] * len(n)
    # whether a count on each side could be flagged at 95% at all (the exact test)
    low95, high95 = statistics.exact_counts(target, n, 0.95)
    out = []
    for i, area in enumerate(areas):
        d, k = int(n[i]), int(x[i])
        if d == 0:
            out.append(AreaComparison(area.code, area.name, k, d, None, None, None, Flag.TOO_FEW))
            continue
        value = k / d
        limits = wide[i] if widened else exact[i]
        assert limits is not None
        flag = limits.flag(value)
        if flag is Flag.WITHIN:
            can_above, can_below = bool(high95[i] < d), bool(low95[i] > 0)
            if value > target:
                judged = can_above
            elif value < target:
                judged = can_below
            else:
                judged = can_above or can_below
            if not judged:
                flag = Flag.TOO_FEW
        out.append(AreaComparison(area.code, area.name, k, d, value, exact[i], wide[i], flag))
    return Comparison(float(target), tuple(out), dispersion)


# --- which indicators can be compared so ------------------------------------------------------


def numerator_within_denominator(indicator_id: str) -> bool:
    """Whether the numerator's records are some of the denominator's (the same source):
    only then is the rate a proportion of its denominator's records, binomial by area."""
    ind = INDICATORS[indicator_id]
    return (
        ind.denominator is not None
        and COUNTS[ind.denominator].source == COUNTS[ind.numerator].source
    )


def why_no_funnel(indicator_id: str) -> str | None:
    """Why an indicator cannot be compared by funnel limits (None when it can): only a
    proportion of its denominator's records is binomial, so only it has exact limits."""
    ind = INDICATORS[indicator_id]
    if ind.denominator is None:
        return (
            "It is a count, not a proportion: funnel-plot limits compare proportions of a "
            "denominator's records."
        )
    if ind.kind != "proportion":
        return (
            f"It is a ratio ({ind.numerator.replace('_', ' ')} per "
            f"{ind.denominator.replace('_', ' ')}), not a proportion: funnel-plot limits "
            "compare proportions of a denominator's records."
        )
    if not numerator_within_denominator(indicator_id):
        return (
            f"The numerator ({ind.numerator.replace('_', ' ')}) is counted from other "
            f"records than the denominator ({ind.denominator.replace('_', ' ')}), so the "
            "figure is a ratio shown as a percentage, not a proportion of its denominator: "
            "funnel-plot limits and confidence intervals would be misleading."
        )
    return None


# --- as a table: ``dsvb compare`` -------------------------------------------------------------

#: the columns of a comparison as a table, in order (``dsvb compare``)
COLUMNS = (
    "area_code",
    "area_name",
    "numerator",
    "denominator",
    "value",
    "force_value",
    "lower_95",
    "upper_95",
    "lower_998",
    "upper_998",
    "flag",
    "limits",
)


def records(result: Comparison, force: AreaCounts) -> list[dict[str, object]]:
    """One record per area, then the force (``force.code``, e.g. ``ALL``), with
    :data:`COLUMNS`: the limits each area's flag was judged by and ``limits`` saying which
    (``exact`` or ``widened``). The force row, and an area without a denominator, have no
    limits (None); the force row has no flag either, as it is what the areas are compared
    with."""
    out: list[dict[str, object]] = []
    for a in result.areas:
        limits = a.limits
        out.append(
            {
                "area_code": a.code,
                "area_name": a.name,
                "numerator": a.numerator,
                "denominator": a.denominator,
                "value": a.value,
                "force_value": result.target,
                "lower_95": None if limits is None else limits.lower_95,
                "upper_95": None if limits is None else limits.upper_95,
                "lower_998": None if limits is None else limits.lower_998,
                "upper_998": None if limits is None else limits.upper_998,
                "flag": a.flag.value,
                "limits": None if limits is None else result.method,
            }
        )
    out.append(
        {
            **dict.fromkeys(COLUMNS),
            "area_code": force.code,
            "area_name": force.name,
            "numerator": force.numerator,
            "denominator": force.denominator,
            "value": force.numerator / force.denominator if force.denominator else None,
            "force_value": result.target,
        }
    )
    return out
