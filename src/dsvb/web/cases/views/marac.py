"""MARAC pages: refer a case (the criteria the rules propose, consent or the reason to go
without, the repeat detected), the MARACs a person takes part in, meetings and their case
lists, actions by agency, transfers between MARACs, and the quarterly return.

Who may do what is :mod:`dsvb.cases.access`'s (through the guards): referring is adding to
a case (CONTRIBUTE); a MARAC's coordinators (its own agency's users) plan meetings, list
referrals, give actions and transfer; its member agencies see the meetings' case lists
(case ids, never names) and their own actions, and update those; the return (counts only)
is read by coordinators and the board. States move only by ``move_to``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dsvb.cases import access as rules
from dsvb.cases import marac as domain
from dsvb.cases.fields import FieldGroup, needed_groups
from dsvb.cases.sharing import ShareRefused, check_share
from dsvb.cases.states import (
    ActionState,
    InvalidMove,
    MeetingState,
    ReferralState,
    ShareBasis,
    ShareState,
)
from dsvb.web.accounts import policies
from dsvb.web.accounts.decorators import policy_required
from dsvb.web.accounts.memberships import decide
from dsvb.web.audit.pageview import audited_view, viewed
from dsvb.web.audit.recorder import record
from dsvb.web.cases import audit
from dsvb.web.cases import marac_data as data
from dsvb.web.cases.forms_marac import (
    ActionForm,
    ActionUpdateForm,
    MeetingForm,
    ReferralForm,
    ReturnForm,
    TransferForm,
)
from dsvb.web.cases.guards import (
    agencies_of,
    cases_user,
    get_case,
    get_marac,
    may_see,
    require_group,
    user_agencies,
    visibility,
)
from dsvb.web.cases.models import (
    Agency,
    Alert,
    Case,
    MaracAction,
    MaracMeeting,
    Referral,
    Share,
)
from dsvb.web.oversight.guards import refuse


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def coordinates(user: Any, marac: Agency) -> bool:
    return decide(user, rules.COORDINATE_MARAC, marac.marac_object()).allowed


def takes_part(user: Any, marac: Agency) -> bool:
    return decide(user, rules.VIEW_MARAC, marac.marac_object()).allowed


#: a referral the MARAC still works on: actions may be given and its coordinators see them
LIVE = (ReferralState.REFERRED, ReferralState.LISTED, ReferralState.HEARD)


def sees_marac_of(user: Any, case: Case) -> bool:
    """Whether the person may see ``case`` and, of it, the MARAC group (lists: no audit)."""
    return may_see(user, case) and visibility(user, case).shows(FieldGroup.MARAC)


def may_see_action(user: Any, action: MaracAction) -> bool:
    """Whether the person may read (and update) ``action``: a coordinator of its MARAC while
    its referral is live; otherwise only its agency's or the MARAC's people who see the
    case and its MARAC group -- an action never outlives the case's being shared (decision
    0037, second addendum)."""
    referral = action.referral
    coordinator = coordinates(user, referral.marac)
    if coordinator and referral.status in LIVE:
        return True
    if not coordinator and action.agency.name not in user_agencies(user):
        return False
    return sees_marac_of(user, referral.case)


def waiting_for(user: Any, marac: Agency) -> list[Referral]:
    """The referrals waiting to be listed at ``marac`` whose case the person sees with its
    MARAC group (as the meeting's case list): none of a case the MARAC cannot see."""
    return [
        r
        for r in marac.referrals.filter(status=ReferralState.REFERRED).select_related(
            "referring_agency", "case__agency"
        )
        if sees_marac_of(user, r.case)
    ]


def _drop_actions(referral: Referral, what: str) -> list[int]:
    """Drop the open actions of ``referral`` (it was transferred, withdrawn or closed), with
    the act's words as the reason (never the typed reason, which may name people); their
    ids."""
    reason = f"MARAC referral {referral.pk} {what}"
    dropped = []
    for action in referral.actions.filter(status=ActionState.OPEN):
        action.move_to(ActionState.DROPPED, reason=reason)
        action.status_reason = reason
        action.done_on = None
        action.save()
        dropped.append(action.pk)
    return dropped


def _share(
    request: HttpRequest,
    case: Case,
    agency: Agency,
    referral: Referral,
    on: dt.date,
    *,
    referrer: Agency,
    cap: frozenset[FieldGroup] | None = None,
) -> Share | None:
    """The share a referral makes with ``agency`` (None: none is made).

    Never with the case's owner or the referring agency itself (a referral must not widen
    its referrer's own view); only the groups the agency needs, of the referral's groups and
    of ``cap`` (what the referrer may pass on: all for the owner, what it sees for a shared
    agency); none to an agency that already sees as much; and each passes
    :func:`dsvb.cases.sharing.check_share` like any other share (decision 0037, addendum)."""
    if agency.pk in (case.agency_id, referrer.pk):
        return None
    groups = data.referral_groups(agency, cap)
    if not groups:
        return None
    has = case.share_groups().get(agency.name, frozenset())
    if {FieldGroup(g) for g in groups} <= has:
        return None
    try:
        checked = check_share(
            owner=case.agency.name,
            recipient=agency.name,
            recipient_kind=agency.kind,
            groups=groups,
            basis=ShareBasis.LEGAL_BASIS,
            legal_basis=f"MARAC referral {on.isoformat()}",
            consent_recorded_on=None,
            on=on,
        )
    except ShareRefused:
        return None
    return Share.objects.create(
        case=case,
        to_agency=agency,
        groups=sorted(g.value for g in checked.groups),
        basis=checked.basis.value,
        legal_basis=checked.legal_basis,
        referral=referral,
        shared_by=request.user,
    )


def _passes_on(case: Case, agency: Agency) -> frozenset[FieldGroup] | None:
    """What ``agency`` may pass on of the case in a referral: everything (None) for the
    owner; for a shared agency, only what it sees itself (its shares, within its need)."""
    if agency.pk == case.agency_id:
        return None
    return case.share_groups().get(agency.name, frozenset()) & needed_groups(agency.kind)


def _end_shares(request: HttpRequest, referral: Referral, what: str, reason: str) -> list[str]:
    """Withdraw the shares ``referral`` made (it was transferred, withdrawn or closed) with
    ``reason``, and tell the case's owner; the names of the agencies that lost them."""
    now = timezone.now()
    ended = []
    for share in Share.objects.filter(referral=referral, status=ShareState.ACTIVE).select_related(
        "to_agency"
    ):
        share.move_to(ShareState.WITHDRAWN, reason=reason)
        share.withdrawn_by = request.user
        share.withdrawn_at = now
        share.withdrawn_reason = reason
        share.save()
        ended.append(share.to_agency.name)
    if ended:
        case = referral.case
        Alert.objects.create(
            agency=case.agency,
            case=case,
            kind="share_withdrawn",
            text=f"Referral {referral.pk} of case {case.pk} to {referral.marac.name} was {what}: "
            f"the shares it made ended ({', '.join(sorted(ended))})",
        )
    return ended


# --- referring ----------------------------------------------------------------------------


def _referring_agency(user: Any, case: Case) -> Agency | None:
    """The person's agency that sees the case (the owner first, then one shared with)."""
    mine = agencies_of(user)
    shared = case.share_groups()
    return next((a for a in mine if a.pk == case.agency_id), None) or next(
        (a for a in mine if a.name in shared), None
    )


@cases_user
@audited_view("a MARAC referral form")
def refer(request: HttpRequest, case_id: int) -> HttpResponse:
    case, seen = get_case(request, case_id, rules.CONTRIBUTE)
    require_group(request, seen, FieldGroup.MARAC, case)
    today = timezone.localdate()
    choices = data.maracs_for(agencies_of(request.user), case)
    proposed = data.proposals_for(
        case,
        today,
        marac=choices[0] if choices else None,
        risk=seen.shows(FieldGroup.RISK),
        incidents=seen.shows(FieldGroup.CRIMINAL_JUSTICE),
    )
    repeat = data.repeat_for(case, today)
    initial = {
        "criteria": [p.criterion.value for p in proposed],
        "marac": choices[0].pk if choices else None,
    }
    form = ReferralForm(request.POST or None, initial=initial, maracs=choices)
    agency = _referring_agency(request.user, case)
    if request.method == "POST" and form.is_valid() and agency is not None:
        referral = _make_referral(request, case, agency, form.cleaned_data, repeat, today)
        messages.success(request, f"Case {case.pk} is referred to {referral.marac.name}")
        return redirect("cases:caseload")
    return render(
        request,
        "cases/marac/refer.html",
        {
            "case": case,
            "form": form,
            "proposals": proposed,
            "repeat": repeat,
            # the incident's day is criminal-justice information (decision 0037, addendum)
            "repeat_reason": seen.shows(FieldGroup.CRIMINAL_JUSTICE),
            "no_maracs": not choices,
        },
    )


@transaction.atomic
def _make_referral(
    request: HttpRequest,
    case: Case,
    agency: Agency,
    cleaned: dict[str, Any],
    repeat: domain.Repeat | None,
    today: dt.date,
) -> Referral:
    marac: Agency = cleaned["marac"]
    criteria = list(cleaned["criteria"])
    if repeat is not None and domain.Criterion.REPEAT not in criteria:
        criteria.append(domain.Criterion.REPEAT.value)
    referral = Referral.objects.create(
        case=case,
        marac=marac,
        referring_agency=agency,
        referred_by=request.user,
        referred_on=today,
        criteria=criteria,
        concerns=cleaned["concerns"],
        is_repeat=repeat is not None,
        repeat_definition=repeat.definition.value if repeat else "",
        consent=cleaned["consent"],
        consent_reason=cleaned["consent_reason"] if cleaned["consent"] != "given" else "",
        status=ReferralState.REFERRED,
    )
    cap = _passes_on(case, agency)
    shared = [
        s.to_agency.name
        for s in (
            _share(request, case, a, referral, today, referrer=agency, cap=cap)
            for a in [marac, *marac.members.all()]
        )
        if s is not None
    ]
    if agency.pk != case.agency_id:
        Alert.objects.create(
            agency=case.agency,
            case=case,
            kind="marac_referral",
            text=f"Case {case.pk} was referred to {marac.name} by {agency.name} on {_day(today)}",
        )
    Alert.objects.create(
        agency=marac,
        case=case,
        kind="marac_referral",
        text=f"Case {case.pk} referred by {agency.name} on {_day(today)}"
        + (" (a repeat)" if repeat else ""),
    )
    record(
        request,
        audit.REFERRAL_MADE,
        f"Case {case.pk} referred to {marac.name} by {agency.name}",
        object_type="case",
        object_id=str(case.pk),
        referral=referral.pk,
        marac=marac.name,
        criteria=criteria,
        consent=referral.consent,
        repeat=referral.repeat_definition,
        shared_with=shared,
    )
    return referral


# --- the MARACs and their meetings --------------------------------------------------------


@cases_user
@audited_view("the MARACs")
def marac_list(request: HttpRequest) -> HttpResponse:
    rows = [(m, coordinates(request.user, m)) for m in data.maracs() if takes_part(request.user, m)]
    return render(request, "cases/marac/list.html", {"rows": rows})


@cases_user
@audited_view("a MARAC")
def marac_detail(request: HttpRequest, marac_id: int) -> HttpResponse:
    marac = get_marac(request, marac_id, rules.VIEW_MARAC)
    coordinator = coordinates(request.user, marac)
    waiting = waiting_for(request.user, marac) if coordinator else []
    return render(
        request,
        "cases/marac/marac.html",
        {
            "marac": marac,
            "meetings": list(marac.marac_meetings.all()),
            "waiting": waiting,
            "coordinator": coordinator,
            "may_read_return": _may_read_return(request.user, marac),
        },
    )


@cases_user
@audited_view("a new MARAC meeting")
def meeting_new(request: HttpRequest, marac_id: int) -> HttpResponse:
    marac = get_marac(request, marac_id, rules.COORDINATE_MARAC)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        meeting = MaracMeeting.objects.create(
            marac=marac, date=form.cleaned_data["date"], notes=form.cleaned_data["notes"]
        )
        record(
            request,
            audit.MARAC_MEETING_CHANGED,
            f"{marac.name} meeting of {meeting.date.isoformat()} planned",
            object_type="marac_meeting",
            object_id=str(meeting.pk),
        )
        return redirect("cases:marac-meeting", meeting_id=meeting.pk)
    return render(request, "cases/marac/meeting_new.html", {"marac": marac, "form": form})


def _meeting(request: HttpRequest, meeting_id: int, action: str) -> tuple[MaracMeeting, Agency]:
    meeting = get_object_or_404(MaracMeeting.objects.select_related("marac"), pk=meeting_id)
    marac = get_marac(request, meeting.marac_id, action)
    viewed(request, marac_meeting=meeting.pk)
    return meeting, marac


def _level(case: Case) -> str:
    latest = case.assessments.first()
    return latest.get_level_display() if latest else "Not assessed"


@cases_user
@audited_view("a MARAC meeting")
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting, marac = _meeting(request, meeting_id, rules.VIEW_MARAC)
    coordinator = coordinates(request.user, marac)
    referrals = list(
        meeting.referrals.select_related("referring_agency", "case").prefetch_related(
            "actions__agency"
        )
    )
    listed = []
    for r in referrals:
        # each row shows only what the viewer's agency sees of that case (coordinators: what
        # the MARAC's share gives them); a case the viewer cannot see is not listed at all
        if not may_see(request.user, r.case):
            continue
        seen = visibility(request.user, r.case)
        listed.append(
            {
                "referral": r,
                "level": _level(r.case) if seen.shows(FieldGroup.RISK) else None,
                "marac": seen.shows(FieldGroup.MARAC),
                "actions": [a for a in r.actions.all() if may_see_action(request.user, a)],
            }
        )
    waiting = waiting_for(request.user, marac) if coordinator else []
    return render(
        request,
        "cases/marac/meeting.html",
        {
            "meeting": meeting,
            "marac": marac,
            "listed": listed,
            "waiting": waiting,
            "coordinator": coordinator,
            "planned": meeting.status == MeetingState.PLANNED,
        },
    )


def _moved(request: HttpRequest, what: str, summary: str, object_id: Any) -> None:
    record(
        request,
        audit.REFERRAL_CHANGED if what == "referral" else audit.MARAC_MEETING_CHANGED,
        summary,
        object_type="marac_referral" if what == "referral" else "marac_meeting",
        object_id=str(object_id),
    )


@require_POST
@cases_user
@audited_view("listing a referral at a MARAC meeting")
def meeting_list(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting, marac = _meeting(request, meeting_id, rules.COORDINATE_MARAC)
    referral = marac.referrals.filter(pk=request.POST.get("referral") or 0).first()
    if referral is None or not sees_marac_of(request.user, referral.case):
        messages.error(request, "Choose a referral waiting to be listed")
    elif meeting.status != MeetingState.PLANNED:
        messages.error(request, "Only a planned meeting takes new cases")
    else:
        try:
            referral.move_to(ReferralState.LISTED)
        except InvalidMove as exc:
            messages.error(request, str(exc).capitalize())
        else:
            referral.meeting = meeting
            referral.save()
            _moved(
                request,
                "referral",
                f"Referral {referral.pk} listed at meeting {meeting.pk}",
                referral.pk,
            )
    return redirect("cases:marac-meeting", meeting_id=meeting.pk)


@require_POST
@cases_user
@audited_view("taking a referral off a MARAC meeting's list")
def meeting_unlist(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting, _marac = _meeting(request, meeting_id, rules.COORDINATE_MARAC)
    referral = meeting.referrals.filter(pk=request.POST.get("referral") or 0).first()
    if referral is None:
        messages.error(request, "That referral is not on this meeting's list")
    else:
        try:
            referral.move_to(ReferralState.REFERRED)
        except InvalidMove as exc:
            messages.error(request, str(exc).capitalize())
        else:
            referral.meeting = None
            referral.save()
            _moved(
                request,
                "referral",
                f"Referral {referral.pk} taken off meeting {meeting.pk}",
                referral.pk,
            )
    return redirect("cases:marac-meeting", meeting_id=meeting.pk)


@require_POST
@cases_user
@audited_view("holding a MARAC meeting")
@transaction.atomic
def meeting_held(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting, _marac = _meeting(request, meeting_id, rules.COORDINATE_MARAC)
    try:
        meeting.move_to(MeetingState.HELD)
    except InvalidMove as exc:
        messages.error(request, str(exc).capitalize())
        return redirect("cases:marac-meeting", meeting_id=meeting.pk)
    meeting.save()
    heard = 0
    for referral in meeting.referrals.filter(status=ReferralState.LISTED):
        referral.move_to(ReferralState.HEARD)
        referral.save()
        heard += 1
    cases = f"{heard} case{'' if heard == 1 else 's'} heard"
    _moved(request, "meeting", f"Meeting {meeting.pk} held: {cases}", meeting.pk)
    messages.success(request, f"The meeting is held: {cases}")
    return redirect("cases:marac-meeting", meeting_id=meeting.pk)


# --- actions and transfers ----------------------------------------------------------------


def _referral(request: HttpRequest, referral_id: int, action: str) -> tuple[Referral, Agency]:
    referral = get_object_or_404(Referral.objects.select_related("marac", "case"), pk=referral_id)
    marac = get_marac(request, referral.marac_id, action)
    viewed(request, marac_referral=referral.pk, case=referral.case_id)
    return referral, marac


@cases_user
@audited_view("a new MARAC action")
def action_new(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral, marac = _referral(request, referral_id, rules.COORDINATE_MARAC)
    if referral.status not in LIVE:
        refuse(
            request,
            f"referral {referral.pk} is {referral.status}: actions are given only on a referral "
            "referred, listed or heard",
            object_type="marac_referral",
            object_id=str(referral.pk),
        )
    agencies = Agency.objects.filter(pk__in=[marac.pk, *marac.members.values_list("pk", flat=True)])
    form = ActionForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        action = MaracAction.objects.create(
            referral=referral,
            meeting=referral.meeting,
            agency=form.cleaned_data["agency"],
            owner=form.cleaned_data["owner"],
            task=form.cleaned_data["task"],
            due_on=form.cleaned_data["due_on"],
        )
        record(
            request,
            audit.MARAC_ACTION_CHANGED,
            f"Action {action.pk} for {action.agency.name} on referral {referral.pk}",
            object_type="marac_action",
            object_id=str(action.pk),
        )
        if referral.meeting_id:
            return redirect("cases:marac-meeting", meeting_id=referral.meeting_id)
        return redirect("cases:marac", marac_id=marac.pk)
    return render(
        request, "cases/marac/action_new.html", {"referral": referral, "marac": marac, "form": form}
    )


@cases_user
@audited_view("a MARAC action")
def action_detail(request: HttpRequest, action_id: int) -> HttpResponse:
    action = get_object_or_404(
        MaracAction.objects.select_related("agency", "referral__marac", "referral__case__agency"),
        pk=action_id,
    )
    marac = action.referral.marac
    if not may_see_action(request.user, action):
        refuse(
            request,
            f"action {action.pk} is for {action.agency.name}: only that agency, while it sees "
            f"the case's MARAC information, and {marac.name}'s coordinators while referral "
            f"{action.referral_id} is live may see and update it",
            object_type="marac_action",
            object_id=str(action.pk),
        )
    viewed(request, marac_action=action.pk, marac=marac.pk)
    live = action.referral.status in LIVE
    form = ActionUpdateForm(request.POST or None, initial={"status": action.status})
    if request.method == "POST" and not live:
        refuse(
            request,
            f"referral {action.referral_id} is {action.referral.status}: its actions can no "
            "longer be changed",
            object_type="marac_action",
            object_id=str(action.pk),
        )
    if request.method == "POST" and form.is_valid():
        to = form.cleaned_data["status"]
        reason = form.cleaned_data["reason"]
        try:
            if to != action.status:
                action.move_to(to, reason=reason)
        except InvalidMove as exc:
            form.add_error("reason", str(exc).capitalize())
        else:
            action.status_reason = reason
            action.done_on = timezone.localdate() if to == ActionState.DONE else None
            action.save()
            record(
                request,
                audit.MARAC_ACTION_CHANGED,
                f"Action {action.pk} for {action.agency.name}: {action.status}",
                object_type="marac_action",
                object_id=str(action.pk),
            )
            messages.success(request, "The action is updated")
            return redirect("cases:marac-action", action_id=action.pk)
    return render(
        request,
        "cases/marac/action.html",
        {
            "action": action,
            "marac": marac,
            "form": form,
            "live": live,
            "overdue": action.status == ActionState.OPEN
            and action.due_on is not None
            and action.due_on < timezone.localdate(),
        },
    )


@cases_user
@audited_view("a MARAC transfer")
def transfer(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral, marac = _referral(request, referral_id, rules.COORDINATE_MARAC)
    targets = Agency.objects.filter(kind="marac").exclude(pk=marac.pk)
    form = TransferForm(request.POST or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        target: Agency = form.cleaned_data["to"]
        try:
            _transfer(request, referral, target, form.cleaned_data["reason"])
        except InvalidMove as exc:
            form.add_error("reason", str(exc).capitalize())
        else:
            messages.success(request, f"Referral {referral.pk} transferred to {target.name}")
            return redirect("cases:marac", marac_id=marac.pk)
    return render(
        request, "cases/marac/transfer.html", {"referral": referral, "marac": marac, "form": form}
    )


@transaction.atomic
def _transfer(request: HttpRequest, referral: Referral, target: Agency, reason: str) -> Referral:
    was_listed = referral.status == ReferralState.LISTED
    referral.move_to(ReferralState.TRANSFERRED, reason=reason)
    referral.transferred_to = target
    referral.status_reason = reason
    if was_listed:
        referral.meeting = None  # never heard there
    referral.save()
    today = timezone.localdate()
    # what the old MARAC received of the case: the most the new one may receive
    passed = referral.case.share_groups().get(referral.marac.name, frozenset())
    ended = _end_shares(request, referral, "transferred", reason)
    dropped = _drop_actions(referral, "transferred")
    new = Referral.objects.create(
        case=referral.case,
        marac=target,
        referring_agency=referral.referring_agency,
        referred_by=request.user,
        referred_on=today,
        criteria=referral.criteria,
        concerns=referral.concerns,
        is_repeat=referral.is_repeat,
        repeat_definition=referral.repeat_definition,
        consent=referral.consent,
        consent_reason=referral.consent_reason,
        status=ReferralState.REFERRED,
    )
    _share(
        request, referral.case, target, new, today, referrer=referral.referring_agency, cap=passed
    )
    Alert.objects.create(
        agency=target,
        case=referral.case,
        kind="marac_transfer",
        text=f"Case {referral.case_id} transferred from {referral.marac.name} on {_day(today)}",
    )
    record(
        request,
        audit.REFERRAL_CHANGED,
        f"Referral {referral.pk} of case {referral.case_id} transferred from "
        f"{referral.marac.name} to {target.name}",
        object_type="marac_referral",
        object_id=str(referral.pk),
        new_referral=new.pk,
        case=referral.case_id,
        shares_ended=ended,
        actions_dropped=dropped,
    )
    return new


def _end(request: HttpRequest, referral_id: int, to: ReferralState, what: str) -> HttpResponse:
    """Close or withdraw a referral (a coordinator's act, POST), ending the shares it made."""
    referral, marac = _referral(request, referral_id, rules.COORDINATE_MARAC)
    reason = " ".join(request.POST.get("reason", "").split())
    back = (
        redirect("cases:marac-meeting", meeting_id=referral.meeting_id)
        if referral.meeting_id
        else redirect("cases:marac", marac_id=marac.pk)
    )
    try:
        referral.move_to(to, reason=reason)
    except InvalidMove as exc:
        messages.error(request, str(exc).capitalize())
        return back
    with transaction.atomic():
        referral.status_reason = reason
        if to == ReferralState.WITHDRAWN and referral.meeting_id:
            meeting = referral.meeting
            if meeting is not None and meeting.status == MeetingState.PLANNED:
                referral.meeting = None  # never heard there
                back = redirect("cases:marac-meeting", meeting_id=meeting.pk)
        referral.save()
        ended = _end_shares(
            request, referral, what, reason or f"MARAC referral {referral.pk} {what}"
        )
        dropped = _drop_actions(referral, what)
        record(
            request,
            audit.REFERRAL_CHANGED,
            f"Referral {referral.pk} of case {referral.case_id} {what}",
            object_type="marac_referral",
            object_id=str(referral.pk),
            case=referral.case_id,
            shares_ended=ended,
            actions_dropped=dropped,
        )
    messages.success(request, f"Referral {referral.pk} is {what}")
    return back


@require_POST
@cases_user
@audited_view("closing a MARAC referral")
def referral_close(request: HttpRequest, referral_id: int) -> HttpResponse:
    return _end(request, referral_id, ReferralState.CLOSED, "closed")


@require_POST
@cases_user
@audited_view("withdrawing a MARAC referral")
def referral_withdraw(request: HttpRequest, referral_id: int) -> HttpResponse:
    return _end(request, referral_id, ReferralState.WITHDRAWN, "withdrawn")


# --- the quarterly return -----------------------------------------------------------------


def _may_read_return(user: Any, marac: Agency) -> bool:
    return policies._answer(user, decide(user, rules.MARAC_RETURN, marac.marac_object()))


def _return_check(user: Any, marac_id: int | None = None, **_: Any) -> bool:
    marac = Agency.objects.filter(pk=marac_id, kind="marac").first()
    return marac is None or _may_read_return(user, marac)  # (none: the view's 404)


return_reader = policy_required(_return_check)


def _return_form(request: HttpRequest) -> ReturnForm:
    start, end = data.last_quarter(timezone.localdate())
    q = request.GET
    return ReturnForm(
        {
            "start": q.get("from") or start.isoformat(),
            "end": q.get("to") or end.isoformat(),
            "women": q.get("women", ""),
            "idva_fte": q.get("idva_fte", ""),
        }
    )


def _computed(marac: Agency, form: ReturnForm) -> tuple[domain.MaracReturn, str]:
    """The return, with repeats by linked person when the store's people are linked; else
    with the reason they are not shown (naming ``dsvb link``)."""
    c = form.cleaned_data
    fte: Decimal | None = c.get("idva_fte")
    try:
        keys, not_linked = data.person_keys(), ""
    except data.NotLinked as exc:
        keys, not_linked = None, str(exc)
    ret = data.marac_return(
        [marac],
        c["start"],
        c["end"],
        adult_women=c.get("women"),
        idva_fte=float(fte) if fte else None,
        keys=keys,
    )
    return ret, not_linked


@return_reader
@audited_view("a MARAC return")
def return_page(request: HttpRequest, marac_id: int) -> HttpResponse:
    marac = get_marac(request, marac_id, rules.MARAC_RETURN)
    form = _return_form(request)
    ret, not_linked = _computed(marac, form) if form.is_valid() else (None, "")
    if ret is not None:
        viewed(request, period=f"{ret.start.isoformat()} to {ret.end.isoformat()}")
    return render(
        request,
        "cases/marac/return.html",
        {
            "marac": marac,
            "form": form,
            "ret": ret,
            "rows": ret.rows() if ret else [],
            "not_linked": not_linked,
            "query": request.GET.urlencode(),
        },
    )


@return_reader
@audited_view("a MARAC return download")
def return_export(request: HttpRequest, marac_id: int, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "json"):
        raise Http404("a return is downloaded as csv or json")
    marac = get_marac(request, marac_id, rules.MARAC_RETURN)
    form = _return_form(request)
    if not form.is_valid():
        problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
        return HttpResponseBadRequest(f"The return's period or inputs are wrong: {problems}")
    ret, _ = _computed(marac, form)
    if fmt == "csv":
        response = HttpResponse(domain.as_csv(ret), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(domain.as_json(ret), content_type="application/json")
    name = f"marac-return-{marac.pk}-{ret.start.isoformat()}-{ret.end.isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    record(
        request,
        audit.MARAC_RETURN_EXPORTED,
        f"{marac.name} return {ret.start.isoformat()} to {ret.end.isoformat()} ({fmt})",
        object_type="marac",
        object_id=str(marac.pk),
        format=fmt,
    )
    return response
