"""Every role can sign in and reach its landing page; the demo store feeds the data service."""

from __future__ import annotations

import pytest

from dsvb.web.accounts.roles import Role
from dsvb.web.performance import data


@pytest.mark.parametrize("role", list(Role))
def test_each_role_signs_in_and_lands_on_its_page(client_for, role: str) -> None:
    client = client_for(role)
    response = client.get("/", follow=True)
    assert response.status_code == 200
    assert client.user.username.encode() in response.content


def test_the_data_service_reads_the_demo_store(demo_store, db) -> None:
    current = data.state(fresh=True)
    assert current.version >= 1
    assert str(current.first_month) == "2009-12-01" and str(current.last_month) == "2010-11-01"
    choice = data.choose_period(None, current)
    assert choice.label == "12 months to November 2010"
    from dsvb.indicators.engine import IndicatorQuery

    rows = data.results(
        IndicatorQuery(("dv",), choice.period.start, choice.period.end, indicators=("sd_rate",)),
        current,
    )
    force = next(r for r in rows if r.area_code == "ALL")
    assert 0.44 < force.value < 0.54  # calibrated to 48.9%
    again = data.results(
        IndicatorQuery(("dv",), choice.period.start, choice.period.end, indicators=("sd_rate",)),
        current,
    )
    assert again == rows
