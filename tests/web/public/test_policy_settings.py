"""The secretariat changes the disclosure-control settings; each change is a new version,
audited once, named by the policy page and followed by the next release (a release already
published keeps the version it was made under)."""

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
    assert DisclosurePolicyVersion.objects.count() == 2  # the two the migrations add
    assert policy_service.current() == Policy()
    refusals = AuditEvent.objects.filter(action=Action.ACCESS_DENIED)
    assert refusals.count() == 2
    assert not AuditEvent.objects.filter(action=Action.SETTING_CHANGED).exists()


def test_a_change_is_a_new_version_audited_once_with_old_and_new(client_for) -> None:
    client = client_for(Role.SECRETARIAT)
    form = client.get(CHANGE)
    assert form.status_code == 200
    assert 'value="9"' in form.content.decode() and 'value="3"' in form.content.decode()

    response = client.post(
        CHANGE, {"threshold": "10", "protection_width": "4", "rounding": "yes"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/published/disclosure-control/"
    page = response.content.decode()
    assert "Version 3 of the policy is now in force" in page
    assert "dsvb disclosure control v3" in page

    new = policy_service.current()
    assert new == Policy(version=3, threshold=10, rounding=True, protection_width=4)
    row = DisclosurePolicyVersion.objects.get(version=3)
    assert row.created_by == client.user.username
    events = AuditEvent.objects.filter(action=Action.SETTING_CHANGED)
    assert events.count() == 1
    event = events.get()
    assert event.actor_username == client.user.username
    assert event.object_type == "disclosure_policy" and event.object_id == "3"
    old = {"threshold": 9, "rounding": False, "protection_width": 3, "rules_revision": 2}
    assert event.details == {
        "old": {"version": 2, **old},
        "new": {**old, "version": 3, "threshold": 10, "rounding": True, "protection_width": 4},
    }
    # the history keeps every version: the built-in first one (under the first rules) and
    # the one the rules change added
    history = policy_service.history()
    assert [v.policy.version for v in history] == [3, 2, 1]
    assert history[-1].policy == Policy(
        version=1, threshold=7, protection_width=1, rules_revision=1
    )


def test_saving_the_same_settings_changes_nothing(client_for) -> None:
    client = client_for(Role.SECRETARIAT)
    response = client.post(
        CHANGE, {"threshold": "9", "protection_width": "3", "rounding": "no"}, follow=True
    )
    assert "Nothing changed: version 2 stays in force" in response.content.decode()
    assert DisclosurePolicyVersion.objects.count() == 2
    assert not AuditEvent.objects.filter(action=Action.SETTING_CHANGED).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"threshold": "", "protection_width": "3", "rounding": "no"}, "Enter a suppression"),
        ({"threshold": "seven", "protection_width": "3", "rounding": "no"}, "whole number"),
        ({"threshold": "0", "protection_width": "3", "rounding": "no"}, "must be 1 or more"),
        ({"threshold": "7", "protection_width": "3"}, "Select whether to round"),
        ({"threshold": "9", "rounding": "no"}, "Enter a protection width"),
        ({"threshold": "9", "protection_width": "0", "rounding": "no"}, "width must be 1 or more"),
    ],
)
def test_wrong_answers_are_explained_and_nothing_is_saved(client_for, data, message) -> None:
    client = client_for(Role.SECRETARIAT)
    response = client.post(CHANGE, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page and message in page
    assert "<title>Error: " in page
    assert DisclosurePolicyVersion.objects.count() == 2
    assert not AuditEvent.objects.filter(action=Action.SETTING_CHANGED).exists()


def test_a_new_version_is_for_the_next_release_and_the_published_one_keeps_its_own(
    store, client_for
) -> None:
    public = Client()
    before_page = public.get("/published/families/dv/").content.decode()
    before_csv = public.get("/published/families/dv/download.csv").content
    assert "dsvb disclosure control v2" in before_page

    secretariat = client_for(Role.SECRETARIAT)
    secretariat.post(CHANGE, {"threshold": "10", "protection_width": "3", "rounding": "yes"})

    # what the public has read does not change under it
    assert public.get("/published/families/dv/").content.decode() == before_page
    assert public.get("/published/families/dv/download.csv").content == before_csv
    rows = csv_records(before_csv)
    assert {r["disclosure_policy_version"] for r in rows} == {"2"}
    assert {r["disclosure_policy"] for r in rows} == {Policy().describe()}
    for text in below_force_cells(before_page):
        assert not [n for n in counts_in(text) if 1 <= n <= 9], text
    # the policy page names the new version in force, and the next release will follow it
    policy_page = public.get("/published/disclosure-control/").content.decode()
    assert "dsvb disclosure control v3" in policy_page
    assert "counts of 1–10 below force level suppressed" in policy_page
    publish_page = secretariat.get("/published/publish/").content.decode()
    assert "dsvb disclosure control v3" in publish_page


def test_the_secretariat_finds_the_settings_from_the_published_pages(store, client_for) -> None:
    client = client_for(Role.SECRETARIAT)
    for url in ("/published/", "/published/disclosure-control/"):
        assert f'href="{CHANGE}"' in client.get(url).content.decode()
    other = client_for(Role.BOARD_MEMBER, username="member")
    assert f'href="{CHANGE}"' not in other.get("/published/").content.decode()


def test_policy_versions_cannot_be_edited(db) -> None:
    row = DisclosurePolicyVersion.objects.create(version=5, threshold=9, rounding=False)
    row.threshold = 3
    with pytest.raises(ValueError, match="never changed"):
        row.save()
