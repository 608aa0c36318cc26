"""The compliance pages on the demo store: counts that agree with the indicators, lists and
records only for those who may see them (refusals audited), the CSV export."""

from __future__ import annotations

import csv
import io
import re

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
    assert listed.status_code == 200  # the list's counts: yes
    assert not any(u["rows"] for u in listed.context["units"])  # its records: no
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


def _listed_ids(store_file, list_id: str, area: str) -> set[str]:
    """Every id a list's rows would show for an area (record, person and caution ids)."""
    period = figures.select("dv", None).choice.period
    con = store.connect(store_file, read_only=True)
    try:
        found = compliance.records(con, list_id, start=period.start, end=period.end, area=area)
    finally:
        con.close()
    return {r.id for r in found} | {c for r in found for c in r.crime_ids}


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.SECRETARIAT])
@pytest.mark.parametrize("list_id", ["repeat_cautions", "no_risk_form"])
def test_those_without_need_to_know_get_counts_per_unit_only(
    demo_store, client_for, role, list_id
) -> None:
    client = client_for(role)
    listed = client.get(f"/compliance/{list_id}/{LAMBETH}/")
    assert listed.status_code == 200
    expected = _expected(demo_store, list_id)[LAMBETH]
    assert listed.context["count"] == expected
    units = listed.context["units"]
    assert units and sum(u["count"] for u in units) == expected  # the counts per unit
    assert not any(u["rows"] for u in units)
    assert listed.context["csv_href"] is None
    page = listed.content.decode()
    ids = _listed_ids(demo_store, list_id, LAMBETH)
    assert ids and not [i for i in ids if i in page]  # no person, crime nor incident id
    assert "Cautions:" not in page and "Risk form:" not in page

    before = AuditEvent.objects.filter(action=Action.ACCESS_DENIED).count()
    refused = client.get(f"/compliance/{list_id}/{LAMBETH}.csv")
    assert refused.status_code == 403
    assert not any(i in refused.content.decode() for i in ids)
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED).count() == before + 1
    entry = AuditEvent.objects.filter(action=Action.ACCESS_DENIED).latest("pk")
    assert entry.object_id == f"{list_id}/{LAMBETH}"
    assert "no need to know" in entry.details["reason"]


def test_those_with_need_to_know_get_the_rows(demo_store, client_for) -> None:
    for role in (Role.FORCE_ANALYST, Role.BOROUGH_USER):
        listed = client_for(role).get(f"/compliance/repeat_cautions/{LAMBETH}/")
        assert listed.context["csv_href"]
        shown = {row["record"].id for u in listed.context["units"] for row in u["rows"]}
        assert len(shown) == _expected(demo_store, "repeat_cautions")[LAMBETH]


def _page(response) -> str:
    """A page's text without its per-request CSRF token."""
    return re.sub(r'value="[^"]{20,}"', 'value=""', response.content.decode())


@pytest.mark.parametrize("role", [Role.BOROUGH_USER, Role.BOARD_MEMBER, Role.SECRETARIAT])
def test_a_missing_id_is_refused_as_another_areas_is(client_for, demo_store, police_records, role):
    """Not an oracle: to whoever may not see every area's records, an id nobody holds and an
    id held for another area get the same audited 403 (and the same page)."""
    client = client_for(role)
    other = client.get(f"/compliance/records/crime/{police_records['{crime_southwark}']}/")
    before = AuditEvent.objects.filter(action=Action.ACCESS_DENIED).count()
    for kind in ("crime", "incident"):
        missing = client.get(f"/compliance/records/{kind}/NO-SUCH-{kind.upper()}/")
        assert missing.status_code == other.status_code == 403
        assert _page(missing) == _page(other)
        entry = AuditEvent.objects.filter(action=Action.ACCESS_DENIED).latest("pk")
        assert entry.object_type == kind and entry.object_id == f"NO-SUCH-{kind.upper()}"
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED).count() == before + 2
    # a force analyst sees every area's records: a missing id is simply not found
    analyst = client_for(Role.FORCE_ANALYST)
    assert analyst.get("/compliance/records/incident/NO-SUCH-INCIDENT/").status_code == 404


@pytest.fixture
def crossed_store(demo_store, settings, police_records, tmp_path):
    """A copy of the demo store where a Lambeth incident became a Southwark crime (that
    crime's victim and contacts are Southwark's to see)."""
    import shutil

    import duckdb
    from django.core.cache import cache

    path = tmp_path / "crossed.duckdb"
    shutil.copyfile(demo_store, path)
    con = duckdb.connect(str(path))
    try:
        (crime_id,) = con.execute(
            "SELECT min(c.crime_id) FROM crimes c JOIN crime_people p USING (crime_id) "
            "JOIN victim_contacts v USING (crime_id) WHERE c.area_code = ?",
            [SOUTHWARK],
        ).fetchone()
        incident_id = police_records["{incident_lambeth}"]
        con.execute(
            "UPDATE incidents SET crime_id = ? WHERE incident_id = ?", [crime_id, incident_id]
        )
        people = [
            p
            for (p,) in con.execute(
                "SELECT person_id FROM crime_people WHERE crime_id = ?", [crime_id]
            ).fetchall()
        ]
    finally:
        con.close()
    settings.DSVB_STORE = path
    cache.clear()
    yield incident_id, crime_id, people
    cache.clear()


def test_an_incident_hides_another_areas_crime(crossed_store, client_for) -> None:
    incident_id, crime_id, people = crossed_store
    borough = client_for(Role.BOROUGH_USER)  # Lambeth's: may see the incident, not the crime
    page = borough.get(f"/compliance/records/incident/{incident_id}/")
    assert page.status_code == 200
    assert page.context["record"].people == () and page.context["contacts"] == []
    assert page.context["crime_href"] is None
    text = page.content.decode()
    assert people and not any(p in text for p in people)
    assert f"/compliance/records/crime/{crime_id}/" not in text
    assert borough.get(f"/compliance/records/crime/{crime_id}/").status_code == 403
    # a force analyst may see the crime: the incident shows its people and the link
    shown = client_for(Role.FORCE_ANALYST).get(f"/compliance/records/incident/{incident_id}/")
    assert {p for p, _ in shown.context["record"].people} == set(people)
    assert shown.context["contacts"] and shown.context["crime_href"]
