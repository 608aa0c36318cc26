"""Tampering with the audit log, by every route found, is evident: each test ends in
``dsvb audit verify`` failing and naming the first break (the installed command in a
subprocess for the main routes; the same management command in-process for the others,
since a subprocess spends ~4 s importing).

The attacker can write the database around the application: on SQLite with the sqlite3 module
on the file (dropping the guard triggers), on PostgreSQL as the role that owns the tables
(which the application's role is not: see the last tests). The attacker does not have the
application's audit key (settings, not the database). These tests run on SQLite and again
on PostgreSQL in the suite's second pass (they use the database).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import subprocess

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.exceptions import IrreversibleError

from dsvb.web.audit import chain, guards, roles
from dsvb.web.audit.models import Action, AuditEvent
from dsvb.web.audit.recorder import record
from tests.web.audit.helpers import (
    DSVB,
    TABLE,
    assert_intact,
    assert_tampering,
    attack,
    database_url,
    witness,  # noqa: F401  (a fixture)
)

pytestmark = pytest.mark.usefixtures("transactional_db", "witness")
POSTGRES = connection.vendor == "postgresql"


def three_entries() -> list[AuditEvent]:
    return [
        record(None, Action.SIGN_IN, "kim signed in", username="kim"),
        record(None, Action.EXPORTED, "Exported 12 rows", username="kim", rows=12),
        record(None, Action.SIGN_OUT, "kim signed out", username="kim"),
    ]


def test_an_untouched_log_verifies() -> None:
    three_entries()
    assert_intact(3, real=True)


def test_an_edited_entry_is_found_though_the_guards_are_put_back() -> None:
    entries = three_entries()
    attack([f"UPDATE {TABLE} SET summary = 'Exported 1 row' WHERE id = ?"], [entries[1].pk])
    assert not guards.missing(connection)  # the attacker covered the tracks
    assert_tampering(f"entry #2 id {entries[1].pk}", "does not match its digest", real=True)


def test_an_entry_deleted_in_the_middle_is_found() -> None:
    entries = three_entries()
    attack([f"DELETE FROM {TABLE} WHERE id = ?"], [entries[1].pk])
    assert_tampering(f"entry #3 id {entries[2].pk}: entries #2 are missing")


def test_the_newest_entries_deleted_are_found_by_the_witness() -> None:
    entries = three_entries()
    attack([f"DELETE FROM {TABLE} WHERE id = ?"], [entries[2].pk])
    # the chain alone still holds (#1, #2): only the witness saw #3
    assert_tampering(
        "entry #3: is missing: the log ends at #2", "entries were cut from the end", real=True
    )


def test_an_emptied_log_is_found_by_the_witness() -> None:
    three_entries()
    attack([f"DELETE FROM {TABLE}"])
    assert_tampering("the log ends at #0 but the witness")


def test_an_emptied_log_written_again_is_found() -> None:
    three_entries()
    attack([f"DELETE FROM {TABLE}"])
    record(None, Action.SIGN_IN, "lee signed in", username="lee")  # a new #1
    assert_tampering("entry #1: differs from the entry the witness")


def test_a_deleted_witness_file_is_found(witness) -> None:  # noqa: F811
    entries = three_entries()
    attack([f"DELETE FROM {TABLE} WHERE id = ?"], [entries[2].pk])
    witness.unlink()
    assert_tampering("witness file", "is missing")


def test_entries_reordered_are_found() -> None:
    entries = three_entries()
    first, second = entries[0].pk, entries[1].pk
    # swap the first two entries' places in the sequence
    attack([f"UPDATE {TABLE} SET seq = -1 WHERE id = ?"], [first])
    attack([f"UPDATE {TABLE} SET seq = 1 WHERE id = ?"], [second])
    attack([f"UPDATE {TABLE} SET seq = 2 WHERE id = ?"], [first])
    assert_tampering(f"entry #1 id {second}: does not follow the entry before it")


def _forged_fields(seq: int) -> dict:
    return {
        "seq": seq,
        "at": dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC),  # back-dated
        "actor_id": None,
        "actor_username": "kim",
        "actor_role": "secretariat",
        "ip_address": "10.0.0.7",
        "user_agent": "",
        "action": Action.EXPORTED.value,
        "object_type": "",
        "object_id": "",
        "summary": "Exported 0 rows",
        "details": {},
    }


def _insert_forged(fields: dict, previous: str | None, value: str | None) -> None:
    attack(
        [
            f"INSERT INTO {TABLE} (at, actor_id, actor_username, actor_role, ip_address, "
            "user_agent, action, object_type, object_id, summary, details, seq, prev_digest, "
            "digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ],
        [
            fields["at"].isoformat() if not POSTGRES else fields["at"],
            None,
            fields["actor_username"],
            fields["actor_role"],
            fields["ip_address"],
            "",
            fields["action"],
            "",
            "",
            fields["summary"],
            json.dumps(fields["details"]),
            fields["seq"],
            previous,
            value,
        ],
    )


@pytest.mark.parametrize("how", ["sha256", "hmac-with-a-guessed-key"])
def test_a_forged_back_dated_entry_with_a_plausible_digest_is_found(how: str) -> None:
    entries = three_entries()
    fields = _forged_fields(4)
    message = chain.canonical(fields, entries[-1].digest)
    if how == "sha256":
        value = hashlib.sha256(message).hexdigest()
    else:
        value = hmac.new(b"dsvb", message, hashlib.sha256).hexdigest()
    _insert_forged(fields, entries[-1].digest, value)
    forged = AuditEvent.objects.get(seq=4)
    assert_tampering(f"entry #4 id {forged.pk}: its content does not match its digest")


def test_a_forged_entry_without_a_number_is_found() -> None:
    three_entries()
    _insert_forged({**_forged_fields(0), "seq": None}, None, None)
    forged = AuditEvent.objects.get(seq__isnull=True)
    assert_tampering(f"entry id {forged.pk}: has no sequence number or digest")


def test_the_guards_dropped_are_reported_and_the_system_check_fails() -> None:
    three_entries()
    attack([], restore_guards=False)
    expected = "audit_no_update" if not POSTGRES else "audit_no_change"
    assert_tampering(f"the guard trigger {expected}", "missing or disabled")
    from django.core import checks

    problems = checks.run_checks(databases=["default"], tags=[checks.Tags.database])
    assert [p.id for p in problems if p.id == "audit.E001"], problems


@pytest.mark.parametrize("target", ["0001", "zero", "0006"])
def test_migrating_the_audit_log_backwards_is_refused(target: str) -> None:
    three_entries()
    if target == "zero":  # as the issue found it: the real command line
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        env |= {"DATABASE_URL": database_url(), "DSVB_DATA_DIR": str(settings.DATA_DIR)}
        result = subprocess.run(
            [*DSVB, "manage", "migrate", "audit", "zero"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        assert result.returncode != 0
        assert "The audit log's migrations cannot be reversed" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr, result.stderr
    else:
        with pytest.raises(IrreversibleError, match="cannot be reversed"):
            call_command("migrate", "audit", target, interactive=False, verbosity=0)
    assert not guards.missing(connection)
    assert AuditEvent.objects.count() == 3
    assert_intact(3, real=target == "zero")


def test_a_normal_life_of_the_application_verifies(client_for, settings, tmp_path) -> None:
    """Sign-ins (good and bad), pages, searches of the log, an import: an intact chain."""
    from django.test import Client

    from dsvb.web.accounts.roles import Role
    from tests.web.imports.conftest import DV, post_return, upload

    settings.DSVB_STORE = tmp_path / "store.duckdb"
    settings.UPLOAD_DIR = tmp_path / "uploads"
    analyst = client_for(Role.FORCE_ANALYST)
    assert post_return(analyst, upload(DV.name, DV.read_bytes())).status_code == 302
    auditor = client_for(Role.AUDITOR)
    assert auditor.get("/audit/").status_code == 200
    assert auditor.get("/audit/export.csv").status_code == 200
    Client().post("/accounts/sign-in/", {"username": "nobody", "password": "wrong"})
    analyst.post("/accounts/sign-out/")
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {Action.SIGN_IN, Action.IMPORT_SUCCEEDED, Action.AUDIT_SEARCHED} <= actions
    assert_intact(AuditEvent.objects.count())


# --- PostgreSQL: the application's role does not own the audit table ---------------------------

APP_URL = os.environ.get("DSVB_TEST_APP_DATABASE_URL", "")


def _application_role() -> dict:
    import dj_database_url

    if not APP_URL:
        pytest.fail(
            "DSVB_TEST_APP_DATABASE_URL is not set: the PostgreSQL pass needs the application "
            "role's URL (scripts/test.sh passes `scripts/postgres.py url --role app`)"
        )
    return dj_database_url.parse(APP_URL)


postgres_only = pytest.mark.skipif(not POSTGRES, reason="SQLite has no roles")

REFUSED_TO_APPLICATION = [
    f"ALTER TABLE {TABLE} DISABLE TRIGGER audit_no_change",
    f"ALTER TABLE {TABLE} DISABLE TRIGGER ALL",
    f"ALTER TABLE {TABLE} ADD COLUMN note text",
    f"DROP TRIGGER audit_no_change ON {TABLE}",
    f"UPDATE {TABLE} SET summary = 'rewritten'",
    f"DELETE FROM {TABLE}",
    f"TRUNCATE {TABLE}",
    f"DROP TABLE {TABLE}",
    "DELETE FROM django_migrations WHERE app = 'audit'",
]


@postgres_only
@pytest.mark.parametrize("sql", REFUSED_TO_APPLICATION)
def test_the_application_role_cannot_change_the_audit_table(sql: str) -> None:
    from django.db import DatabaseError, transaction

    three_entries()
    role = _application_role()
    roles.grant_application(connection, role["USER"])
    with roles.connected_as(connection, role):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == role["USER"]
        with (
            pytest.raises(DatabaseError, match=r"must be owner|permission denied"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert_intact(3)


@postgres_only
def test_the_application_role_records_and_verifies() -> None:
    three_entries()
    role = _application_role()
    roles.grant_application(connection, role["USER"])
    with roles.connected_as(connection, role):
        record(None, Action.SIGN_IN, "as the application", username="kim")
        assert chain.verify().describe() == "4 entries verified, chain intact up to #4"
        with connection.cursor() as cursor:
            cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = %s", [TABLE])
            assert cursor.fetchone()[0] != role["USER"]
    assert_intact(4)
