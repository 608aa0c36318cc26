"""The Victims' Code of a case: its events and the contacts they owe, each with its deadline
and whether it was made in time; the overdue list of an agency's cases by team; compliance
by reason through the board's indicator (``vcop_compliance``).

The rules are :mod:`dsvb.cases.vcop` (which contacts an event owes, their deadlines in
working days, monthly updates); this module stores what they say. Monthly updates are kept
as contact rows like the others so that one can be recorded as made. Pages never write
(a GET by a shared agency or a break-glass viewer must change nothing): they show the
stored rows and, unsaved, the updates the rule says are owed but not yet stored
(:func:`contacts_with_owed`, a constant number of queries however many cases). The rows
are brought in line with the rule by :func:`sync_updates` when something changes what is
owed -- an event recorded, a contact made, the case closed or reopened -- under a lock on
the case, removing duplicates; a unique constraint on (case, due date) of update rows
backs it (decision 0039, addendum).

A closed case's contacts are off the overdue list (nobody works a closed case's list) but
still count in compliance, and its owner may still record one as made.

Only the agency that owns a case records its events and contacts (the police, whose duty
the Code's contacts are); an agency the case is shared with sees them if it was shared the
Victims' Code group and needs it. The overdue list and compliance cover the cases the
user's own agencies own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Min
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from dsvb.cases import access as rules
from dsvb.cases import vcop
from dsvb.cases.fields import FieldGroup
from dsvb.cases.states import CaseState
from dsvb.indicators.model import add_months
from dsvb.reference.victims_code import update_rules
from dsvb.web.audit.pageview import audited_view, viewed
from dsvb.web.audit.recorder import record
from dsvb.web.cases import audit
from dsvb.web.cases.forms_vcop import ContactMadeForm, EventForm, PeriodForm
from dsvb.web.cases.guards import agencies_of, cases_user, get_case, require_group
from dsvb.web.cases.models import Case, VcopEvent, VictimContact
from dsvb.web.oversight.guards import refuse

UPDATE_HORIZON_DAYS = 31  # sync_updates adds the next update due within this many days


_STOPS = (vcop.EventKind.INVESTIGATION_OPENED.value, vcop.EventKind.ARREST.value)


def _firsts(case_ids: Iterable[int]) -> dict[int, dict[str, dt.datetime]]:
    """For each case, when it first had each event that bounds its monthly updates (the
    investigation opened, the arrest): one query for any number of cases."""
    out: dict[int, dict[str, dt.datetime]] = {}
    rows = (
        VcopEvent.objects.filter(case_id__in=list(case_ids), kind__in=_STOPS)
        .order_by()
        .values("case_id", "kind")
        .annotate(first=Min("occurred_at"))
    )
    for r in rows:
        out.setdefault(r["case_id"], {})[r["kind"]] = r["first"]
    return out


def _updates_due(case: Case, firsts: dict[str, dt.datetime], now: dt.datetime) -> set:
    """The updates the rule says the case owes up to the horizon (none without an opening)."""
    opened = firsts.get(vcop.EventKind.INVESTIGATION_OPENED.value)
    if opened is None:
        return set()
    closed = (
        timezone.make_aware(dt.datetime.combine(case.closed_on, dt.time()))
        if case.closed_on
        else None
    )
    return set(
        vcop.monthly_updates(
            opened,
            firsts.get(vcop.EventKind.ARREST.value),
            closed,
            now + dt.timedelta(days=UPDATE_HORIZON_DAYS),
        )
    )


def _kept_first(contact: VictimContact) -> tuple:
    """Of duplicate update rows, the one kept: a made one, then the oldest."""
    return (contact.due_at, contact.made_at is None, contact.pk or 0)


def sync_updates(case: Case, now: dt.datetime | None = None) -> None:
    """The case's monthly-update rows as :func:`dsvb.cases.vcop.monthly_updates` says: one
    for each update fallen due and the next one, none that is no longer owed (unmade rows
    after an arrest or close are removed; made ones stay, they happened), no duplicates.
    Called only by requests that change the case (POST); the case row is locked so that two
    at once cannot both add the same update. Idempotent."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        wanted = _updates_due(locked, _firsts([locked.pk]).get(locked.pk, {}), now)
        stored = sorted(locked.vcop_contacts.filter(reason=vcop.UPDATE), key=_kept_first)
        have: set[dt.datetime] = set()
        for c in stored:
            if c.due_at in have or (c.made_at is None and c.due_at not in wanted):
                c.delete()
            else:
                have.add(c.due_at)
        editions = update_rules()
        VictimContact.objects.bulk_create(
            [
                VictimContact(
                    case=locked,
                    reason=vcop.UPDATE,
                    edition=editions.rule(timezone.localtime(due_at).date()).edition,
                    due_at=due_at,
                )
                for due_at in sorted(wanted - have)
            ],
            ignore_conflicts=True,
        )


def contacts_with_owed(cases: list[Case], now: dt.datetime) -> list[VictimContact]:
    """The cases' contacts as they stand now, without writing: the stored rows (one query;
    duplicate update rows shown once; unmade updates the rule no longer owes left out) and,
    unsaved (no ``pk``), the monthly updates the rule says are owed but not stored yet (one
    query for the events). Each contact's ``case`` is the case given: no query per case."""
    by_id = {c.pk: c for c in cases}
    firsts = _firsts(by_id)
    due = {pk: _updates_due(case, firsts.get(pk, {}), now) for pk, case in by_id.items()}
    out: list[VictimContact] = []
    seen: set[tuple[int, dt.datetime]] = set()
    for c in sorted(VictimContact.objects.filter(case_id__in=list(by_id)), key=_kept_first):
        c.case = by_id[c.case_id]
        if c.reason == vcop.UPDATE:
            key = (c.case_id, c.due_at)
            if key in seen or (c.made_at is None and c.due_at not in due[c.case_id]):
                continue
            seen.add(key)
        out.append(c)
    editions = update_rules()
    for pk, wanted in due.items():
        for at in sorted(wanted):
            if (pk, at) not in seen:
                edition = editions.rule(timezone.localtime(at).date()).edition
                out.append(
                    VictimContact(case=by_id[pk], reason=vcop.UPDATE, edition=edition, due_at=at)
                )
    out.sort(key=lambda c: (c.due_at, c.pk is None, c.pk or 0))
    return out


def _rows(contacts: Iterable[VictimContact]) -> list[vcop.ContactRow]:
    return [
        vcop.ContactRow(
            case_id=c.case_id,
            reason=c.reason,
            due_at=c.due_at,
            made_at=c.made_at,
            team=c.case.team,
            area_code=c.case.area_code,
            domestic_abuse=c.case.domestic_abuse,
            sexual_offence=c.case.sexual_offence,
            id=c.pk,
        )
        for c in contacts
    ]


def _owned_cases(request: HttpRequest, *, open_only: bool = False) -> list[Case]:
    """The cases the user's own agencies own (the overdue list and compliance are theirs);
    ``open_only``: the open ones (a closed case is off the overdue list)."""
    cases = Case.objects.filter(agency__in=agencies_of(request.user)).select_related("agency")
    if open_only:
        cases = cases.filter(status=CaseState.OPEN.value)
    return list(cases)


def _refuse_unless_owner(request: HttpRequest, case: Case) -> None:
    if case.agency not in agencies_of(request.user):
        refuse(
            request,
            f"only {case.agency.name}, which owns case {case.pk}, records its Victims' Code "
            "events and contacts",
            object_type="case",
            object_id=str(case.pk),
        )


def _contact_lines(case: Case, now: dt.datetime) -> list[dict]:
    return [
        {
            "contact": c,
            "label": vcop.reason_label(c.reason),
            "status": vcop.contact_status(c.due_at, c.made_at, now),
        }
        for c in contacts_with_owed([case], now)
    ]


def _not_before(case: Case, contact: VictimContact) -> tuple[dt.datetime | None, str]:
    """What a contact cannot have been made before: the event it follows, or for a monthly
    update the investigation's opening."""
    if contact.event_id is not None:
        return contact.event.occurred_at, "the event it follows"
    opened = _firsts([case.pk]).get(case.pk, {}).get(vcop.EventKind.INVESTIGATION_OPENED.value)
    return opened, "the investigation was opened"


def _made(request: HttpRequest, case: Case, contact: VictimContact, at: dt.datetime) -> None:
    contact.made_at = at
    contact.made_by = request.user
    contact.save(update_fields=["made_at", "made_by"])
    status = vcop.contact_status(contact.due_at, contact.made_at, timezone.now())
    record(
        request,
        audit.VCOP_RECORDED,
        f"Victims' Code contact {contact.pk} on case {case.pk} made ({status})"
        + ("; the case is closed" if case.status != CaseState.OPEN.value else ""),
        object_type="case",
        object_id=str(case.pk),
        contact=str(contact.pk),
        reason=contact.reason,
    )


@cases_user
@require_http_methods(["GET", "POST"])
@audited_view("a case's Victims' Code contacts")
def case_vcop(request: HttpRequest, case_id: int) -> HttpResponse:
    """GET: the events and contacts owed (nothing written). POST: the owner records an
    event, whose contacts are stored with their deadlines from the rules; or, with
    ``update_due``, records a monthly update owed but not yet stored as made now."""
    if request.method == "POST" and "update_due" in request.POST:
        return _update_made(request, case_id)
    action = rules.CONTRIBUTE if request.method == "POST" else rules.VIEW_CASE
    case, seen = get_case(request, case_id, action)
    require_group(request, seen, FieldGroup.VICTIMS_CODE, case)
    is_owner = case.agency in agencies_of(request.user)
    form = EventForm()
    if request.method == "POST":
        _refuse_unless_owner(request, case)
        form = EventForm(request.POST)
        if form.is_valid():
            at = form.cleaned_data["occurred_at"]
            kind = vcop.EventKind(form.cleaned_data["kind"])
            with transaction.atomic():
                event = VcopEvent.objects.create(
                    case=case, kind=kind.value, occurred_at=at, recorded_by=request.user
                )
                owed = vcop.owed(kind, at, enhanced=case.enhanced_service)
                for o in owed:
                    VictimContact.objects.create(
                        case=case, event=event, reason=o.reason, edition=o.edition, due_at=o.due_at
                    )
                sync_updates(case)
            record(
                request,
                audit.VCOP_RECORDED,
                f"Victims' Code event recorded on case {case.pk}: {kind.value} "
                f"({len(owed)} contact(s) owed)",
                object_type="case",
                object_id=str(case.pk),
                event=str(event.pk),
                kind=kind.value,
            )
            return redirect(reverse("cases:vcop", args=[case.pk]))
    now = timezone.now()
    return render(
        request,
        "cases/vcop/case.html",
        {
            "case": case,
            "events": [
                {"event": e, "label": vcop.event_label(e.kind)} for e in case.vcop_events.all()
            ],
            "contacts": _contact_lines(case, now),
            "form": form,
            "can_record": is_owner and case.status == CaseState.OPEN.value,
            # the owner records a contact made even after the case closed (decision 0039)
            "can_make": is_owner,
            "enhanced": case.enhanced_service,
        },
    )


def _update_made(request: HttpRequest, case_id: int) -> HttpResponse:
    """A monthly update the rule owes but not yet stored, recorded as made now: the rows
    are synced (so it is stored), then it is marked made like any contact."""
    case, seen = get_case(request, case_id, rules.VIEW_CASE)
    require_group(request, seen, FieldGroup.VICTIMS_CODE, case)
    _refuse_unless_owner(request, case)
    try:
        due_at = dt.datetime.fromisoformat(request.POST["update_due"])
    except ValueError:
        raise Http404("No such monthly update") from None
    if due_at.tzinfo is None:
        due_at = timezone.make_aware(due_at)
    sync_updates(case)
    contact = case.vcop_contacts.filter(reason=vcop.UPDATE, due_at=due_at).first()
    if contact is None or contact.made_at is not None:
        raise Http404("That monthly update is not owed, or is already recorded as made")
    not_before, what = _not_before(case, contact)
    form = ContactMadeForm({}, not_before=not_before, after_what=what)
    if not form.is_valid():
        return _made_page(request, case, contact, form)
    _made(request, case, contact, form.cleaned_data["made_at"])
    return redirect(reverse("cases:vcop", args=[case.pk]))


def _made_page(
    request: HttpRequest, case: Case, contact: VictimContact, form: ContactMadeForm
) -> HttpResponse:
    return render(
        request,
        "cases/vcop/made.html",
        {"case": case, "contact": contact, "form": form,
         "label": vcop.reason_label(contact.reason)},
    )  # fmt: skip


@cases_user
@require_POST
@audited_view("a Victims' Code contact recorded as made")
def contact_made(request: HttpRequest, case_id: int, pk: int) -> HttpResponse:
    """The owner records a contact as made (now, or the date and time given) -- on a
    closed case too: a contact made before the close, or owed by it, is still recorded
    (decision 0039, addendum). Not before the event it follows."""
    case, seen = get_case(request, case_id, rules.VIEW_CASE)
    require_group(request, seen, FieldGroup.VICTIMS_CODE, case)
    _refuse_unless_owner(request, case)
    contact = get_object_or_404(VictimContact.objects.select_related("event"), pk=pk, case=case)
    if contact.made_at is not None:
        raise Http404("That contact is already recorded as made")
    not_before, what = _not_before(case, contact)
    form = ContactMadeForm(request.POST, not_before=not_before, after_what=what)
    if not form.is_valid():
        return _made_page(request, case, contact, form)
    with transaction.atomic():
        _made(request, case, contact, form.cleaned_data["made_at"])
        sync_updates(case)
    return redirect(reverse("cases:vcop", args=[case.pk]))


@cases_user
@audited_view("the overdue Victims' Code contacts")
def overdue(request: HttpRequest) -> HttpResponse:
    """Contacts not made by their deadline on the open cases the user's agencies own, by
    team (a closed case's are left off: compliance still counts them)."""
    now = timezone.now()
    cases = _owned_cases(request, open_only=True)
    late = vcop.overdue(_rows(contacts_with_owed(cases, now)), now)
    viewed(request, agencies=",".join(sorted({a.name for a in agencies_of(request.user)})))
    teams = [
        (
            team,
            [
                {"row": r, "label": vcop.reason_label(r.reason), "days": (now - r.due_at).days}
                for r in rows
            ],
        )
        for team, rows in vcop.by_team(late).items()
    ]
    return render(request, "cases/vcop/overdue.html", {"teams": teams, "total": len(late)})


def _period(form: PeriodForm, today: dt.date) -> tuple[dt.date, dt.date]:
    """The period asked for, or the twelve months to the end of this month."""
    end = form.cleaned_data.get("end") if form.is_valid() else None
    start = form.cleaned_data.get("start") if form.is_valid() else None
    end = end or add_months(dt.date(today.year, today.month, 1), 1)
    start = start or add_months(end, -12)
    if end <= start:
        end = add_months(start, 12)
    return start, end


@cases_user
@audited_view("Victims' Code compliance of the agency's cases")
def compliance(request: HttpRequest) -> HttpResponse:
    """Compliance by reason over the user's agencies' cases, for contacts falling due in the
    period, computed by the indicator ``vcop_compliance`` (cut by reason) -- the board's
    definition. A contact not yet due and not made is not counted: it cannot be late yet."""
    now = timezone.now()
    form = PeriodForm({"start": request.GET.get("from", ""), "end": request.GET.get("to", "")})
    start, end = _period(form, timezone.localdate())
    rows = [
        r
        for r in _rows(contacts_with_owed(_owned_cases(request), now))
        if r.made_at is not None or r.due_at < now
    ]
    results = vcop.case_compliance(
        rows, start, end, by=("reason",), indicators=("vcop_compliance",)
    )
    viewed(request, period=f"{start.isoformat()} to {end.isoformat()}")
    families = _by_family(results)
    return render(
        request,
        "cases/vcop/compliance.html",
        {
            "families": families,
            "start": start,
            "end": end,
            "last_day": end - dt.timedelta(days=1),
            "errors": [e for errs in form.errors.values() for e in errs],
            "from_value": request.GET.get("from", start.isoformat()),
            "to_value": request.GET.get("to", end.isoformat()),
        },
    )


def _by_family(results: list) -> list[dict]:
    """For each crime family with contacts (domestic abuse; sexual offences), a line per
    reason and one for all: due, on time, late, percentage on time. A case both domestic
    abuse and a sexual offence is in both families, as its crime would be in the indicator."""
    from dsvb.indicators.definitions import FAMILIES

    out = []
    for family in ("dv", "sexual"):
        lines = []
        for r in results:
            if r.family != family or r.area_code != "ALL" or not r.denominator:
                continue
            reason = r.cut("reason") or "ALL"
            due, on_time = int(r.denominator), int(r.numerator or 0)
            lines.append(
                {
                    "reason": reason,
                    "label": "All contacts" if reason == "ALL" else vcop.reason_label(reason),
                    "due": due,
                    "on_time": on_time,
                    "late": due - on_time,
                    "percent": round(100 * on_time / due),
                }
            )
        if lines:
            lines.sort(key=lambda line: (line["reason"] == "ALL", line["label"]))
            out.append({"id": family, "label": FAMILIES[family].label, "lines": lines})
    return out
