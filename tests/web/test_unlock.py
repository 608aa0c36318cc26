"""Unlocking an account that django-axes locked after failed sign-ins: the secretariat only,
with a reason, audited."""

from __future__ import annotations

from django.conf import settings
from django.test import Client

from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import Action, AuditEvent
from tests.web.conftest import PASSWORD


def _sign_in(client: Client, username: str, password: str = PASSWORD):
    return client.post("/accounts/sign-in/", {"username": username, "password": password})


def _lock_out(username: str) -> Client:
    client = Client(REMOTE_ADDR="10.9.8.7")
    for n in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, username, f"wrong-guess-{n}")
    assert _sign_in(client, username).status_code == 429  # locked, even to the right password
    return client


def test_the_secretariat_sees_a_locked_account_and_unlocks_it_with_a_reason(
    client_for, make_user
) -> None:
    person = make_user(Role.BOARD_MEMBER, username="bola")
    locked_client = _lock_out("bola")
    secretariat = client_for(Role.SECRETARIAT)
    page = secretariat.get("/accounts/users/").content.decode()
    assert "Locked out" in page and f'action="/accounts/users/{person.pk}/unlock/"' in page

    # no reason: nothing happens
    refused = secretariat.post(f"/accounts/users/{person.pk}/unlock/", {"reason": "  "})
    assert refused.status_code == 302
    assert _sign_in(locked_client, "bola").status_code == 429
    assert not AuditEvent.objects.filter(action=Action.ACCOUNT_UNLOCKED).exists()

    reason = "Rang the secretariat from her desk phone; she had caps lock on"
    done = secretariat.post(f"/accounts/users/{person.pk}/unlock/", {"reason": reason})
    assert done.status_code == 302
    assert _sign_in(locked_client, "bola").status_code == 302  # signed in
    (entry,) = AuditEvent.objects.filter(action=Action.ACCOUNT_UNLOCKED)
    assert entry.actor_id == secretariat.user.pk and entry.actor_role == Role.SECRETARIAT
    assert entry.object_type == "user" and entry.object_id == str(person.pk)
    assert entry.details["reason"] == reason and entry.details["was_locked"] is True
    assert reason in entry.summary
    assert "Locked out" not in secretariat.get("/accounts/users/").content.decode()


def test_unlocking_is_a_post_with_a_csrf_token(client_for, make_user) -> None:
    person = make_user(Role.BOARD_MEMBER, username="bola")
    locked_client = _lock_out("bola")
    secretariat = client_for(Role.SECRETARIAT)
    assert secretariat.get(f"/accounts/users/{person.pk}/unlock/").status_code == 405
    secretariat.handler.enforce_csrf_checks = True
    forged = secretariat.post(f"/accounts/users/{person.pk}/unlock/", {"reason": "because"})
    assert forged.status_code == 403
    assert _sign_in(locked_client, "bola").status_code == 429


def test_a_borough_user_cannot_unlock(client_for, make_user) -> None:
    person = make_user(Role.BOARD_MEMBER, username="bola")
    locked_client = _lock_out("bola")
    for role in (Role.BOROUGH_USER, Role.FORCE_ANALYST, Role.AUDITOR):
        client = client_for(role)
        response = client.post(f"/accounts/users/{person.pk}/unlock/", {"reason": "let me"})
        assert response.status_code == 403
    assert _sign_in(locked_client, "bola").status_code == 429
    assert not AuditEvent.objects.filter(action=Action.ACCOUNT_UNLOCKED).exists()
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED).count() == 3
