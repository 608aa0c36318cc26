"""Opening an emergency ("break glass") view of a case: the grant, its length from the dated
setting and the owning agency's alert, made the same way by the break-glass page and the
demo. The caller records the audit entry (:func:`audit_entry` gives its words), since a page
records it for the request and the demo as the account."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from dsvb.cases.sharing import emergency_expiry
from dsvb.web.cases.models import Alert, Case, EmergencyGrant


def when(moment: dt.datetime) -> str:
    """A moment as alerts write it: "14:05 on 6 December 2026" (local time)."""
    local = timezone.localtime(moment)
    return f"{local:%H:%M} on {local.day} {local:%B %Y}"


def open_grant(
    case: Case, user: Any, agency: str, reason: str, *, now: dt.datetime | None = None
) -> EmergencyGrant:
    """The grant of ``user`` (of ``agency``) on ``case`` from ``now`` for the setting's
    hours, and the alert to the case's owner naming the agency, the times and the reason
    (the reason is the owner's to read; it never goes into the audit log)."""
    opened = now or timezone.now()
    grant = EmergencyGrant.objects.create(
        case=case,
        user=user,
        agency=agency,
        reason=reason,
        opened_at=opened,
        expires_at=emergency_expiry(opened),
    )
    Alert.objects.create(
        agency=case.agency,
        case=case,
        kind="break_glass",
        text=f"A user of {agency} opened emergency access to case {case.pk} at "
        f"{when(opened)}, until {when(grant.expires_at)}. Their reason: {grant.reason}",
    )
    return grant


def audit_entry(grant: EmergencyGrant) -> tuple[str, dict[str, Any]]:
    """The break-glass audit entry's summary and fields: ids and the agency, no reason."""
    case = grant.case
    return (
        f"Emergency access to case {case.pk} of {case.agency.name} by a user of {grant.agency}",
        {
            "object_type": "case",
            "object_id": str(case.pk),
            "grant": grant.pk,
            "agency": grant.agency,
            "expires_at": grant.expires_at.isoformat(),
        },
    )
