"""Exact distributions written out independently of the code under test (no scipy), and the
funnel-plot method dsvb used before its exact limits, to show that the tests can fail.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np


def binomial_pmf(n: int, p: float) -> np.ndarray:
    """P(X = k) for k = 0..n, X ~ Binomial(n, p), from log C(n, k) built by its recurrence."""
    if p <= 0 or p >= 1:
        pmf = np.zeros(n + 1)
        pmf[0 if p <= 0 else n] = 1.0
        return pmf
    k = np.arange(1, n + 1)
    log_choose = np.concatenate([[0.0], np.cumsum(np.log(n - k + 1) - np.log(k))])
    k = np.arange(n + 1)
    return np.exp(log_choose + k * math.log(p) + (n - k) * math.log1p(-p))


def unflagged_counts(n: int, target: float, tail: float) -> tuple[int, int]:
    """The smallest and largest counts of ``n`` that an exact one-sided test at ``tail``
    does not flag: min{x : P(X <= x) > tail} and max{x : P(X >= x) > tail}, X ~
    Binomial(n, target). A tail equal to ``tail`` (to rounding) counts as flagged."""
    pmf = binomial_pmf(n, target)
    below = np.cumsum(pmf)  # P(X <= x)
    above = np.cumsum(pmf[::-1])[::-1]  # P(X >= x)
    tie = tail * (1 + 1e-9)
    return int(np.flatnonzero(below > tie)[0]), int(np.flatnonzero(above > tie)[-1])


def binomial_upper(n: int, p: Fraction, x: int) -> Fraction:
    """P(X >= x) exactly, in rationals (for small n)."""
    return sum(
        (Fraction(math.comb(n, k)) * p**k * (1 - p) ** (n - k) for k in range(max(x, 0), n + 1)),
        Fraction(0),
    )


def hypergeometric_upper(x1: int, n1: int, x0: int, n0: int) -> Fraction:
    """Fisher's one-sided P(X1 >= x1) given the margins, exactly, in rationals."""
    successes, everyone = x1 + x0, n1 + n0
    total = math.comb(everyone, successes)
    top = min(n1, successes)
    return Fraction(
        sum(math.comb(n1, k) * math.comb(n0, successes - k) for k in range(x1, top + 1)), total
    )


def interpolated_limits(target: float, n: np.ndarray, p: float) -> np.ndarray:
    """The limits dsvb drew before: Spiegelhalter's (2005, appendix A.1.1) interpolation
    between binomial counts, ``(r_p - alpha) / n``, which lies just inside the count it was
    built from. Written out here (pure Python per denominator) only to show that the
    false-alarm tests below would catch it."""
    out = np.empty(len(n))
    for i, size in enumerate(n):
        pmf = binomial_pmf(int(size), target)
        cumulative = np.cumsum(pmf)
        r = int(np.searchsorted(cumulative, p))  # smallest r with F(r) >= p
        r = min(r, int(size))
        below = cumulative[r - 1] if r > 0 else 0.0
        step = cumulative[r] - below
        alpha = (cumulative[r] - p) / step if step > 0 else 0.0
        out[i] = min(1.0, max(0.0, (r - alpha) / size))
    return out
