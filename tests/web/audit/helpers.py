"""Helpers for the audit-log tests: the real `dsvb audit verify`, and an attacker's hands.

The attacker works around the application: on SQLite with Python's own sqlite3 module on the
database file (dropping the guard triggers first, and putting them back to cover the tracks);
on PostgreSQL as the role that owns the tables (the test suite's role), disabling the guard
trigger for the change and enabling it again.
"""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from dsvb.web.audit import guards

DSVB = [str(Path(sys.executable).with_name("dsvb"))]
TABLE = guards.TABLE


@pytest.fixture
def witness(settings, tmp_path: Path) -> Path:
    """A witness file of this test's own (the suite's database is emptied between tests)."""
    path = tmp_path / "audit-witness.log"
    settings.DSVB_AUDIT_WITNESS = path
    return path


def database_url() -> str:
    """The URL of the database this test is using (the test database)."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    user, password = quote(s["USER"], safe=""), quote(s["PASSWORD"] or "", safe="")
    return f"postgres://{user}:{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT']}/{s['NAME']}"


def verify_command(*args: str) -> subprocess.CompletedProcess:
    """``dsvb audit verify`` in a subprocess, on the test database, with this test's key
    (the same data folder, hence secret key) and witness file."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env |= {
        "DATABASE_URL": database_url(),
        "DSVB_DATA_DIR": str(settings.DATA_DIR),
        "DSVB_AUDIT_WITNESS": str(settings.DSVB_AUDIT_WITNESS),
    }
    return subprocess.run(
        [*DSVB, "audit", "verify", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def verify_in_process() -> subprocess.CompletedProcess:
    """The same command through ``call_command`` (a subprocess costs ~4 s of imports)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit_verify", stdout=out, stderr=err)
        code = 0
    except CommandError as exc:
        err.write(f"{exc}\n")
        code = 1
    return subprocess.CompletedProcess(["audit_verify"], code, out.getvalue(), err.getvalue())


def assert_tampering(*expected: str, real: bool = False) -> str:
    """``dsvb audit verify`` fails, and its message names what is expected (``real``: the
    installed command in a subprocess; else the same command in this process)."""
    result = verify_command() if real else verify_in_process()
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "TAMPERING" in output and "chain intact" not in result.stdout, output
    for text in expected:
        assert text in output, output
    return output


def assert_intact(entries: int, real: bool = False) -> None:
    result = verify_command() if real else verify_in_process()
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == (
        f"{entries} entries verified, chain intact up to #{entries}"
    ), result.stdout


def attack(statements: Sequence[str], params: Sequence = (), restore_guards: bool = True) -> None:
    """Run SQL on the audit table around the application and its guards."""
    if connection.vendor == "sqlite":
        raw = sqlite3.connect(connection.settings_dict["NAME"], timeout=20)
        try:
            for sql in guards.SQLITE_REMOVE:
                raw.execute(sql)
            for sql in statements:
                raw.execute(sql, params)
            if restore_guards:
                for sql in guards.SQLITE_INSTALL:
                    raw.execute(sql)
            raw.commit()
        finally:
            raw.close()
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
        for sql in statements:
            cursor.execute(sql.replace("?", "%s"), params)
        if restore_guards:
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")
