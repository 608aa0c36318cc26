"""The audit log: append-only records of who did what, when and from where.

Entries cannot be changed or deleted through the application (the model, its queryset and
the admin refuse), and the database refuses too (triggers installed by a migration). Each
entry is numbered (``seq``, gapless from 1) and carries a keyed digest of itself and of the
entry before it (``prev_digest``), so a change made around all that shows: ``dsvb audit
verify`` (see chain.py).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from dsvb.access.registry import Registry, UnknownName


class Action(models.TextChoices):
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    LOCKED_OUT = "locked_out", "Locked out after repeated failures"
    SIGN_IN_WHILE_LOCKED = "sign_in_while_locked", "Sign-in refused: account locked"
    SIGN_OUT = "sign_out", "Signed out"
    SECOND_FACTOR_VERIFIED = "second_factor_verified", "Second factor verified"
    SECOND_FACTOR_FAILED = "second_factor_failed", "Second factor code rejected"
    SECOND_FACTOR_ENROLLED = "second_factor_enrolled", "Authenticator app set up"
    SECOND_FACTOR_REMOVED = "second_factor_removed", "Authenticator app removed"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    USER_CREATED = "user_created", "User created"
    USER_CHANGED = "user_changed", "User changed"
    IMPORT_STARTED = "import_started", "Import started"
    IMPORT_SUCCEEDED = "import_succeeded", "Import succeeded"
    IMPORT_FAILED = "import_failed", "Import failed"
    IMPORT_REPORT_VIEWED = "import_report_viewed", "Import report viewed"
    EXPORTED = "exported", "Data exported"
    SETTING_CHANGED = "setting_changed", "Setting changed"
    AUDIT_SEARCHED = "audit_searched", "Audit log searched"
    AUDIT_EXPORTED = "audit_exported", "Audit log exported"
    ACCESS_DENIED = "access_denied", "Access refused"
    PAGE_VIEWED = "page_viewed", "Page viewed"
    INVITATION_CREATED = "invitation_created", "Invitation to set a password sent"
    INVITATION_OPENED = "invitation_opened", "Invitation link used"
    INVITATION_REFUSED = "invitation_refused", "Invitation link refused"
    PASSWORD_SET = "password_set", "Password set from an invitation"
    ACCOUNT_UNLOCKED = "account_unlocked", "Locked-out account unlocked"
    RELEASE_PUBLISHED = "release_published", "Statistical release published"
    RELEASE_REFUSED = "release_refused", "Statistical release refused"
    MEMBERSHIP_ADDED = "membership_added", "Membership added"


# Every action the log may record, with its description: the built-in ones above, and any a
# later package registers (:func:`register_action`). The column holds the name only and has
# no ``choices``, so the list grows without a migration; ``record`` refuses a name not here.
ACTIONS: Registry[str] = Registry("audit action", max_length=40)
for _action in Action:
    ACTIONS.add(_action.value, _action.label)


def register_action(name: str, description: str) -> str:
    """Add an action to what the audit log records (a package's own: ``case.shared``)."""
    ACTIONS.add(name, description)
    return name


def action_label(name: str) -> str:
    """The action's description, or its name for one no longer registered (old entries)."""
    try:
        return ACTIONS.get(name)
    except UnknownName:
        return name


def action_choices() -> list[tuple[str, str]]:
    """The registered actions, for a form's choices (read when the form is made)."""
    return ACTIONS.items()


class ImmutableError(Exception):
    """Raised on any attempt to change or delete an audit entry."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise ImmutableError("audit events cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableError("audit events cannot be deleted")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise ImmutableError("audit events cannot be changed")


class AuditEvent(models.Model):
    # set by the recorder before the entry is hashed (the time is part of the digest)
    at = models.DateTimeField(default=timezone.now, editable=False, blank=True, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_username = models.CharField(max_length=150, blank=True, db_index=True)
    actor_role = models.CharField(max_length=32, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    # a name in ACTIONS (checked by the recorder), not choices: see above
    action = models.CharField(max_length=40, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=120, blank=True)
    summary = models.CharField(max_length=500)
    details = models.JSONField(default=dict, blank=True)
    # the hash chain (null only for entries written around the application: forged)
    seq = models.BigIntegerField(null=True, blank=True, editable=False)
    prev_digest = models.CharField(max_length=64, null=True, blank=True, editable=False)
    digest = models.CharField(max_length=64, null=True, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["action", "at"])]
        constraints = [
            # partial, so that SQLite adds it as an index (a plain one would rebuild the table
            # and drop its guard triggers)
            models.UniqueConstraint(
                fields=["seq"], condition=models.Q(seq__isnull=False), name="audit_seq_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username or 'anonymous'}: {self.summary}"

    def get_action_display(self) -> str:
        """As Django's display of a choice: the action's description."""
        return action_label(self.action)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableError("audit events cannot be deleted")
