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
    """The case's overdue contacts and next deadlines, stored or owed by the rule (nothing
    written: a page view changes no record)."""
    from dsvb.web.cases.views.vcop import contacts_with_owed

    now = timezone.now()
    open_contacts = [c for c in contacts_with_owed([case], now) if c.made_at is None]
    late = [c for c in open_contacts if c.due_at < now]
    upcoming = [c for c in open_contacts if c.due_at >= now][:NEXT]
    return {
        "overdue": [{"contact": c, "label": vcop.reason_label(c.reason)} for c in late],
        "next": [{"contact": c, "label": vcop.reason_label(c.reason)} for c in upcoming],
    }


@register.simple_tag
def vcop_overdue_by_team(agencies: Any) -> list[tuple[str, int]]:
    """Overdue counts by team over the agencies' open cases: three queries whatever the
    number of cases (the cases, their bounding events, their contacts)."""
    from dsvb.cases.states import CaseState
    from dsvb.web.cases.models import Case
    from dsvb.web.cases.views.vcop import _rows, contacts_with_owed

    now = timezone.now()
    cases = list(Case.objects.filter(agency__in=list(agencies), status=CaseState.OPEN.value))
    late = vcop.overdue(_rows(contacts_with_owed(cases, now)), now)
    return [(team, len(rows)) for team, rows in vcop.by_team(late).items()]
