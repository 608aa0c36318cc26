"""A case and the changes to it: open one, its page (each section shown only when the
viewer's agency sees its field group), its details, the victim, parties, addresses,
incidents, notes, closing and reopening.

Every view fetches the case through :func:`~dsvb.web.cases.guards.get_case` with the act
it is for (see a case, change it, add to it, close it), so another agency's user who changes
the id in the address is refused and the refusal audited; every page view is one audit
entry, and every change one ``case_changed`` (or ``case_opened``, ``case_state_changed``)
entry that names the case and the kind of change by id -- never a name or an address.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dsvb import reference
from dsvb.cases import access as rules
from dsvb.cases.fields import FieldGroup, Visibility
from dsvb.cases.states import CaseState, PartyRole
from dsvb.web.audit.pageview import audited_view
from dsvb.web.audit.recorder import record
from dsvb.web.cases import audit
from dsvb.web.cases import forms_cases as f
from dsvb.web.cases import models as m
from dsvb.web.cases.guards import (
    agencies_of,
    case_decision,
    cases_user,
    get_case,
    may_see,
    require_group,
    user_agencies,
)
from dsvb.web.cases.views.vcop import sync_updates


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _case(request: HttpRequest, pk: int, action: str) -> tuple[m.Case, Visibility]:
    """:func:`get_case`, and where the person sees the case but may not do this to it (a
    closed case, a case that is not their agency's), a 403 page that says why."""
    try:
        return get_case(request, pk, action)
    except PermissionDenied as refused:
        case = m.Case.objects.filter(pk=pk).select_related("agency").first()
        if case is not None and action != rules.VIEW_CASE and may_see(request.user, case):
            raise _Explained(str(refused), case) from refused
        raise


class _Explained(Exception):
    def __init__(self, reason: str, case: m.Case) -> None:
        super().__init__(reason)
        self.reason, self.case = reason, case


def explained(view: Any) -> Any:
    """Turn a refusal the person may be told about into a page saying why (status 403)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except _Explained as e:
            return render(
                request,
                "cases/core/refused.html",
                {"reason": e.reason, "case": e.case},
                status=403,
            )

    return wrapped


def _acting_agency(request: HttpRequest, case: m.Case) -> m.Agency:
    """The viewer's agency that acts on the case: the owner if it is theirs, else the first
    of theirs the case is shared with (what they add is recorded as that agency's)."""
    names = user_agencies(request.user)
    if case.agency.name in names:
        return case.agency
    shared = case.share_groups()
    for agency in agencies_of(request.user):
        if agency.name in shared:
            return agency
    raise PermissionDenied("no agency of yours takes part in this case")


def _changed(request: HttpRequest, case: m.Case, kind: str, **ids: Any) -> None:
    record(
        request,
        audit.CASE_CHANGED,
        f"Case {case.pk} of {case.agency.name}: {kind}",
        object_type="case",
        object_id=str(case.pk),
        change=kind,
        **{k: str(v) for k, v in ids.items()},
    )


def _back(case: m.Case) -> str:
    return reverse("cases:case", args=[case.pk])


def _form_page(
    request: HttpRequest, case: m.Case | None, title: str, forms: list[Any], **extra: Any
) -> HttpResponse:
    return render(
        request,
        "cases/core/form.html",
        {
            "title": title,
            "forms": forms,
            "has_errors": any(form.errors for form in forms),
            "case": case,
            "back_url": _back(case) if case else reverse("cases:caseload"),
            **extra,
        },
    )


def matching_person(agency: m.Agency, data: dict[str, Any]) -> m.Person | None:
    """The agency's existing record of the same person: the same names (in any case) and
    date of birth. Without a date of birth, no match (names alone are not enough)."""
    if not data.get("date_of_birth"):
        return None
    return (
        m.Person.objects.filter(
            agency=agency,
            given_name__iexact=data["given_name"].strip(),
            family_name__iexact=data["family_name"].strip(),
            date_of_birth=data["date_of_birth"],
        )
        .order_by("pk")
        .first()
    )


# --- opening a case -------------------------------------------------------------------------


@cases_user
@audited_view("the form to open a case")
def case_new(request: HttpRequest) -> HttpResponse:
    agencies = agencies_of(request.user)
    if not agencies:
        return render(request, "cases/core/no_agency.html", {})
    case_form = f.OpenCaseForm(_posted(request), agencies=agencies, prefix="case")
    person_form = f.PersonForm(_posted(request), prefix="victim", submit="Open the case")
    person_form.helper.layout.fields.pop()  # one button, after the case's own details
    if request.method == "POST" and case_form.is_valid() and person_form.is_valid():
        data = case_form.cleaned_data
        agency = data["agency"]
        with transaction.atomic():
            victim = matching_person(agency, person_form.cleaned_data)
            existing = victim is not None
            if victim is None:
                victim = person_form.save(commit=False)
                victim.agency = agency
                victim.save()
            case = m.Case.objects.create(
                agency=agency,
                victim=victim,
                team=data["team"],
                area_code=data["area_code"],
                domestic_abuse=data["domestic_abuse"],
                sexual_offence=data["sexual_offence"],
                crime_reference=data["crime_reference"],
                created_by=request.user,
            )
            if data["address_kind"]:
                m.Address.objects.create(
                    case=case,
                    kind=data["address_kind"],
                    lines=data["address_lines"].strip(),
                    postcode=data["postcode"].strip().upper(),
                )
            record(
                request,
                audit.CASE_OPENED,
                f"Opened case {case.pk} for {agency.name}",
                object_type="case",
                object_id=str(case.pk),
                person=str(victim.pk),
                existing_person=existing,
            )
        if existing:
            messages.info(
                request,
                "Your agency already held a record of this person (the same names and date "
                "of birth): the case uses it. Check the victim's details.",
            )
        return redirect("cases:case", case.pk)
    return render(
        request,
        "cases/core/open.html",
        {
            "case_form": case_form,
            "person_form": person_form,
            "forms": [person_form, case_form],
            "has_errors": bool(person_form.errors or case_form.errors),
        },
    )


# --- the case page --------------------------------------------------------------------------


def case_context(request: HttpRequest, case: m.Case, seen: Visibility) -> dict[str, Any]:
    """What the case page and its fragments are given: each list holds only rows of groups
    the viewer sees, so a template cannot show more than the rules allow."""
    user = request.user
    is_owner = case.agency.name in user_agencies(user)
    show = {g.value: seen.shows(g) for g in FieldGroup}
    addresses = [a for a in case.addresses.all().order_by("-current", "kind", "pk")
                 if seen.shows(a.group)]  # fmt: skip
    parties = list(case.parties.select_related("person"))
    viewer = agencies_of(user)
    notes = case.notes.select_related("agency", "author")
    if not is_owner:  # a contributing agency sees its own notes only
        notes = notes.filter(agency__in=viewer)
    return {
        "case": case,
        "seen": seen,
        "show": show,
        "is_owner": is_owner,
        "can_edit": case_decision(user, rules.EDIT_CASE, case).allowed,
        "can_contribute": case_decision(user, rules.CONTRIBUTE, case).allowed,
        "can_close": case_decision(user, rules.CLOSE_CASE, case).allowed,
        "can_share": case_decision(user, rules.SHARE_CASE, case).allowed,
        "viewer_agencies": viewer,
        "victim": case.victim,
        "home_addresses": [a for a in addresses if a.group == FieldGroup.ADDRESS],
        "refuge_addresses": [a for a in addresses if a.group == FieldGroup.REFUGE_ADDRESS],
        "perpetrators": [p for p in parties if p.role == PartyRole.PERPETRATOR]
        if show[FieldGroup.PERPETRATOR]
        else [],
        "household": [p for p in parties if p.role != PartyRole.PERPETRATOR]
        if show[FieldGroup.HOUSEHOLD]
        else [],
        "incidents": list(case.incidents.select_related("recorded_by", "perpetrator"))
        if show[FieldGroup.CRIMINAL_JUSTICE]
        else [],
        "notes": list(notes),
        "withheld": [g.label for g in seen.hidden if g != FieldGroup.NOTES],
        "party_labels": f.PARTY_LABELS,
        "borough": _borough(case.area_code),
    }


def _borough(code: str) -> str:
    if not code:
        return ""
    try:
        return reference.areas().by_code(code).name
    except KeyError:
        return code


@cases_user
@audited_view("a case")
def case(request: HttpRequest, case_id: int) -> HttpResponse:
    case, seen = get_case(request, case_id)
    return render(request, "cases/core/case.html", case_context(request, case, seen))


# --- changes by the owning agency -----------------------------------------------------------


@cases_user
@audited_view("the form to change a case's details")
@explained
def case_edit(request: HttpRequest, case_id: int) -> HttpResponse:
    case, _ = _case(request, case_id, rules.EDIT_CASE)
    form = f.CaseDetailsForm(_posted(request), instance=case)
    if request.method == "POST" and form.is_valid():
        form.save()
        _changed(request, case, "details changed", fields=",".join(form.changed_data))
        return redirect(_back(case))
    return _form_page(request, case, f"Change the details of case {case.pk}", [form])


@cases_user
@audited_view("the form to change a case's victim")
@explained
def victim_edit(request: HttpRequest, case_id: int) -> HttpResponse:
    case, _ = _case(request, case_id, rules.EDIT_CASE)
    form = f.PersonForm(_posted(request), instance=case.victim)
    if request.method == "POST" and form.is_valid():
        form.save()
        _changed(
            request, case, "victim changed", person=case.victim.pk,
            fields=",".join(form.changed_data),
        )  # fmt: skip
        return redirect(_back(case))
    return _form_page(request, case, f"Change the victim's details, case {case.pk}", [form])


@cases_user
@audited_view("the form to add a person to a case")
@explained
def party_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case, _ = _case(request, case_id, rules.EDIT_CASE)
    form = f.PartyForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            person = matching_person(case.agency, data)
            if person is None:
                person = m.Person.objects.create(
                    agency=case.agency,
                    given_name=data["given_name"].strip(),
                    family_name=data["family_name"].strip(),
                    other_names=data["other_names"],
                    date_of_birth=data["date_of_birth"],
                    sex=data["sex"],
                )
            party = m.CaseParty.objects.create(
                case=case,
                person=person,
                role=data["role"],
                relationship=data["relationship"],
                in_household=data["in_household"],
            )
            _changed(request, case, f"{data['role']} added", party=party.pk, person=person.pk)
        return redirect(_back(case))
    return _form_page(request, case, f"Add a person to case {case.pk}", [form])


@require_POST
@cases_user
@audited_view("a person taken off a case")
@explained
def party_remove(request: HttpRequest, case_id: int, party_id: int) -> HttpResponse:
    case, _ = _case(request, case_id, rules.EDIT_CASE)
    party = get_object_or_404(m.CaseParty, pk=party_id, case=case)
    role = party.role
    party.delete()  # the person's record stays (other cases, subject access)
    _changed(request, case, f"{role} removed", party=party_id)
    return redirect(_back(case))


@cases_user
@audited_view("the form to add an address to a case")
@explained
def address_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case, _ = _case(request, case_id, rules.EDIT_CASE)
    form = f.AddressForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        address = form.save(commit=False)
        address.case = case
        address.postcode = address.postcode.strip().upper()
        address.save()
        _changed(request, case, f"{address.kind} address added", address=address.pk)
        return redirect(_back(case))
    return _form_page(request, case, f"Add an address to case {case.pk}", [form])


@require_POST
@cases_user
@audited_view("an address marked not current")
@explained
def address_not_current(request: HttpRequest, case_id: int, address_id: int) -> HttpResponse:
    case, _ = _case(request, case_id, rules.EDIT_CASE)
    address = get_object_or_404(m.Address, pk=address_id, case=case)
    if address.current:
        address.current = False
        address.save(update_fields=["current"])
        _changed(request, case, f"{address.kind} address no longer current", address=address.pk)
    return redirect(_back(case))


# --- what any agency that takes part adds ---------------------------------------------------


@cases_user
@audited_view("the form to add an incident to a case")
@explained
def incident_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case, seen = _case(request, case_id, rules.CONTRIBUTE)
    try:
        require_group(request, seen, FieldGroup.CRIMINAL_JUSTICE, case)
    except PermissionDenied as refused:  # the person sees the case: say why not this
        raise _Explained(str(refused), case) from refused
    perpetrators = (
        [p.person for p in case.parties.filter(role=PartyRole.PERPETRATOR).select_related("person")]
        if seen.shows(FieldGroup.PERPETRATOR)
        else []
    )
    form = f.IncidentForm(_posted(request), perpetrators=perpetrators)
    if request.method == "POST" and form.is_valid():
        incident = form.save(commit=False)
        incident.case = case
        incident.recorded_by = _acting_agency(request, case)
        incident.save()
        _changed(request, case, "incident added", incident=incident.pk)
        return redirect(_back(case))
    return _form_page(request, case, f"Add an incident to case {case.pk}", [form])


@cases_user
@audited_view("the form to add a note to a case")
@explained
def note_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case, _ = _case(request, case_id, rules.CONTRIBUTE)
    agency = _acting_agency(request, case)
    form = f.NoteForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        note = form.save(commit=False)
        note.case, note.agency, note.author = case, agency, request.user
        note.save()
        _changed(request, case, "note added", note=note.pk)
        return redirect(_back(case))
    intro = (
        f"The note is {agency.name}'s: only your agency"
        + ("" if agency == case.agency else f" and {case.agency.name}, which owns the case,")
        + " can read it."
    )
    return _form_page(request, case, f"Add a note to case {case.pk}", [form], intro=intro)


# --- closing and reopening ------------------------------------------------------------------


@cases_user
@audited_view("the form to close a case")
@explained
def case_close(request: HttpRequest, case_id: int) -> HttpResponse:
    case, _ = _case(request, case_id, rules.CLOSE_CASE)
    if case.state != CaseState.OPEN:
        return _form_page(request, case, f"Case {case.pk} is already closed", [])
    form = f.CloseForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            case.move_to(CaseState.CLOSED)
            case.closed_on = timezone.localdate()
            case.save(update_fields=["status", "closed_on"])
            sync_updates(case)  # unmade monthly updates after the close are no longer owed
            record(
                request,
                audit.CASE_CLOSED,
                f"Closed case {case.pk} of {case.agency.name}",
                object_type="case",
                object_id=str(case.pk),
                change="closed",
                outcome=form.cleaned_data["outcome"],
            )
        return redirect(_back(case))
    return _form_page(
        request, case, f"Close case {case.pk}", [form],
        intro="A closed case takes no changes, assessments or referrals until it is reopened.",
    )  # fmt: skip


@cases_user
@audited_view("the form to reopen a case")
@explained
def case_reopen(request: HttpRequest, case_id: int) -> HttpResponse:
    case, _ = _case(request, case_id, rules.CLOSE_CASE)
    if case.state != CaseState.CLOSED:
        return _form_page(request, case, f"Case {case.pk} is open", [])
    form = f.ReopenForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"].strip()
        with transaction.atomic():
            case.move_to(CaseState.OPEN, reason=reason)
            case.closed_on = None
            case.save(update_fields=["status", "closed_on"])
            sync_updates(case)  # the monthly updates are owed again
            # the reason may name people: it is kept on the case, not in the audit log
            m.CaseNote.objects.create(
                case=case, agency=case.agency, author=request.user, text=f"Reopened: {reason}"
            )
            record(
                request,
                audit.CASE_CLOSED,
                f"Reopened case {case.pk} of {case.agency.name}",
                object_type="case",
                object_id=str(case.pk),
                change="reopened",
            )
        return redirect(_back(case))
    return _form_page(request, case, f"Reopen case {case.pk}", [form])
