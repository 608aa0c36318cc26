"""The case views ask :mod:`dsvb.cases.access` (through the one ``decide``) and
:func:`dsvb.cases.fields.visible_groups`, and nothing else: these are the wrappers every case
view uses.

``cases_user`` guards a whole view (partner agency users). :func:`get_case` fetches one case
by id and asks whether this person may see it -- or change, add to, share it -- *per
object*: another agency's user who changes the id in the address gets a 403 with the reason
in the audit log. It returns the case with what the person may see of it
(:class:`~dsvb.cases.fields.Visibility`), and names the case to the page's one audit entry.
Cases that do not exist are 404 for everyone.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone

from dsvb.access import Decision, Role
from dsvb.cases import access as rules
from dsvb.cases.agencies import AgencyKind
from dsvb.cases.fields import FieldGroup, Visibility, visible_groups
from dsvb.web.accounts import policies
from dsvb.web.accounts.decorators import policy_required
from dsvb.web.accounts.memberships import decide, principal_of, today
from dsvb.web.audit.pageview import viewed
from dsvb.web.cases.models import Agency, Case
from dsvb.web.oversight.guards import refuse


def user_agencies(user: Any) -> list[str]:
    """The agencies the person works for today (their partner memberships)."""
    principal = principal_of(user)
    if principal is None:
        return []
    return [m.agency for m in principal.current(today()) if m.role == Role.PARTNER and m.agency]


def agencies_of(user: Any) -> list[Agency]:
    """The :class:`Agency` records of the person's agencies (those that exist)."""
    return list(Agency.objects.filter(name__in=user_agencies(user)))


def case_decision(user: Any, action: str, case: Case) -> Decision:
    return rules.case_decision(principal_of(user), action, case.access_object(), on=today())


def may_see(user: Any, case: Case) -> bool:
    """For lists and links: filter without auditing."""
    return case_decision(user, rules.VIEW_CASE, case).allowed


def visibility(user: Any, case: Case) -> Visibility:
    """Which of the case's field groups this person sees (their agencies' need and shares)."""
    names = user_agencies(user)
    kinds = {a.name: AgencyKind(a.kind) for a in Agency.objects.filter(name__in=names)}
    emergency = case.emergency_grants.filter(
        user_id=getattr(user, "pk", None), expires_at__gt=timezone.now()
    ).exists()
    return visible_groups(
        names,
        owner=case.agency.name,
        shares=case.share_groups(),
        kinds=kinds,
        emergency=emergency,
    )


def get_case(
    request: HttpRequest, pk: Any, action: str = rules.VIEW_CASE
) -> tuple[Case, Visibility]:
    """The case ``pk`` if this person may do ``action`` to it, with what they may see of it;
    404 if there is none; 403 (audited) if they may not."""
    case = get_object_or_404(Case.objects.select_related("agency", "victim"), pk=pk)
    decision = case_decision(request.user, action, case)
    if not decision.allowed:
        refuse(request, decision.reason, object_type="case", object_id=str(pk))
    viewed(request, case=pk)
    return case, visibility(request.user, case)


def require_group(request: HttpRequest, seen: Visibility, group: FieldGroup, case: Case) -> None:
    """403 (audited) unless the person sees ``group`` of the case (a page of one group)."""
    if not seen.shows(group):
        refuse(
            request,
            f"case {case.pk} of {case.agency.name}: the {group.label.lower()} are not shared "
            "with your agency, or it does not need them",
            object_type="case",
            object_id=str(case.pk),
        )


def get_marac(request: HttpRequest, pk: Any, action: str = rules.VIEW_MARAC) -> Agency:
    """The MARAC ``pk`` if this person may do ``action`` to it; 404 / 403 (audited)."""
    marac = get_object_or_404(Agency, pk=pk, kind=AgencyKind.MARAC)
    decision = decide(request.user, action, marac.marac_object())
    if not decision.allowed:
        refuse(request, decision.reason, object_type="marac", object_id=str(pk))
    viewed(request, marac=pk)
    return marac


def can_use_cases(user: Any) -> bool:
    return policies._answer(user, decide(user, rules.USE_CASES))


def can_answer_subject_access(user: Any) -> bool:
    return policies._answer(user, decide(user, rules.SUBJECT_ACCESS))


def can_review_retention(user: Any) -> bool:
    return policies._answer(user, decide(user, rules.RETENTION))


cases_user = policy_required(lambda user, **_: can_use_cases(user))
subject_access_user = policy_required(lambda user, **_: can_answer_subject_access(user))
retention_user = policy_required(lambda user, **_: can_review_retention(user))
