"""From accounts to the access core: a user's memberships as a :class:`dsvb.access.Principal`,
and the primary membership kept in step with the user's own role, borough and agency."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from dsvb import access
from dsvb.web.accounts.models import Membership, User

# the principal is read once per user object (a request's user): its memberships are one query
_CACHE = "_dsvb_principal"


def principal_of(user: Any) -> access.Principal | None:
    """The person as the access core sees them: None for the public (not signed in)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, _CACHE, None)
    if cached is not None:
        return cached
    memberships = tuple(m.as_core() for m in Membership.objects.filter(user_id=user.pk))
    principal = access.Principal(
        name=user.get_username(),
        memberships=memberships,
        user_id=user.pk,
        active=bool(user.is_active),
    )
    setattr(user, _CACHE, principal)
    return principal


def forget(user: Any) -> None:
    """Read the memberships afresh next time (after adding or ending one)."""
    if hasattr(user, _CACHE):
        delattr(user, _CACHE)


def today() -> dt.date:
    """The day memberships are judged on: the installation's local date."""
    return timezone.localdate()


def decide(user: Any, action: str, obj: access.AccessObject = None) -> access.Decision:
    """:func:`dsvb.access.decide` for a web user (or None), today."""
    return access.decide(principal_of(user), action, obj, on=today())


@receiver(post_save, sender=User, dispatch_uid="dsvb-primary-membership")
def keep_primary(sender: type[User], instance: User, raw: bool = False, **_: Any) -> None:
    """Saving a user keeps their primary membership in step with their role, borough and
    agency (its dates, set by the secretariat, are left as they are); no role, none."""
    if raw:
        return
    if not instance.role:
        Membership.objects.filter(user=instance, primary=True).delete()
    else:
        Membership.objects.update_or_create(
            user=instance,
            primary=True,
            defaults={
                "role": instance.role,
                "area_code": instance.area_code,
                "agency": instance.agency,
            },
        )
    forget(instance)
