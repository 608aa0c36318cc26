"""The demo's partnership cases on the database (dsvb.web.cases.demo.load_cases): each demo
partner account signs in to its caseload and opens a case; another borough's case is refused;
the break glass and the Victims' Code contacts are there; loading twice adds nothing."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from dsvb.cases import vcop
from dsvb.demo import cases as demo_cases
from dsvb.web import demo
from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import AuditEvent
from dsvb.web.cases import models as m
from dsvb.web.cases.audit import BREAK_GLASS, CASES_IMPORTED
from dsvb.web.cases.demo import load_cases

PARTNERS = {
    "idva": "Lambeth IDVA service",
    "marac": "Lambeth MARAC",
    "police": "Lambeth Police CSU",
    "children": "Lambeth Children's Services",
}


@pytest.fixture
def loaded(db, settings, tmp_path) -> str:
    settings.DATA_DIR = tmp_path
    demo.create_accounts()
    return load_cases()


def _signed_in(username: str) -> tuple[Client, str]:
    """A client signed in through the sign-in page with the demo password; and where the
    sign-in sent it."""
    entries = {
        line.split("\t")[0]: line.split("\t")[1]
        for line in demo.accounts_file().read_text().splitlines()
    }
    client = Client()
    response = client.post(
        "/accounts/sign-in/", {"username": username, "password": entries[username]}
    )
    assert response.status_code == 302, response.content[:300]
    landing = response["Location"]
    if landing == "/":  # home sends a signed-in person to their landing page
        landing = client.get(landing)["Location"]
    return client, landing


def test_the_partner_accounts_are_demo_accounts_of_their_agencies() -> None:
    accounts = {a.username: a for a in demo.ACCOUNTS}
    for username, agency in PARTNERS.items():
        assert accounts[username].agency == agency
        assert accounts[username].role == Role.PARTNER


def test_the_demo_is_imported_through_the_importer(loaded: str) -> None:
    assert "40 cases of 8 agencies" in loaded, loaded
    assert (demo.accounts_file().parent / "demo-cases" / "cases.csv").exists()
    assert AuditEvent.objects.filter(action=CASES_IMPORTED).count() == 1
    assert m.Case.objects.count() == 40
    for agency in PARTNERS.values():
        assert m.Agency.objects.filter(name=agency).exists()


@pytest.mark.parametrize("username", sorted(PARTNERS))
def test_each_partner_lands_on_its_caseload_and_opens_a_case(loaded: str, username: str) -> None:
    client, landing = _signed_in(username)
    assert landing == "/cases/"
    caseload = client.get("/cases/")
    assert caseload.status_code == 200
    page = caseload.content.decode()
    linked = sorted({int(n) for n in re.findall(r'href="/cases/(\d+)/"', page)})
    agency = PARTNERS[username]
    own = m.Case.objects.filter(agency__name=agency, status="open")
    shared = m.Case.objects.filter(shares__to_agency__name=agency, shares__status="active")
    expected = {c.pk for c in own} | {c.pk for c in shared.exclude(agency__name=agency)}
    assert expected, "the demo gives every partner account cases to see"
    assert set(linked) == expected
    case = m.Case.objects.get(pk=linked[0])
    opened = client.get(f"/cases/{case.pk}/")
    assert opened.status_code == 200
    assert case.victim.family_name in opened.content.decode()


def test_the_coordinator_sees_referred_cases_but_never_the_refuge(loaded: str) -> None:
    client, _ = _signed_in("marac")
    in_refuge = m.Case.objects.filter(
        addresses__kind="refuge", shares__to_agency__name="Lambeth MARAC"
    ).first()
    assert in_refuge is not None
    page = client.get(f"/cases/{in_refuge.pk}/").content.decode()
    refuge = in_refuge.addresses.get(kind="refuge")
    assert in_refuge.victim.family_name in page
    assert refuge.postcode not in page and demo_cases.REFUGE_STREET not in page


def test_another_boroughs_case_is_refused(loaded: str) -> None:
    southwark = m.Case.objects.filter(agency__name="Southwark IDVA service").first()
    for username in PARTNERS:
        client, _ = _signed_in(username)
        assert client.get(f"/cases/{southwark.pk}/").status_code in (403, 404), username


def test_children_services_broke_the_glass_and_the_owner_is_alerted(loaded: str) -> None:
    grant = m.EmergencyGrant.objects.get()
    assert grant.user.username == "children" and grant.reason
    assert grant.case.agency.name == "Lambeth IDVA service"
    assert not grant.case.active_shares().filter(to_agency__name=PARTNERS["children"]).exists()
    assert grant.expires_at > timezone.now()
    alert = m.Alert.objects.get(kind="break_glass")
    assert alert.agency == grant.case.agency and alert.case == grant.case
    entry = AuditEvent.objects.get(action=BREAK_GLASS)
    assert entry.object_id == str(grant.case.pk)
    assert grant.case.victim.family_name not in entry.summary
    client, _ = _signed_in("children")
    assert client.get(f"/cases/{grant.case.pk}/").status_code == 200


def test_police_cases_owe_victims_code_contacts_some_overdue(loaded: str) -> None:
    contacts = list(m.VictimContact.objects.select_related("case"))
    assert contacts and all(c.case.agency.name == PARTNERS["police"] for c in contacts)
    now = timezone.now()
    states = {vcop.contact_status(c.due_at, c.made_at, now) for c in contacts}
    assert {"made", "overdue"} <= states
    assert any(c.reason == vcop.UPDATE for c in contacts)
    # every deadline is the domain's for its event
    for c in contacts:
        if c.event is not None and c.reason != vcop.UPDATE:
            owed = vcop.owed(c.event.kind, c.event.occurred_at, enhanced=c.case.enhanced_service)
            assert (c.reason, c.due_at) in {(o.reason, o.due_at) for o in owed}


def test_loading_twice_adds_nothing(loaded: str) -> None:
    counts = {
        model.__name__: model.objects.count()
        for model in (m.Case, m.Person, m.EmergencyGrant, m.Alert, m.VcopEvent, m.VictimContact)
    }
    again = load_cases()
    assert "none added" in again
    assert counts == {
        model.__name__: model.objects.count()
        for model in (m.Case, m.Person, m.EmergencyGrant, m.Alert, m.VcopEvent, m.VictimContact)
    }
    assert AuditEvent.objects.filter(action=CASES_IMPORTED).count() == 1


def lambeth_or_setting(marac: m.Agency, on) -> int:
    from dsvb.cases import settings as case_settings

    return marac.escalation_incidents or case_settings.number("escalation_incidents", on)


def test_the_marac_rules_agree_with_the_demos_referrals(loaded: str) -> None:
    from dsvb.cases import marac as rules
    from dsvb.web.cases import marac_data

    definitions = set()
    escalations = 0
    for referral in m.Referral.objects.select_related("case"):
        case = referral.case
        if "repeat" in referral.criteria:
            repeat = marac_data.repeat_for(case, referral.referred_on)
            assert repeat is not None, case.external_id
            assert repeat.definition.value == referral.repeat_definition
            definitions.add(repeat.definition)
        if "potential_escalation" in referral.criteria:
            facts = marac_data.incident_facts(case.incidents.all())
            needed = lambeth_or_setting(referral.marac, referral.referred_on)
            assert rules.escalation_count(facts, referral.referred_on) >= needed
            escalations += 1
    assert definitions == set(rules.RepeatDefinition)
    assert escalations >= 2


def test_the_marac_return_of_the_demo_year_has_every_part(loaded: str) -> None:
    from dsvb.web.cases import marac_data

    today = timezone.localdate()
    lambeth = m.Agency.objects.get(name="Lambeth MARAC")
    ret = marac_data.marac_return(
        [lambeth], today.replace(year=today.year - 1), today, adult_women=120_000, idva_fte=4
    )
    assert ret.cases > 10 and ret.repeats >= 1 and ret.children > 0
    assert ret.police >= 1 and ret.partners >= 1
    assert ret.volume_per_10000 is not None


def test_the_secretariat_sees_one_demo_case_past_retention(loaded: str, client_for) -> None:
    old = m.Case.objects.get(external_id="IDVA-0001")
    page = client_for(Role.SECRETARIAT).get("/cases/retention/")
    assert page.status_code == 200
    listed = {int(n) for n in re.findall(r"/cases/retention/(\d+)/delete/", page.content.decode())}
    assert listed == {old.pk}
