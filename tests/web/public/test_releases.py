"""Publishing releases from the web (the secretariat) and what the register keeps."""

from __future__ import annotations

import dataclasses

import pytest
from django.test import Client

from dsvb.indicators.model import Period
from dsvb.reports.publication import Release
from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import AuditEvent
from dsvb.web.public import releases
from dsvb.web.public.models import Release as StoredRelease
from tests.web.public.scan import csv_records

PUBLISH = "/published/publish/"


def test_the_secretariat_publishes_the_next_release_once_and_it_is_audited(
    demo_store, client_for
) -> None:
    client = client_for(Role.SECRETARIAT)
    page = client.get(PUBLISH).content.decode()
    assert "Nothing has been published yet" in page
    assert "The next release covers the <strong>12 months to November 2010</strong>" in page
    assert "dsvb disclosure control v2" in page

    unconfirmed = client.post(PUBLISH, {})
    assert unconfirmed.status_code == 200
    assert "Confirm that the release can be published" in unconfirmed.content.decode()
    assert not StoredRelease.objects.exists()

    response = client.post(PUBLISH, {"confirm": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == "/published/"
    home = response.content.decode()
    assert "Published release 1: 12 months to November 2010." in home
    assert "Release 1, published" in home
    row = StoredRelease.objects.get()
    assert (row.number, row.period_start.isoformat(), row.period_end.isoformat()) == (
        1,
        "2009-12-01",
        "2010-12-01",
    )
    assert row.published_by == client.user.username and row.policy_version == 2
    events = AuditEvent.objects.filter(action=releases.RELEASE_PUBLISHED)
    assert events.count() == 1
    event = events.get()
    assert event.actor_username == client.user.username and event.object_id == "1"
    assert event.details["cells"] == len(row.release.table.cells)
    assert event.details["suppressed_cells"] == row.release.table.suppressed_cells > 0

    # nothing more is due: the store holds no later year
    again = client.post(PUBLISH, {"confirm": "on"})
    assert "There is no release to publish" in again.content.decode()
    assert "12 months to November 2011" in again.content.decode()
    assert StoredRelease.objects.count() == 1


@pytest.mark.parametrize("role", [r for r in Role if r != Role.SECRETARIAT])
def test_no_one_else_may_publish(demo_store, client_for, role) -> None:
    client = client_for(role)
    assert client.get(PUBLISH).status_code == 403
    assert client.post(PUBLISH, {"confirm": "on"}).status_code == 403
    assert not StoredRelease.objects.exists()
    assert Client().post(PUBLISH, {"confirm": "on"}).status_code == 302  # to sign in


def test_a_release_can_be_neither_changed_nor_deleted(store) -> None:
    row = StoredRelease.objects.get()
    row.published_by = "someone else"
    with pytest.raises(ValueError, match="never changed"):
        row.save()
    with pytest.raises(ValueError, match="never deleted"):
        row.delete()
    with pytest.raises(ValueError, match="never changed"):
        StoredRelease.objects.update(published_by="x")
    with pytest.raises(ValueError, match="never deleted"):
        StoredRelease.objects.all().delete()


def test_earlier_releases_stay_public_beside_the_latest(store) -> None:
    first = releases.get(1)
    # the register a year on: release 2 (its cells borrowed from release 1) is the latest
    next_year = Period(first.period.end, first.period.end.replace(year=first.period.end.year + 1))
    later = dataclasses.replace(first, number=2, period=next_year)
    releases.keep(later)
    home = Client().get("/published/").content.decode()
    assert "Release 2, published" in home and "12 months to November 2011" in home
    assert "Earlier releases" in home
    assert 'href="/published/releases/1/download.csv"' in home
    assert 'href="/published/releases/1/download.xlsx"' in home
    response = Client().get("/published/releases/1/download.csv")
    assert response.status_code == 200
    rows = csv_records(response.content)
    assert {(r["release"], r["period_end"]) for r in rows} == {("1", "2010-11-30")}
    latest = csv_records(Client().get("/published/download.csv").content)
    assert {(r["release"], r["period_end"]) for r in latest} == {("2", "2011-11-30")}
    assert Client().get("/published/releases/99/download.csv").status_code == 404
    assert isinstance(releases.latest(), Release) and releases.latest().number == 2
