"""The disclosure-control settings, one row per version (the history is kept), and the
register of statistical releases.

The policy in force is the row with the highest version; with no row, the defaults of
:class:`dsvb.reports.disclosure.Policy`. A change never edits a row: it adds the next
version, so every published output can name the exact settings it used. A change to the
rules in code comes with a migration adding the next version under the new rules.

A release (:class:`dsvb.reports.publication.Release`) is stored whole, as published, and
never changed or deleted: the public has read it, and the next release is controlled
knowing it exists (releases never overlap).
"""

from __future__ import annotations

from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from dsvb.reports import publication
from dsvb.reports.disclosure import (
    DEFAULT_PROTECTION_WIDTH,
    DEFAULT_THRESHOLD,
    RULES_REVISION,
    Policy,
)

MAX_THRESHOLD = 99
MAX_PROTECTION_WIDTH = 50


class DisclosurePolicyVersion(models.Model):
    version = models.PositiveIntegerField(unique=True)
    threshold = models.PositiveSmallIntegerField(
        default=DEFAULT_THRESHOLD,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_THRESHOLD)],
    )
    rounding = models.BooleanField(default=False)
    protection_width = models.PositiveSmallIntegerField(
        default=DEFAULT_PROTECTION_WIDTH,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PROTECTION_WIDTH)],
    )
    rules_revision = models.PositiveSmallIntegerField(default=RULES_REVISION)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = "disclosure-control policy version"

    def __str__(self) -> str:
        return self.policy.describe()

    @property
    def policy(self) -> Policy:
        return Policy(
            version=self.version,
            threshold=self.threshold,
            rounding=self.rounding,
            protection_width=self.protection_width,
            rules_revision=self.rules_revision,
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("a policy version is never changed: add the next version")
        super().save(*args, **kwargs)


class ReleaseQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise ValueError("a release is never changed: it has been published")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValueError("a release is never deleted: it has been published")


class Release(models.Model):
    """One statistical release, as published (see :mod:`dsvb.reports.publication`)."""

    number = models.PositiveIntegerField(unique=True)
    period_start = models.DateField()
    period_end = models.DateField(help_text="The day after the period's last day")
    policy_version = models.PositiveIntegerField()
    published_at = models.DateTimeField()
    published_by = models.CharField(max_length=150)
    content = models.JSONField()

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"Release {self.number}: {self.release.label}"

    @property
    def release(self) -> publication.Release:
        return publication.Release.from_data(self.content)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("a release is never changed: it has been published")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("a release is never deleted: it has been published")
