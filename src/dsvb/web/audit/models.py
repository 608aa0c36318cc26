"""The audit log: append-only records of who did what, when and from where.

Entries cannot be changed or deleted through the application (the model, its queryset and
the admin refuse), and the database refuses too (triggers installed by a migration).
"""

from __future__ import annotations

from typing import Any

from django.db import models


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
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_username = models.CharField(max_length=150, blank=True, db_index=True)
    actor_role = models.CharField(max_length=32, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    action = models.CharField(max_length=40, choices=Action.choices, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=120, blank=True)
    summary = models.CharField(max_length=500)
    details = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["action", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username or 'anonymous'}: {self.summary}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableError("audit events cannot be deleted")
