"""PostgreSQL, as production runs it: `dsvb manage migrate` as the owner
(``DSVB_MIGRATE_DATABASE_URL``), the application as a role that owns nothing (``DATABASE_URL``).
In a database of its own, made for the test, with the real command line."""

from __future__ import annotations

import os
import subprocess
import uuid

import dj_database_url
import pytest
from django.db import connection

from tests.web.audit.helpers import DSVB

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no roles")


def _url(credentials: dict, database: str) -> str:
    from urllib.parse import quote

    user, password = quote(credentials["USER"], safe=""), quote(credentials["PASSWORD"], safe="")
    return f"postgres://{user}:{password}@{credentials['HOST']}:{credentials['PORT']}/{database}"


def test_migrate_runs_as_the_owner_and_the_application_owns_nothing(
    transactional_db, tmp_path
) -> None:
    app_url = os.environ.get("DSVB_TEST_APP_DATABASE_URL")
    if not app_url:
        pytest.fail("DSVB_TEST_APP_DATABASE_URL is not set (scripts/test.sh sets it)")
    app = dj_database_url.parse(app_url)
    owner = {**connection.settings_dict, "HOST": connection.settings_dict["HOST"] or "127.0.0.1"}
    app = {**app, "HOST": owner["HOST"], "PORT": owner["PORT"]}
    name = f"dsvb_roles_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env |= {
        "DATABASE_URL": _url(app, name),
        "DSVB_MIGRATE_DATABASE_URL": _url(owner, name),
        "DSVB_DATA_DIR": str(tmp_path),
    }

    def dsvb(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*DSVB, *args], capture_output=True, text=True, env=env, timeout=180, check=False
        )

    try:
        migrated = dsvb("manage", "migrate", "-v0")
        assert migrated.returncode == 0, migrated.stderr
        script = (
            "from dsvb.web.audit.recorder import record\n"
            "from django.db import connection, DatabaseError, transaction\n"
            "record(None, 'sign_in', 'kim signed in', username='kim')\n"
            "c = connection.cursor()\n"
            "c.execute('SELECT current_user'); print('user', c.fetchone()[0])\n"
            "for sql in ('ALTER TABLE audit_auditevent DISABLE TRIGGER ALL',\n"
            "            'UPDATE audit_auditevent SET summary = 1',\n"
            "            'TRUNCATE audit_auditevent',\n"
            "            'DELETE FROM django_migrations'):\n"
            "    try:\n"
            "        with transaction.atomic(): c.execute(sql)\n"
            "    except DatabaseError as e: print('refused', str(e).splitlines()[0])\n"
        )
        used = dsvb("manage", "shell", "-c", script)
        assert used.returncode == 0, used.stderr
        assert f"user {app['USER']}" in used.stdout
        assert used.stdout.count("refused") == 4, used.stdout
        assert "must be owner of table audit_auditevent" in used.stdout
        assert "permission denied for table audit_auditevent" in used.stdout
        verified = dsvb("audit", "verify")
        assert verified.returncode == 0, verified.stderr
        assert verified.stdout.strip() == "1 entries verified, chain intact up to #1"
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
