"""Template tags of the sharing part, for its fragments on the case page and the caseload:
the unread alerts of the viewer's agencies, the viewer's own emergency grant on a case, and
the active shares of a case with the viewer's agencies."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from dsvb.web.cases.models import Alert, EmergencyGrant, Share

register = template.Library()


@register.simple_tag
def unread_alerts(agencies: Any) -> list[Alert]:
    """Unread alerts to ``agencies``, newest first."""
    return list(
        Alert.objects.filter(agency__in=list(agencies or []), read_at=None)
        .select_related("agency")
        .order_by("-created_at", "-pk")
    )


@register.simple_tag
def my_grant(case: Any, user: Any) -> EmergencyGrant | None:
    """The person's own unexpired emergency grant on ``case`` (the latest to expire)."""
    return (
        EmergencyGrant.objects.filter(
            case=case, user_id=getattr(user, "pk", None), expires_at__gt=timezone.now()
        )
        .order_by("-expires_at")
        .first()
    )


@register.simple_tag
def shares_with(case: Any, agencies: Any) -> list[Share]:
    """The case's active shares with ``agencies`` (the viewer's)."""
    return list(
        case.active_shares().filter(to_agency__in=list(agencies or [])).select_related("to_agency")
    )


@register.filter
def group_labels(groups: Any) -> str:
    from dsvb.cases.fields import FieldGroup

    return ", ".join(FieldGroup(g).label for g in groups or [] if g in set(FieldGroup))
