"""Sharing a case with another agency and withdrawing it; emergency ("break glass") access;
the agencies' alerts; the secretariat's subject access answers and retention review.

Every view asks the rules through the guards (:mod:`dsvb.web.cases.guards`): a case by id
through :func:`get_case` (so another agency's id in the address is a 403 in the audit log),
an alert or a share through the case or agency it belongs to. Audit entries name cases,
shares and agencies by id and name -- never a person's name, nor the names a subject access
request searched for (decision 0038).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from dsvb.cases import access as rules
from dsvb.cases.fields import FieldGroup, needs
from dsvb.cases.retention import is_due, last_activity, notes_due
from dsvb.cases.states import ShareState
from dsvb.cases.subject_access import (
    Holding,
    PersonRecord,
    RecordTable,
    Search,
    build_report,
    matches,
)
from dsvb.oversight.document import MEDIA_TYPES
from dsvb.oversight.render import to_docx, to_html, to_pdf
from dsvb.web.accounts.memberships import today
from dsvb.web.audit.pageview import audited_view, viewed
from dsvb.web.audit.recorder import record
from dsvb.web.cases import audit, grants
from dsvb.web.cases import models as m
from dsvb.web.cases.forms_sharing import (
    BreakGlassForm,
    DeletionForm,
    ReasonForm,
    ShareForm,
    SubjectAccessForm,
)
from dsvb.web.cases.guards import (
    agencies_of,
    case_decision,
    cases_user,
    get_case,
    retention_user,
    subject_access_user,
    user_agencies,
)
from dsvb.web.oversight.guards import refuse

# --- shares -------------------------------------------------------------------------------------


@cases_user
@audited_view("a case's shares")
def shares(request: HttpRequest, case_id: int) -> HttpResponse:
    case, _ = get_case(request, case_id, rules.SHARE_CASE)
    rows = case.shares.select_related("to_agency", "shared_by", "withdrawn_by", "referral")
    return render(
        request,
        "cases/sharing/shares.html",
        {"case": case, "shares": rows, "labels": {g.value: g.label for g in FieldGroup}},
    )


def _group_rows(agency: m.Agency | None) -> list[dict[str, Any]]:
    """The groups a recipient's kind needs, with their sensitivity and why (the CSV's)."""
    if agency is None:
        return []
    need = needs()[agency.agency_kind]
    return [{"group": g, "why": need[g]} for g in FieldGroup if g in need]


@cases_user
@audited_view("the form to share a case")
def share_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case, _ = get_case(request, case_id, rules.SHARE_CASE)
    posted = request.POST if request.method == "POST" else None
    agency = None
    chosen = request.POST.get("agency") or request.GET.get("agency")
    if chosen and str(chosen).isdigit():
        agency = m.Agency.objects.exclude(pk=case.agency_id).filter(pk=chosen).first()
    rows = _group_rows(agency)
    initial = {"agency": agency, "groups": [r["group"].value for r in rows]}
    form = ShareForm(posted, case=case, today=today(), initial=initial)
    if posted is not None and form.is_valid() and form.request is not None:
        req = form.request
        to = form.cleaned_data["agency"]
        share = m.Share.objects.create(
            case=case,
            to_agency=to,
            groups=[g.value for g in FieldGroup if g in req.groups],
            basis=req.basis.value,
            legal_basis=req.legal_basis,
            consent_recorded_on=req.consent_recorded_on,
            shared_by=request.user,
        )
        m.Alert.objects.create(
            agency=to,
            case=case,
            kind="shared",
            text=f"{case.agency.name} shared case {case.pk} with your agency.",
        )
        record(
            request,
            audit.SHARE_MADE,
            f"Case {case.pk} shared with {to.name}",
            object_type="case",
            object_id=str(case.pk),
            share=share.pk,
            to_agency=to.name,
            groups=",".join(share.groups),
            basis=share.basis,
        )
        return redirect("cases:shares", case_id=case.pk)
    return render(
        request,
        "cases/sharing/share_new.html",
        {
            "case": case,
            "form": form,
            "agency": agency,
            "rows": rows,
            "ticked": set(form["groups"].value() or []),
            "agencies": m.Agency.objects.exclude(pk=case.agency_id),
            "not_needed": [g for g in FieldGroup if agency and g not in {r["group"] for r in rows}],
        },
    )


@cases_user
@audited_view("the form to withdraw a share")
def share_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    share = get_object_or_404(m.Share.objects.select_related("to_agency"), pk=pk)
    case, _ = get_case(request, share.case_id, rules.SHARE_CASE)
    viewed(request, share=share.pk)
    form = ReasonForm(request.POST if request.method == "POST" else None, submit="Withdraw")
    error = ""
    if request.method == "POST" and form.is_valid():
        if share.state != ShareState.ACTIVE:
            error = "This share was already withdrawn."
        else:
            with transaction.atomic():
                share.move_to(ShareState.WITHDRAWN, reason=form.cleaned_data["reason"])
                share.withdrawn_by = request.user
                share.withdrawn_at = timezone.now()
                share.withdrawn_reason = form.cleaned_data["reason"]
                share.save()
                m.Alert.objects.create(
                    agency=share.to_agency,
                    case=case,
                    kind="share_withdrawn",
                    text=f"{case.agency.name} withdrew its share of case {case.pk} with your "
                    f"agency at {grants.when(share.withdrawn_at)}.",
                )
                record(
                    request,
                    audit.SHARE_WITHDRAWN,
                    f"Share {share.pk} of case {case.pk} with {share.to_agency.name} withdrawn",
                    object_type="case",
                    object_id=str(case.pk),
                    share=share.pk,
                    to_agency=share.to_agency.name,
                )
            return redirect("cases:shares", case_id=case.pk)
    return render(
        request,
        "cases/sharing/withdraw.html",
        {"case": case, "share": share, "form": form, "error": error},
    )


# --- break glass --------------------------------------------------------------------------------


@cases_user
@audited_view("the emergency access form")
def break_glass(request: HttpRequest, case_id: int | None = None) -> HttpResponse:
    if case_id is not None:
        case = get_object_or_404(m.Case, pk=case_id)
        decision = case_decision(request.user, rules.BREAK_GLASS, case)
        if not decision.allowed:
            refuse(request, decision.reason, object_type="case", object_id=str(case_id))
    posted = request.POST if request.method == "POST" else None
    form = BreakGlassForm(posted, initial={"case_number": case_id})
    if posted is not None and form.is_valid():
        number = form.cleaned_data["case_number"]
        case = m.Case.objects.select_related("agency").filter(pk=number).first()
        if case is None:
            form.add_error("case_number", f"There is no case {number}")
        else:
            decision = case_decision(request.user, rules.BREAK_GLASS, case)
            if not decision.allowed:
                refuse(request, decision.reason, object_type="case", object_id=str(case.pk))
            mine = user_agencies(request.user)[0]
            grant = grants.open_grant(case, request.user, mine, form.cleaned_data["reason"])
            viewed(request, case=case.pk)
            summary, fields = grants.audit_entry(grant)
            record(request, audit.BREAK_GLASS, summary, **fields)
            return redirect("cases:case", case_id=case.pk)
    return render(request, "cases/sharing/break_glass.html", {"form": form, "case_id": case_id})


# --- alerts -------------------------------------------------------------------------------------


@cases_user
@audited_view("the agency's alerts")
def alerts(request: HttpRequest) -> HttpResponse:
    rows = m.Alert.objects.filter(agency__in=agencies_of(request.user)).select_related(
        "agency", "read_by"
    )
    return render(request, "cases/sharing/alerts.html", {"alerts": rows})


@require_POST
@cases_user
@audited_view("an alert marked read")
def alert_read(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(m.Alert.objects.select_related("agency"), pk=pk)
    if alert.agency.name not in user_agencies(request.user):
        refuse(
            request,
            f"alert {alert.pk} is {alert.agency.name}'s, not your agency's",
            object_type="alert",
            object_id=str(alert.pk),
        )
    if alert.read_at is None:
        alert.read_at = timezone.now()
        alert.read_by = request.user
        alert.save(update_fields=["read_at", "read_by"])
        record(
            request,
            audit.ALERT_READ,
            f"Alert {alert.pk} of {alert.agency.name} read",
            object_type="alert",
            object_id=str(alert.pk),
            case=alert.case_id or "",
        )
    back = request.POST.get("next", "")
    return redirect(back if back in (reverse("cases:caseload"),) else reverse("cases:alerts"))


# --- subject access -----------------------------------------------------------------------------


def _yes_no(value: bool | None) -> str:
    return "Not recorded" if value is None else ("Yes" if value else "No")


def _day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value)
        return f"{value.day} {value:%B %Y %H:%M}"
    return f"{value.day} {value:%B %Y}"


def _holding(person: m.Person) -> Holding:
    """Everything one agency's record of a person holds, as text."""
    p = person
    details = (
        ("Names", f"{p.given_name} {p.family_name}"),
        ("Other names", p.other_names or "None recorded"),
        ("Date of birth", _day(p.date_of_birth) or "Not recorded"),
        ("Sex", p.get_sex_display() or "Not known"),
        ("Ethnicity", p.get_ethnicity_display() or "Not recorded"),
        ("Disabled", _yes_no(p.disabled)),
        ("LGBT", _yes_no(p.lgbt)),
        ("Telephone", p.phone or "None recorded"),
        ("E-mail", p.email or "None recorded"),
        ("Safe contact", p.safe_contact or "None recorded"),
        ("Health", p.health_notes or "None recorded"),
        ("Identifiers", ", ".join(f"{k}: {v}" for k, v in p.identifiers.items()) or "None"),
        ("Record created", _day(p.created_at)),
    )
    cases = list(m.Case.objects.filter(victim=p).select_related("agency"))
    parties = list(m.CaseParty.objects.filter(person=p).select_related("case"))
    ids = [c.pk for c in cases]
    incidents = m.CaseIncident.objects.filter(Q(case__in=ids) | Q(perpetrator=p)).select_related(
        "recorded_by"
    )
    tables = (
        RecordTable(
            "Cases (as the victim)",
            ("Case", "Agency", "Opened", "Closed", "State", "Crime reference"),
            tuple(
                (
                    f"Case {c.pk}",
                    c.agency.name,
                    _day(c.opened_on),
                    _day(c.closed_on),
                    c.get_status_display(),
                    c.crime_reference,
                )
                for c in cases
            ),
        ),
        RecordTable(
            "Other cases naming this person",
            ("Case", "Role", "Relationship", "In the household"),
            tuple(
                (
                    f"Case {x.case_id}",
                    x.get_role_display(),
                    x.relationship,
                    "Yes" if x.in_household else "No",
                )
                for x in parties
            ),
        ),
        RecordTable(
            "Addresses",
            ("Case", "Kind", "Address", "Postcode", "Current"),
            tuple(
                (
                    f"Case {a.case_id}",
                    a.get_kind_display(),
                    a.lines,
                    a.postcode,
                    "Yes" if a.current else "No",
                )
                for a in m.Address.objects.filter(case__in=ids)
            ),
        ),
        RecordTable(
            "Incidents",
            ("Case", "Date", "Kind", "Recorded by", "Summary"),
            tuple(_incident_row(i, ids) for i in incidents),
        ),
        RecordTable(
            "Risk assessments",
            ("Case", "Date", "Agency", "Checklist", "Score", "Level", "Judgement reasons"),
            tuple(
                (
                    f"Case {a.case_id}",
                    _day(a.assessed_on),
                    a.agency.name,
                    a.checklist,
                    str(a.score),
                    a.get_level_display(),
                    a.judgement_reasons,
                )
                for a in m.Assessment.objects.filter(case__in=ids).select_related("agency")
            ),
        ),
        RecordTable(
            "MARAC referrals",
            ("Case", "Date", "MARAC", "Criteria", "Consent", "State", "Concerns"),
            tuple(
                (
                    f"Case {r.case_id}",
                    _day(r.referred_on),
                    r.marac.name,
                    ", ".join(r.criteria),
                    r.get_consent_display(),
                    r.get_status_display(),
                    r.concerns,
                )
                for r in m.Referral.objects.filter(case__in=ids).select_related("marac")
            ),
        ),
        RecordTable(
            "MARAC actions",
            ("Case", "Agency", "Task", "Due", "State"),
            tuple(
                (
                    f"Case {a.referral.case_id}",
                    a.agency.name,
                    a.task,
                    _day(a.due_on),
                    a.get_status_display(),
                )
                for a in m.MaracAction.objects.filter(referral__case__in=ids).select_related(
                    "agency", "referral"
                )
            ),
        ),
        RecordTable(
            "Shared with",
            ("Case", "Agency", "What", "Basis", "Shared", "State"),
            tuple(
                (
                    f"Case {s.case_id}",
                    s.to_agency.name,
                    ", ".join(FieldGroup(g).label for g in s.groups),
                    s.legal_basis or f"consent recorded {_day(s.consent_recorded_on)}",
                    _day(s.shared_at),
                    s.get_status_display(),
                )
                for s in m.Share.objects.filter(case__in=ids).select_related("to_agency")
            ),
        ),
        RecordTable(
            "Case notes",
            ("Case", "Agency", "Written", "Note"),
            tuple(
                (f"Case {n.case_id}", n.agency.name, _day(n.created_at), n.text)
                for n in m.CaseNote.objects.filter(case__in=ids).select_related("agency")
            ),
        ),
        RecordTable(
            "Victims' Code contacts",
            ("Case", "Contact", "Due", "Made", "Note"),
            tuple(
                (
                    f"Case {v.case_id}",
                    v.reason.replace("_", " "),
                    _day(v.due_at),
                    _day(v.made_at) or "Not made",
                    v.note,
                )
                for v in m.VictimContact.objects.filter(case__in=ids)
            ),
        ),
    )
    return Holding(_record(p), details, tables)


WITHHELD = "Details about other people withheld"


def _incident_row(i: m.CaseIncident, victim_of: list[int]) -> tuple[str, ...]:
    """An incident as the person may see it: in full on their own case (as the victim);
    on another's case (they are named the perpetrator) only the date and kind -- the case,
    who recorded it and its summary are the victim's data, not theirs (UK GDPR Art. 15(4))."""
    if i.case_id in victim_of:
        return (f"Case {i.case_id}", _day(i.occurred_on), i.get_kind_display(),
                i.recorded_by.name, i.summary)  # fmt: skip
    return (WITHHELD, _day(i.occurred_on), i.get_kind_display(), WITHHELD, WITHHELD)


def _record(p: m.Person) -> PersonRecord:
    return PersonRecord(
        p.pk, p.agency.name, p.given_name, p.family_name, p.other_names, p.date_of_birth
    )


def _search(form: SubjectAccessForm) -> tuple[list[m.Person], Any]:
    d = form.cleaned_data
    try:
        search = Search(d["given_name"], d["family_name"], d.get("date_of_birth"))
    except ValueError as e:
        form.add_error("given_name", str(e).capitalize())
        return [], None
    people = {p.pk: p for p in m.Person.objects.select_related("agency")}
    found = matches(search, (_record(p) for p in people.values()))
    persons = [people[r.id] for r in found]
    doc = build_report((_holding(p) for p in persons), produced_on=today())
    return persons, doc


def _audit_answer(request: HttpRequest, persons: list[m.Person], fmt: str, dob: bool) -> None:
    agencies = {p.agency.name for p in persons}
    record(
        request,
        audit.SUBJECT_ACCESS,
        f"Subject access answered ({fmt}): {len(persons)} records held by {len(agencies)} agencies",
        object_type="subject_access",
        records=len(persons),
        agencies=len(agencies),
        date_of_birth_given="yes" if dob else "no",
        format=fmt,
    )


@subject_access_user
@audited_view("the subject access search")
def subject_access(request: HttpRequest) -> HttpResponse:
    form = SubjectAccessForm(request.POST if request.method == "POST" else None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        persons, doc = _search(form)
        if doc is not None:
            _audit_answer(request, persons, "html", bool(form.cleaned_data["date_of_birth"]))
            context.update(
                persons=persons,
                report=mark_safe(to_html(doc, standalone=False)),
                search=form.cleaned_data,  # the download buttons post the search again
            )
    return render(request, "cases/sharing/subject_access.html", context)


@require_POST
@subject_access_user
@audited_view("a subject access report")
def subject_access_report(request: HttpRequest, fmt: str) -> HttpResponse:
    """The report as PDF or DOCX. The search comes in the POST body, never the address: an
    address is logged (the audit entry's path, web server logs, browser history)."""
    if fmt not in ("pdf", "docx"):
        raise Http404("the report is a PDF or a DOCX")
    form = SubjectAccessForm(request.POST)
    if not form.is_valid():
        return redirect("cases:subject-access")
    persons, doc = _search(form)
    if doc is None:
        return redirect("cases:subject-access")
    _audit_answer(request, persons, fmt, bool(form.cleaned_data["date_of_birth"]))
    body = to_pdf(doc) if fmt == "pdf" else to_docx(doc)
    response = HttpResponse(body, content_type=MEDIA_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="subject-access-{today()}.{fmt}"'
    return response


# --- retention ----------------------------------------------------------------------------------


def _activity(case: m.Case) -> list[dt.date | None]:
    """Every date something was recorded on the case after it was opened."""
    dates: list[dt.date | None] = []
    dates += [timezone.localdate(t) for t in case.notes.values_list("created_at", flat=True)]
    made = case.vcop_contacts.exclude(made_at=None).values_list("made_at", flat=True)
    dates += [timezone.localdate(t) for t in made]
    dates += [timezone.localdate(t) for t in case.vcop_events.values_list("occurred_at", flat=True)]
    dates += list(
        m.MaracAction.objects.filter(referral__case=case).values_list("done_on", flat=True)
    )
    dates += list(case.assessments.values_list("assessed_on", flat=True))
    dates += list(case.referrals.values_list("referred_on", flat=True))
    dates += list(case.incidents.values_list("occurred_on", flat=True))
    return dates


def _due(case: m.Case, on: dt.date) -> bool:
    return is_due(case.status, case.closed_on, _activity(case), on=on)


@retention_user
@audited_view("records due for review")
def retention(request: HttpRequest) -> HttpResponse:
    on = today()
    rows = [
        {"case": c, "last": last_activity(c.closed_on, _activity(c))}
        for c in m.Case.objects.filter(status="closed").exclude(closed_on=None)
        .select_related("agency").order_by("closed_on", "pk")
        if _due(c, on)
    ]  # fmt: skip
    orphans = _unreferenced().select_related("agency").order_by("agency__name", "created_at", "pk")
    meetings = [
        mt
        for mt in m.MaracMeeting.objects.exclude(notes="").select_related("marac").order_by("date")
        if notes_due(mt.date, on=on)
    ]
    return render(
        request,
        "cases/sharing/retention.html",
        {"rows": rows, "orphans": orphans, "meetings": meetings},
    )


@require_POST
@retention_user
@audited_view("a MARAC meeting's notes deleted past retention")
def retention_meeting_notes(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Delete a MARAC meeting's notes once the meeting is past the retention period (the
    meeting itself stays: referrals and actions name it). A meeting not yet due is left."""
    meeting = get_object_or_404(m.MaracMeeting.objects.select_related("marac"), pk=meeting_id)
    viewed(request, marac_meeting=meeting.pk)
    if meeting.notes and notes_due(meeting.date, on=today()):
        with transaction.atomic():
            meeting.notes = ""
            meeting.save(update_fields=["notes"])
            record(
                request,
                audit.RECORDS_DELETED,
                f"Notes of MARAC meeting {meeting.pk} of {meeting.marac.name} deleted after "
                "the retention period",
                object_type="marac_meeting",
                object_id=str(meeting.pk),
                agency=meeting.marac.name,
                deleted="meeting notes",
            )
    return redirect("cases:retention")


def _unreferenced(people: QuerySet[m.Person] | None = None) -> QuerySet[m.Person]:
    """Person records no case, party or incident names (of ``people``, or of all)."""
    qs = m.Person.objects.all() if people is None else people
    return qs.filter(cases=None, parties=None).exclude(
        pk__in=m.CaseIncident.objects.exclude(perpetrator=None).values("perpetrator_id")
    )


def delete_case(case: m.Case) -> int:
    """Delete the case, everything recorded under it, and the people it named that no other
    case names -- and every other record of a person of the case's agency that nothing names
    any longer (a party taken off a case keeps its record until then, for subject access and
    for the case history). One transaction; the number of people deleted."""
    with transaction.atomic():
        agency_id = case.agency_id
        people = {case.victim_id}
        people |= set(case.parties.values_list("person_id", flat=True))
        people |= {p for p in case.incidents.values_list("perpetrator_id", flat=True) if p}
        m.Alert.objects.filter(case=case).delete()
        if case.external_id:  # an old export must not bring it back (``import-cases``)
            m.DeletedRecord.objects.get_or_create(
                agency_id=agency_id, external_id=case.external_id,
                defaults={"deleted_on": timezone.localdate()},
            )  # fmt: skip
        case.delete()
        gone = _unreferenced(m.Person.objects.filter(Q(pk__in=people) | Q(agency_id=agency_id)))
        count = gone.count()
        # the queryset's subqueries are evaluated before rows go: take the ids first
        m.Person.objects.filter(pk__in=list(gone.values_list("pk", flat=True))).delete()
        return count


@retention_user
@audited_view("the form to delete records past retention")
def retention_delete(request: HttpRequest, case_id: int) -> HttpResponse:
    case = get_object_or_404(m.Case.objects.select_related("agency"), pk=case_id)
    viewed(request, case=case.pk)
    due = _due(case, today())
    form = DeletionForm(request.POST if request.method == "POST" else None)
    error = "" if due else f"Case {case.pk} is not due for review: it cannot be deleted."
    if request.method == "POST" and due and form.is_valid():
        agency, pk, external = case.agency.name, case.pk, case.external_id
        with transaction.atomic():
            people = delete_case(case)
            record(
                request,
                audit.RECORDS_DELETED,
                f"Case {pk} of {agency} deleted after its retention period",
                object_type="case",
                object_id=str(pk),
                agency=agency,
                reason=form.cleaned_data["reason"],  # a code: no free text in the audit log
                people_deleted=people,
                # an imported case's id in its source: the operator removes it there too
                external_id=external,
            )
        return redirect("cases:retention")
    return render(
        request,
        "cases/sharing/retention_delete.html",
        {"case": case, "form": form, "error": error, "due": due},
    )
