"""Which periods the pages offer: only those the store holds whole (a partial year is named)."""

from __future__ import annotations

import datetime as dt

from dsvb.web.performance.data import StoreState, period_choices


def _state(first: tuple[int, int], last: tuple[int, int]) -> StoreState:
    return StoreState(1, dt.date(*first, 1), dt.date(*last, 1), "t")


def test_a_year_of_data_offers_one_year_and_four_quarters() -> None:
    choices = period_choices(_state((2009, 12), (2010, 11)))
    assert [c.key for c in choices] == [
        "12m-2010-11", "3m-2010-11", "3m-2010-08", "3m-2010-05", "3m-2010-02",
    ]  # fmt: skip
    assert choices[0].period.start == dt.date(2009, 12, 1)
    assert choices[0].label == "12 months to November 2010"


def test_no_year_reaches_before_the_first_month_held() -> None:
    first = dt.date(2009, 12, 1)
    choices = period_choices(_state((2009, 12), (2011, 2)))
    years = [c for c in choices if c.key.startswith("12m-")]
    assert [c.key for c in years] == ["12m-2011-02", "12m-2011-01", "12m-2010-12", "12m-2010-11"]
    assert all(c.period.start >= first for c in choices)
    assert all("partial" not in c.label for c in choices)


def test_less_than_a_year_offers_the_latest_twelve_months_named_as_partial() -> None:
    choices = period_choices(_state((2010, 6), (2010, 11)))
    assert choices[0].key == "12m-2010-11"
    assert choices[0].label == "12 months to November 2010 (partial: data from June 2010)"
    assert [c.key for c in choices[1:]] == ["3m-2010-11", "3m-2010-08"]


def test_a_period_is_measured_against_the_target_in_force_at_its_end() -> None:
    from dsvb import reference
    from dsvb.indicators.assessment import period_target, target_info
    from dsvb.indicators.model import Period

    year = Period(dt.date(2009, 3, 1), dt.date(2010, 3, 1))  # 12 months to February 2010
    arrest = period_target("arrest_rate_offences", "dv", year)
    assert arrest is not None and arrest.value == 0.70  # 11 of its 12 months; not the 60%
    row = target_info(arrest, reference.target_for("arrest_rate_offences", "dv", year.start))
    assert row is not None and row.changed == (
        "this target applies from 1 April 2009; the period began under a target of 60.0%"
    )
    sd = period_target("sd_rate", "dv", year)
    assert sd is not None and sd.value == 0.46
    assert "began under no target" in (target_info(sd, None).changed or "")
    whole = Period(dt.date(2009, 12, 1), dt.date(2010, 12, 1))
    same = period_target("sd_rate", "dv", whole)
    assert target_info(same, reference.target_for("sd_rate", "dv", whole.start)).changed is None
