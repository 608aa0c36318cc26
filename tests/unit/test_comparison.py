"""Comparing areas with the force: flags, "too few to judge", widened limits, and which
indicators can be compared so. The rules are checked against their definitions written out
here (tail probabilities without scipy), not against the module's own arithmetic."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsvb.indicators import statistics
from dsvb.indicators.comparison import (
    AreaCounts,
    Flag,
    compare,
    numerator_within_denominator,
    why_no_funnel,
)
from tests.support.exact import binomial_pmf

TIE = 1 + 1e-9  # a tail equal to the level's counts as at most it


def area(numerator: int, denominator: int, code: str = "A") -> AreaCounts:
    return AreaCounts(code, f"Area {code}", numerator, denominator)


def flag_by_definition(x: int, n: int, target: float) -> Flag:
    """The flag from the tails of Binomial(n, target), written out."""
    if n == 0:
        return Flag.TOO_FEW
    pmf = binomial_pmf(n, target)
    above, below = pmf[x:].sum(), pmf[: x + 1].sum()
    if above <= 0.001 * TIE:
        return Flag.ABOVE_998
    if below <= 0.001 * TIE:
        return Flag.BELOW_998
    if above <= 0.025 * TIE:
        return Flag.ABOVE_95
    if below <= 0.025 * TIE:
        return Flag.BELOW_95
    # no count on the area's side could be flagged at 95%: too few to judge
    can_above = pmf[n] <= 0.025 * TIE  # P(X >= n), the most extreme count above
    can_below = pmf[0] <= 0.025 * TIE
    value = x / n
    judged = (
        can_above if value > target else can_below if value < target else can_above or can_below
    )
    return Flag.WITHIN if judged else Flag.TOO_FEW


def test_three_of_three_at_94_percent_is_too_few_to_judge():
    """The issue's false alarm: 100% at n = 3 against 94% was flagged above 99.8%."""
    one = compare([area(3, 3)], 0.94).areas[0]
    assert one.flag is Flag.TOO_FEW
    assert one.limits.upper_95 == one.limits.upper_998 == 1.0  # nothing above can be flagged
    # below, three counts can be told apart: P(X <= 0) = 0.000216, P(X <= 1) = 0.010368
    flags = [compare([area(x, 3)], 0.94).areas[0].flag for x in (0, 1, 2)]
    assert flags == [Flag.BELOW_998, Flag.BELOW_95, Flag.WITHIN]


def test_an_area_without_a_denominator_is_too_few_with_no_limits():
    one = compare([area(0, 0)], 0.5).areas[0]
    assert (one.flag, one.value, one.limits, one.exact, one.widened) == (
        Flag.TOO_FEW, None, None, None, None,
    )  # fmt: skip


def test_an_area_at_the_force_value_is_too_few_only_when_neither_side_can_be_judged():
    # 1 of 2 at 50%: P(X >= 2) = P(X <= 0) = 0.25, nothing could be flagged
    assert compare([area(1, 2)], 0.5).areas[0].flag is Flag.TOO_FEW
    # 5 of 10 at 50%: 0 or 10 of 10 would be flagged (P = 1/1024)
    assert compare([area(5, 10)], 0.5).areas[0].flag is Flag.WITHIN


@settings(max_examples=400, deadline=None)
@given(
    target=st.floats(0.001, 0.999),
    n=st.integers(0, 3_000),
    data=st.data(),
)
def test_one_area_is_flagged_by_the_exact_tests(target, n, data):
    x = data.draw(st.integers(0, n))
    result = compare([area(x, n)], target)  # one area: no over-dispersion test
    assert result.dispersion is None and result.method == "exact"
    assert result.areas[0].flag is flag_by_definition(x, n, target)


areas_strategy = st.lists(
    st.integers(1, 2_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    min_size=2,
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(areas_strategy, st.floats(0.01, 0.99))
def test_the_flag_is_where_the_value_lies_against_the_limits_it_was_judged_by(counts, target):
    """value > upper ⇔ above, value < lower ⇔ below, at both levels, for the limits the
    comparison reports (widened or exact); on a limit is inside; too few is never outside."""
    result = compare([area(x, n, str(i)) for i, (x, n) in enumerate(counts)], target)
    for a in result.areas:
        lim = a.limits
        assert lim is (a.widened if result.widened else a.exact)
        above_998, below_998 = a.value > lim.upper_998, a.value < lim.lower_998
        above_95, below_95 = a.value > lim.upper_95, a.value < lim.lower_95
        expected = {
            Flag.ABOVE_998: above_998,
            Flag.BELOW_998: below_998,
            Flag.ABOVE_95: above_95 and not above_998,
            Flag.BELOW_95: below_95 and not below_998,
        }
        for flag, holds in expected.items():
            assert (a.flag is flag) == holds, (a, flag)
        if a.flag in (Flag.WITHIN, Flag.TOO_FEW):
            assert not (above_95 or below_95)
        if result.widened:  # never narrower than the exact limits
            assert lim.lower_95 <= a.exact.lower_95 and lim.upper_95 >= a.exact.upper_95
            assert lim.lower_998 <= a.exact.lower_998 and lim.upper_998 >= a.exact.upper_998
            assert a.exact_flag is (
                Flag.TOO_FEW if a.flag is Flag.TOO_FEW else a.exact.flag(a.value)
            )
        else:
            assert a.widened is None and a.exact_flag is a.flag


def test_over_dispersed_areas_are_judged_by_the_widened_limits():
    rng = np.random.default_rng(7)
    n = rng.integers(500, 5000, size=32)
    rates = np.clip(rng.normal(0.45, 0.06, size=32), 0.01, 0.99)  # the areas truly differ
    x = rng.binomial(n, rates)
    target = x.sum() / n.sum()
    result = compare(
        [area(int(a), int(b), str(i)) for i, (a, b) in enumerate(zip(x, n, strict=True))], target
    )
    assert result.widened and result.method == "widened"
    assert result.dispersion.present and result.dispersion.tau2 > 0
    plain = sum(a.exact_flag.outside_998 for a in result.areas)
    judged = result.count(Flag.ABOVE_998, Flag.BELOW_998)
    assert judged < plain  # real differences allowed for: fewer areas flagged
    for a in result.areas:
        lo, hi = statistics.widened_limits(target, [a.denominator], result.dispersion.tau2, 0.998)
        assert (a.limits.lower_998, a.limits.upper_998) == (lo[0], hi[0])


def test_the_limits_drawn_pass_through_each_areas_limits():
    counts = [(30, 40), (400, 900), (1, 3), (700, 1500), (0, 0)]
    result = compare([area(x, n, str(i)) for i, (x, n) in enumerate(counts)], 0.47)
    drawn = {n: (e, w) for n, e, w in result.limits_at([n for _, n in counts])}
    for a in result.areas:
        exact, widened = drawn[a.denominator]
        assert exact == a.exact and widened == a.widened


def test_counts_that_are_not_proportions_are_refused_naming_the_area():
    with pytest.raises(ValueError, match=r"area E09000022 \(Lambeth\): the numerator 5 exceeds"):
        compare([AreaCounts("E09000022", "Lambeth", 5, 4)], 0.5)
    with pytest.raises(ValueError, match="whole number"):
        compare([AreaCounts("E09000022", "Lambeth", 2.5, 4)], 0.5)
    with pytest.raises(ValueError, match="whole number"):
        compare([AreaCounts("E09000022", "Lambeth", -1, 4)], 0.5)
    with pytest.raises(ValueError, match="proportion"):
        compare([area(1, 2)], 1.5)


@pytest.mark.parametrize(
    ("indicator", "reason"),
    [
        ("sd_rate", None),
        ("repeat_victim_rate", None),
        ("incidents", "It is a count, not a proportion"),
        ("offences_per_repeat_victim", "It is a ratio"),
        ("crime_conversion", "is counted from other records than the denominator (incidents)"),
        ("no_crime_rate", "is counted from other records than the denominator (incidents)"),
    ],
)
def test_only_proportions_of_their_denominators_records_are_compared(indicator, reason):
    got = why_no_funnel(indicator)
    if reason is None:
        assert got is None and numerator_within_denominator(indicator)
    else:
        assert reason in got
