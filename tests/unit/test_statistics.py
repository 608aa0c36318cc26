"""The statistics behind comparisons: Wilson intervals, funnel-plot limits, ranks, tests of
change.

Known values come from the literature (Newcombe 1998) or are computed here independently
of the module under test (a quadratic for the Wilson interval, a binomial written out
without scipy for the funnel limits, exact rationals for the tests of change). Their
false-alarm rates are checked in tests/property/test_false_alarm_rates.py.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dsvb.indicators import statistics as s
from tests.support.exact import (
    binomial_pmf,
    binomial_upper,
    hypergeometric_upper,
    unflagged_counts,
)

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


# --- funnel-plot limits: exact one-sided binomial tests --------------------------------------


@pytest.mark.parametrize("target", [0.003, 0.05, 0.2, 0.456, 0.489, 0.8, 0.94, 0.999])
@pytest.mark.parametrize("n", [1, 2, 3, 10, 57, 211, 640, 2999])
def test_exact_limits_are_the_boundaries_of_the_exact_tests(target, n):
    for level, tail in ((0.95, 0.025), (0.998, 0.001)):
        assert s.tail_probability(level) == tail
        low, high = unflagged_counts(n, target, tail)
        got_low, got_high = s.exact_counts(target, [n], level)
        assert (int(got_low[0]), int(got_high[0])) == (low, high)
        lower, upper = s.exact_limits(target, [n], level)
        assert (lower[0], upper[0]) == (low / n, high / n)


def test_three_of_three_at_94_percent_cannot_be_flagged_above():
    """The demo's false alarm: 3 of 3 against a force value of 94% has probability 0.83."""
    assert binomial_upper(3, Fraction(94, 100), 3) == Fraction(94, 100) ** 3
    for level in s.FUNNEL_LEVELS:
        _, upper = s.exact_limits(0.94, [3], level)
        assert upper[0] == 1.0  # the largest count not flagged is 3 of 3
    # below: 0 of 3 has P = 0.06^3 = 0.000216 (flagged at 99.8%), 1 of 3 has P = 0.010368
    # (flagged at 95% only), 2 of 3 has P = 0.169 (not flagged)
    (lo95,), _ = s.exact_limits(0.94, [3], 0.95)
    (lo998,), _ = s.exact_limits(0.94, [3], 0.998)
    assert (lo95, lo998) == (2 / 3, 1 / 3)
    assert float(1 - binomial_upper(3, Fraction(94, 100), 2)) == pytest.approx(0.010368)


def test_exact_limits_known_values():
    # force DV caution share 11,135 / 24,406 = 45.6%; a borough with 1,056 SDs (Newham)
    target = 11_135 / 24_406
    (lower,), (upper,) = s.exact_limits(target, [1_056], 0.998)
    # whole counts of 1,056: the last not flagged, the next one flagged (a pmf without scipy)
    low, high = round(lower * 1_056), round(upper * 1_056)
    assert (low / 1_056, high / 1_056) == (lower, upper)
    pmf = binomial_pmf(1_056, target)
    assert pmf[high:].sum() > 0.001 >= pmf[high + 1 :].sum()
    assert pmf[: low + 1].sum() > 0.001 >= pmf[:low].sum()
    # close to the normal approximation's 0.4089-0.5036
    assert lower == pytest.approx(0.4089, abs=1.5 / 1_056)
    assert upper == pytest.approx(0.5036, abs=1.5 / 1_056)
    # Newham's published 638 / 1,056 = 60.4% is far above; Sutton's 170 / 495 far below
    assert upper < 638 / 1_056
    (sutton_lower,), _ = s.exact_limits(target, [495], 0.998)
    assert sutton_lower > 170 / 495


def test_large_denominators_approach_the_normal_limits():
    target, n = 0.489, 200_000
    for level in s.FUNNEL_LEVELS:
        lower, upper = s.exact_limits(target, [n], level)
        half = s.z_for(level) * math.sqrt(target * (1 - target) / n)
        assert lower[0] == pytest.approx(target - half, abs=2 / n)
        assert upper[0] == pytest.approx(target + half, abs=2 / n)


def test_exact_limits_need_whole_denominators():
    with pytest.raises(ValueError, match="whole numbers"):
        s.exact_limits(0.3, [150.5], 0.95)
    with pytest.raises(ValueError, match="whole numbers"):
        s.exact_limits(0.3, [-2], 0.95)


def test_exact_limit_edge_cases():
    lower, upper = s.exact_limits(0.5, [0], 0.95)
    assert math.isnan(lower[0]) and math.isnan(upper[0])
    # no variation at a target of 0 or 1: every count but the target's is flagged
    lower, upper = s.exact_limits(0.0, [10, 100], 0.95)
    assert list(lower) == [0.0, 0.0] and list(upper) == [0.0, 0.0]
    lower, upper = s.exact_limits(1.0, [10], 0.998)
    assert (lower[0], upper[0]) == (1.0, 1.0)
    with pytest.raises(ValueError):
        s.exact_limits(1.2, [10])
    with pytest.raises(ValueError):
        s.tail_probability(1.0)


targets = st.floats(min_value=0.001, max_value=0.999)
denominators = st.integers(min_value=1, max_value=20_000)


@settings(max_examples=300, deadline=None)
@given(targets, denominators)
def test_exact_limits_nest_and_stay_in_range(target, n):
    lo95, hi95 = (float(x[0]) for x in s.exact_limits(target, [n], 0.95))
    lo998, hi998 = (float(x[0]) for x in s.exact_limits(target, [n], 0.998))
    assert 0.0 <= lo998 <= lo95 <= hi95 <= hi998 <= 1.0
    # the counts not flagged hold the median, within one count of n * target
    assert lo95 <= target + 1 / n and hi95 >= target - 1 / n
    # limits are whole counts of n
    for limit in (lo95, hi95, lo998, hi998):
        assert limit * n == pytest.approx(round(limit * n), abs=1e-6)


@settings(max_examples=300, deadline=None)
@given(targets, denominators, st.sampled_from(s.FUNNEL_LEVELS))
def test_exact_limits_mirror_for_the_complementary_target(target, n, level):
    """Counting failures instead of successes mirrors the rule exactly: the counts not
    flagged for θ are n minus those for 1 − θ."""
    low, high = (int(x[0]) for x in s.exact_counts(target, [n], level))
    m_low, m_high = (int(x[0]) for x in s.exact_counts(1 - target, [n], level))
    assert (low, high) == (n - m_high, n - m_low)


@settings(max_examples=300, deadline=None)
@given(targets, denominators, st.sampled_from(s.FUNNEL_LEVELS))
def test_funnels_narrow_as_denominators_grow(target, n, level):
    assume(n * target * (1 - target) >= 5)
    lower, upper = s.exact_limits(target, [n, 4 * n], level)
    assert upper[1] - lower[1] < upper[0] - lower[0]
    # and about halve: width ∝ 1/√n
    assert (upper[1] - lower[1]) / (upper[0] - lower[0]) == pytest.approx(0.5, abs=0.2)


def test_exact_limits_vectorise():
    dens = np.array([1, 50, 500, 5000, 0])
    for level in s.FUNNEL_LEVELS:
        lower, upper = s.exact_limits(0.4, dens, level)
        for i, n in enumerate(dens):
            one = s.exact_limits(0.4, [int(n)], level)
            np.testing.assert_array_equal([one[0][0], one[1][0]], [lower[i], upper[i]])


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
        lo, hi = s.exact_limits(target, n, level)
        lo_od, hi_od = s.widened_limits(target, n, result.tau2, level)
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


@settings(max_examples=300, deadline=None)
@given(
    target=st.floats(0.001, 0.999),
    n=st.integers(1, 5_000),
    tau2=st.floats(0, 0.05),
    level=st.sampled_from(s.FUNNEL_LEVELS),
)
def test_widened_limits_are_never_narrower_than_the_exact_ones(target, n, tau2, level):
    lower, upper = (float(x[0]) for x in s.exact_limits(target, [n], level))
    w_lower, w_upper = (float(x[0]) for x in s.widened_limits(target, [n], tau2, level))
    assert w_lower <= lower and w_upper >= upper
    assert w_lower >= 0.0 and w_upper <= 1.0


def test_the_normal_limits_alone_can_be_narrower_than_the_exact_ones():
    """Why widened limits take the outer of the two: at a small denominator the normal
    approximation, even with the between-area variance added, can be the narrower."""
    target, n, tau2 = 0.94, 20, 0.0005
    (lower,), (upper,) = s.exact_limits(target, [n], 0.998)
    (n_lower,), (n_upper,) = s.overdispersed_limits(target, [n], tau2, 0.998)
    assert n_lower > lower  # narrower below: would flag counts the exact test does not
    (w_lower,), (w_upper,) = s.widened_limits(target, [n], tau2, 0.998)
    assert (w_lower, w_upper) == (lower, max(upper, n_upper))


# --- change on the previous period -------------------------------------------------------------


def conditional_upper(now: int, before: int, days: int = 1, previous_days: int = 1) -> Fraction:
    """P(C1 >= now | C1 + C0) when the rate per day did not change, exactly."""
    return binomial_upper(now + before, Fraction(days, days + previous_days), now)


@pytest.mark.parametrize(
    ("now", "before", "direction"),
    [
        (4, 0, 0),  # P(C1 >= 4 | 4) = 1/16: two-sided 0.125
        (7, 1, 0),  # P(C1 >= 7 | 8) = 9/256: two-sided 0.070
        (8, 0, 1),  # 1/256
        (1, 8, 0),  # P(C1 <= 1 | 9) = 10/512 = 0.0195 ... at 2.5%: a fall
        (0, 6, -1),  # 1/64
        (0, 5, 0),  # 1/32
    ],
)
def test_small_counts_are_tested_exactly(now, before, direction):
    upper = conditional_upper(now, before)
    lower = 1 - conditional_upper(now + 1, before - 1) if before else Fraction(1)
    expected = 1 if upper <= Fraction(1, 40) else -1 if lower <= Fraction(1, 40) else 0
    test = s.change_test(now, None, before, None)
    assert test is not None and test.method == "poisson"
    assert test.p_increase == pytest.approx(float(upper), rel=1e-12)
    assert test.p_decrease == pytest.approx(float(lower), rel=1e-12)
    assert test.direction == expected
    assert s.change_is_significant(now, None, before, None) is (expected != 0)
    if direction or now + before < 9:  # the comments above, checked
        assert expected == direction


def test_the_examples_of_the_issue_have_the_p_values_it_gives():
    assert s.change_test(4, None, 0, None).p_value == pytest.approx(0.125)
    assert s.change_test(7, None, 1, None).p_value == pytest.approx(0.0703125)
    assert s.change_test(1, None, 8, None).direction == -1  # a significant fall


def test_counts_over_periods_of_different_lengths_are_compared_per_day():
    # the same daily rate (500 a day) over 92 days and over 90 days: no change
    assert s.change_is_significant(46_000, None, 45_000, None, days=92, previous_days=90) is False
    # taken as if the periods were equal, the same counts would be a "significant" rise
    assert s.change_is_significant(46_000, None, 45_000, None) is True
    # per day the count can fall significantly while it rises: 45,200 in 92 days is 491 a day
    test = s.change_test(45_200, None, 45_000, None, days=92, previous_days=90)
    assert test is not None and test.direction == -1
    p0, total = 92 / 182, 90_200  # by the normal approximation, written out: z = -2.6
    z = (45_200 - total * p0) / math.sqrt(total * p0 * (1 - p0))
    assert z < -2.5 and test.p_decrease == pytest.approx(
        0.5 * math.erfc(-z / math.sqrt(2)), rel=0.1
    )
    with pytest.raises(ValueError, match="both"):
        s.change_test(3, None, 4, None, days=90)


@settings(max_examples=200, deadline=None)
@given(
    now=st.integers(0, 60),
    before=st.integers(0, 60),
    days=st.integers(28, 92),
    previous_days=st.integers(28, 92),
)
def test_the_count_test_is_the_exact_conditional_binomial(now, before, days, previous_days):
    assume(now + before > 0)
    test = s.change_test(now, None, before, None, days=days, previous_days=previous_days)
    upper = conditional_upper(now, before, days, previous_days)
    lower = 1 - conditional_upper(now + 1, before - 1, days, previous_days) if before else 1
    assert test.p_increase == pytest.approx(float(upper), rel=1e-9, abs=1e-15)
    assert test.p_decrease == pytest.approx(float(lower), rel=1e-9, abs=1e-15)


@settings(max_examples=200, deadline=None)
@given(n1=st.integers(1, 40), n0=st.integers(1, 40), data=st.data())
def test_the_proportion_test_is_fishers_exact_test(n1, n0, data):
    x1 = data.draw(st.integers(0, n1))
    x0 = data.draw(st.integers(0, n0))
    test = s.change_test(x1, n1, x0, n0)
    assert test is not None and test.method == "fisher"
    upper = hypergeometric_upper(x1, n1, x0, n0)
    lower = 1 - hypergeometric_upper(x1 + 1, n1, x0 - 1, n0) if x0 or x1 < n1 else 1
    assert test.p_increase == pytest.approx(float(upper), rel=1e-9, abs=1e-15)
    assert test.p_decrease == pytest.approx(float(lower), rel=1e-9, abs=1e-15)
    assert test.significant == (min(upper, lower) <= Fraction(1, 40))


@pytest.mark.parametrize(
    ("now", "before", "significant"),
    [
        ((60, 100), (50, 100), False),
        ((120, 200), (80, 200), True),
        ((4, 5), (0, 5), True),  # Fisher: 1/42 = 0.0238 in the upper tail
        ((3, 5), (0, 5), False),  # 1/12
        ((0, 50), (0, 80), False),  # both 0%: nothing changed
        ((50, 50), (80, 80), False),  # both 100%
        ((5, 0), (3, 10), None),  # no denominator now: nothing to test
        ((6, 5), (3, 10), None),  # not a proportion of its denominator
        ((0, None), (0, None), None),
    ],
)
def test_a_change_is_significant_only_beyond_chance(now, before, significant) -> None:
    assert s.change_is_significant(*now, *before) is significant


def test_fishers_test_gives_the_p_values_written_out():
    # 4 of 5 now, 0 of 5 before: of the 4, all 4 fell now: C(5,4) C(5,0) / C(10,4) = 5/210
    assert hypergeometric_upper(4, 5, 0, 5) == Fraction(5, 210)
    assert s.change_test(4, 5, 0, 5).p_increase == pytest.approx(5 / 210)
    assert hypergeometric_upper(3, 5, 0, 5) == Fraction(1, 12)
