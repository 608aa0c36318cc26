"""Public downloads (CSV and XLSX): disclosure-controlled, naming the policy, audited once."""

from __future__ import annotations

import pytest
from django.test import Client

from dsvb.reports.disclosure import Policy
from dsvb.reports.publication import COLUMNS, PUBLIC_FAMILIES, headline
from dsvb.web.audit.models import Action, AuditEvent
from tests.web.public.scan import csv_records, xlsx_sheets

KINGSTON = "E09000021"
DOWNLOADS = {
    "all": "/published/download",
    "family": "/published/families/serious_sexual/download",
    "area": f"/published/areas/{KINGSTON}/download",
}


def _whole(value: object) -> int | None:
    """A count in a download: an int, or None for the shorthand ([c], [z])."""
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    assert value in ("[c]", "[z]"), value
    return None


def _check_rows(rows: list[dict], policy: Policy) -> None:
    assert rows
    for row in rows:
        assert row["disclosure_policy"] == policy.describe()
        assert int(row["disclosure_policy_version"]) == policy.version
        if row["geography_level"] == "force":
            continue
        for column in ("numerator", "denominator"):
            count = _whole(row[column])
            assert count is None or not 1 <= count <= policy.threshold, row
        if "[c]" in (row["numerator"], row["denominator"]):
            assert row["value"] == "[c]", row


def test_the_csv_of_everything_is_tidy_and_disclosure_controlled(store, db) -> None:
    response = Client().get("/published/download.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="dsvb-release-1-2009-12-to-2010-11-sdc-v2-all.csv"'
    )
    rows = csv_records(response.content)
    assert list(rows[0]) == list(COLUMNS)
    assert len(rows) == 33 * sum(len(headline(f)) for f in PUBLIC_FAMILIES)
    _check_rows(rows, Policy())
    assert any(r["numerator"] == "[c]" for r in rows)  # the demo store has small counts
    force = next(
        r
        for r in rows
        if r["area_code"] == "ALL" and r["family"] == "dv" and r["indicator"] == "sd_rate"
    )
    assert force["period_start"] == "2009-12-01" and force["period_end"] == "2010-11-30"
    assert float(force["value"]) == pytest.approx(
        int(force["numerator"]) / int(force["denominator"])
    )


@pytest.mark.parametrize("scope", DOWNLOADS)
def test_each_csv_and_workbook_is_controlled_and_audited_once(store, db, scope) -> None:
    client = Client()
    csv_response = client.get(f"{DOWNLOADS[scope]}.csv")
    xlsx_response = client.get(f"{DOWNLOADS[scope]}.xlsx")
    assert csv_response.status_code == xlsx_response.status_code == 200
    rows = csv_records(csv_response.content)
    _check_rows(rows, Policy())
    if scope == "area":
        assert {r["area_code"] for r in rows} == {KINGSTON, "ALL"}
    if scope == "family":
        assert {r["family"] for r in rows} == {"serious_sexual"}

    sheets = xlsx_sheets(xlsx_response.content)
    assert list(sheets) == ["Cover", "Notes", "Data"]
    cover = {row[0]: row[1] for row in sheets["Cover"] if row[0]}
    assert cover["Disclosure control"] == Policy().describe()
    assert cover["Disclosure-control policy version"] == 2
    assert cover["Release"] == 1
    notes = " ".join(str(row[1]) for row in sheets["Notes"][1:])
    assert Policy().describe() in notes and "[c] means a figure is withheld" in notes
    header, *data = sheets["Data"]
    assert header == COLUMNS
    workbook_rows = [dict(zip(header, row, strict=True)) for row in data]
    assert len(workbook_rows) == len(rows)
    _check_rows(workbook_rows, Policy())

    events = list(AuditEvent.objects.filter(action=Action.EXPORTED).order_by("id"))
    assert len(events) == 2  # one per download
    assert [e.details["format"] for e in events] == ["csv", "xlsx"]
    for event in events:
        assert event.object_type == "public_export"
        assert event.actor_username == "" and event.actor_id is None  # the public
        assert event.details["disclosure_policy_version"] == 2
        assert event.details["period"] == "12m-2010-11" and event.details["release"] == 1


def test_a_signed_in_download_is_audited_under_their_name(store, client_for) -> None:
    client = client_for("board_member")
    assert client.get("/published/families/dv/download.csv").status_code == 200
    event = AuditEvent.objects.get(action=Action.EXPORTED)
    assert event.actor_username == client.user.username
    assert event.object_id == "dv"


def test_viewing_the_pages_is_not_audited(store, db) -> None:
    client = Client()
    for url in ("/published/", "/published/families/dv/", f"/published/areas/{KINGSTON}/"):
        client.get(url)
    assert not AuditEvent.objects.exists()
