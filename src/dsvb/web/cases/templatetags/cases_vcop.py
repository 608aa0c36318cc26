"""Template tags of the Victims' Code part, for its fragments on the case page and the
caseload: ``{% vcop_case_summary case as vcop %}`` (the case's overdue contacts and the
next deadlines) and ``{% vcop_overdue_by_team agencies as vcop %}`` (overdue counts by
team over the cases the agencies own). Lists only: no audit entry of their own (the page
that includes them records its view)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from dsvb.cases import vcop

register = template.Library()

NEXT = 3  # deadlines shown on the case page


@register.simple_tag
def vcop_case_summary(case: Any) -> dict[str, Any]:
    from dsvb.web.cases.views.vcop import sync_updates

    now = timezone.now()
    sync_updates(case, now)
    open_contacts = list(case.vcop_contacts.filter(made_at__isnull=True).order_by("due_at", "pk"))
    late = [c for c in open_contacts if c.due_at < now]
    upcoming = [c for c in open_contacts if c.due_at >= now][:NEXT]
    return {
        "overdue": [{"contact": c, "label": vcop.reason_label(c.reason)} for c in late],
        "next": [{"contact": c, "label": vcop.reason_label(c.reason)} for c in upcoming],
    }


@register.simple_tag
def vcop_overdue_by_team(agencies: Any) -> list[tuple[str, int]]:
    from dsvb.web.cases.models import Case, VictimContact
    from dsvb.web.cases.views.vcop import _rows, sync_updates

    now = timezone.now()
    cases = list(Case.objects.filter(agency__in=list(agencies)))
    for case in cases:
        sync_updates(case, now)
    contacts = VictimContact.objects.filter(case__in=cases).select_related("case")
    return [
        (team, len(rows)) for team, rows in vcop.by_team(vcop.overdue(_rows(contacts), now)).items()
    ]
