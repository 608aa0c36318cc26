"""Accounts locked out by django-axes after repeated failed sign-ins, and unlocking them."""

from __future__ import annotations

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.utils import timezone


def locked_out_usernames() -> set[str]:
    """User names locked out now: from any address, as many failures as axes allows, the last
    within the cool-off period (the lock-out is per user name and address)."""
    attempts = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return {name for name in attempts.values_list("username", flat=True) if name}


def unlock(username: str) -> int:
    """Forget the failed attempts for ``username`` from every address (axes' own reset);
    returns how many records of attempts were removed."""
    return reset(username=username)
