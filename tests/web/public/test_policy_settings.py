"""The secretariat changes the disclosure-control settings; each change is a new version,
audited once, and every public output names and follows it."""

from __future__ import annotations

import pytest
from django.test import Client

from dsvb.reports.disclosure import Policy
from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import Action, AuditEvent
from dsvb.web.public import policy as policy_service
from dsvb.web.public.models import DisclosurePolicyVersion
from tests.web.public.scan import below_force_cells, counts_in, csv_records

CHANGE = "/published/disclosure-control/change/"


def test_the_public_are_sent_to_sign_in(db) -> None:
    response = Client().get(CHANGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/?next=")


@pytest.mark.parametrize("role", [r for r in Role if r != Role.SECRETARIAT])
def test_only_the_secretariat_may_change_the_settings(client_for, role) -> None:
    client = client_for(role)
    assert client.get(CHANGE).status_code == 403
    assert client.post(CHANGE, {"threshold": "10", "rounding": "yes"}).status_code == 403
    assert not DisclosurePolicyVersion.objects.exists()
    assert policy_service.current() == Policy()
    refusals = AuditEvent.objects.filter(action=Action.ACCESS_DENIED)
    assert refusals.count() == 2
    assert not AuditEvent.objects.filter(action=Action.SETTING_CHANGED).exists()


def test_a_change_is_a_new_version_audited_once_with_old_and_new(client_for) -> None:
    client = client_for(Role.SECRETARIAT)
    form = client.get(CHANGE)
    assert form.status_code == 200
    assert 'value="7"' in form.content.decode()

    response = client.post(CHANGE, {"threshold": "10", "rounding": "yes"}, follow=True)
    assert response.redirect_chain[-1][0] == "/published/disclosure-control/"
    page = response.content.decode()
    assert "Version 2 of the policy is now in force" in page
    assert "dsvb disclosure control v2" in page

    new = policy_service.current()
    assert new == Policy(version=2, threshold=10, rounding=True)
    row = DisclosurePolicyVersion.objects.get()
    assert row.created_by == client.user.username
    events = AuditEvent.objects.filter(action=Action.SETTING_CHANGED)
    assert events.count() == 1
    event = events.get()
    assert event.actor_username == client.user.username
    assert event.object_type == "disclosure_policy" and event.object_id == "2"
    assert event.details == {
        "old": {"version": 1, "threshold": 7, "rounding": False},
        "new": {"version": 2, "threshold": 10, "rounding": True},
    }
    # the history keeps every version, the built-in first one included
    assert [v.policy.version for v in policy_service.history()] == [2, 1]


def test_saving_the_same_settings_changes_nothing(client_for) -> None:
    client = client_for(Role.SECRETARIAT)
    response = client.post(CHANGE, {"threshold": "7", "rounding": "no"}, follow=True)
    assert "Nothing changed: version 1 stays in force" in response.content.decode()
    assert not DisclosurePolicyVersion.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.SETTING_CHANGED).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"threshold": "", "rounding": "no"}, "Enter a suppression threshold"),
        ({"threshold": "seven", "rounding": "no"}, "whole number"),
        ({"threshold": "0", "rounding": "no"}, "must be 1 or more"),
        ({"threshold": "7"}, "Select whether to round"),
    ],
)
def test_wrong_answers_are_explained_and_nothing_is_saved(client_for, data, message) -> None:
    client = client_for(Role.SECRETARIAT)
    response = client.post(CHANGE, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page and message in page
    assert "<title>Error: " in page
    assert not DisclosurePolicyVersion.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.SETTING_CHANGED).exists()


def test_a_new_version_changes_every_public_output(store, client_for) -> None:
    public = Client()
    before_page = public.get("/published/families/dv/").content.decode()
    before_csv = csv_records(public.get("/published/families/dv/download.csv").content)
    assert "dsvb disclosure control v1" in before_page

    secretariat = client_for(Role.SECRETARIAT)
    secretariat.post(CHANGE, {"threshold": "10", "rounding": "yes"})

    page = public.get("/published/families/dv/").content.decode()
    assert "dsvb disclosure control v2" in page and "dsvb disclosure control v1" not in page
    assert "counts of 1–10 below force level suppressed" in page
    assert "rounded to the nearest 5" in page
    assert page != before_page
    cells = below_force_cells(page)
    for text in cells:
        for n in counts_in(text):
            # rounded to 5; a true 11 or 12 (above the threshold) is shown as 10
            assert n == 0 or (n >= 10 and n % 5 == 0), text

    rows = csv_records(public.get("/published/families/dv/download.csv").content)
    assert {r["disclosure_policy_version"] for r in rows} == {"2"}
    assert {r["disclosure_policy"] for r in rows} == {
        Policy(version=2, threshold=10, rounding=True).describe()
    }
    for row in rows:
        for column in ("numerator", "denominator"):
            if row[column].isdigit():
                assert int(row[column]) % 5 == 0, row
    assert [r["numerator"] for r in rows] != [r["numerator"] for r in before_csv]
    response = public.get("/published/download.xlsx")
    assert (
        'filename="dsvb-published-all-12m-2010-11-sdc-v2.xlsx"' in (response["Content-Disposition"])
    )


def test_the_secretariat_finds_the_settings_from_the_published_pages(store, client_for) -> None:
    client = client_for(Role.SECRETARIAT)
    for url in ("/published/", "/published/disclosure-control/"):
        assert f'href="{CHANGE}"' in client.get(url).content.decode()
    other = client_for(Role.BOARD_MEMBER, username="member")
    assert f'href="{CHANGE}"' not in other.get("/published/").content.decode()


def test_policy_versions_cannot_be_edited(db) -> None:
    row = DisclosurePolicyVersion.objects.create(version=2, threshold=9, rounding=False)
    row.threshold = 3
    with pytest.raises(ValueError, match="never changed"):
        row.save()
