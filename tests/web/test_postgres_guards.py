"""The database itself refuses to change or delete audit entries, on whichever database the
suite runs (SQLite by default; PostgreSQL in the suite's second pass, ``make test``).

The statements are chosen for the active database: PostgreSQL also has TRUNCATE, which
bypasses row triggers and so has a statement trigger of its own; SQLite has no TRUNCATE
(its ``DELETE FROM`` without WHERE is refused by the row trigger, which also disables
SQLite's truncate optimisation).
"""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from dsvb.web.audit.models import Action, AuditEvent
from dsvb.web.audit.recorder import record

VENDOR = connection.vendor
TABLE = "audit_auditevent"
COLUMNS = (
    "id, at, actor_username, actor_role, user_agent, action, object_type, object_id, details, "
    "summary"
)
REWRITTEN = COLUMNS.replace("summary", "'rewritten'")

REFUSED = {
    "sqlite": [
        f"UPDATE {TABLE} SET summary = 'rewritten'",
        f"UPDATE {TABLE} SET actor_username = 'someone else' WHERE id = %(id)s",
        f"DELETE FROM {TABLE} WHERE id = %(id)s",
        f"DELETE FROM {TABLE}",
        # REPLACE deletes the conflicting row without firing delete triggers (unless
        # recursive_triggers is on), so it needs a guard of its own
        f"REPLACE INTO {TABLE} ({COLUMNS}) SELECT {REWRITTEN} FROM {TABLE} WHERE id = %(id)s",
        f"INSERT OR REPLACE INTO {TABLE} ({COLUMNS}) SELECT {REWRITTEN} FROM {TABLE}",
    ],
    "postgresql": [
        f"UPDATE {TABLE} SET summary = 'rewritten'",
        f"UPDATE {TABLE} SET actor_username = 'someone else' WHERE id = %(id)s",
        f"DELETE FROM {TABLE} WHERE id = %(id)s",
        f"DELETE FROM {TABLE}",
        f"TRUNCATE {TABLE}",
        f"TRUNCATE {TABLE} RESTART IDENTITY CASCADE",
        f"INSERT INTO {TABLE} ({COLUMNS}) SELECT {REWRITTEN} FROM {TABLE} WHERE id = %(id)s "
        "ON CONFLICT (id) DO UPDATE SET summary = EXCLUDED.summary",
    ],
}
TRIGGERS = {
    "sqlite": {"audit_no_update", "audit_no_delete"},
    "postgresql": {"audit_no_change", "audit_no_truncate"},
}


def test_the_suite_runs_on_a_database_it_knows() -> None:
    assert VENDOR in REFUSED, f"no audit-guard expectations for {VENDOR}"


@pytest.mark.parametrize("sql", REFUSED.get(VENDOR, []), ids=lambda sql: f"{VENDOR}: {sql}")
def test_the_database_refuses_the_statement(db, sql: str) -> None:
    event = record(None, Action.EXPORTED, "original", username="kim")
    other = record(None, Action.SIGN_IN, "another", username="lee")
    before = list(AuditEvent.objects.order_by("id").values_list("id", "summary", "actor_username"))

    with (
        pytest.raises(DatabaseError, match="audit events cannot be"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, {"id": event.pk})

    after = list(AuditEvent.objects.order_by("id").values_list("id", "summary", "actor_username"))
    assert after == before
    assert {e.pk for e in (event, other)} <= {row[0] for row in after}


def test_the_guard_triggers_are_installed(db) -> None:
    with connection.cursor() as cursor:
        if VENDOR == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger "
                "WHERE tgrelid = %s::regclass AND NOT tgisinternal AND tgenabled <> 'D'",
                [TABLE],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE]
            )
        names = {row[0] for row in cursor.fetchall()}
    assert TRIGGERS[VENDOR] <= names


def test_appending_is_still_allowed(db) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (at, actor_username, actor_role, user_agent, action, "
            "object_type, object_id, summary, details) "
            "VALUES (CURRENT_TIMESTAMP, 'kim', '', '', %s, '', '', 'appended', '{}')",
            [Action.EXPORTED.value],
        )
    record(None, Action.SIGN_IN, "through the application", username="kim")
    assert list(AuditEvent.objects.order_by("id").values_list("summary", flat=True)) == [
        "appended",
        "through the application",
    ]
