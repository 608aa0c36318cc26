"""PostgreSQL roles: the tables belong to an owner role; the application connects as another.

An owner can disable triggers, alter and drop its tables, whatever privileges say; so on
PostgreSQL the application must not own the audit table. ``migrate`` runs as the owner
(``DSVB_MIGRATE_DATABASE_URL``, see the audit app's ``migrate`` command) and then grants the
application's role (``DATABASE_URL``'s user) what it needs: reading and writing the other
tables, and only SELECT and INSERT on the audit log (and SELECT on the migration history).
SQLite has no roles; there, the hash chain and the witness file are the protection.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

from dsvb.web.audit.guards import TABLE

READ_ONLY_TO_APPLICATION = ("django_migrations",)


def grant_statements(connection: BaseDatabaseWrapper, role: str) -> list[str]:
    who = connection.ops.quote_name(role)
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {who}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {who}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {who}",
        # tables and sequences made by later migrations (re-narrowed after each migrate)
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {who}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {who}",
        f"REVOKE ALL ON {TABLE} FROM {who}",
        f"GRANT SELECT, INSERT ON {TABLE} TO {who}",
    ]
    for table in READ_ONLY_TO_APPLICATION:
        statements += [f"REVOKE ALL ON {table} FROM {who}", f"GRANT SELECT ON {table} TO {who}"]
    return statements


def grant_application(connection: BaseDatabaseWrapper, role: str) -> None:
    """Give ``role`` (the application's) what it needs, as the owner, after migrating."""
    if connection.vendor != "postgresql" or role == connection.settings_dict["USER"]:
        return
    with connection.cursor() as cursor:
        for sql in grant_statements(connection, role):
            cursor.execute(sql)


@contextmanager
def connected_as(connection: BaseDatabaseWrapper, credentials: dict[str, Any]) -> Iterator[None]:
    """Reconnect ``connection`` with another role's USER and PASSWORD (same server and
    database) for the duration; the usual credentials afterwards."""
    saved = {k: connection.settings_dict.get(k) for k in ("USER", "PASSWORD")}
    connection.close()
    connection.settings_dict.update({k: credentials[k] for k in ("USER", "PASSWORD")})
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)
