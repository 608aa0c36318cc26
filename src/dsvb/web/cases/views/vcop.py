"""The Victims' Code of a case: its events and the contacts they owe, each with its deadline
and whether it was made in time; the overdue list of an agency's cases by team; compliance
by reason through the board's indicator (``vcop_compliance``).

The rules are :mod:`dsvb.cases.vcop` (which contacts an event owes, their deadlines in
working days, monthly updates); this module stores what they say. Monthly updates are kept
as contact rows like the others so that one can be recorded as made: :func:`sync_updates`
brings a case's update rows in line with the rule (adding those fallen due and the next one,
removing unmade ones no longer owed after an arrest or the case's close) each time a
Victims' Code page reads the case -- idempotent, and without personal data.

Only the agency that owns a case records its events and contacts (the police, whose duty
the Code's contacts are); an agency the case is shared with sees them if it was shared the
Victims' Code group and needs it. The overdue list and compliance cover the cases the
user's own agencies own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from dsvb.cases import access as rules
from dsvb.cases import vcop
from dsvb.cases.fields import FieldGroup
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


def _first(case: Case, kind: vcop.EventKind) -> dt.datetime | None:
    event = case.vcop_events.filter(kind=kind).order_by("occurred_at").first()
    return event.occurred_at if event else None


def sync_updates(case: Case, now: dt.datetime | None = None) -> None:
    """The case's monthly-update rows as :func:`dsvb.cases.vcop.monthly_updates` says: one
    for each update fallen due and the next one, none that is no longer owed (unmade rows
    after an arrest or close are removed; made ones stay, they happened)."""
    now = now or timezone.now()
    opened = _first(case, vcop.EventKind.INVESTIGATION_OPENED)
    stored = list(case.vcop_contacts.filter(reason=vcop.UPDATE))
    if opened is None:
        wanted: set[dt.datetime] = set()
    else:
        closed = (
            timezone.make_aware(dt.datetime.combine(case.closed_on, dt.time()))
            if case.closed_on
            else None
        )
        due = vcop.monthly_updates(
            opened,
            _first(case, vcop.EventKind.ARREST),
            closed,
            now + dt.timedelta(days=UPDATE_HORIZON_DAYS),
        )
        wanted = set(due)
    have = {c.due_at for c in stored}
    with transaction.atomic():
        for c in stored:
            if c.made_at is None and c.due_at not in wanted:
                c.delete()
        editions = update_rules()
        for due_at in sorted(wanted - have):
            VictimContact.objects.create(
                case=case,
                reason=vcop.UPDATE,
                edition=editions.rule(timezone.localtime(due_at).date()).edition,
                due_at=due_at,
            )


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


def _owned_cases(request: HttpRequest) -> list[Case]:
    """The cases the user's own agencies own (the overdue list and compliance are theirs)."""
    return list(Case.objects.filter(agency__in=agencies_of(request.user)).select_related("agency"))


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
        for c in case.vcop_contacts.order_by("due_at", "pk")
    ]


@cases_user
@require_http_methods(["GET", "POST"])
@audited_view("a case's Victims' Code contacts")
def case_vcop(request: HttpRequest, case_id: int) -> HttpResponse:
    """GET: the events and contacts owed. POST: the owner records an event; the contacts
    it owes are stored with their deadlines from the rules."""
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
    else:
        sync_updates(case)
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
            "can_record": is_owner and case.status == "open",
            "enhanced": case.enhanced_service,
        },
    )


@cases_user
@require_POST
@audited_view("a Victims' Code contact recorded as made")
def contact_made(request: HttpRequest, case_id: int, pk: int) -> HttpResponse:
    """The owner records a contact as made (now, or the date and time given)."""
    case, seen = get_case(request, case_id, rules.CONTRIBUTE)
    require_group(request, seen, FieldGroup.VICTIMS_CODE, case)
    _refuse_unless_owner(request, case)
    contact = get_object_or_404(VictimContact, pk=pk, case=case)
    if contact.made_at is not None:
        raise Http404("That contact is already recorded as made")
    form = ContactMadeForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "cases/vcop/made.html",
            {"case": case, "contact": contact, "form": form,
             "label": vcop.reason_label(contact.reason)},
        )  # fmt: skip
    contact.made_at = form.cleaned_data["made_at"]
    contact.made_by = request.user
    contact.save(update_fields=["made_at", "made_by"])
    status = vcop.contact_status(contact.due_at, contact.made_at, timezone.now())
    record(
        request,
        audit.VCOP_RECORDED,
        f"Victims' Code contact {contact.pk} on case {case.pk} made ({status})",
        object_type="case",
        object_id=str(case.pk),
        contact=str(contact.pk),
        reason=contact.reason,
    )
    return redirect(reverse("cases:vcop", args=[case.pk]))


@cases_user
@audited_view("the overdue Victims' Code contacts")
def overdue(request: HttpRequest) -> HttpResponse:
    """Contacts not made by their deadline on the cases the user's agencies own, by team."""
    now = timezone.now()
    cases = _owned_cases(request)
    for case in cases:
        sync_updates(case, now)
    contacts = VictimContact.objects.filter(case__in=cases).select_related("case")
    late = vcop.overdue(_rows(contacts), now)
    viewed(request, agencies=",".join(sorted({c.agency.name for c in cases})))
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
    cases = _owned_cases(request)
    for case in cases:
        sync_updates(case, now)
    contacts = VictimContact.objects.filter(case__in=cases).select_related("case")
    rows = [r for r in _rows(contacts) if r.made_at is not None or r.due_at < now]
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
