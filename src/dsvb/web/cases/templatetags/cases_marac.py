"""Template tags of the MARAC part: ``{% marac_proposal case %}`` shows, on a case's pages
(after a DASH assessment), the MARAC referral the rules propose, with its reasons and a
"Refer to MARAC" link -- only to a viewer who may add to the case, and only when a criterion
is met, from what that viewer sees of the case. ``{% marac_caseload %}`` lists, on the
caseload, the MARAC actions of the person's agencies that are due (only of live referrals of
cases the person sees with their MARAC group), and their MARACs."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils import timezone

from dsvb.cases import access as rules
from dsvb.cases.fields import FieldGroup
from dsvb.cases.states import ActionState

register = template.Library()


@register.simple_tag(takes_context=True)
def marac_proposal(context: Any, case: Any) -> str:
    """The proposal panel for ``case`` ('' when no rule is met or the viewer may not refer)."""
    from dsvb.web.cases import marac_data
    from dsvb.web.cases.guards import agencies_of, case_decision, visibility

    request = context.get("request")
    if request is None or case is None or case.status != "open":
        return ""
    if not case_decision(request.user, rules.CONTRIBUTE, case).allowed:
        return ""
    seen = visibility(request.user, case)
    if not seen.shows(FieldGroup.MARAC):
        return ""  # referring needs the MARAC group (decision 0037, addendum)
    theirs = marac_data.maracs_for(agencies_of(request.user), case)
    proposals = marac_data.proposals_for(
        case,
        timezone.localdate(),
        marac=theirs[0] if theirs else None,
        risk=seen.shows(FieldGroup.RISK),
        incidents=seen.shows(FieldGroup.CRIMINAL_JUSTICE),
    )
    if not proposals:
        return ""
    return render_to_string(
        "cases/marac/_proposal_tag.html", {"proposals": proposals, "case": case}, request=request
    )


@register.inclusion_tag("cases/marac/_caseload.html", takes_context=True)
def marac_caseload(context: Any) -> dict[str, Any]:
    """The open MARAC actions of the person's agencies (overdue first) and their MARACs."""
    from dsvb.web.cases import marac_data
    from dsvb.web.cases.guards import agencies_of
    from dsvb.web.cases.models import MaracAction
    from dsvb.web.cases.views.marac import LIVE, coordinates, may_see_action, takes_part

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return {"actions": [], "maracs": []}
    today = timezone.localdate()
    mine = agencies_of(user)
    # only the actions the person may open: never one of a case their agency no longer sees
    actions = [
        a
        for a in MaracAction.objects.filter(
            agency__in=mine, status=ActionState.OPEN, referral__status__in=LIVE
        )
        .select_related("agency", "referral__marac", "referral__case__agency")
        .order_by("due_on", "pk")
        if may_see_action(user, a)
    ]
    return {
        "actions": [(a, a.due_on is not None and a.due_on < today) for a in actions],
        "maracs": [(m, coordinates(user, m)) for m in marac_data.maracs() if takes_part(user, m)],
    }
