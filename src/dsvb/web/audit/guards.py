"""Database triggers that refuse any change to the audit log, for SQLite and PostgreSQL.

A migration cannot take them away: the migrations that install them refuse to be reversed
(:func:`refuse_reversal`), and :func:`missing` (used by ``dsvb audit verify`` and a system
check) reports a guard that is gone or disabled as tampering.
"""

from __future__ import annotations

from django.core.management.base import CommandError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.exceptions import IrreversibleError

TABLE = "audit_auditevent"

SQLITE_INSTALL = [
    f"CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'audit events cannot be changed'); END",
    f"CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'audit events cannot be deleted'); END",
    # INSERT OR REPLACE deletes the old row without firing delete triggers
    f"CREATE TRIGGER IF NOT EXISTS audit_no_replace BEFORE INSERT ON {TABLE} "
    f"WHEN EXISTS (SELECT 1 FROM {TABLE} WHERE id = NEW.id) "
    "BEGIN SELECT RAISE(ABORT, 'audit events cannot be changed'); END",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_no_update",
    "DROP TRIGGER IF EXISTS audit_no_delete",
    "DROP TRIGGER IF EXISTS audit_no_replace",
]

POSTGRES_INSTALL = [
    "CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'audit events cannot be changed or deleted'; END; "
    "$$ LANGUAGE plpgsql",
    f"DROP TRIGGER IF EXISTS audit_no_change ON {TABLE}",
    f"CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()",
    f"DROP TRIGGER IF EXISTS audit_no_truncate ON {TABLE}",
    f"CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()",
]
POSTGRES_REMOVE = [
    f"DROP TRIGGER IF EXISTS audit_no_change ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_no_truncate ON {TABLE}",
]


SQLITE_TRIGGERS = ("audit_no_update", "audit_no_delete", "audit_no_replace")
POSTGRES_TRIGGERS = ("audit_no_change", "audit_no_truncate")


def _statements(connection: BaseDatabaseWrapper, install: bool) -> list[str]:
    if connection.vendor == "sqlite":
        return SQLITE_INSTALL if install else SQLITE_REMOVE
    if connection.vendor == "postgresql":
        return POSTGRES_INSTALL if install else POSTGRES_REMOVE
    return []


def install(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection, install=True):
            cursor.execute(sql)


def remove(connection: BaseDatabaseWrapper) -> None:
    """Only for test-database teardown, which empties every table between tests."""
    with connection.cursor() as cursor:
        for sql in _statements(connection, install=False):
            cursor.execute(sql)


def missing(connection: BaseDatabaseWrapper) -> list[str]:
    """What is wrong with the guards: each trigger that is gone (or, on PostgreSQL, disabled)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE]
            )
            present = {row[0] for row in cursor.fetchall()}
            expected: tuple[str, ...] = SQLITE_TRIGGERS
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass(%s) "
                "AND NOT tgisinternal AND tgenabled IN ('O', 'A')",  # 'R': replica only, 'D': off
                [TABLE],
            )
            present = {row[0] for row in cursor.fetchall()}
            expected = POSTGRES_TRIGGERS
        else:
            return []
    return [
        f"the guard trigger {name} on {TABLE} is missing or disabled: the database no longer "
        "refuses changes to the audit log"
        for name in expected
        if name not in present
    ]


class AuditMigrationRefused(CommandError, IrreversibleError):
    """An audit migration was asked to reverse. A CommandError too, so that ``dsvb manage
    migrate`` prints the message alone (no traceback) and exits non-zero."""


def refuse_reversal(apps, schema_editor) -> None:  # noqa: ANN001 - a migration function
    """The reverse of every audit migration that guards or chains the log: never allowed."""
    raise AuditMigrationRefused(
        "The audit log's migrations cannot be reversed: reversing them would remove the "
        "guards that stop entries being changed or deleted, or the log itself. Nothing was "
        "changed. Restore a backup of the whole database instead (see the README, 'The audit "
        "log: tamper-evident')."
    )


def lifted(connection: BaseDatabaseWrapper) -> list[str]:
    """Statements that lift the row guards for the rest of the current transaction only
    (the chain's backfill in migration 0007): re-install with :func:`install` before commit."""
    if connection.vendor == "sqlite":
        return SQLITE_REMOVE
    if connection.vendor == "postgresql":
        return [f"ALTER TABLE {TABLE} DISABLE TRIGGER audit_no_change"]
    return []
