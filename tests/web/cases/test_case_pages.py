"""Cases and people in the web: opening a case, the case page by field group, the changes,
and what the audit log holds of them (ids and kinds of change, never a name or an address).

The partner test user works for "Lambeth IDVA service" (``case_objects``): ``{case_own}``
is its own case, ``{case_shared}`` the police's shared with it for identity, risk and
household only, ``{case_other}`` Southwark's, shared with nobody.
"""

from __future__ import annotations

import json
import re

import pytest

from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import Action, AuditEvent
from dsvb.web.cases import models as m
from tests.web.cases.matrix_cases import MATRIX

pytestmark = pytest.mark.django_db

VICTIM = {
    "victim-given_name": "Morwenna",
    "victim-family_name": "Synthetica",
    "victim-date_of_birth": "1991-02-03",
    "victim-sex": "female",
    "victim-ethnicity": "mixed",
    "victim-disabled": "false",
    "victim-lgbt": "unknown",
    "victim-phone": "07700 900123",
    "victim-email": "",
    "victim-safe_contact": "Text first, weekday mornings only",
    "victim-health_notes": "",
}
CASE = {
    "case-agency": "",  # filled in with the agency's id
    "case-team": "IDVA team",
    "case-area_code": "E09000022",
    "case-domestic_abuse": "on",
    "case-crime_reference": "CR-9999",
    "case-address_kind": "refuge",
    "case-address_lines": "Sanctuary House, 9 Quiet Lane",
    "case-postcode": "se5 9zz",
}
SECRETS = ("Morwenna", "Synthetica", "07700 900123", "Sanctuary House", "Quiet Lane", "SE5 9ZZ")


def _entries_after(last: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=last).order_by("id"))


def _last() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _open_case(client, agency: m.Agency) -> m.Case:
    response = client.post("/cases/new/", {**VICTIM, **CASE, "case-agency": agency.pk})
    assert response.status_code == 302, response.content.decode()[:3000]
    case = m.Case.objects.get(victim__given_name="Morwenna")
    assert response["Location"] == f"/cases/{case.pk}/"
    return case


def test_open_a_case_end_to_end_and_the_audit_log_names_nobody(client_for, case_objects):
    client = client_for(Role.PARTNER)
    own = m.Agency.objects.get(pk=case_objects["{agency_own}"])
    start = _last()
    assert "Open a case" in client.get("/cases/").content.decode()
    case = _open_case(client, own)
    assert case.agency == own and case.created_by == client.user and case.enhanced_service
    assert case.victim.agency == own and case.victim.disabled is False
    assert case.victim.lgbt is None
    (address,) = case.addresses.all()
    assert address.kind == "refuge" and address.postcode == "SE5 9ZZ"
    opened = AuditEvent.objects.get(action="case_opened")
    assert opened.object_id == str(case.pk) and opened.details["person"] == str(case.victim.pk)

    # the owner sees everything: identity, safe contact, the refuge address
    page = client.get(f"/cases/{case.pk}/").content.decode()
    for shown in ("Morwenna Synthetica", "07700 900123", "Text first", "Sanctuary House"):
        assert shown in page
    assert "Lambeth IDVA service owns the case" in page and "You see the whole case" in page

    # a perpetrator and a child, a home address, an incident, a note
    party = {"given_name": "Rhodri", "family_name": "Synthetica", "date_of_birth": "1988-04-05"}
    r = client.post(
        f"/cases/{case.pk}/parties/new/",
        {**party, "role": "perpetrator", "relationship": "husband", "sex": "male"},
    )
    assert r.status_code == 302
    r = client.post(
        f"/cases/{case.pk}/parties/new/",
        {"role": "child", "given_name": "Tegan", "family_name": "Synthetica",
         "date_of_birth": "2019-06-07", "in_household": "on"},
    )  # fmt: skip
    assert r.status_code == 302
    r = client.post(
        f"/cases/{case.pk}/addresses/new/",
        {"kind": "home", "lines": "14 Ordinary Street", "postcode": "SE5 1AA"},
    )
    assert r.status_code == 302
    perpetrator = case.parties.get(role="perpetrator").person
    r = client.post(
        f"/cases/{case.pk}/incidents/new/",
        {"occurred_on": "2026-11-20", "kind": "threats", "perpetrator": perpetrator.pk,
         "reported_to_police": "on", "summary": "Threats by text message"},
    )  # fmt: skip
    assert r.status_code == 302
    (incident,) = case.incidents.all()
    assert incident.recorded_by == own and incident.perpetrator == perpetrator
    assert (
        client.post(f"/cases/{case.pk}/notes/new/", {"text": "Called Morwenna"}).status_code == 302
    )
    page = client.get(f"/cases/{case.pk}/").content.decode()
    for shown in ("Rhodri Synthetica", "Tegan Synthetica", "14 Ordinary Street", "Threats"):
        assert shown in page
    assert "Called Morwenna" in page

    # the same perpetrator added to a second case is the agency's one record of him
    second = m.Case.objects.create(agency=own, victim=case.victim)
    r = client.post(f"/cases/{second.pk}/parties/new/", {**party, "role": "perpetrator"})
    assert r.status_code == 302
    assert second.parties.get().person == perpetrator

    # remove the child, mark the refuge not current
    child = case.parties.get(role="child")
    assert client.post(f"/cases/{case.pk}/parties/{child.pk}/remove/").status_code == 302
    assert not case.parties.filter(role="child").exists()
    r = client.post(f"/cases/{case.pk}/addresses/{address.pk}/not-current/")
    assert r.status_code == 302
    address.refresh_from_db()
    assert not address.current

    entries = _entries_after(start)
    changes = [e.details.get("change") for e in entries if e.action == "case_changed"]
    assert changes == [
        "perpetrator added", "child added", "home address added", "incident added",
        "note added", "perpetrator added", "child removed", "refuge address no longer current",
    ]  # fmt: skip
    # nothing in the audit log names the victim, her telephone or where she is
    text = json.dumps([[e.summary, e.details, e.object_id] for e in entries])
    for secret in (*SECRETS, "Rhodri", "Tegan", "Ordinary Street"):
        assert secret not in text, secret


def test_an_existing_person_is_found_by_name_and_date_of_birth(client_for, case_objects):
    client = client_for(Role.PARTNER)
    own = m.Agency.objects.get(pk=case_objects["{agency_own}"])
    known = m.Person.objects.get(pk=case_objects["{person_own}"])  # Alexandra, 4 March 1985
    data = {**VICTIM, **CASE, "case-agency": own.pk, "case-address_kind": "",
            "case-address_lines": "", "victim-given_name": "ALEXANDRA",
            "victim-family_name": "testperson", "victim-date_of_birth": "1985-03-04"}  # fmt: skip
    response = client.post("/cases/new/", data, follow=True)
    assert "already held a record of this person" in response.content.decode()
    assert m.Case.objects.filter(victim=known).count() == 2
    assert m.Person.objects.filter(given_name__iexact="alexandra").count() == 1


def test_opening_a_case_says_what_is_missing_in_words(client_for, case_objects):
    client = client_for(Role.PARTNER)
    own = case_objects["{agency_own}"]
    page = client.post(
        "/cases/new/",
        {"case-agency": own, "case-address_kind": "home", "victim-given_name": ""},
    ).content.decode()
    assert "There is a problem" in page
    assert "Enter the address, or choose no address yet" in page
    assert m.Case.objects.count() == 3  # the fixture's only


def test_a_user_of_two_agencies_chooses_and_cannot_choose_anothers(
    make_user, client_for, case_objects
):
    from dsvb.web.accounts.models import Membership

    client = client_for(Role.PARTNER, username="two-hats")
    Membership.objects.create(user=client.user, role=Role.PARTNER, agency="Lambeth Police CSU")
    from dsvb.web.accounts import memberships

    memberships.forget(client.user)
    page = client.get("/cases/new/").content.decode()
    assert "Lambeth Police CSU" in page and 'type="hidden" name="case-agency"' not in page
    other = case_objects["{agency_other}"]
    page = client.post("/cases/new/", {**VICTIM, **CASE, "case-agency": other}).content.decode()
    assert "Select a valid choice" in page
    assert not m.Case.objects.filter(victim__given_name="Morwenna").exists()


def test_the_shared_agency_sees_identity_and_household_but_no_contact_or_address(
    client_for, case_objects
):
    """The attack: the IDVA user reads the police's case shared for identity, risk and
    household; the victim's telephone and addresses must not be in the HTML at all."""
    case = m.Case.objects.get(pk=case_objects["{case_shared}"])
    case.victim.phone = "07700 900555"
    case.victim.safe_contact = "Only via her sister"
    case.victim.save()
    m.Address.objects.create(case=case, kind="home", lines="5 Police Case Road", postcode="SW9 5PC")
    m.Address.objects.create(case=case, kind="refuge", lines="Hidden Refuge", postcode="SW2 2HR")
    child = m.Person.objects.create(
        agency=case.agency, given_name="Fern", family_name="Examplename"
    )
    m.CaseParty.objects.create(case=case, person=child, role="child", in_household=True)
    perp = m.Person.objects.create(agency=case.agency, given_name="Gareth", family_name="Perpname")
    m.CaseParty.objects.create(case=case, person=perp, role="perpetrator")
    m.CaseIncident.objects.create(
        case=case, occurred_on="2026-10-01", kind="violence", recorded_by=case.agency,
        police_reference="CAD-777",
    )  # fmt: skip
    m.CaseNote.objects.create(case=case, agency=case.agency, text="Police-only note")

    client = client_for(Role.PARTNER)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Dana Examplename" in page and "Fern Examplename" in page  # identity, household
    for hidden in ("07700 900555", "Only via her sister", "Police Case Road", "SW9 5PC",
                   "Hidden Refuge", "SW2 2HR", "Gareth", "Perpname", "CAD-777", "CR-0001",
                   "Police-only note"):  # fmt: skip
        assert hidden not in page, hidden
    # the panel names what is withheld, by label only
    for label in ("Safe contact", "Home address", "Refuge or safe address", "Alleged perpetrator"):
        assert label in page
    assert "Shared with Lambeth IDVA service: what it needs and was shared" in page
    # and the pages of the groups it does not see are refused
    assert client.get(f"/cases/{case.pk}/incidents/new/").status_code == 403
    assert client.get(f"/cases/{case.pk}/edit/").status_code == 403
    # a note it adds is its own: the police's note stays unseen, its own is shown
    assert client.post(f"/cases/{case.pk}/notes/new/", {"text": "IDVA note"}).status_code == 302
    note = m.CaseNote.objects.get(text="IDVA note")
    assert note.agency.name == "Lambeth IDVA service"
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "IDVA note" in page and "Police-only note" not in page


def _case_paths(case_id: int) -> list[tuple[str, str]]:
    paths = []
    for cases in MATRIX.values():
        for row in cases:
            if "{case_own}" in row.path:
                paths.append((row.method, row.path.replace("{case_own}", str(case_id))))
    return sorted(set(paths))


def test_another_agencys_case_by_id_is_refused_on_every_url_and_audited(client_for, case_objects):
    client = client_for(Role.PARTNER)
    other = case_objects["{case_other}"]
    paths = _case_paths(other)
    assert len(paths) >= 12
    for method, path in paths:
        path = path.replace("{party_own}", str(case_objects["{party_own}"]))
        path = path.replace("{address_own}", str(case_objects["{address_own}"]))
        last = _last()
        response = getattr(client, method)(path)
        assert response.status_code == 403, (method, path, response.status_code)
        (entry,) = _entries_after(last)
        assert entry.action == Action.ACCESS_DENIED, (path, entry.action)
        assert entry.object_type == "case" and entry.object_id == str(other), path
        assert "Southwark IDVA service" in entry.summary
        assert "Erin" not in response.content.decode()
    assert m.Case.objects.get(pk=other).parties.count() == 0


def test_each_view_of_a_case_is_exactly_one_audit_entry(client_for, case_objects):
    client = client_for(Role.PARTNER)
    for key in ("{case_own}", "{case_shared}"):
        pk = case_objects[key]
        for _ in range(2):
            last = _last()
            assert client.get(f"/cases/{pk}/").status_code == 200
            (entry,) = _entries_after(last)
            assert entry.action == Action.PAGE_VIEWED and entry.details["case"] == str(pk)
            assert "Alexandra" not in entry.summary + json.dumps(entry.details)


def test_a_closed_case_refuses_changes_with_the_reason_and_reopens_only_with_one(
    client_for, case_objects
):
    client = client_for(Role.PARTNER)
    pk = case_objects["{case_own}"]
    assert client.post(f"/cases/{pk}/close/", {}).status_code == 200  # no outcome chosen
    assert m.Case.objects.get(pk=pk).status == "open"
    assert client.post(f"/cases/{pk}/close/", {"outcome": "support_completed"}).status_code == 302
    case = m.Case.objects.get(pk=pk)
    assert case.status == "closed" and case.closed_on is not None
    closed = AuditEvent.objects.filter(action="case_state_changed").get()
    assert closed.details["outcome"] == "support_completed" and closed.object_id == str(pk)

    for path in ("edit/", "victim/", "parties/new/", "addresses/new/", "incidents/new/",
                 "notes/new/"):  # fmt: skip
        response = client.get(f"/cases/{pk}/{path}")
        assert response.status_code == 403, path
        assert "is closed: reopen it" in response.content.decode(), path
    assert client.post(f"/cases/{pk}/notes/new/", {"text": "late"}).status_code == 403
    page = client.get(f"/cases/{pk}/").content.decode()
    assert "Reopen the case" in page and "Add a note" not in page

    response = client.post(f"/cases/{pk}/reopen/", {"reason": "   "})
    assert (
        response.status_code == 200 and "Say why the case is reopening" in response.content.decode()
    )
    assert m.Case.objects.get(pk=pk).status == "closed"
    reason = "New incident reported by Alexandra"
    assert client.post(f"/cases/{pk}/reopen/", {"reason": reason}).status_code == 302
    assert m.Case.objects.get(pk=pk).status == "open"
    assert m.CaseNote.objects.filter(case_id=pk, text=f"Reopened: {reason}").exists()
    reopened = AuditEvent.objects.filter(action="case_state_changed").order_by("-id").first()
    assert reopened.details["change"] == "reopened"
    assert "Alexandra" not in reopened.summary + json.dumps(reopened.details)


def test_the_shared_agency_may_not_close_or_change_the_owners_case(client_for, case_objects):
    client = client_for(Role.PARTNER)
    pk = case_objects["{case_shared}"]
    response = client.post(f"/cases/{pk}/close/", {"outcome": "other"})
    assert response.status_code == 403
    assert "Only Lambeth Police CSU, which owns case" in response.content.decode()
    assert m.Case.objects.get(pk=pk).status == "open"


def test_the_caseload_lists_own_cases_and_shared_ones_apart(client_for, case_objects):
    client = client_for(Role.PARTNER)
    page = client.get("/cases/").content.decode()
    own, shared, other = (case_objects[k] for k in ("{case_own}", "{case_shared}", "{case_other}"))
    mine, theirs = page.split("Cases shared with or referred to your agency")
    assert f"Case {own}<" in mine and "Alexandra Testperson" in mine and "High" in mine
    assert f"Case {shared}<" in theirs and "Lambeth Police CSU" in theirs
    assert "Identity, Children and household, Risk assessments" in theirs
    assert f"Case {other}<" not in page and "Erin" not in page
    # found by number; another agency's number finds nothing
    assert f"Case {own}<" in client.get("/cases/", {"case": own}).content.decode()
    found = client.get("/cases/", {"case": other}).content.decode()
    assert f"no case numbered {other}" in found and "Erin" not in found
    # closed cases are a filter away
    m.Case.objects.filter(pk=own).update(status="closed")
    assert f"Case {own}<" not in client.get("/cases/").content.decode().split("Cases shared")[0]
    assert f"Case {own}<" in client.get("/cases/", {"state": "closed"}).content.decode()


def test_an_agency_with_no_cases_is_shown_how_to_start(client_for, case_objects):
    client = client_for(Role.PARTNER, username="refuge-worker", agency="Lambeth Refuge")
    page = client.get("/cases/").content.decode()
    assert "Your agency has no cases yet" in page and 'href="/cases/new/"' in page


def test_the_owner_changes_the_details_and_the_victim_audited_by_field_name(
    client_for, case_objects
):
    client = client_for(Role.PARTNER)
    pk = case_objects["{case_own}"]
    form = client.get(f"/cases/{pk}/victim/").content.decode()
    legends = [" ".join(x.split()) for x in re.findall(r"<legend[^>]*>(.*?)</legend>", form, re.S)]
    assert legends == ["Identity", "Safe contact", "Health"]  # the fields under their group
    victim = {
        "given_name": "Alexandra", "family_name": "Testperson", "date_of_birth": "1985-03-04",
        "sex": "female", "ethnicity": "white", "disabled": "True", "lgbt": "",
        "phone": "07700 900999", "safe_contact": "Call the refuge office",
    }  # fmt: skip
    assert client.post(f"/cases/{pk}/victim/", victim).status_code == 302
    person = m.Person.objects.get(pk=case_objects["{person_own}"])
    assert person.phone == "07700 900999" and person.disabled is True and person.lgbt is None
    details = {"team": "Outreach", "area_code": "E09000022", "opened_on": "2026-09-01",
               "domestic_abuse": "on", "sexual_offence": "on", "crime_reference": ""}  # fmt: skip
    assert client.post(f"/cases/{pk}/edit/", details).status_code == 302
    case = m.Case.objects.get(pk=pk)
    assert case.team == "Outreach" and case.sexual_offence
    entries = AuditEvent.objects.filter(action="case_changed").order_by("id")
    assert [e.details["change"] for e in entries] == ["victim changed", "details changed"]
    assert "phone" in entries[0].details["fields"] and "team" in entries[1].details["fields"]
    text = json.dumps([[e.summary, e.details] for e in entries])
    assert "07700 900999" not in text and "Outreach" not in text and "refuge office" not in text


@pytest.mark.parametrize(
    ("agency", "sees", "never"),
    [
        # the police need the home address, never the refuge's (a MARAC referral's share)
        ("Lambeth Police CSU", ["Alexandra Testperson", "1 Test Street", "Brian Testperson"],
         ["Refuge House", "Hidden Road", "SE1 2BB", "07700 900001", "Safety plan agreed"]),
        # the MARAC lists the case: identity, address, household, perpetrator, risk
        ("Lambeth MARAC", ["Alexandra Testperson", "Casey Testperson"],
         ["Refuge House", "Hidden Road", "07700 900001", "Safety plan agreed"]),
    ],
)  # fmt: skip
def test_an_agency_the_case_was_referred_to_never_sees_the_refuge(
    agency, sees, never, client_for, case_objects
):
    client = client_for(Role.PARTNER, username=f"user-of-{agency.split()[-1]}", agency=agency)
    pk = case_objects["{case_own}"]
    caseload = client.get("/cases/").content.decode()
    assert f"Case {pk}<" in caseload.split("Cases shared with or referred to your agency")[1]
    assert "Refuge or safe address" not in caseload.split("Cases shared with")[1]
    page = client.get(f"/cases/{pk}/").content.decode()
    for text in sees:
        assert text in page, text
    for text in never:
        assert text not in page, text
    assert "Refuge or safe address" in page  # named as withheld, by its label only
    assert client.get(f"/cases/{pk}/addresses/new/").status_code == 403  # not the owner
