"""The statistics behind comparisons: Wilson intervals, funnel-plot limits, ranks.

Known values come from the literature (Newcombe 1998) or are computed here independently
of the module under test (a quadratic for the Wilson interval, a pure-Python binomial for
the funnel limits).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dsvb.indicators import statistics as s

Z95 = 1.959963984540054


# --- Wilson interval -----------------------------------------------------------------------


def wilson_by_quadratic(x: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson interval as the roots of (p̂ − p)² = z² p (1 − p) / n, solved for p."""
    p_hat = x / n
    a = 1 + z * z / n
    b = -(2 * p_hat + z * z / n)
    c = p_hat * p_hat
    root = math.sqrt(b * b - 4 * a * c)
    return (-b - root) / (2 * a), (-b + root) / (2 * a)


def test_wilson_interval_for_the_mps_dv_sanction_detection_rate():
    # DOMAIN.md: MPS DV sd_rate 24,406 / 49,883 = 48.9%
    low, high = s.wilson_interval(24_406, 49_883)
    assert (round(low, 6), round(high, 6)) == (0.484879, 0.493652)
    expected = wilson_by_quadratic(24_406, 49_883)
    assert low == pytest.approx(expected[0], abs=1e-12)
    assert high == pytest.approx(expected[1], abs=1e-12)


@pytest.mark.parametrize(
    ("x", "n", "low", "high"),
    [
        (81, 263, 0.2553, 0.3662),  # Newcombe (1998), table I, example (a)
        (15, 148, 0.0624, 0.1605),  # example (b)
        (0, 20, 0.0, 0.1611),  # example (c)
        (1, 29, 0.0061, 0.1718),  # example (d)
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
    ],
)
def test_wilson_interval_matches_newcombe(x, n, low, high):
    got = s.wilson_interval(x, n)
    assert got is not None
    assert round(got[0], 4) == low and round(got[1], 4) == high


def test_wilson_interval_edge_cases():
    assert s.wilson_interval(0, 0) is None
    with pytest.raises(ValueError):
        s.wilson_interval(5, 4)
    with pytest.raises(ValueError):
        s.wilson_interval(-1, 4)
    # a wider interval at a higher confidence
    l95, h95 = s.wilson_interval(30, 100)
    l998, h998 = s.wilson_interval(30, 100, confidence=0.998)
    assert l998 < l95 < 0.3 < h95 < h998


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=100_000), st.data())
def test_wilson_interval_properties(n, data):
    x = data.draw(st.integers(min_value=0, max_value=n))
    low, high = s.wilson_interval(x, n)
    assert 0.0 <= low <= x / n <= high <= 1.0
    # symmetric: the interval for n − x is the mirror image
    mirror_low, mirror_high = s.wilson_interval(n - x, n)
    assert low == pytest.approx(1 - mirror_high, abs=1e-12)
    assert high == pytest.approx(1 - mirror_low, abs=1e-12)
    expected = wilson_by_quadratic(x, n)
    assert low == pytest.approx(expected[0], abs=1e-9)
    assert high == pytest.approx(expected[1], abs=1e-9)


# --- funnel-plot limits --------------------------------------------------------------------


def limit_by_hand(target: float, n: int, p: float) -> float:
    """Spiegelhalter's interpolated binomial p-quantile over n (clipped to 0..1), no scipy."""
    cumulative, previous = 0.0, 0.0
    for r in range(n + 1):
        previous = cumulative
        log_pmf = (
            math.lgamma(n + 1)
            - math.lgamma(r + 1)
            - math.lgamma(n - r + 1)
            + r * math.log(target)
            + (n - r) * math.log(1 - target)
        )
        cumulative += math.exp(log_pmf)
        if cumulative >= p:
            alpha = (cumulative - p) / (cumulative - previous)
            return min(1.0, max(0.0, (r - alpha) / n))
    return 1.0


@pytest.mark.parametrize("target", [0.05, 0.2, 0.456, 0.489, 0.8])
@pytest.mark.parametrize("n", [10, 57, 211, 640])
def test_funnel_limits_equal_an_independent_binomial(target, n):
    for level in s.FUNNEL_LEVELS:
        p = (1 - level) / 2
        lower, upper = s.funnel_limits(target, [n], level)
        assert lower[0] == pytest.approx(limit_by_hand(target, n, p), abs=1e-9)
        assert upper[0] == pytest.approx(limit_by_hand(target, n, 1 - p), abs=1e-9)


def test_funnel_limits_known_values():
    # force DV caution share 11,135 / 24,406 = 45.6%; a borough with 1,056 SDs (Newham)
    limits = s.funnel_limit(11_135 / 24_406, 1_056, 0.998)
    assert limits.method == "exact"
    assert (round(limits.lower, 4), round(limits.upper, 4)) == (0.4085, 0.5032)
    # close to, and (a skewed binomial) a little below, the normal approximation's 0.4089-0.5036
    assert limits.lower == pytest.approx(0.4089, abs=0.0005)
    assert limits.upper == pytest.approx(0.5036, abs=0.0005)
    # Newham's published 638 / 1,056 = 60.4% is far above the upper 99.8% limit
    assert s.funnel_position(638, 1_056, 11_135 / 24_406) is s.FunnelPosition.ABOVE_998
    # Sutton's 170 / 495 = 34.3% is below the lower 99.8% limit
    assert s.funnel_position(170, 495, 11_135 / 24_406) is s.FunnelPosition.BELOW_998


def test_large_denominators_approach_the_normal_limits():
    target, n = 0.489, 200_000
    for level in s.FUNNEL_LEVELS:
        lower, upper = s.funnel_limits(target, [n], level)
        half = s.z_for(level) * math.sqrt(target * (1 - target) / n)
        assert lower[0] == pytest.approx(target - half, abs=1.5 / n)
        assert upper[0] == pytest.approx(target + half, abs=1.5 / n)


def test_non_integer_denominators_use_the_normal_approximation():
    target, n = 0.3, 150.5
    lower, upper = s.funnel_limits(target, [n], 0.95)
    half = Z95 * math.sqrt(target * (1 - target) / n)
    assert (lower[0], upper[0]) == pytest.approx((target - half, target + half))
    assert s.funnel_limit(target, n, 0.95).method == "normal"


def test_funnel_limit_edge_cases():
    assert s.funnel_limit(0.5, 0) is None
    lower, upper = s.funnel_limits(0.0, [10, 100], 0.95)
    assert list(lower) == [0.0, 0.0] and list(upper) == [0.0, 0.0]
    lower, upper = s.funnel_limits(0.5, [0], 0.95)
    assert math.isnan(lower[0]) and math.isnan(upper[0])
    with pytest.raises(ValueError):
        s.funnel_limits(1.2, [10])
    assert s.funnel_position(0, 0, 0.5) is None


targets = st.floats(min_value=0.01, max_value=0.99)
denominators = st.integers(min_value=1, max_value=20_000)


@settings(max_examples=300, deadline=None)
@given(targets, denominators)
def test_funnel_limits_nest_and_stay_in_range(target, n):
    lo95, hi95 = (float(x[0]) for x in s.funnel_limits(target, [n], 0.95))
    lo998, hi998 = (float(x[0]) for x in s.funnel_limits(target, [n], 0.998))
    assert 0.0 <= lo998 <= lo95 <= hi95 <= hi998 <= 1.0
    # the limits surround the target to within the discreteness of the counts
    assert lo95 <= target + 1 / n and hi95 >= target - 1 / n


@settings(max_examples=300, deadline=None)
@given(targets, denominators, st.sampled_from(s.FUNNEL_LEVELS))
def test_funnel_limits_are_symmetric_to_within_one_count(target, n, level):
    """Limits for θ mirror those for 1 − θ; the interpolation shifts them by at most 1/n."""
    lower, upper = (float(x[0]) for x in s.funnel_limits(target, [n], level))
    m_lower, m_upper = (float(x[0]) for x in s.funnel_limits(1 - target, [n], level))
    assert abs(lower - (1 - m_upper)) <= 1 / n + 1e-9
    assert abs(upper - (1 - m_lower)) <= 1 / n + 1e-9


@settings(max_examples=300, deadline=None)
@given(targets, denominators, st.sampled_from(s.FUNNEL_LEVELS))
def test_funnels_narrow_as_denominators_grow(target, n, level):
    assume(n * target * (1 - target) >= 5)
    lower, upper = s.funnel_limits(target, [n, 4 * n], level)
    assert upper[1] - lower[1] < upper[0] - lower[0]
    # and about halve: width ∝ 1/√n
    assert (upper[1] - lower[1]) / (upper[0] - lower[0]) == pytest.approx(0.5, abs=0.2)


def test_funnel_limits_vectorise():
    dens = np.array([50, 500, 5000])
    lower, upper = s.funnel_limits(0.4, dens, 0.95)
    for i, n in enumerate(dens):
        one = s.funnel_limit(0.4, int(n), 0.95)
        assert (one.lower, one.upper) == (lower[i], upper[i])


# --- ranks ---------------------------------------------------------------------------------


def test_rank_with_ties_and_direction():
    values = [0.6, 0.5, None, 0.5, 0.4]
    assert s.rank(values, higher_is_better=True) == [1, 2, None, 2, 4]
    assert s.rank(values, higher_is_better=False) == [4, 2, None, 2, 1]
    assert s.rank(values, higher_is_better=None) == [1, 2, None, 2, 4]
    assert s.rank([], higher_is_better=True) == []
    assert s.rank([float("nan"), 3], higher_is_better=True) == [None, 1]
    # equal proportions from different counts tie
    assert s.rank([1 / 3, 2 / 6, 0.5], higher_is_better=True) == [2, 2, 1]


values_lists = st.lists(
    st.one_of(st.none(), st.integers(min_value=0, max_value=20).map(lambda k: k / 20)),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(values_lists, st.sampled_from([True, False, None]))
def test_rank_is_one_plus_the_number_strictly_better(values, higher_is_better):
    ranks = s.rank(values, higher_is_better=higher_is_better)
    present = [v for v in values if v is not None]
    for value, r in zip(values, ranks, strict=True):
        if value is None:
            assert r is None
            continue
        better = [v for v in present if (v < value if higher_is_better is False else v > value)]
        assert r == 1 + len(better)
        assert 0 < r <= len(present)
    # reversing the direction reverses the order of distinct values
    if higher_is_better is not None and present:
        flipped = s.rank(values, higher_is_better=not higher_is_better)
        best = [v for v, r in zip(values, ranks, strict=True) if r == 1]
        worst = [v for v, r in zip(values, flipped, strict=True) if r == 1]
        assert set(best) == {max(present) if higher_is_better else min(present)}
        assert set(worst) == {min(present) if higher_is_better else max(present)}


# --- over-dispersion (Spiegelhalter 2005) ------------------------------------------------------


def chi2_3df_survival(x: float) -> float:
    """P(X > x) for chi-squared on 3 degrees of freedom, in closed form."""
    return math.erfc(math.sqrt(x / 2)) + math.sqrt(2 * x / math.pi) * math.exp(-x / 2)


def test_overdispersion_by_hand():
    # target 0.5, n = 100 each: s = 0.05, z = -2, 0, 2, 0; phi = 8/4 = 2; I*phi = 8 on 3 df;
    # w = 400 each: sum(w) - sum(w^2)/sum(w) = 1600 - 400 = 1200; tau2 = (8 - 3) / 1200.
    result = s.overdispersion([40, 50, 60, 50], [100, 100, 100, 100], 0.5, winsorise=0)
    assert result is not None
    assert result.areas == 4
    assert result.phi == pytest.approx(2.0)
    assert result.p_value == pytest.approx(chi2_3df_survival(8.0))
    assert result.tau2 == pytest.approx(5 / 1200)
    assert result.present  # p = 0.046

    lower, upper = s.overdispersed_limits(0.5, [100], result.tau2, 0.95)
    half_width = Z95 * math.sqrt(0.25 / 100 + 5 / 1200)
    assert lower[0] == pytest.approx(0.5 - half_width)
    assert upper[0] == pytest.approx(0.5 + half_width)


def test_areas_exactly_at_the_target_are_not_overdispersed():
    result = s.overdispersion([30, 300, 3], [100, 1000, 10], 0.3)
    assert result is not None
    assert (result.phi, result.tau2, result.present) == (0.0, 0.0, False)
    assert result.p_value == pytest.approx(1.0)


def test_binomial_variation_alone_is_rarely_flagged():
    rng = np.random.default_rng(20101130)
    n = rng.integers(200, 3000, size=32)
    flagged = 0
    for _ in range(200):
        r = rng.binomial(n, 0.45)
        result = s.overdispersion(r, n, 0.45)
        assert result is not None
        flagged += result.present
    assert flagged / 200 < 0.12  # a 5% test, Winsorised: near its level, far from always


def test_real_differences_between_areas_are_flagged_and_widen_the_limits():
    rng = np.random.default_rng(7)
    n = rng.integers(500, 5000, size=32)
    rates = np.clip(rng.normal(0.45, 0.06, size=32), 0.01, 0.99)  # areas truly differ
    r = rng.binomial(n, rates)
    target = r.sum() / n.sum()
    result = s.overdispersion(r, n, target)
    assert result is not None and result.present and result.tau2 > 0
    assert result.tau2 == pytest.approx(0.06**2, rel=0.6)  # estimates the spread put in
    for level in s.FUNNEL_LEVELS:
        lo, hi = s.funnel_limits(target, n, level)
        lo_od, hi_od = s.overdispersed_limits(target, n, result.tau2, level)
        assert np.all(lo_od < lo) and np.all(hi_od > hi)


def test_winsorising_keeps_one_extreme_area_from_inflating_the_estimate():
    n = np.full(20, 1000)
    r = np.full(20, 500)
    r[0] = 900  # one wildly different area
    raw = s.overdispersion(r, n, 0.5, winsorise=0)
    kept = s.overdispersion(r, n, 0.5)
    assert raw is not None and kept is not None
    assert raw.present and kept.phi < raw.phi and not kept.present


def test_overdispersion_needs_two_areas_and_binomial_variation():
    assert s.overdispersion([5], [10], 0.5) is None
    assert s.overdispersion([5, 0], [10, 0], 0.5) is None  # one area with a denominator
    assert s.overdispersion([0, 0], [10, 20], 0.0) is None
    with pytest.raises(ValueError):
        s.overdispersed_limits(0.5, [10], -0.1)


@given(
    target=st.floats(0.01, 0.99),
    n=st.integers(1, 100_000),
    tau2=st.floats(0, 0.05),
)
def test_overdispersed_limits_without_extra_variance_are_the_normal_limits(target, n, tau2):
    lo0, hi0 = s.overdispersed_limits(target, [n], 0.0, 0.998)
    se = math.sqrt(target * (1 - target) / n)
    z = s.z_for(0.998)
    assert lo0[0] == pytest.approx(max(0.0, target - z * se))
    assert hi0[0] == pytest.approx(min(1.0, target + z * se))
    lo, hi = s.overdispersed_limits(target, [n], tau2, 0.998)
    assert lo[0] <= lo0[0] and hi[0] >= hi0[0]


@pytest.mark.parametrize(
    ("now", "before", "significant"),
    [
        ((60, 100), (50, 100), False),  # z = 0.10 / sqrt(0.55 * 0.45 * 0.02) = 1.42
        ((120, 200), (80, 200), True),  # z = 0.20 / 0.05 = 4
        ((130, None), (100, None), True),  # counts: z = 30 / sqrt(230) = 1.978
        ((129, None), (100, None), False),  # z = 29 / sqrt(229) = 1.916
        ((0, 50), (0, 80), False),  # both 0%: nothing changed
        ((5, 0), (3, 10), None),  # no denominator now: nothing to test
        ((0, None), (0, None), None),
    ],
)
def test_a_change_is_significant_only_beyond_chance(now, before, significant) -> None:
    assert s.change_is_significant(*now, *before) is significant


def test_the_proportion_test_agrees_with_the_chi_squared_test() -> None:
    """The pooled z test is the 2x2 chi-squared test without continuity correction (z² = χ²)."""
    from scipy.stats import chi2_contingency

    for a, n, b, m in [(911, 1864, 850, 1822), (12, 40, 25, 41), (300, 1000, 340, 1000)]:
        _chi2, p, _, _ = chi2_contingency([[a, n - a], [b, m - b]], correction=False)
        assert s.change_is_significant(a, n, b, m) == (p < 0.05)
