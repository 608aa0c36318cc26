"""Statistics for comparing areas: intervals for a proportion, funnel-plot limits, ranks.

Pure functions of numbers (no data access), so they can be checked against hand-computed
values and used by any page, report or export. How areas are judged with them (flags, "too
few to judge", which limits) is :mod:`dsvb.indicators.comparison`.

- :func:`wilson_interval` — the Wilson score interval for a proportion.
- :func:`exact_counts` / :func:`exact_limits` — funnel-plot control limits around a target
  proportion by exact one-sided binomial tests, at any denominator.
- :func:`overdispersion` — whether areas vary more than chance alone explains, and the
  between-area variance to allow for it (Spiegelhalter 2005, section 6).
- :func:`overdispersed_limits` — the normal-approximation limits allowing for that variance;
  :func:`widened_limits` — the outer of those and the exact limits (never narrower).
- :func:`rank` — competition ranks with ties and a direction.
- :func:`change_test` / :func:`change_is_significant` — whether a change on the previous
  period is more than chance: Fisher's exact test for two proportions, the exact conditional
  binomial test for two counts (as rates per day).

References: E. B. Wilson (1927), "Probable inference, the law of succession, and
statistical inference", JASA 22:209-212; R. G. Newcombe (1998), "Two-sided confidence
intervals for the single proportion: comparison of seven methods", Statistics in Medicine
17:857-872; D. J. Spiegelhalter (2005), "Funnel plots for comparing institutional
performance", Statistics in Medicine 24:1185-1202 (appendix A.1.1, section 6);
D. J. Spiegelhalter (2005), "Handling over-dispersion of performance indicators", Quality and
Safety in Health Care 14:347-351; R. A. Fisher (1935), "The logic of inductive inference",
JRSS 98:39-82; J. Przyborowski and H. Wileński (1940), "Homogeneity of results in testing
samples from Poisson series", Biometrika 31:313-323 (the conditional test of two Poisson
counts).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = [
    "FUNNEL_LEVELS",
    "ChangeTest",
    "Overdispersion",
    "change_is_significant",
    "change_test",
    "exact_counts",
    "exact_limits",
    "overdispersed_limits",
    "overdispersion",
    "rank",
    "tail_probability",
    "widened_limits",
    "wilson_interval",
    "z_for",
]

# The two funnel-plot levels the board uses: about 2 and 3 standard deviations.
FUNNEL_LEVELS = (0.95, 0.998)


@functools.lru_cache(maxsize=64)
def z_for(confidence: float) -> float:
    """The two-sided standard normal quantile: ``z`` with ``P(|Z| <= z) = confidence``.

    ``z_for(0.95)`` is 1.959964; ``z_for(0.998)`` is 3.090232.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}")
    return float(stats.norm.ppf(0.5 + confidence / 2))


def wilson_interval(
    numerator: float, denominator: float, confidence: float = 0.95
) -> tuple[float, float] | None:
    """The Wilson score interval for a proportion ``numerator / denominator``.

    With :math:`\\hat p = x/n` and :math:`z` the two-sided normal quantile for the
    confidence level (1.96 for 95%)::

        centre    = (p + z²/(2n)) / (1 + z²/n)
        half      = z / (1 + z²/n) · sqrt( p(1 − p)/n + z²/(4n²) )
        interval  = [centre − half, centre + half]

    The interval stays within [0, 1], is not degenerate at 0 or n (unlike the Wald
    interval) and has close to nominal coverage even for small n (Newcombe 1998, method 3).
    Example: 81/263 gives 25.53% to 36.62%; 0/10 gives 0 to 27.75%.

    Returns ``None`` when the denominator is 0 (no proportion to estimate). Raises
    ``ValueError`` for a negative count or a numerator above the denominator.
    """
    if denominator is None or numerator is None:
        return None
    if numerator < 0 or denominator < 0:
        raise ValueError("counts cannot be negative")
    if numerator > denominator:
        raise ValueError(f"numerator {numerator} exceeds denominator {denominator}")
    if denominator == 0:
        return None
    n = float(denominator)
    p = numerator / n
    z = z_for(confidence)
    z2 = z * z
    scale = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / scale
    half = (z / scale) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # Exact at the ends: x = 0 gives lower 0, x = n gives upper 1 (rounding can leave 1e-17).
    lower = 0.0 if numerator == 0 else max(0.0, centre - half)
    upper = 1.0 if numerator == denominator else min(1.0, centre + half)
    return lower, upper


def tail_probability(level: float) -> float:
    """The false-alarm probability allowed in each tail at a two-sided ``level``:
    0.025 at 95%, 0.001 at 99.8% (rounded, so that 0.998 gives 0.001, not 0.0010000000000000009).
    """
    if not 0 < level < 1:
        raise ValueError(f"the level must be between 0 and 1, not {level}")
    return round((1 - level) / 2, 12)


# A tail probability equal to the level's is "at most" it: the tails are computed in floating
# point, so an exact tie (1 of 1 against a force value of exactly 2.5%) can come out a few
# units in the last place above it. Ties count as flagged to within this relative rounding.
_ROUNDING = 1e-9


def _at_most(probability: np.ndarray | float, tail: float) -> np.ndarray | bool:
    return probability <= tail * (1 + _ROUNDING)


def _whole(denominators: Sequence[float] | np.ndarray) -> np.ndarray:
    n = np.asarray(denominators, dtype=float)
    if np.any(n < 0) or np.any(n != np.round(n)):
        raise ValueError(
            "exact limits need denominators that are counts of records (whole numbers, 0 or "
            f"more), not {[float(v) for v in n.ravel() if v < 0 or v != round(v)][:3]}"
        )
    return n.astype(np.int64)


def exact_counts(
    target: float, denominators: Sequence[float] | np.ndarray, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """The smallest and the largest count that an exact test at ``level`` does not flag.

    With :math:`X \\sim \\text{Binomial}(n, \\theta)` (the count an area of denominator *n*
    would have if it were no different from the force rate :math:`\\theta`) and
    :math:`a` = :func:`tail_probability` (0.025 at 95%, 0.001 at 99.8%), a count *x* is
    flagged **above** when :math:`P(X \\ge x) \\le a` and **below** when
    :math:`P(X \\le x) \\le a`. The tails are monotone in *x*, so the counts not flagged form
    one run ``k_low .. k_high``:

    - ``k_high`` = the largest *x* with :math:`P(X \\ge x) > a` (``n`` when even *n* is not
      flagged: no count can be flagged above at this denominator);
    - ``k_low`` = the smallest *x* with :math:`P(X \\le x) > a` (0 when no count can be
      flagged below).

    Each test's false-alarm probability is :math:`P(X > k_{high}) \\le a` and
    :math:`P(X < k_{low}) \\le a` at **every** denominator: the levels are kept, never
    exceeded (the discreteness makes them conservative at small *n*). Returns two integer
    arrays; a denominator of 0 gives ``k_low = k_high = 0``.
    """
    if not 0 <= target <= 1:
        raise ValueError(f"the target must be a proportion, not {target}")
    a = tail_probability(level)
    n = _whole(denominators)
    # scipy's discrete quantiles are found numerically: start from them, then step to the
    # exact boundary of the rule (at most a step or two; the loops make the rule the truth)
    high = np.clip(np.nan_to_num(stats.binom.isf(a, n, target)), 0, n).astype(np.int64)
    while True:  # count `high` flagged: the boundary lies lower
        move = (high > 0) & _at_most(stats.binom.sf(high - 1, n, target), a)
        if not move.any():
            break
        high[move] -= 1
    while True:  # count `high + 1` not flagged: the boundary lies higher
        move = (high < n) & ~_at_most(stats.binom.sf(high, n, target), a)
        if not move.any():
            break
        high[move] += 1
    low = np.clip(np.nan_to_num(stats.binom.ppf(a, n, target)), 0, n).astype(np.int64)
    while True:  # count `low` flagged: the boundary lies higher
        move = (low < n) & _at_most(stats.binom.cdf(low, n, target), a)
        if not move.any():
            break
        low[move] += 1
    while True:  # count `low - 1` not flagged: the boundary lies lower
        move = (low > 0) & ~_at_most(stats.binom.cdf(low - 1, n, target), a)
        if not move.any():
            break
        low[move] -= 1
    return low, high


def exact_limits(
    target: float, denominators: Sequence[float] | np.ndarray, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Funnel-plot control limits around a target proportion by exact binomial tests.

    ``lower = k_low / n`` and ``upper = k_high / n`` with the counts of :func:`exact_counts`:
    the lowest and highest proportions an area of denominator *n* can have without an exact
    one-sided test at ``level`` flagging it. So, for a count *x* of *n*,

        x / n > upper  ⇔  P(X ≥ x) ≤ a  (flagged above)
        x / n < lower  ⇔  P(X ≤ x) ≤ a  (flagged below)

    and a value **on** a limit is inside (it is a count the test does not flag). The limits
    are step functions of *n* (the counts move in whole steps), not smooth curves: they are
    drawn as steps, or at least through each area's own denominator. At large *n* they
    approach :math:`\\theta \\pm z \\sqrt{\\theta(1-\\theta)/n}`.

    This replaces Spiegelhalter's (2005, appendix A.1.1) interpolation between counts, which
    draws a smooth curve just inside the count it was built from and so flags counts whose
    tail probability is well above ``a`` (n = 3, θ = 0.94: 3 of 3 lies above the
    interpolated 99.8% limit although P(X = 3) = 0.83).

    Returns two arrays (lower, upper); a denominator of 0 gives NaN (no limits). A
    denominator that is not a whole number is refused: the exact test needs counts.
    """
    n = _whole(denominators)
    low, high = exact_counts(target, n, level)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = np.where(n > 0, low / np.where(n > 0, n, 1), np.nan)
        upper = np.where(n > 0, high / np.where(n > 0, n, 1), np.nan)
    return lower, upper


@dataclass(frozen=True)
class Overdispersion:
    """How much more areas vary than chance alone explains (see :func:`overdispersion`)."""

    areas: int  # areas with a denominator, I
    phi: float  # the dispersion ratio: about 1 when chance explains the variation
    p_value: float  # of I * phi against chi-squared on I - 1 degrees of freedom
    tau2: float  # the between-area variance (proportion squared) to add; 0 when none

    @property
    def present(self) -> bool:
        """Over-dispersion the limits should allow for: significant at 5% and tau2 > 0."""
        return self.p_value < 0.05 and self.tau2 > 0


def overdispersion(
    numerators: Sequence[float] | np.ndarray,
    denominators: Sequence[float] | np.ndarray,
    target: float,
    winsorise: float = 0.10,
) -> Overdispersion | None:
    """Spiegelhalter's test for over-dispersion and his additive random-effects variance.

    For each area with denominator :math:`n_i > 0` and proportion :math:`y_i`, the z-score
    against the target :math:`\\theta` is :math:`z_i = (y_i - \\theta) / s_i` with
    :math:`s_i = \\sqrt{\\theta(1-\\theta)/n_i}`. The z-scores are Winsorised (those below the
    ``winsorise`` quantile set to it, those above the ``1 - winsorise`` quantile likewise)
    so that a few extreme areas do not inflate the estimate, then::

        phi  = (1/I) * sum(z_i^2)
        tau2 = max(0, (I * phi - (I - 1)) / (sum(w_i) - sum(w_i^2) / sum(w_i))),  w_i = 1/s_i^2

    ``I * phi`` is compared with chi-squared on ``I - 1`` degrees of freedom. ``None`` when
    fewer than two areas have a denominator or the target is 0 or 1 (no binomial variation).
    """
    n = np.asarray(denominators, dtype=float)
    r = np.asarray(numerators, dtype=float)
    keep = n > 0
    n, r = n[keep], r[keep]
    areas = int(n.size)
    if areas < 2 or not 0 < target < 1:
        return None
    variance = target * (1 - target) / n
    z = (r / n - target) / np.sqrt(variance)
    if winsorise > 0:
        low, high = np.quantile(z, [winsorise, 1 - winsorise])
        z = np.clip(z, low, high)
    phi = float(np.mean(z**2))
    statistic = areas * phi
    p_value = float(stats.chi2.sf(statistic, areas - 1))
    w = 1 / variance
    spread = float(w.sum() - (w**2).sum() / w.sum())
    tau2 = max(0.0, (statistic - (areas - 1)) / spread) if spread > 0 else 0.0
    return Overdispersion(areas, phi, p_value, tau2)


def overdispersed_limits(
    target: float,
    denominators: Sequence[float] | np.ndarray,
    tau2: float,
    level: float = 0.95,
) -> tuple[np.ndarray, np.ndarray]:
    """Funnel-plot limits allowing for between-area variance ``tau2``:
    :math:`\\theta \\pm z_p \\sqrt{\\theta(1-\\theta)/n + \\tau^2}`, clipped to [0, 1].

    With ``tau2`` 0 these are the normal-approximation limits. A denominator of 0 gives NaN.
    """
    if not 0 <= target <= 1:
        raise ValueError(f"the target must be a proportion, not {target}")
    if tau2 < 0:
        raise ValueError(f"the between-area variance cannot be negative, not {tau2}")
    n = np.asarray(denominators, dtype=float)
    lower = np.full(n.shape, np.nan)
    upper = np.full(n.shape, np.nan)
    positive = n > 0
    se = np.sqrt(target * (1 - target) / n[positive] + tau2)
    z = z_for(level)
    lower[positive] = np.clip(target - z * se, 0.0, 1.0)
    upper[positive] = np.clip(target + z * se, 0.0, 1.0)
    return lower, upper


def widened_limits(
    target: float,
    denominators: Sequence[float] | np.ndarray,
    tau2: float,
    level: float = 0.95,
) -> tuple[np.ndarray, np.ndarray]:
    """Limits allowing for over-dispersion that are never narrower than the exact ones.

    The outer of :func:`overdispersed_limits` (the normal approximation with the
    between-area variance ``tau2`` added) and :func:`exact_limits`: at small denominators
    the normal approximation can be narrower than the exact binomial limits even with
    ``tau2`` added, and a limit meant to allow for more variation must not allow for less.
    A value on a limit is inside, as for the exact limits. A denominator of 0 gives NaN.
    """
    exact_lower, exact_upper = exact_limits(target, denominators, level)
    normal_lower, normal_upper = overdispersed_limits(target, denominators, tau2, level)
    return np.fmin(exact_lower, normal_lower), np.fmax(exact_upper, normal_upper)


def rank(
    values: Sequence[float | None], *, higher_is_better: bool | None = True
) -> list[int | None]:
    """Competition ranks ("1224" ranking) of ``values``, best first.

    ``rank_i = 1 + #{ j : v_j is strictly better than v_i }``, where better means larger
    when ``higher_is_better`` is true and smaller when it is false. When the indicator has
    no better direction (``None``) the largest value ranks first. Tied values share the
    best rank of their group and the next rank is skipped (values 0.6, 0.5, 0.5, 0.4 rank
    1, 2, 2, 4). ``None`` and NaN values are not ranked (``None``) and do not count.

    Equal proportions computed from different counts compare equal (IEEE division is
    correctly rounded, so 1/3 and 2/6 give the same float).
    """
    present = [
        (i, float(v)) for i, v in enumerate(values) if v is not None and not math.isnan(float(v))
    ]
    sign = -1.0 if higher_is_better is False else 1.0
    ordered = sorted(present, key=lambda item: -sign * item[1])
    ranks: list[int | None] = [None] * len(values)
    previous: float | None = None
    current = 0
    for position, (index, value) in enumerate(ordered, start=1):
        if previous is None or value != previous:
            current = position
            previous = value
        ranks[index] = current
    return ranks


@dataclass(frozen=True)
class ChangeTest:
    """An exact test of a change on the previous period (see :func:`change_test`).

    ``p_increase`` is the probability, were nothing to have changed, of a result at least as
    high as the one seen (given the totals); ``p_decrease`` of one at least as low. A rise is
    significant when ``p_increase`` is at most the tail probability of the level (0.025 at
    95%), a fall likewise: each direction keeps its false-alarm rate at most 2.5%.
    """

    method: str  # "fisher" (two proportions) | "poisson" (two counts, per day)
    p_increase: float
    p_decrease: float
    level: float = 0.95

    @property
    def direction(self) -> int:
        """+1 for a significant rise, -1 for a significant fall, 0 for neither."""
        a = tail_probability(self.level)
        if _at_most(self.p_increase, a):
            return 1
        if _at_most(self.p_decrease, a):
            return -1
        return 0

    @property
    def significant(self) -> bool:
        return self.direction != 0

    @property
    def p_value(self) -> float:
        """The two-sided p-value: twice the smaller tail (at most 1)."""
        return min(1.0, 2 * min(self.p_increase, self.p_decrease))


def change_test(
    numerator: float,
    denominator: float | None,
    previous_numerator: float,
    previous_denominator: float | None,
    level: float = 0.95,
    *,
    days: int | None = None,
    previous_days: int | None = None,
) -> ChangeTest | None:
    """Whether the change from the previous period is more than chance: exact tests, one
    per direction at half the two-sided level (a "central" test), so that "better" and
    "worse" each keep a false-alarm rate of at most 2.5% at 95%, at every size.

    - **Two proportions** (both denominators given and positive): Fisher's exact test. Given
      the two periods' denominators and their combined numerator, the numerator now is
      hypergeometric when nothing changed; ``p_increase = P(X >= x1)``,
      ``p_decrease = P(X <= x1)``. Exact at every size (the pooled z test it replaced
      exceeds its level at small counts); at large counts its p-values come close to the
      z test's, a little larger (it is conservative by the discreteness of the counts). It
      costs two hypergeometric tails, so it is used at every size rather than switched on
      below a threshold.
    - **Two counts** (no denominators): the counts as Poisson, compared conditionally on
      their total: when the rate per day did not change, ``c1`` out of ``c1 + c0`` is
      binomial with ``p0 = d1 / (d1 + d0)``, ``d`` the periods' lengths in days (one half
      when the lengths are not given or equal). So counts over periods of different lengths
      are compared as rates per day (90 and 92 days: the same daily rate is no change).
      0 → 4 (P = 1/16 in the upper tail) and 1 → 7 (9/256) are not significant at 95%.

    ``None`` when there is nothing to test: a zero or missing denominator, no counts at all,
    or a numerator above its denominator (not a proportion of it). Both proportions at 0%
    (or both at 100%) give a test that finds no change.
    """
    if denominator is None and previous_denominator is None:
        total = numerator + previous_numerator
        if total <= 0 or numerator < 0 or previous_numerator < 0:
            return None
        if (days is None) != (previous_days is None):
            raise ValueError("give both periods' lengths in days, or neither")
        if days is not None and previous_days is not None:
            if days <= 0 or previous_days <= 0:
                raise ValueError(f"period lengths must be positive, not {days} and {previous_days}")
            p0 = days / (days + previous_days)
        else:
            p0 = 0.5
        return ChangeTest(
            "poisson",
            float(stats.binom.sf(numerator - 1, total, p0)),
            float(stats.binom.cdf(numerator, total, p0)),
            level,
        )
    if not denominator or not previous_denominator:
        return None
    if not (0 <= numerator <= denominator and 0 <= previous_numerator <= previous_denominator):
        return None
    everyone = denominator + previous_denominator
    successes = numerator + previous_numerator
    return ChangeTest(
        "fisher",
        float(stats.hypergeom.sf(numerator - 1, everyone, successes, denominator)),
        float(stats.hypergeom.cdf(numerator, everyone, successes, denominator)),
        level,
    )


def change_is_significant(
    numerator: float,
    denominator: float | None,
    previous_numerator: float,
    previous_denominator: float | None,
    level: float = 0.95,
    *,
    days: int | None = None,
    previous_days: int | None = None,
) -> bool | None:
    """Whether :func:`change_test` finds the change significant in either direction at
    ``level``; ``None`` when there is nothing to test."""
    test = change_test(
        numerator,
        denominator,
        previous_numerator,
        previous_denominator,
        level,
        days=days,
        previous_days=previous_days,
    )
    return None if test is None else test.significant
