"""The compliance pages on the demo store: counts that agree with the indicators, lists and
records only for those who may see them (refusals audited), the CSV export."""

from __future__ import annotations

import csv
import io

import pytest

from dsvb import store
from dsvb.cases import compliance
from dsvb.indicators.engine import IndicatorQuery, compute
from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import Action, AuditEvent
from dsvb.web.performance import figures
from tests.web.conftest import LAMBETH, SOUTHWARK

pytestmark = pytest.mark.django_db


def _expected(store_file, list_id: str) -> dict[str, int]:
    """The list's length per area from the engine, for the pages' default period."""
    item = compliance.LISTS[list_id]
    period = figures.select("dv", None).choice.period
    con = store.connect(store_file, read_only=True)
    try:
        results = compute(
            con,
            IndicatorQuery(
                families=("dv",), start=period.start, end=period.end, indicators=(item.indicator,)
            ),
        )
    finally:
        con.close()
    return {
        r.area_code: int(r.numerator) if item.part is None else r.denominator - r.numerator
        for r in results
    }


def test_the_lists_agree_with_the_indicators(demo_store, client_for) -> None:
    client = client_for(Role.FORCE_ANALYST)
    page = client.get("/compliance/")
    assert page.status_code == 200
    for list_id, item in compliance.LISTS.items():
        expected = _expected(demo_store, list_id)
        rows = {r["list"].id: r for r in page.context["rows"]}[list_id]
        shown = {a["code"]: a["count"] for a in rows["areas"]}
        assert shown[LAMBETH] == expected[LAMBETH], list_id
        assert shown[SOUTHWARK] == expected[SOUTHWARK], list_id
        listed = client.get(f"/compliance/{list_id}/{LAMBETH}/")
        assert listed.status_code == 200
        assert listed.context["count"] == expected[LAMBETH], item.title
        assert sum(len(u["rows"]) for u in listed.context["units"]) == expected[LAMBETH]


def test_a_borough_user_sees_their_own_area_only(demo_store, client_for, police_records) -> None:
    client = client_for(Role.BOROUGH_USER)
    page = client.get("/compliance/")
    assert page.status_code == 200
    assert {a["code"] for r in page.context["rows"] for a in r["areas"]} == {LAMBETH}
    own = client.get(f"/compliance/no_risk_form/{LAMBETH}/")
    assert own.status_code == 200
    linked = [row for u in own.context["units"] for row in u["rows"]]
    assert linked and all(row["href"] for row in linked)  # their own area's records open
    record = client.get(f"/compliance/records/crime/{police_records['{crime_lambeth}']}/")
    assert record.status_code == 200
    assert police_records["{crime_lambeth}"] in record.content.decode()

    before = AuditEvent.objects.filter(action=Action.ACCESS_DENIED).count()
    other = police_records["{crime_southwark}"]
    refused = client.get(f"/compliance/records/crime/{other}/")
    assert refused.status_code == 403
    entry = AuditEvent.objects.filter(action=Action.ACCESS_DENIED).latest("pk")
    assert entry.object_id == other
    assert "Lambeth may not see crime" in entry.details["reason"]
    assert client.get(f"/compliance/no_risk_form/{SOUTHWARK}/").status_code == 403
    assert client.get(f"/compliance/no_risk_form/{SOUTHWARK}.csv").status_code == 403
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED).count() == before + 3


def test_each_page_is_one_audit_entry(demo_store, client_for, police_records) -> None:
    client = client_for(Role.FORCE_ANALYST)
    incident = police_records["{incident_southwark}"]
    before = AuditEvent.objects.count()
    assert client.get(f"/compliance/records/incident/{incident}/").status_code == 200
    assert AuditEvent.objects.count() == before + 1
    entry = AuditEvent.objects.latest("pk")
    assert entry.action == Action.PAGE_VIEWED
    assert entry.details["incident"] == incident


def test_the_board_is_refused_record_pages(demo_store, client_for, police_records) -> None:
    client = client_for(Role.BOARD_MEMBER)
    listed = client.get(f"/compliance/no_risk_form/{SOUTHWARK}/")
    assert listed.status_code == 200  # the list and its count: yes
    rows = [row for u in listed.context["units"] for row in u["rows"]]
    assert rows and not any(row["href"] for row in rows)  # no link to a record
    assert b"/compliance/records/" not in listed.content
    for path in (
        f"/compliance/records/crime/{police_records['{crime_lambeth}']}/",
        f"/compliance/records/incident/{police_records['{incident_southwark}']}/",
    ):
        response = client.get(path)
        assert response.status_code == 403
        entry = AuditEvent.objects.filter(action=Action.ACCESS_DENIED).latest("pk")
        assert "no need to know" in entry.details["reason"]


def test_an_unknown_record_or_list_is_not_found(demo_store, client_for) -> None:
    client = client_for(Role.FORCE_ANALYST)
    assert client.get("/compliance/records/crime/NO-SUCH/").status_code == 404
    assert client.get(f"/compliance/no_such_list/{LAMBETH}/").status_code == 404


def test_csv_export(demo_store, client_for) -> None:
    client = client_for(Role.BOROUGH_USER)
    response = client.get(f"/compliance/repeat_cautions/{LAMBETH}.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == _expected(demo_store, "repeat_cautions")[LAMBETH]
    assert rows and all(r["kind"] == "person" and r["area_code"] == LAMBETH for r in rows)
    assert all(len(r["crime_ids"].split()) >= 2 for r in rows)  # cautioned more than once
    entry = AuditEvent.objects.latest("pk")
    assert entry.action == Action.PAGE_VIEWED and "download" in entry.summary


def test_an_incident_links_to_the_crime_it_became(demo_store, client_for) -> None:
    client = client_for(Role.BOROUGH_USER)
    listed = client.get(f"/compliance/suspect_present_no_arrest/{LAMBETH}/")
    rows = [row for u in listed.context["units"] for row in u["rows"]]
    record = next(row["record"] for row in rows if row["record"].field("crime_id"))
    page = client.get(f"/compliance/records/incident/{record.id}/")
    assert page.status_code == 200
    crime_id = record.field("crime_id")
    assert f'href="/compliance/records/crime/{crime_id}/"' in page.content.decode()
    assert client.get(f"/compliance/records/crime/{crime_id}/").status_code == 200
