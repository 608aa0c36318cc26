"""Ratios between groups of people, with their uncertainty, and the correction for asking
many such questions at once: the statistics behind the equality analysis.

The equality analysis asks whether a group of people — an ethnic group, an age band, a sex —
is treated or affected differently from a reference group: victimised more often per head of
population, or its crimes solved less often. Each answer is a *ratio* (the group's rate over
the reference group's rate, 1 when they are the same) with a confidence interval and a
p-value. A board asks the question for many strands, areas and measures at once, so the
answers are screened together with a false-discovery-rate correction.

- :func:`poisson_interval` / :func:`rate_interval` — the exact (Garwood) interval for a count
  and for a rate per 1,000.
- :func:`rate_ratio` — the ratio of two rates per head (counts over exposures), by the exact
  conditional method: exact at small counts, and it copes with zero counts.
- :func:`proportion_ratio` — the ratio of two proportions, e.g. the share of crimes against
  one group that end in a sanction detection over another group's: Katz's log interval
  (:func:`katz_ratio`) checked by Fisher's exact test (:func:`fisher_p_value`) when every
  cell is at least 20, the exact conditional method below.
- :func:`benjamini_hochberg` — the Benjamini-Hochberg correction, with the confidence level
  of the false-coverage-rate adjusted intervals that go with it.

Every :class:`Ratio`'s p-value is *consistent* with its interval: the interval at level
``1 - a`` excludes 1 exactly when ``p_value < a``, for every ``a``. So "the interval excludes
1", "p < 0.05" and (with the adjusted intervals) "called disproportionate after the
correction" never disagree on a page.

Pure functions of numbers (numpy and scipy only; no data access, no Django), so they can be
checked against hand-computed values and an independent library (``tests/unit/test_ratios.py``
checks them against statsmodels) and used by any page, report or export. The plain-English
account is ``docs/equality-statistics.md``; the choices are decision 0023.

References: F. Garwood (1936), "Fiducial limits for the Poisson distribution", Biometrika
28:437-442; C. J. Clopper and E. S. Pearson (1934), "The use of confidence or fiducial limits
illustrated in the case of the binomial", Biometrika 26:404-413; D. Katz, J. Baptista,
S. P. Azen and M. C. Pike (1978), "Obtaining confidence intervals for the risk ratio in cohort
studies", Biometrics 34:469-474; J. B. S. Haldane (1956), "The estimation and significance of
the logarithm of a ratio of frequencies", Annals of Human Genetics 20:309-311; Y. Benjamini
and Y. Hochberg (1995), "Controlling the false discovery rate: a practical and powerful
approach to multiple testing", JRSS B 57:289-300; Y. Benjamini and D. Yekutieli (2001), "The
control of the false discovery rate in multiple testing under dependency", Annals of
Statistics 29:1165-1188; Y. Benjamini and D. Yekutieli (2005), "False discovery
rate-adjusted multiple confidence intervals for selected parameters", JASA 100:71-81;
G. Zou (2004), "A modified Poisson regression approach to prospective studies with binary
data", American Journal of Epidemiology 159:702-706 (a Poisson model of binary outcomes is
conservative); J. Przyborowski and H. Wileński (1940), "Homogeneity of results in testing
samples from Poisson series", Biometrika 31:313-323 (the conditional test of two Poisson
counts).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from dsvb.indicators.statistics import z_for

__all__ = [
    "CONFIDENCE",
    "FALSE_DISCOVERY_RATE",
    "KATZ_MIN_CELL",
    "Correction",
    "Ratio",
    "benjamini_hochberg",
    "fisher_p_value",
    "katz_ratio",
    "poisson_interval",
    "proportion_ratio",
    "rate_interval",
    "rate_ratio",
]

# The confidence of a single interval, and the false discovery rate of the correction: the
# same 5% a single test at 95% would allow, now allowed for the family's calls taken together.
CONFIDENCE = 0.95
FALSE_DISCOVERY_RATE = 0.05

EXACT_CONDITIONAL = "exact conditional (Clopper-Pearson)"
EXACT_CONDITIONAL_PROPORTIONS = "exact conditional (Clopper-Pearson), counts over totals"
KATZ = "Katz log"
KATZ_HALDANE = "Katz log, 0.5 added to each count and total (Haldane)"
KATZ_FISHER = "Katz log, checked by Fisher's exact test"
BENJAMINI_HOCHBERG = "Benjamini-Hochberg"

# proportion_ratio uses Katz's interval (checked by Fisher's exact test) only when every cell
# of the two-by-two table is at least this; below it, the exact conditional method.
KATZ_MIN_CELL = 20


# --- checking the inputs -------------------------------------------------------------------


def _count(value: object, name: str) -> int:
    """A whole number of at least 0 (an int, a numpy integer or a float such as 3.0)."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a whole number of at least 0, not {value!r}")
    if isinstance(value, numbers.Integral):
        number = int(value)
        if number < 0:
            raise ValueError(f"{name} must be a whole number of at least 0, not {value!r}")
        return number
    try:
        real = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        real = math.nan
    if not math.isfinite(real) or real < 0 or real != math.floor(real):
        raise ValueError(f"{name} must be a whole number of at least 0, not {value!r}")
    return int(real)


def _exposure(value: object, name: str) -> float:
    """A finite number of at least 0 (people, or people times years)."""
    try:
        real = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        real = math.nan
    if isinstance(value, bool) or not math.isfinite(real) or real < 0:
        raise ValueError(f"{name} must be a number of at least 0, not {value!r}")
    return real


def _alpha(confidence: float) -> float:
    """``1 - confidence``, refusing a confidence outside (0, 1)."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}")
    return 1.0 - confidence


# --- one count, one rate -------------------------------------------------------------------


def poisson_interval(count: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The exact (Garwood 1936) central interval for the mean of a Poisson count.

    The lower limit is the mean under which a count of at least ``count`` has probability
    ``a/2`` (``a = 1 - confidence``), the upper the mean under which a count of at most
    ``count`` has probability ``a/2``. By the Poisson-gamma relation these are gamma
    quantiles (equivalently half of chi-square quantiles)::

        lower = Gamma(count).ppf(a/2)        = chi2(2 count).ppf(a/2) / 2
        upper = Gamma(count + 1).ppf(1 - a/2) = chi2(2 count + 2).ppf(1 - a/2) / 2

    Why exact: victim counts of a small group in one borough are often below 10, where the
    normal approximation's interval is too narrow and can go below zero. Each tail misses at
    most ``a/2`` of the time at every mean, so the interval covers at least ``confidence``.

    A count of 0 gives ``(0, -ln(a/2))``: ``(0, 3.689)`` at 95% (the central upper limit; the
    one-sided limit 2.996 would not be consistent with the two-sided tests used elsewhere).
    """
    count = _count(count, "count")
    alpha = _alpha(confidence)
    lower = 0.0 if count == 0 else float(special.gammaincinv(count, alpha / 2))
    upper = float(special.gammainccinv(count + 1, alpha / 2))
    return lower, upper


def rate_interval(
    count: int, exposure: float, confidence: float = CONFIDENCE, per: float = 1000.0
) -> tuple[float, float]:
    """The exact interval of the rate ``count / exposure * per``: the Garwood interval of the
    count, divided by the exposure (people, or people times years) and multiplied by ``per``
    (1,000 by default: victims per 1,000 population).

    The exposure is taken as known (a population estimate is not a count with Poisson
    error), so all the uncertainty is the count's. A zero exposure has no rate: ValueError.
    """
    lower, upper = poisson_interval(count, confidence)
    exposure = _exposure(exposure, "exposure")
    if exposure == 0:
        raise ValueError("exposure must be above 0 for a rate: there is no one to be a rate of")
    return lower / exposure * per, upper / exposure * per


# --- ratios of two groups -------------------------------------------------------------------


@dataclass(frozen=True)
class Ratio:
    """A group's rate over the reference group's rate, with its interval and its test.

    ``ratio`` is ``None`` when it is undefined (both rates zero, or a zero denominator: no
    population, no crimes); its interval is then ``(0, inf)`` and its p-value 1, so it is
    never called different. ``lower`` may be 0 and ``upper`` infinite. ``p_value`` tests
    ``ratio == 1`` two-sided and is consistent with the interval: the interval at level
    ``1 - a`` excludes 1 exactly when ``p_value < a``.
    """

    ratio: float | None
    lower: float
    upper: float
    p_value: float
    method: str

    def excludes_one(self) -> bool:
        """Whether the interval lies wholly above or wholly below 1 (a value of 1 on a limit
        is inside)."""
        return self.lower > 1 or self.upper < 1


def _undefined(method: str) -> Ratio:
    return Ratio(None, 0.0, math.inf, 1.0, method)


def _odds(probability: float, complement: float) -> float:
    """``p / (1 - p)`` from ``p`` and ``1 - p`` computed separately (so neither loses its
    digits to a subtraction from 1); infinite when ``1 - p`` is 0."""
    return math.inf if complement <= 0 else probability / complement


def _binomial_tails(x: int, y: int, e1: float, e0: float) -> tuple[float, float]:
    """``P(X <= x)`` and ``P(X >= x)`` for ``X ~ Binomial(x + y, e1 / (e1 + e0))``.

    Computed on whichever of X and ``Y = n - X`` has the smaller probability, that
    probability taken as ``e / (e1 + e0)`` directly: scipy's binomial tails use ``1 - p``,
    which loses digits when ``p`` is close to 1 (a group 2,000,000 times the reference
    group's size), and swapping the groups then gives exactly the same tails."""
    n = x + y
    if e1 <= e0:
        p = e1 / (e1 + e0)
        at_most = float(special.bdtr(x, n, p))
        at_least = 1.0 if x == 0 else float(special.bdtrc(x - 1, n, p))
        return at_most, at_least
    q = e0 / (e1 + e0)  # Y = n - X ~ Binomial(n, q); X <= x is Y >= y
    at_most = 1.0 if y == 0 else float(special.bdtrc(y - 1, n, q))
    at_least = float(special.bdtr(y, n, q))
    return at_most, at_least


def rate_ratio(
    count: int,
    exposure: float,
    ref_count: int,
    ref_exposure: float,
    confidence: float = CONFIDENCE,
) -> Ratio:
    """The ratio of two Poisson rates, ``(count / exposure) / (ref_count / ref_exposure)``
    (e.g. victims per 1,000 population of a group over the reference group's), by the exact
    conditional method.

    Given the two groups' total ``n = count + ref_count``, the group's count is binomial:
    ``count ~ Binomial(n, pi)`` with ``pi = r e1 / (r e1 + e0)``, ``r`` the true rate ratio,
    ``e1``, ``e0`` the exposures. So ``r = pi / (1 - pi) · e0 / e1``, and

    - the interval is the Clopper-Pearson (1934) central interval for ``pi``, carried over
      to ``r`` (its limits are Beta quantiles: ``Beta(x, n - x + 1).ppf(a/2)`` and
      ``Beta(x + 1, n - x).ppf(1 - a/2)``);
    - the p-value is ``min(1, 2 min(P(X <= x), P(X >= x)))`` under ``pi0 = e1 / (e1 + e0)``
      (no difference), the doubled smaller exact tail (Przyborowski and Wileński 1940).

    The central interval excludes ``pi0`` exactly when one tail at ``pi0`` is below ``a/2``,
    that is when the p-value is below ``a``: test and interval are consistent. (Doubling the
    smaller tail is needed for that; the "minimum likelihood" two-sided p-value of
    ``scipy.stats.binomtest`` is smaller and would disagree with the interval.)

    Why exact conditional: the groups compared are often small (a few victims of one ethnic
    group in one borough), where the usual log-normal (Wald) interval is too narrow and is
    undefined at a zero count. The exact method keeps its level at every count (it is
    conservative because counts are whole numbers) and handles zeros: a zero ``count`` gives
    ratio 0 and lower limit 0, a zero ``ref_count`` ratio and upper limit infinity, each
    with a finite other limit.

    Undefined (ratio ``None``, interval ``(0, inf)``, p 1) when both counts are 0 or either
    exposure is 0 (a group with no population has no rate).
    """
    x = _count(count, "count")
    y = _count(ref_count, "ref_count")
    e1 = _exposure(exposure, "exposure")
    e0 = _exposure(ref_exposure, "ref_exposure")
    alpha = _alpha(confidence)
    n = x + y
    if n == 0 or e1 == 0 or e0 == 0:
        return _undefined(EXACT_CONDITIONAL)
    scale = e0 / e1
    ratio = math.inf if y == 0 else x * e0 / (y * e1)
    # Clopper-Pearson limits for pi, each with its complement from the mirrored Beta
    # (1 - Beta(a, b).ppf(q) = Beta(b, a).isf(q)), so swapping the groups gives exactly the
    # reciprocal interval and limits near 1 keep their digits.
    if x == 0:
        lower = 0.0
    else:
        pi_low = float(special.betaincinv(x, y + 1, alpha / 2))
        lower = _odds(pi_low, float(special.betainccinv(y + 1, x, alpha / 2))) * scale
    if y == 0:
        upper = math.inf
    else:
        pi_high = float(special.betainccinv(x + 1, y, alpha / 2))
        upper = _odds(pi_high, float(special.betaincinv(y, x + 1, alpha / 2))) * scale
    at_most, at_least = _binomial_tails(x, y, e1, e0)
    p_value = min(1.0, 2 * min(at_most, at_least))
    return Ratio(ratio, lower, upper, p_value, EXACT_CONDITIONAL)


def katz_ratio(
    count: int,
    total: int,
    ref_count: int,
    ref_total: int,
    confidence: float = CONFIDENCE,
) -> Ratio:
    """The ratio of two proportions, ``(count / total) / (ref_count / ref_total)``, by Katz's
    log method (Katz et al. 1978)::

        log RR ± z · sqrt(1/a − 1/n1 + 1/b − 1/n2)

    ``a``, ``b`` the counts and ``n1``, ``n2`` the totals; the p-value is
    ``2 Φ(−|log RR| / se)`` from the same standard error, so the interval at ``1 - a``
    excludes 1 exactly when the p-value is below ``a``. With a zero count in either group
    Haldane's correction is applied (0.5 added to both counts and both totals, for the
    interval and the p-value; ``method`` says so; ``ratio`` stays the observed 0 or
    infinity). Undefined when a total is 0 or both counts are 0; both proportions at 100%
    give the degenerate interval (1, 1) and p 1 (the variance is 0).

    Not to be used alone on a board's screen: :func:`proportion_ratio` uses it only when
    every cell of the two-by-two table is at least :data:`KATZ_MIN_CELL`, and checks it there
    by Fisher's exact test. Katz's variance is estimated from the group's own counts, so at
    small cells its p-values are far too small (1 of 1 crimes detected against 84 of 279
    gives p = 10⁻³⁹: the variance term ``1/a − 1/n1`` is 0), and its far tail is too heavy
    even at larger cells (see :func:`proportion_ratio`).
    """
    a = _count(count, "count")
    n1 = _count(total, "total")
    b = _count(ref_count, "ref_count")
    n2 = _count(ref_total, "ref_total")
    _within(a, n1, b, n2)
    z = z_for(confidence)
    if n1 == 0 or n2 == 0 or (a == 0 and b == 0):
        return _undefined(KATZ)
    ratio = math.inf if b == 0 else (a * n2) / (b * n1)  # one rounding, not three
    if a == 0 or b == 0:
        method = KATZ_HALDANE
        a_, n1_, b_, n2_ = a + 0.5, n1 + 0.5, b + 0.5, n2 + 0.5
    else:
        method = KATZ
        a_, n1_, b_, n2_ = float(a), float(n1), float(b), float(n2)
    log_ratio = math.log(a_ / n1_) - math.log(b_ / n2_)
    variance = max(0.0, 1 / a_ - 1 / n1_ + 1 / b_ - 1 / n2_)
    se = math.sqrt(variance)
    if se == 0:  # both proportions 100%: log RR is 0
        return Ratio(ratio, 1.0, 1.0, 1.0, method)
    p_value = float(min(1.0, 2 * special.ndtr(-abs(log_ratio) / se)))
    return Ratio(
        ratio,
        math.exp(log_ratio - z * se),
        math.exp(log_ratio + z * se),
        p_value,
        method,
    )


def _within(a: int, n1: int, b: int, n2: int) -> None:
    if a > n1:
        raise ValueError(f"count ({a}) must not be above total ({n1})")
    if b > n2:
        raise ValueError(f"ref_count ({b}) must not be above ref_total ({n2})")


def proportion_ratio(
    count: int,
    total: int,
    ref_count: int,
    ref_total: int,
    confidence: float = CONFIDENCE,
) -> Ratio:
    """The ratio of two proportions, ``(count / total) / (ref_count / ref_total)`` (e.g. the
    sanction detection rate of crimes against one group over the reference group's).

    - When every cell of the two-by-two table — ``count``, ``total - count``, ``ref_count``,
      ``ref_total - ref_count`` — is at least :data:`KATZ_MIN_CELL` (20): Katz's log interval
      (:func:`katz_ratio`), the standard risk-ratio interval, efficient whatever the
      proportions, *checked by Fisher's exact test*: the p-value is the larger of Katz's and
      Fisher's (central: twice the smaller hypergeometric tail), and when Fisher's test finds
      no difference at the interval's level the interval is widened to reach 1. ``method``
      is "Katz log, checked by Fisher's exact test".
    - Otherwise: the exact conditional method of :func:`rate_ratio`, with the counts as
      Poisson counts over their totals (detections per crime). It kept its level in every
      case enumerated exactly (groups of 1 to 1,000 against 1 to 3,000, proportions 0.1% to
      99%, levels 5% to 0.005%: at most 0.73 of the level), handles zeros and proportions of
      100%, and is conservative for binomial counts (a Poisson count varies more than a
      binomial one with the same mean; Zou 2004), the more so the larger the proportions.
      ``method`` says "counts over totals".

    Why not Katz alone: its variance comes from the group's own counts, so with few crimes
    against a group its p-values are far too small — 1 of 1 detected against 84 of 279 gives
    p = 10⁻³⁹ — and simulated boards of 200 comparisons with no real difference got a false
    "disproportionate" call after the correction on 91 of 100 boards. Adding 0.5 at zeros
    (Haldane) does not cure it: the 100% cells are the worst. Even with every cell at least
    20, its far tail is too heavy: at p < 0.00025 (where the correction of 200 comparisons
    calls its first one) Katz rejects up to 5 times as often as it should (60 of 2,000 against
    an equal 40%; exact enumeration). Fisher's exact test never does, and at large counts it
    agrees closely with Katz, so taking the larger p-value costs little power; without the
    check the simulated boards saw a false call on 2.2% to 5% of boards depending on where
    Katz began, with it the error is bounded by the exact tests'. Why Katz at all, rather
    than the exact method everywhere: with proportions of 50% or 90% (sanction detections,
    Victims' Code compliance) the Poisson counts' conservatism would widen the intervals by
    a factor up to 3 and hide real differences.

    Both branches give a p-value consistent with the interval (the interval at ``1 - a``
    excludes 1 exactly when both Katz and Fisher have p below ``a``, that is when their
    larger p is), and neither depends on the confidence to choose its branch. Both treat
    the groups symmetrically: swapping them gives the reciprocal ratio and interval and the
    same p-value.

    Undefined (ratio ``None``, interval ``(0, inf)``, p 1) when a total is 0 (no crimes, no
    proportion) or both counts are 0.
    """
    a = _count(count, "count")
    n1 = _count(total, "total")
    b = _count(ref_count, "ref_count")
    n2 = _count(ref_total, "ref_total")
    _within(a, n1, b, n2)
    alpha = _alpha(confidence)
    if n1 == 0 or n2 == 0 or (a == 0 and b == 0):
        return _undefined(EXACT_CONDITIONAL_PROPORTIONS)
    if min(a, n1 - a, b, n2 - b) >= KATZ_MIN_CELL:
        katz = katz_ratio(a, n1, b, n2, confidence)
        fisher = fisher_p_value(a, n1, b, n2)
        lower, upper = katz.lower, katz.upper
        if fisher >= alpha:  # the exact test finds no difference at this level
            lower, upper = min(lower, 1.0), max(upper, 1.0)
        return Ratio(katz.ratio, lower, upper, max(katz.p_value, fisher), KATZ_FISHER)
    exact = rate_ratio(a, n1, b, n2, confidence)
    return Ratio(
        exact.ratio, exact.lower, exact.upper, exact.p_value, EXACT_CONDITIONAL_PROPORTIONS
    )


def fisher_p_value(count: int, total: int, ref_count: int, ref_total: int) -> float:
    """Fisher's exact test of two proportions, central: ``min(1, 2 min(P(X <= a),
    P(X >= a)))`` with X hypergeometric (the group's share of the ``a + b`` counts, given
    both totals). Exact at every size: it never rejects more often than its level when the
    proportions are equal (doubling the smaller tail, as in :func:`rate_ratio`, rather than
    scipy's "minimum likelihood" two-sided p-value)."""
    a = _count(count, "count")
    n1 = _count(total, "total")
    b = _count(ref_count, "ref_count")
    n2 = _count(ref_total, "ref_total")
    _within(a, n1, b, n2)
    everyone, counted = n1 + n2, a + b
    at_most = float(stats.hypergeom.cdf(a, everyone, counted, n1))
    at_least = float(stats.hypergeom.sf(a - 1, everyone, counted, n1))
    return min(1.0, 2 * min(at_most, at_least))


# --- many comparisons at once ---------------------------------------------------------------


@dataclass(frozen=True)
class Correction:
    """The Benjamini-Hochberg correction of a family of comparisons.

    ``tested`` (m) comparisons had a p-value; ``selected`` (R) of them are called
    significant, those whose BH-adjusted p-value (q-value) is at most ``rate``.
    ``q_values`` and ``significant`` are in the order the p-values were given; a comparison
    without a p-value has q ``None`` and is not significant.
    """

    method: str
    rate: float
    tested: int
    selected: int
    q_values: tuple[float | None, ...]
    significant: tuple[bool, ...]

    @property
    def adjusted_confidence(self) -> float:
        """The confidence level of the false-coverage-rate adjusted intervals (Benjamini and
        Yekutieli 2005): ``1 - rate · max(R, 1) / m``.

        Why: the selected comparisons are the ones a board looks at, and ordinary 95%
        intervals of *selected* comparisons miss their true ratios far more than 5% of the
        time. At this level the expected share of the shown intervals that miss is at most
        ``rate``. And for a comparison whose test and interval are consistent (every
        :class:`Ratio`), the interval at this level excludes 1 exactly when BH selects it
        (selected means ``p <= R · rate / m``; excluding 1 means ``p < R · rate / m``, the
        same except for a p-value exactly on the boundary), so "the interval excludes 1"
        and "called disproportionate" never disagree. With nothing selected it is the
        Bonferroni level ``1 - rate / m``, at which no interval excludes 1. With nothing
        tested it is ``1 - rate``.
        """
        if self.tested == 0:
            return 1.0 - self.rate
        return 1.0 - self.rate * max(self.selected, 1) / self.tested


def _missing(p: object) -> bool:
    if p is None:
        return True
    try:
        return math.isnan(float(p))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def benjamini_hochberg(
    p_values: Sequence[float | None], rate: float = FALSE_DISCOVERY_RATE
) -> Correction:
    """The Benjamini-Hochberg (1995) step-up correction at false discovery rate ``rate``.

    With the m p-values sorted, ``p(1) <= … <= p(m)``, the q-value of ``p(i)`` is
    ``min over j >= i of m p(j) / j`` (at most 1), and a comparison is called significant
    when its q-value is at most ``rate``: BH's rule, which selects the R smallest p-values
    for the largest R with ``p(R) <= R · rate / m``.

    Why a correction: a board's equality screen compares many groups — strands × areas ×
    measures, hundreds of comparisons. At 5% each, a dozen "disproportionate" findings would
    appear by chance alone in a force with no differences at all. Why the false discovery
    rate: a board *screens* for disproportionality, to decide what to look into; it can live
    with a small share of its calls being false (BH keeps the expected share at most
    ``rate``) but not with missing real differences. Controlling the family-wise error rate
    instead (Bonferroni: each test at ``rate / m``) makes any single false call unlikely but
    at the price of hiding real differences of the size that matters. When there are no
    differences at all (the global null) every call is false, so BH's family-wise error
    there equals its FDR: at most ``rate`` of boards with no differences see any call
    (``tests/unit/test_ratios.py`` checks this by simulation).

    BH controls the FDR for independent tests and for positively dependent ones (Benjamini
    and Yekutieli 2001). Comparisons of several groups with one shared reference group are
    positively dependent as one-sided tests; for two-sided p-values that is not guaranteed,
    so the simulation checks the comparisons the analysis makes (shared reference groups,
    small and large groups, rates and proportions).

    ``None`` or NaN p-values (comparisons that could not be made) are not tested: they are
    not counted in m, and have q ``None`` and significant ``False``. A p-value outside
    [0, 1] is a ValueError.
    """
    if not 0 < rate < 1:
        raise ValueError(f"rate must be between 0 and 1, not {rate}")
    positions: list[int] = []
    values: list[float] = []
    for position, p in enumerate(p_values):
        if _missing(p):
            continue
        try:
            value = float(p)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            value = math.nan
        if not 0 <= value <= 1:
            raise ValueError(f"p-value {position + 1} must be between 0 and 1, not {p!r}")
        positions.append(position)
        values.append(value)
    m = len(values)
    q_values: list[float | None] = [None] * len(p_values)
    significant = [False] * len(p_values)
    if m:
        p = np.asarray(values)
        order = np.argsort(p, kind="stable")
        stepped = p[order] * m / np.arange(1, m + 1)
        q_sorted = np.minimum(np.minimum.accumulate(stepped[::-1])[::-1], 1.0)
        # m p(j) / j >= p(i) for j >= i; max() keeps it so where m p / m rounds below p
        q_sorted = np.maximum(q_sorted, p[order])
        q = np.empty(m)
        q[order] = q_sorted
        for position, value in zip(positions, q.tolist(), strict=True):
            q_values[position] = value
            significant[position] = value <= rate
    return Correction(
        BENJAMINI_HOCHBERG,
        rate,
        m,
        sum(significant),
        tuple(q_values),
        tuple(significant),
    )
