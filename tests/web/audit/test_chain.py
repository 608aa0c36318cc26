"""The audit log's hash chain: built right by concurrent writers (threads and processes), by
the migration that chains entries made before it, shown to auditors, and checked by
``dsvb audit verify``. (The tampering routes are in tests/fault/test_audit_tamper.py.)"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, connections

from dsvb.web.accounts.roles import Role
from dsvb.web.audit import chain, guards
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

pytestmark = pytest.mark.usefixtures("witness")


def test_each_entry_carries_its_number_and_the_digest_before_it(transactional_db) -> None:
    first = record(None, Action.SIGN_IN, "kim signed in", username="kim")
    second = record(None, Action.EXPORTED, "export", username="kim", ids=(1, 2), **{"3": 4})
    assert (first.seq, first.prev_digest) == (1, chain.GENESIS)
    assert (second.seq, second.prev_digest) == (2, first.digest)
    stored = AuditEvent.objects.get(pk=second.pk)
    assert stored.details == {"ids": [1, 2], "3": 4}  # as hashed: JSON's own forms
    assert chain.verify().describe() == "2 entries verified, chain intact up to #2"


def test_concurrent_threads_make_one_unbroken_chain(transactional_db) -> None:
    def write(name: str) -> None:
        try:
            for i in range(25):
                record(None, Action.PAGE_VIEWED, f"{name} {i}", username=name, path="/x/")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(f"t{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(AuditEvent.objects.values_list("seq", flat=True)) == list(range(1, 101))
    assert_intact(100)


WRITER = """
import django, sys
django.setup()
from dsvb.web.audit.recorder import record
for i in range(int(sys.argv[1])):
    record(None, "page_viewed", f"process {sys.argv[2]} entry {i}", username=sys.argv[2])
"""


def test_concurrent_processes_make_one_unbroken_chain(transactional_db) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env |= {
        "DJANGO_SETTINGS_MODULE": "dsvb.web.settings",
        "DATABASE_URL": database_url(),
        "DSVB_DATA_DIR": str(settings.DATA_DIR),
        "DSVB_AUDIT_WITNESS": str(settings.DSVB_AUDIT_WITNESS),
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, "30", f"p{n}"], env=env) for n in range(2)
    ]
    for i in range(30):  # and this process, meanwhile
        record(None, Action.PAGE_VIEWED, f"main {i}", username="main")
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    assert AuditEvent.objects.count() == 90
    assert_intact(90)


def test_the_migration_chains_the_entries_made_before_it_and_keeps_the_guards(
    transactional_db,
    witness: Path,  # noqa: F811
) -> None:
    """Entries from before the chain (no number, no digest) are numbered in the order they
    were made, in one transaction that lifts and restores the guards."""
    with connection.cursor() as cursor:
        for n in range(3):
            cursor.execute(
                f"INSERT INTO {TABLE} (at, actor_username, actor_role, user_agent, action, "
                "object_type, object_id, summary, details, ip_address) VALUES "
                "(CURRENT_TIMESTAMP, 'kim', '', '', %s, '', '', %s, %s, %s)",
                [Action.SIGN_IN.value, f"old entry {n}", f'{{"n": {n}}}', "2001:db8:0:0::1"],
            )
    assert_tampering("has no sequence number or digest")
    migration = importlib.import_module("dsvb.web.audit.migrations.0007_hash_chain")
    with connection.schema_editor(atomic=True) as editor:
        migration.chain_existing(apps, editor)
    assert not guards.missing(connection)
    assert list(AuditEvent.objects.order_by("id").values_list("seq", flat=True)) == [1, 2, 3]
    assert witness.read_text().startswith("3 ")
    record(None, Action.SIGN_IN, "a new entry", username="lee")
    assert_intact(4)


def test_the_audit_page_shows_the_tamper_check(transactional_db, client_for) -> None:
    auditor = client_for(Role.AUDITOR)
    html = auditor.get("/audit/").content.decode()
    count = AuditEvent.objects.count() - 1  # the page's own reading is recorded after
    assert f"Tamper check: {count} entries verified, chain intact up to #{count}." in html
    entry = AuditEvent.objects.order_by("seq").first()
    attack([f"UPDATE {TABLE} SET summary = 'changed' WHERE id = ?"], [entry.pk])
    html = auditor.get("/audit/").content.decode()
    assert "The audit log has been tampered with: entry #1" in html


def test_verify_on_a_database_without_the_log_says_so(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env |= {"DSVB_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [*DSVB, "audit", "verify"], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 1
    assert "no chained audit log to verify" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "address", ["::ffff:10.0.0.1", "fe80::1%eth0", "2001:DB8:0:0::1", "10.1.2.3", "::1"]
)
def test_every_client_address_is_hashed_as_it_is_stored(transactional_db, rf, address) -> None:
    """A dual-stack server gives IPv4 clients as IPv4-mapped IPv6 addresses; Django stores
    those (and zoned, upper-case or long forms) differently from how Python prints them."""
    record(rf.get("/", REMOTE_ADDR=address), Action.PAGE_VIEWED, "a page", path="/")
    record(None, Action.SIGN_IN, "kim signed in", username="kim")
    assert_intact(2)


def test_entries_made_while_verifying_are_not_taken_for_a_cut_log(
    transactional_db, monkeypatch
) -> None:
    """On a busy site entries are committed (and witnessed) while verify reads the log."""
    record(None, Action.SIGN_IN, "kim signed in", username="kim")
    reading = chain.check_chain

    def busy(rows):
        found = reading(rows)
        record(None, Action.PAGE_VIEWED, "meanwhile", username="kim", path="/")
        return found

    monkeypatch.setattr(chain, "check_chain", busy)
    assert chain.verify().describe() == "1 entries verified, chain intact up to #1"
    monkeypatch.setattr(chain, "check_chain", reading)
    assert_intact(2)


def test_a_changed_key_is_suggested_when_the_first_entry_fails(transactional_db, settings) -> None:
    record(None, Action.SIGN_IN, "kim signed in", username="kim")
    settings.DSVB_AUDIT_KEY = "another key, as after a change of the secret key"
    (first, *_) = chain.verify().breaks
    assert first.seq == 1 and "DSVB_AUDIT_KEY" in first.problem
