"""The disclosure-control settings, one row per version (the history is kept).

The policy in force is the row with the highest version; with no row, version 1 with the
defaults of :class:`dsvb.reports.disclosure.Policy`. A change never edits a row: it adds
the next version, so every published output can name the exact settings it used.
"""

from __future__ import annotations

from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from dsvb.reports.disclosure import DEFAULT_THRESHOLD, Policy

MAX_THRESHOLD = 99


class DisclosurePolicyVersion(models.Model):
    version = models.PositiveIntegerField(unique=True)
    threshold = models.PositiveSmallIntegerField(
        default=DEFAULT_THRESHOLD,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_THRESHOLD)],
    )
    rounding = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = "disclosure-control policy version"

    def __str__(self) -> str:
        return self.policy.describe()

    @property
    def policy(self) -> Policy:
        return Policy(version=self.version, threshold=self.threshold, rounding=self.rounding)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("a policy version is never changed: add the next version")
        super().save(*args, **kwargs)
