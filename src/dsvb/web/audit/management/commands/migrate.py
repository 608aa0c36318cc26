"""``migrate``, run as the tables' owner when ``DSVB_MIGRATE_DATABASE_URL`` is set (PostgreSQL).

The application's role (``DATABASE_URL``) then owns nothing: this command reconnects with the
owner's user and password (same server and database), migrates, and grants the application's
role its privileges (roles.py: SELECT and INSERT only on the audit log). Every caller of
``migrate`` (``dsvb manage migrate``, ``dsvb serve``, ``dsvb demo``, ``dsvb publish``) goes
through here.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections

from dsvb.web.audit import roles


class Command(DjangoMigrate):
    def handle(self, *args: Any, **options: Any) -> None:
        owner = getattr(settings, "DSVB_MIGRATE_DATABASE", None)
        connection = connections[options["database"]]
        application = connection.settings_dict["USER"]
        if owner is None or connection.vendor != "postgresql" or owner["USER"] == application:
            return super().handle(*args, **options)  # already the owner (or no roles)
        with roles.connected_as(connection, owner):
            super().handle(*args, **options)
            roles.grant_application(connection, application)
        return None
