"""A row of the permission matrix (tests/web/test_permissions.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    path: str
    allowed: frozenset
    method: str = "get"
    note: str = ""
