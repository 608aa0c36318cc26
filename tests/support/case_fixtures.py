"""A small partnership in the database for the permission matrix and the cases' web tests.

Agencies: the partner test user's own (``Lambeth IDVA service``, ROLE_FIELDS), another IDVA
service (Southwark), Lambeth's police CSU, children's services and refuge, and the Lambeth
MARAC (members: the Lambeth IDVA service, police and children's services). Cases (synthetic
people only):

- ``{case_own}``: the IDVA service's own, with a home and a refuge address, a perpetrator, a
  child, an incident, a DASH assessment, a note, a referral to the MARAC (``{referral}``)
  listed at a planned meeting (``{marac_meeting}``) with an action (``{marac_action}``),
  and a Victims' Code contact not yet made (``{vcop_contact_own}``);
- ``{case_shared}``: the police's, shared with the IDVA service (identity, risk, household
  only: ``{share}``), with a Victims' Code event and two contacts (``{vcop_contact}``);
- ``{case_other}``: Southwark's, shared with nobody -- the one an attacker reaches by
  changing the id.

``case_objects`` returns placeholder -> id, for paths such as ``/cases/{case_own}/``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dsvb.web.cases import models as m
from tests.support.web_fixtures import LAMBETH, SOUTHWARK

OWN_AGENCY = "Lambeth IDVA service"  # ROLE_FIELDS[Role.PARTNER]
OTHER_AGENCY = "Southwark IDVA service"
POLICE = "Lambeth Police CSU"
CHILDREN = "Lambeth Children's Services"
REFUGE = "Lambeth Refuge"
MARAC = "Lambeth MARAC"


def make_person(agency: m.Agency, given: str, family: str, **fields: object) -> m.Person:
    return m.Person.objects.create(agency=agency, given_name=given, family_name=family, **fields)


@pytest.fixture
def case_agencies(db) -> dict[str, m.Agency]:
    agencies = {
        name: m.Agency.objects.create(name=name, kind=kind, area_code=area)
        for name, kind, area in (
            (OWN_AGENCY, "idva", LAMBETH),
            (OTHER_AGENCY, "idva", SOUTHWARK),
            (POLICE, "police", LAMBETH),
            (CHILDREN, "children_services", LAMBETH),
            (REFUGE, "refuge", LAMBETH),
            (MARAC, "marac", LAMBETH),
        )
    }
    agencies[MARAC].members.set([agencies[OWN_AGENCY], agencies[POLICE], agencies[CHILDREN]])
    return agencies


@pytest.fixture
def case_objects(case_agencies) -> dict[str, int | str]:
    a = case_agencies
    own, police, other = a[OWN_AGENCY], a[POLICE], a[OTHER_AGENCY]
    victim = make_person(
        own,
        "Alexandra",
        "Testperson",
        date_of_birth=dt.date(1985, 3, 4),
        sex="female",
        ethnicity="white",
        phone="07700 900001",
    )
    perpetrator = make_person(own, "Brian", "Testperson", date_of_birth=dt.date(1982, 1, 2))
    child = make_person(own, "Casey", "Testperson", date_of_birth=dt.date(2015, 5, 6))
    case_own = m.Case.objects.create(
        agency=own, victim=victim, team="IDVA team", area_code=LAMBETH,
        opened_on=dt.date(2026, 9, 1),
    )  # fmt: skip
    m.CaseParty.objects.create(
        case=case_own, person=perpetrator, role="perpetrator", relationship="ex-partner"
    )
    m.CaseParty.objects.create(case=case_own, person=child, role="child", in_household=True)
    m.Address.objects.create(case=case_own, kind="home", lines="1 Test Street", postcode="SE11 1AA")
    m.Address.objects.create(
        case=case_own, kind="refuge", lines="Refuge House, 2 Hidden Road", postcode="SE1 2BB"
    )
    m.CaseIncident.objects.create(
        case=case_own, perpetrator=perpetrator, occurred_on=dt.date(2026, 8, 30),
        kind="violence", reported_to_police=True, recorded_by=own,
    )  # fmt: skip
    m.Assessment.objects.create(
        case=case_own, agency=own, checklist="safelives", assessed_on=dt.date(2026, 9, 1),
        answers={}, score=15, score_level="high", level="high",
    )  # fmt: skip
    m.CaseNote.objects.create(case=case_own, agency=own, text="Safety plan agreed.")
    meeting = m.MaracMeeting.objects.create(marac=a[MARAC], date=dt.date(2026, 12, 15))
    referral = m.Referral.objects.create(
        case=case_own, marac=a[MARAC], referring_agency=own, referred_on=dt.date(2026, 9, 2),
        criteria=["visible_high_risk"], consent="given", status="listed", meeting=meeting,
    )  # fmt: skip
    for agency in a[MARAC].members.exclude(pk=own.pk):
        m.Share.objects.create(
            case=case_own, to_agency=agency, referral=referral, basis="legal_basis",
            legal_basis="MARAC referral", groups=["identity", "address", "household",
            "perpetrator", "risk", "marac"],
        )  # fmt: skip
    m.Share.objects.create(
        case=case_own, to_agency=a[MARAC], referral=referral, basis="legal_basis",
        legal_basis="MARAC referral",
        groups=["identity", "address", "household", "perpetrator", "risk", "marac"],
    )  # fmt: skip
    action = m.MaracAction.objects.create(
        referral=referral, meeting=meeting, agency=police, owner="DS Test",
        task="Flag the address", due_on=dt.date(2026, 12, 22),
    )  # fmt: skip

    police_victim = make_person(police, "Dana", "Examplename", date_of_birth=dt.date(1990, 7, 8))
    case_shared = m.Case.objects.create(
        agency=police, victim=police_victim, team="Lambeth CSU", area_code=LAMBETH,
        crime_reference="CR-0001", opened_on=dt.date(2026, 10, 1),
    )  # fmt: skip
    share = m.Share.objects.create(
        case=case_shared, to_agency=own, basis="consent", consent_recorded_on=dt.date(2026, 10, 1),
        groups=["identity", "risk", "household"],
    )  # fmt: skip
    event = m.VcopEvent.objects.create(
        case=case_shared, kind="arrest",
        occurred_at=timezone.make_aware(dt.datetime(2026, 10, 2, 14, 0)),
    )  # fmt: skip
    contact = m.VictimContact.objects.create(
        case=case_shared, event=event, reason="arrest", edition="2020 Code",
        due_at=timezone.make_aware(dt.datetime(2026, 10, 5, 23, 59, 59)),
    )  # fmt: skip

    # the IDVA service's own Victims' Code contact (a referral to victim support), for the
    # Victims' Code part's rows
    contact_own = m.VictimContact.objects.create(
        case=case_own, reason="support_referral", edition="2020 Code",
        due_at=timezone.make_aware(dt.datetime(2026, 9, 3, 23, 59, 59)),
    )  # fmt: skip

    other_victim = make_person(other, "Erin", "Othername", date_of_birth=dt.date(1979, 9, 10))
    case_other = m.Case.objects.create(
        agency=other, victim=other_victim, team="IDVA team", area_code=SOUTHWARK,
        opened_on=dt.date(2026, 11, 1),
    )  # fmt: skip
    # (sharing) an alert to the test user's agency and one to another agency's
    alert_own = m.Alert.objects.create(agency=own, case=case_own, kind="shared", text="Test alert.")
    alert_other = m.Alert.objects.create(
        agency=other, case=case_other, kind="shared", text="Other."
    )
    # the DASH part's: the own case's assessment, and one of the other agency's case
    assessment_own = m.Assessment.objects.filter(case=case_own).order_by("pk").first()
    assessment_other = m.Assessment.objects.create(
        case=case_other, agency=other, checklist="safelives", assessed_on=dt.date(2026, 11, 2),
        answers={"injured": "yes"}, score=1, score_level="standard", level="standard",
    )  # fmt: skip
    return {
        "{case_own}": case_own.pk,
        "{case_shared}": case_shared.pk,
        "{case_other}": case_other.pk,
        "{person_own}": victim.pk,
        "{referral}": referral.pk,
        "{marac}": a[MARAC].pk,
        "{marac_meeting}": meeting.pk,
        "{marac_action}": action.pk,
        "{share}": share.pk,
        "{vcop_contact}": contact.pk,
        "{vcop_contact_own}": contact_own.pk,
        "{agency_own}": own.pk,
        "{agency_other}": other.pk,
        "{party_own}": case_own.parties.get(role="child").pk,  # (cases and people)
        "{address_own}": case_own.addresses.get(kind="home").pk,
        "{share_own}": case_own.shares.get(to_agency=police).pk,  # (sharing)
        "{alert_own}": alert_own.pk,
        "{alert_other}": alert_other.pk,
        "{assessment_own}": assessment_own.pk,  # (DASH)
        "{assessment_other}": assessment_other.pk,
    }


@pytest.fixture(scope="session")
def police_records(demo_store_file) -> dict[str, str]:
    """Police records of the demo store for the compliance pages: the first crime and
    incident of Lambeth (the borough test user's) and of Southwark, by placeholder."""
    import duckdb

    con = duckdb.connect(str(demo_store_file), read_only=True)
    try:
        found = {}
        for name, code in (("lambeth", LAMBETH), ("southwark", SOUTHWARK)):
            for kind, table in (("crime", "crimes"), ("incident", "incidents")):
                (record_id,) = con.execute(
                    f"SELECT min({kind}_id) FROM {table} WHERE area_code = ?", [code]
                ).fetchone()
                found[f"{{{kind}_{name}}}"] = record_id
        return found
    finally:
        con.close()


@pytest.fixture
def page_objects(
    cycle_objects, case_objects, police_records, linkage_objects
) -> dict[str, int | str]:
    """Every placeholder of the tests that walk every URL: the cycle's, the cases', the
    compliance pages' police records and the linkage review's person."""
    return {**cycle_objects, **case_objects, **police_records, **linkage_objects}
