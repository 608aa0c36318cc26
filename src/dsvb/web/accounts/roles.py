"""The roles people hold, as the web's choices: derived from :mod:`dsvb.access.roles`, the one
definition (which the CLI and background jobs use without Django)."""

from __future__ import annotations

from django.db import models

from dsvb.access import roles as core

Role = models.TextChoices(  # type: ignore[misc]
    "Role", [(r.name, (r.value, r.label)) for r in core.Role]
)

DESCRIPTIONS = {Role(r.value): text for r, text in core.DESCRIPTIONS.items()}

# Roles that see every area's performance data.
ALL_AREAS = frozenset(Role(r.value) for r in core.ALL_AREAS)

# Roles that must sign in with a second factor (see dsvb.access.roles).
SECOND_FACTOR_ROLES = frozenset(Role(r.value) for r in core.SECOND_FACTOR_ROLES)
