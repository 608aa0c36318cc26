"""Statistics for comparing areas: intervals for a proportion, funnel-plot limits, ranks.

Pure functions of numbers (no data access), so they can be checked against hand-computed
values and used by any page, report or export.

- :func:`wilson_interval` — the Wilson score interval for a proportion.
- :func:`funnel_limits` / :func:`funnel_limit` — control limits for a funnel plot around a
  target proportion, exact binomial with Spiegelhalter's interpolation.
- :func:`funnel_position` — where an observed proportion falls against those limits.
- :func:`overdispersion` — whether areas vary more than chance alone explains, and the
  between-area variance to allow for it (Spiegelhalter 2005, section 6).
- :func:`overdispersed_limits` — funnel-plot limits allowing for that variance.
- :func:`rank` — competition ranks with ties and a direction.
- :func:`change_is_significant` — whether a change on the previous period is more than
  chance: two proportions (pooled z test) or two counts (Poisson, conditional on the total).

References: E. B. Wilson (1927), "Probable inference, the law of succession, and
statistical inference", JASA 22:209-212; R. G. Newcombe (1998), "Two-sided confidence
intervals for the single proportion: comparison of seven methods", Statistics in Medicine
17:857-872; D. J. Spiegelhalter (2005), "Funnel plots for comparing institutional
performance", Statistics in Medicine 24:1185-1202 (appendix A.1.1, section 6);
D. J. Spiegelhalter (2005), "Handling over-dispersion of performance indicators", Quality and
Safety in Health Care 14:347-351.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy import stats

__all__ = [
    "FUNNEL_LEVELS",
    "FunnelLimits",
    "FunnelPosition",
    "Overdispersion",
    "classify",
    "funnel_limit",
    "funnel_limits",
    "funnel_position",
    "overdispersed_limits",
    "overdispersion",
    "rank",
    "wilson_interval",
    "z_for",
]

# The two funnel-plot levels the board uses: about 2 and 3 standard deviations.
FUNNEL_LEVELS = (0.95, 0.998)


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


@dataclass(frozen=True)
class FunnelLimits:
    """Lower and upper control limits (as proportions) at one denominator and level."""

    level: float
    denominator: float
    lower: float
    upper: float
    method: str  # "exact" (binomial, interpolated) | "normal" (approximation)


def _exact_limit(target: float, n: np.ndarray, p: float) -> np.ndarray:
    """Spiegelhalter's interpolated binomial ``p``-quantile, as a proportion of ``n``."""
    r = stats.binom.ppf(p, n, target)  # smallest r with P(R <= r) >= p
    at_r = stats.binom.cdf(r, n, target)
    below = stats.binom.cdf(r - 1, n, target)
    step = at_r - below  # P(R = r) > 0 whenever 0 < target < 1
    alpha = np.where(step > 0, (at_r - p) / np.where(step > 0, step, 1), 0.0)
    return np.clip((r - alpha) / n, 0.0, 1.0)


def funnel_limits(
    target: float, denominators: Sequence[float] | np.ndarray, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Funnel-plot control limits around a target proportion, for many denominators.

    For a target proportion :math:`\\theta`, a denominator :math:`n` and a two-sided level
    (0.95 or 0.998), the limits are the :math:`p = (1 - \\text{level})/2` and
    :math:`1 - p` points of the number of events expected by chance, divided by *n*.

    **Exact (whole-number denominators).** With :math:`R \\sim \\text{Binomial}(n,
    \\theta)` and :math:`F` its distribution function, let :math:`r_p` be the
    :math:`p`-quantile (the smallest *r* with :math:`F(r) \\ge p`). Because *R* is discrete,
    Spiegelhalter (2005, appendix A.1.1) interpolates between *r_p − 1* and *r_p*::

        alpha = ( F(r_p) − p ) / ( F(r_p) − F(r_p − 1) )
        limit = ( r_p − alpha ) / n

    which gives smooth limits that hold their level to within the discreteness of the data.

    **Normal approximation (only where the binomial cannot apply).** When a denominator is
    not a whole number (a rate per person-time, an averaged figure), the limits are
    :math:`\\theta \\pm z_p \\sqrt{\\theta(1-\\theta)/n}` with :math:`z_p` the normal quantile.

    Limits are clipped to [0, 1]. A target of exactly 0 or 1 has no variation: both limits
    equal the target. Returns two arrays (lower, upper), one value per denominator;
    a denominator of 0 gives NaN.
    """
    if not 0 <= target <= 1:
        raise ValueError(f"the target must be a proportion, not {target}")
    if not 0 < level < 1:
        raise ValueError(f"the level must be between 0 and 1, not {level}")
    n = np.asarray(denominators, dtype=float)
    lower = np.full(n.shape, np.nan)
    upper = np.full(n.shape, np.nan)
    positive = n > 0
    if target in (0.0, 1.0):
        lower[positive] = target
        upper[positive] = target
        return lower, upper
    p = (1 - level) / 2
    whole = positive & (n == np.round(n))
    if whole.any():
        lower[whole] = _exact_limit(target, n[whole], p)
        upper[whole] = _exact_limit(target, n[whole], 1 - p)
    fractional = positive & ~whole
    if fractional.any():
        z = z_for(level)
        se = np.sqrt(target * (1 - target) / n[fractional])
        lower[fractional] = np.clip(target - z * se, 0.0, 1.0)
        upper[fractional] = np.clip(target + z * se, 0.0, 1.0)
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


def funnel_limit(target: float, denominator: float, level: float = 0.95) -> FunnelLimits | None:
    """The limits at one denominator (see :func:`funnel_limits`); ``None`` when it is 0."""
    if denominator is None or denominator <= 0:
        return None
    lower, upper = funnel_limits(target, [denominator], level)
    method = "exact" if float(denominator).is_integer() else "normal"
    return FunnelLimits(level, float(denominator), float(lower[0]), float(upper[0]), method)


class FunnelPosition(StrEnum):
    """Where a proportion falls against the 95% and 99.8% limits around the target."""

    ABOVE_998 = "above_998"
    ABOVE_95 = "above_95"
    WITHIN = "within"
    BELOW_95 = "below_95"
    BELOW_998 = "below_998"

    @property
    def label(self) -> str:
        return {
            "above_998": "Above the 99.8% limit",
            "above_95": "Above the 95% limit",
            "within": "Within the 95% limits",
            "below_95": "Below the 95% limit",
            "below_998": "Below the 99.8% limit",
        }[self.value]

    @property
    def outside_998(self) -> bool:
        return self in (FunnelPosition.ABOVE_998, FunnelPosition.BELOW_998)

    @property
    def outside_95(self) -> bool:
        return self is not FunnelPosition.WITHIN


def funnel_position(numerator: float, denominator: float, target: float) -> FunnelPosition | None:
    """Classify ``numerator / denominator`` against the limits around ``target``.

    A value is outside a limit only when strictly beyond it (a value on the limit is
    inside). ``None`` when the denominator is 0.
    """
    if denominator is None or numerator is None or denominator <= 0:
        return None
    (lo95,), (hi95,) = funnel_limits(target, [denominator], 0.95)
    (lo998,), (hi998,) = funnel_limits(target, [denominator], 0.998)
    return classify(numerator / denominator, lo95, hi95, lo998, hi998)


def classify(
    value: float, lower_95: float, upper_95: float, lower_998: float, upper_998: float
) -> FunnelPosition:
    """Where a value falls against limits already computed (see :func:`funnel_position`)."""
    if value > upper_998:
        return FunnelPosition.ABOVE_998
    if value < lower_998:
        return FunnelPosition.BELOW_998
    if value > upper_95:
        return FunnelPosition.ABOVE_95
    if value < lower_95:
        return FunnelPosition.BELOW_95
    return FunnelPosition.WITHIN


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


def change_is_significant(
    numerator: float,
    denominator: float | None,
    previous_numerator: float,
    previous_denominator: float | None,
    level: float = 0.95,
) -> bool | None:
    """Whether the change from the previous period is more than chance, two-sided at
    ``level``.

    - Two proportions (both denominators given and positive): the pooled two-proportion z
      test, ``z = (p1 - p0) / sqrt(p (1 - p) (1/n1 + 1/n0))`` with ``p`` the pooled proportion.
    - Two counts (no denominators): the counts as Poisson, compared conditionally on their
      total, ``z = (c1 - c0) / sqrt(c1 + c0)`` (the normal approximation to the exact
      binomial test of c1 out of c1 + c0 against one half).

    ``None`` when there is nothing to test (a zero or missing denominator, or no counts).
    """
    z = z_for(level)
    if denominator is None and previous_denominator is None:
        total = numerator + previous_numerator
        if total <= 0:
            return None
        return abs(numerator - previous_numerator) / math.sqrt(total) > z
    if not denominator or not previous_denominator:
        return None
    pooled = (numerator + previous_numerator) / (denominator + previous_denominator)
    variance = pooled * (1 - pooled) * (1 / denominator + 1 / previous_denominator)
    if variance <= 0:
        return False  # both 0% or both 100%: no change at all
    difference = numerator / denominator - previous_numerator / previous_denominator
    return abs(difference) / math.sqrt(variance) > z
