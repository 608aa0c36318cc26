"""A system check: the audit log's guard triggers must be in place once its migrations ran.

Tagged ``database``, so ``dsvb manage check --database default`` and ``migrate`` run it; a
guard that is gone means someone took it away (no migration can: they refuse to reverse).
"""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.db import DatabaseError, connections
from django.db.migrations.recorder import MigrationRecorder


@checks.register(checks.Tags.database)
def guards_in_place(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list:
    from dsvb.web.audit import guards

    problems = []
    for alias in databases or ():
        connection = connections[alias]
        try:
            applied = MigrationRecorder(connection).applied_migrations()
            if ("audit", "0002_refuse_changes") not in applied:
                continue  # a new database: the guards come with the migrations
            missing = guards.missing(connection)
        except DatabaseError:
            continue  # no database to look at yet
        problems += [
            checks.Critical(
                f"Audit log tampering: {problem}.",
                hint="Verify the log (dsvb audit verify) and restore the database from a "
                "backup; the guards are not re-installed automatically.",
                id="audit.E001",
            )
            for problem in missing
        ]
    return problems
