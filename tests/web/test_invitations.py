"""Inviting people: the secretariat never types a password; a one-time link sets it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from dsvb.web.accounts import invitations
from dsvb.web.accounts.models import User
from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import Action, AuditEvent

NEW_PASSWORD = "a-sound-long-passphrase-5"


def _invite(secretariat: Client, username: str = "newperson", **fields) -> tuple[User, str]:
    """Create a user through the form; return them and the link the page shows."""
    response = secretariat.post(
        "/accounts/users/new/",
        {"username": username, "role": Role.BOARD_MEMBER, "is_active": "on", **fields},
    )
    assert response.status_code == 200, response.content[:300]
    return User.objects.get(username=username), _link(response)


def _link(response) -> str:
    found = re.search(r'data-testid="invitation-link">([^<]+)<', response.content.decode())
    assert found, "no link on the page"
    return found.group(1).replace("http://testserver", "")


def _set_password(link: str, password: str = NEW_PASSWORD, client: Client | None = None):
    client = client or Client()
    opened = client.get(link)
    if opened.status_code != 302:
        return opened
    return client.post(opened["Location"], {"new_password1": password, "new_password2": password})


def _problem(response) -> str:
    found = re.search(r'data-testid="invitation-problem">([^<]+)<', response.content.decode())
    return found.group(1) if found else ""


def test_the_secretariat_types_no_password(client_for) -> None:
    secretariat = client_for(Role.SECRETARIAT)
    form = secretariat.get("/accounts/users/new/").content.decode()
    assert 'type="password"' not in form
    # a password posted anyway is ignored: the account has none until its owner sets one
    person, _ = _invite(secretariat, password=NEW_PASSWORD)
    assert not person.has_usable_password() and not person.check_password(NEW_PASSWORD)


def test_an_invitation_is_shown_emailed_and_audited_without_the_link(client_for) -> None:
    secretariat = client_for(Role.SECRETARIAT)
    person, link = _invite(secretariat, email="new.person@example.invalid")
    assert link.startswith("/accounts/invitation/")
    (message,) = mail.outbox
    assert message.to == ["new.person@example.invalid"] and link in message.body
    (entry,) = AuditEvent.objects.filter(action=Action.INVITATION_CREATED)
    assert entry.actor_id == secretariat.user.pk and entry.object_id == str(person.pk)
    assert entry.details["emailed"] is True
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert token not in f"{entry.summary} {entry.details}"


def test_the_link_sets_the_password_once_and_each_step_is_audited(client_for) -> None:
    person, link = _invite(client_for(Role.SECRETARIAT))
    assert Client().post("/accounts/sign-in/", {"username": person.username}).status_code == 200
    done = _set_password(link)
    assert done.status_code == 302 and done["Location"] == "/accounts/sign-in/"
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    signed_in = Client().post(
        "/accounts/sign-in/", {"username": person.username, "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302
    actions = list(
        AuditEvent.objects.filter(object_type="user", object_id=str(person.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-2:] == [Action.INVITATION_OPENED, Action.PASSWORD_SET]

    # the same link again: refused, and it says why
    again = Client().get(link)
    assert again.status_code == 200 and "already been used" in _problem(again)
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    refused = AuditEvent.objects.filter(action=Action.INVITATION_REFUSED).get()
    assert refused.details["problem"] == "used" and refused.actor_username == person.username


def test_an_expired_link_says_so_and_sets_nothing(client_for, monkeypatch) -> None:
    person, link = _invite(client_for(Role.SECRETARIAT))
    later = dt.datetime.now() + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    monkeypatch.setattr(invitations.tokens, "_now", lambda: later)
    response = _set_password(link)
    assert response.status_code == 200 and "has expired" in _problem(response)
    person.refresh_from_db()
    assert not person.has_usable_password()


def test_a_link_opened_before_it_expired_cannot_be_completed_after(client_for, monkeypatch) -> None:
    person, link = _invite(client_for(Role.SECRETARIAT))
    client = Client()
    opened = client.get(link)
    assert opened.status_code == 302
    later = dt.datetime.now() + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    monkeypatch.setattr(invitations.tokens, "_now", lambda: later)
    late = client.post(
        opened["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert late.status_code == 200 and "has expired" in _problem(late)
    person.refresh_from_db()
    assert not person.has_usable_password()


def test_a_new_link_replaces_the_old_one(client_for) -> None:
    secretariat = client_for(Role.SECRETARIAT)
    person, first = _invite(secretariat)
    resent = secretariat.post(f"/accounts/users/{person.pk}/invite/")
    second = _link(resent)
    assert second != first
    old = _set_password(first)
    assert old.status_code == 200 and "does not work" in _problem(old)
    assert _set_password(second).status_code == 302
    assert AuditEvent.objects.filter(action=Action.INVITATION_CREATED).count() == 2


def test_a_link_opened_in_one_browser_fails_once_another_has_set_the_password(client_for) -> None:
    person, link = _invite(client_for(Role.SECRETARIAT))
    first = Client()
    opened = first.get(link)
    assert opened.status_code == 302
    assert _set_password(link, client=Client()).status_code == 302  # someone else, first
    late = first.post(
        opened["Location"],
        {"new_password1": "another-long-pass-77", "new_password2": "another-long-pass-77"},
    )
    assert late.status_code == 200 and "already been used" in _problem(late)
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)


def test_a_new_link_stops_the_current_password_too(client_for) -> None:
    secretariat = client_for(Role.SECRETARIAT)
    person, link = _invite(secretariat)
    _set_password(link)
    secretariat.post(f"/accounts/users/{person.pk}/invite/")
    person.refresh_from_db()
    assert not person.has_usable_password()


def test_a_django_password_reset_token_is_not_an_invitation(client_for) -> None:
    person, _ = _invite(client_for(Role.SECRETARIAT))
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    forged = f"/accounts/invitation/{uid}/{default_token_generator.make_token(person)}/"
    response = Client().get(forged)
    assert response.status_code == 200 and "does not work" in _problem(response)
    assert Client().get(f"/accounts/invitation/{uid}/1-abc/").status_code == 200


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-1", "too short"),
        ("password1234", "too common"),
        ("839201746512", "entirely numeric"),
    ],
)
def test_password_rules_apply_to_the_password_set(client_for, password, message) -> None:
    person, link = _invite(client_for(Role.SECRETARIAT))
    response = _set_password(link, password)
    assert response.status_code == 200 and message in response.content.decode()
    person.refresh_from_db()
    assert not person.has_usable_password()


@pytest.mark.parametrize("role", [Role.BOROUGH_USER, Role.FORCE_ANALYST, Role.AUDITOR])
def test_only_the_secretariat_invites(client_for, make_user, role) -> None:
    person = make_user(Role.BOARD_MEMBER, username="existing")
    client = client_for(role)
    assert client.post(f"/accounts/users/{person.pk}/invite/").status_code == 403
    assert (
        client.post("/accounts/users/new/", {"username": "x", "role": "auditor"}).status_code == 403
    )
    person.refresh_from_db()
    assert person.has_usable_password()
    assert not AuditEvent.objects.filter(action=Action.INVITATION_CREATED).exists()
