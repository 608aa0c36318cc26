"""False-alarm rates of the comparisons, per side: when nothing differs (an area's true rate
is the force value; the rate per day or the proportion did not change), each flag must be
raised at most as often as its level allows — 2.5% per side at 95%, 0.1% at 99.8% — at every
denominator from 1 to a few thousand and force values from near 0 to near 1.

Each is checked twice: exactly (summing the probabilities, computed here without scipy, of
the outcomes flagged) and by simulation with a fixed seed (the rate seen must lie within
Monte-Carlo error of at most nominal). Each test also runs the method dsvb used before
(Spiegelhalter's interpolated limits; the pooled z test; the Poisson z test on equal
periods) through the same check and asserts that it fails, so these tests can fail.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from dsvb.indicators import statistics
from dsvb.indicators.comparison import AreaCounts, Flag, compare
from tests.support.exact import binomial_pmf, interpolated_limits

TAILS = {0.95: 0.025, 0.998: 0.001}
TARGETS = (0.002, 0.01, 0.05, 0.2, 0.456, 0.7, 0.94, 0.99, 0.998)
ROUNDING = 1e-9  # floating-point slack on an exact probability


def monte_carlo_bound(nominal: float, draws: int) -> float:
    """The largest rate seen that is consistent with a true rate of at most ``nominal``:
    four standard errors above it (a one-in-30,000 chance of failing by bad luck)."""
    return nominal + 4 * math.sqrt(nominal * (1 - nominal) / draws)


# --- funnel-plot limits ---------------------------------------------------------------------


def exact_false_alarms(lower: np.ndarray, upper: np.ndarray, ns: np.ndarray, target: float):
    """P(value > upper) and P(value < lower) under Binomial(n, target), per denominator."""
    above, below = np.empty(len(ns)), np.empty(len(ns))
    for i, n in enumerate(ns):
        pmf = binomial_pmf(int(n), target)
        values = np.arange(n + 1) / n
        above[i] = pmf[values > upper[i]].sum()
        below[i] = pmf[values < lower[i]].sum()
    return above, below


DENOMINATORS = np.arange(1, 3_001)


@pytest.mark.parametrize("target", TARGETS)
def test_exact_limits_keep_the_false_alarm_rate_at_every_denominator(target):
    for level, tail in TAILS.items():
        lower, upper = statistics.exact_limits(target, DENOMINATORS, level)
        above, below = exact_false_alarms(lower, upper, DENOMINATORS, target)
        assert above.max() <= tail + ROUNDING, (level, DENOMINATORS[above.argmax()])
        assert below.max() <= tail + ROUNDING, (level, DENOMINATORS[below.argmax()])
        # and no more conservative than the counts force: one count further in would
        # exceed the level (the limit is the boundary of the test, not an approximation)
        pmf_at = [binomial_pmf(int(n), target) for n in (1, 17, 250, 2_999)]
        for n, pmf in zip((1, 17, 250, 2_999), pmf_at, strict=True):
            high, low = round(upper[n - 1] * n), round(lower[n - 1] * n)
            assert pmf[high:].sum() > tail * (1 - ROUNDING)
            assert pmf[: low + 1].sum() > tail * (1 - ROUNDING)


def test_the_interpolated_limits_fail_the_same_check():
    """The limits dsvb drew before this change flag counts well beyond the level: at n = 3
    and 94%, 3 of 3 (P = 0.83) was "above 99.8%"; at most denominators the rate is above."""
    ns = np.arange(1, 301)
    worst, exceeded = 0.0, 0
    for target in (0.05, 0.456, 0.94):
        for _level, tail in TAILS.items():
            p = 1 - tail
            upper = interpolated_limits(target, ns, p)
            lower = interpolated_limits(target, ns, tail)
            above, below = exact_false_alarms(lower, upper, ns, target)
            worst = max(worst, above.max() / tail, below.max() / tail)
            exceeded += int((above > tail + ROUNDING).sum() + (below > tail + ROUNDING).sum())
    assert worst > 100  # 0.83 against 0.001 at n = 3, 94%
    assert exceeded > 1_000  # not a corner case: most of the 1,800 (side, level, n, θ)
    three = interpolated_limits(0.94, np.array([3]), 0.999)[0]
    assert three < 1.0  # 100% lay above the old 99.8% limit


@pytest.mark.parametrize("target", (0.01, 0.3, 0.94))
def test_simulated_areas_are_flagged_no_more_often_than_the_level(target):
    rng = np.random.default_rng(20101130)
    draws = 100_000
    for n in (1, 3, 12, 75, 400, 2_500):
        counts = rng.binomial(n, target, size=draws)
        for level, tail in TAILS.items():
            lower, upper = (float(v[0]) for v in statistics.exact_limits(target, [n], level))
            bound = monte_carlo_bound(tail, draws)
            assert (counts / n > upper).mean() <= bound, (n, level)
            assert (counts / n < lower).mean() <= bound, (n, level)
    # the old limits, on the same kind of draws, are caught at a small denominator
    counts = rng.binomial(12, target, size=draws)
    old_upper = interpolated_limits(target, np.array([12]), 0.975)[0]
    old_lower = interpolated_limits(target, np.array([12]), 0.025)[0]
    rates = ((counts / 12 > old_upper).mean(), (counts / 12 < old_lower).mean())
    assert max(rates) > monte_carlo_bound(0.025, draws)


def test_the_comparison_the_pages_use_keeps_its_levels_under_no_difference():
    """32 areas of mixed sizes (1 to 3,000), every one truly at the force value, judged as the
    pages judge them (force value pooled from the areas, the over-dispersion test, widened
    limits when it fires, too few to judge): each flag per side at most its level."""
    rng = np.random.default_rng(12)
    replicates, seen = 600, dict.fromkeys(Flag, 0)
    judged = 0
    for _ in range(replicates):
        theta = rng.choice((0.05, 0.45, 0.94))
        n = np.concatenate([rng.integers(1, 30, size=8), rng.integers(30, 3_000, size=24)])
        x = rng.binomial(n, theta)
        target = x.sum() / n.sum()
        result = compare(
            [
                AreaCounts(str(i), str(i), int(a), int(b))
                for i, (a, b) in enumerate(zip(x, n, strict=True))
            ],
            target,
        )
        for a in result.areas:
            seen[a.flag] += 1
        judged += len(result.areas)
    for flag, tail in (
        (Flag.ABOVE_998, 0.001),
        (Flag.BELOW_998, 0.001),
        (Flag.ABOVE_95, 0.025),
        (Flag.BELOW_95, 0.025),
    ):
        assert seen[flag] / judged <= monte_carlo_bound(tail, judged), (flag, seen)
    assert seen[Flag.TOO_FEW] > 0 and seen[Flag.WITHIN] + seen[Flag.TOO_FEW] > 0.9 * judged


# --- change on the previous period ------------------------------------------------------------


def old_count_test(now: int, before: int) -> int:
    """The count test dsvb used before: z = (c1 − c0) / √(c1 + c0), equal periods assumed."""
    if now + before == 0:
        return 0
    z = (now - before) / math.sqrt(now + before)
    return 1 if z > 1.959964 else -1 if z < -1.959964 else 0


def old_proportion_test(x1: int, n1: int, x0: int, n0: int) -> int:
    """The pooled two-proportion z test dsvb used before."""
    pooled = (x1 + x0) / (n1 + n0)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n0)
    if variance <= 0:
        return 0
    z = (x1 / n1 - x0 / n0) / math.sqrt(variance)
    return 1 if z > 1.959964 else -1 if z < -1.959964 else 0


@pytest.mark.parametrize(("days", "previous_days"), [(1, 1), (92, 90), (30, 91)])
def test_the_count_test_keeps_its_level_given_any_total(days, previous_days):
    """Given the total c1 + c0 = T, c1 is Binomial(T, d1 / (d1 + d0)) when the daily rate is
    the same: the chance of "a rise" (or "a fall") is at most 2.5% for every T."""
    p0 = days / (days + previous_days)
    worst = 0.0
    for total in range(1, 81):
        pmf = binomial_pmf(total, p0)
        rise = fall = 0.0
        for now in range(total + 1):
            test = statistics.change_test(
                now, None, total - now, None, days=days, previous_days=previous_days
            )
            rise += pmf[now] * (test.direction == 1)
            fall += pmf[now] * (test.direction == -1)
        worst = max(worst, rise, fall)
    assert worst <= 0.025 + ROUNDING


def test_the_count_test_keeps_its_level_by_simulation_and_the_old_one_does_not():
    rng = np.random.default_rng(5)
    draws = 40_000
    for per_day in (0.02, 0.1, 5.0, 500.0):
        now = rng.poisson(per_day * 92, size=draws)
        before = rng.poisson(per_day * 90, size=draws)
        directions = np.array(
            [
                0 if a + b == 0 else statistics.change_test(
                    int(a), None, int(b), None, days=92, previous_days=90
                ).direction
                for a, b in zip(now[:4_000], before[:4_000], strict=True)
            ]
        )  # fmt: skip
        bound = monte_carlo_bound(0.025, len(directions))
        assert (directions == 1).mean() <= bound and (directions == -1).mean() <= bound
        if per_day == 500.0:  # the old test, equal periods assumed: "rises" nearly always
            old = np.array(
                [old_count_test(int(a), int(b)) for a, b in zip(now, before, strict=True)]
            )
            assert (old == 1).mean() > 0.5


def test_the_proportion_test_keeps_its_level_and_the_pooled_z_test_does_not():
    """Exact rates of "better" and "worse" when both periods share one true proportion p,
    over a grid of p, for small and unequal denominators: Fisher's test at most 2.5% per side;
    the pooled z test it replaced above it."""
    grid = np.linspace(0.02, 0.98, 49)
    old_worst = 0.0
    for n1, n0 in ((5, 5), (12, 30), (40, 40), (3, 60), (25, 8)):
        new_up = np.zeros((n1 + 1, n0 + 1), dtype=bool)
        new_down = np.zeros_like(new_up)
        old_up = np.zeros_like(new_up)
        old_down = np.zeros_like(new_up)
        for x1 in range(n1 + 1):
            for x0 in range(n0 + 1):
                direction = statistics.change_test(x1, n1, x0, n0).direction
                new_up[x1, x0], new_down[x1, x0] = direction == 1, direction == -1
                old = old_proportion_test(x1, n1, x0, n0)
                old_up[x1, x0], old_down[x1, x0] = old == 1, old == -1
        for p in grid:
            joint = np.outer(binomial_pmf(n1, p), binomial_pmf(n0, p))
            assert joint[new_up].sum() <= 0.025 + ROUNDING, (n1, n0, p)
            assert joint[new_down].sum() <= 0.025 + ROUNDING, (n1, n0, p)
            old_worst = max(old_worst, joint[old_up].sum(), joint[old_down].sum())
    assert old_worst > 0.03  # the pooled z test over-flags at small denominators


def test_the_exact_rates_agree_with_scipy_sampling():
    """A cross-check of the exact sums above against simulation with scipy's generator."""
    draws = 50_000
    x1 = stats.binom.rvs(12, 0.3, size=draws, random_state=3)
    x0 = stats.binom.rvs(30, 0.3, size=draws, random_state=4)
    pairs, counts = np.unique(np.stack([x1, x0]), axis=1, return_counts=True)
    rises = sum(
        c
        for (a, b), c in zip(pairs.T, counts, strict=True)
        if statistics.change_test(int(a), 12, int(b), 30).direction == 1
    )
    assert rises / draws <= monte_carlo_bound(0.025, draws)
