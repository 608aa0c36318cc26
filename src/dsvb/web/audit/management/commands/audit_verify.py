"""``dsvb audit verify`` (also ``dsvb manage audit_verify``): check the audit log's chain."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connections
from django.db.migrations.recorder import MigrationRecorder

from dsvb.web.audit import chain

CHAINED = "0007_hash_chain"  # the migration that numbers and chains the entries


class Command(BaseCommand):
    help = (
        "Check the audit log: the guard triggers, every entry's digest and sequence number, "
        "and the witness file. Exits non-zero naming the first break."
    )
    requires_system_checks: list[str] = []  # a missing guard is reported here, not as a check

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        try:
            applied = MigrationRecorder(connection).applied_migrations()
        except DatabaseError:
            applied = {}
        if ("audit", CHAINED) not in applied:
            raise CommandError(
                "This database has no chained audit log to verify: its migrations have not "
                f"been applied (dsvb manage migrate). Database: {connection.settings_dict['NAME']}"
            )
        result = chain.verify(options["database"])
        if result.intact:
            self.stdout.write(result.describe())
            return
        self.stderr.write(
            f"{result.entries} entries read; the chain is intact up to #{result.verified_to}."
        )
        for found in result.breaks:
            self.stderr.write(f"TAMPERING: {found.describe()}")
        raise CommandError(f"the audit log fails verification: {result.breaks[0].describe()}")
