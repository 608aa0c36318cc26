"""Cached indicator results, shared by every web worker."""

from __future__ import annotations

from django.db import models


class ComputedResult(models.Model):
    """The results of one indicator query against one version of the store."""

    key = models.CharField(max_length=64, unique=True)
    store_version = models.IntegerField(db_index=True)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "computed indicator result"
