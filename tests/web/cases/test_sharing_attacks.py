"""Sharing attacked: another agency's case by changing the id, fields not shared, a refuge
address forged into a share, withdrawn shares, expired and borrowed emergency grants,
another agency's alerts -- each refused (403) with the refusal in the audit log; and the
acts themselves: share, withdraw, break glass and its alert, subject access audited by
counts only, deletion past retention leaving no trace of the person but the audit entry.

The partner test user works for "Lambeth IDVA service" (``case_objects``): ``{case_own}``
its own case, ``{case_shared}`` the police's shared with it for identity, risk and
household, ``{case_other}`` Southwark's, shared with nobody.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.utils import timezone

from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import Action, AuditEvent
from dsvb.web.cases import models as m
from tests.support.case_fixtures import CHILDREN, OTHER_AGENCY, POLICE
from tests.web.cases.matrix_sharing import MATRIX

pytestmark = pytest.mark.django_db

REASON = "Victim seen at A&E tonight, children at home; need the risk level now"


def _last() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _after(last: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=last).order_by("id"))


def _client(client_for, agency: str, username: str):
    return client_for(Role.PARTNER, username=username, agency=agency)


def _refused(client, method: str, path: str, object_id: str, data=None) -> AuditEvent:
    last = _last()
    response = getattr(client, method)(path, data or {})
    assert response.status_code == 403, (method, path, response.status_code)
    (entry,) = _after(last)
    assert entry.action == Action.ACCESS_DENIED, (path, entry.action)
    assert entry.object_id == object_id, (path, entry.object_id)
    return entry


def test_another_agencys_case_on_every_sharing_url_is_refused_and_audited(client_for, case_objects):
    client = client_for(Role.PARTNER)
    other = str(case_objects["{case_other}"])
    paths = {
        (row.method, row.path.replace("{case_own}", other))
        for rows in MATRIX.values()
        for row in rows
        if "{case_own}" in row.path and "break-glass" not in row.path and "?" not in row.path
    }
    assert len(paths) == 3  # shares, share-new (get, post); the withdraw by share id below
    for method, path in sorted(paths):
        entry = _refused(client, method, path, other)
        assert "Southwark IDVA service" in entry.summary
    # the shares of a case the agency does not own, by their own ids
    share = m.Share.objects.create(
        case_id=int(other), to_agency=m.Agency.objects.get(name=POLICE), basis="legal_basis",
        legal_basis="test", groups=["identity"],
    )  # fmt: skip
    _refused(client, "get", f"/cases/shares/{share.pk}/withdraw/", other)
    _refused(client, "post", f"/cases/shares/{share.pk}/withdraw/", other, {"reason": "mine now"})
    assert m.Share.objects.get(pk=share.pk).status == "active"
    assert m.Share.objects.filter(case_id=int(other)).count() == 1


def test_the_shared_agency_does_not_see_the_police_cases_phone_or_address(client_for, case_objects):
    case = m.Case.objects.get(pk=case_objects["{case_shared}"])
    case.victim.phone = "07700 900555"
    case.victim.save()
    m.Address.objects.create(
        case=case, kind="home", lines="77 Constabulary Row", postcode="SE1 7ZZ"
    )
    client = client_for(Role.PARTNER)
    last = _last()
    page = client.get(f"/cases/{case.pk}/").content.decode()
    (entry,) = _after(last)  # one audit entry for the view
    assert entry.action == Action.PAGE_VIEWED and entry.details["case"] == str(case.pk)
    assert "Dana" in page  # identity is shared
    for hidden in ("07700 900555", "77 Constabulary Row", "SE1 7ZZ"):
        assert hidden not in page
    # the sharing panel says how it is shared with this agency, not with whom else
    assert "Shared with Lambeth IDVA service on" in page and "basis the victim" in page
    # and the owner's sharing pages are not its own
    _refused(client, "get", f"/cases/{case.pk}/shares/", str(case.pk))


def test_a_refuge_address_is_never_shown_to_childrens_services_even_if_a_share_lists_it(
    client_for, case_objects
):
    case = m.Case.objects.get(pk=case_objects["{case_own}"])
    children = m.Agency.objects.get(name=CHILDREN)
    m.Share.objects.create(  # forged: written past the checks
        case=case, to_agency=children, basis="legal_basis", legal_basis="forged",
        groups=["identity", "address", "refuge_address", "notes", "contact"],
    )  # fmt: skip
    client = _client(client_for, CHILDREN, "childrens-worker")
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "1 Test Street" in page  # its need and shared
    for hidden in ("Refuge House", "Hidden Road", "SE1 2BB", "Safety plan agreed", "07700 900001"):
        assert hidden not in page


def test_the_share_form_refuses_a_refuge_address_to_childrens_services_by_name(
    client_for, case_objects
):
    client = client_for(Role.PARTNER)
    case = case_objects["{case_own}"]
    children = m.Agency.objects.get(name=CHILDREN)
    before = m.Share.objects.count()
    page = client.get(f"/cases/{case}/shares/new/?agency={children.pk}").content.decode()
    assert 'value="household" checked' in page and 'value="refuge_address"' not in page
    assert "safeguarding children" in page  # why, from case_field_needs.csv
    response = client.post(
        f"/cases/{case}/shares/new/",
        {"agency": children.pk, "groups": ["identity", "refuge_address"],
         "basis": "legal_basis", "legal_basis": "Children Act 1989 s.47"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "which does not need: refuge or safe address" in response.content.decode()
    assert m.Share.objects.count() == before


def test_share_then_withdraw_and_the_recipient_is_refused(client_for, case_objects):
    police = _client(client_for, POLICE, "police-officer")
    idva = client_for(Role.PARTNER)
    case = case_objects["{case_shared}"]
    idva_agency = m.Agency.objects.get(name="Lambeth IDVA service")
    assert idva.get(f"/cases/{case}/").status_code == 200
    # a new share on consent dated today, then listed with who and when
    last = _last()
    response = police.post(
        f"/cases/{case}/shares/new/",
        {"agency": idva_agency.pk, "groups": ["identity", "contact"], "basis": "consent",
         "consent_recorded_on": timezone.localdate().isoformat()},
    )  # fmt: skip
    assert response.status_code == 302
    (entry,) = _after(last)
    assert entry.action == "case_shared" and entry.details["groups"] == "identity,contact"
    # withdraw every share with the IDVA service
    for share in m.Share.objects.filter(case_id=case, to_agency=idva_agency):
        r = police.post(f"/cases/shares/{share.pk}/withdraw/", {"reason": "consent withdrawn"})
        assert r.status_code == 302
        share.refresh_from_db()
        assert share.status == "withdrawn" and share.withdrawn_reason == "consent withdrawn"
    assert AuditEvent.objects.filter(action="case_share_withdrawn").count() == 2
    page = police.get(f"/cases/{case}/shares/").content.decode()
    assert page.count("Withdrawn") >= 2 and "consent withdrawn" in page
    assert m.Alert.objects.filter(agency=idva_agency, kind="share_withdrawn").count() == 2
    _refused(idva, "get", f"/cases/{case}/", str(case))
    # withdrawing twice does nothing more
    r = police.post(f"/cases/shares/{share.pk}/withdraw/", {"reason": "again"})
    assert r.status_code == 200 and "already withdrawn" in r.content.decode()


def test_break_glass_alerts_the_owner_shows_a_banner_and_expires(
    client_for, make_user, case_objects
):
    case = m.Case.objects.get(pk=case_objects["{case_other}"])
    case.victim.phone = "07700 900777"
    case.victim.save()
    m.Address.objects.create(case=case, kind="refuge", lines="Secret Refuge", postcode="SE9 9ZZ")
    m.Address.objects.create(case=case, kind="home", lines="5 Home Road", postcode="SE9 1AA")
    worker = _client(client_for, CHILDREN, "cs-worker")
    colleague = _client(client_for, CHILDREN, "cs-colleague")
    _refused(worker, "get", f"/cases/{case.pk}/", str(case.pk))
    # a reason that is not a sentence is refused in words; nothing granted
    r = worker.post("/cases/break-glass/", {"case_number": case.pk, "reason": "urgent"})
    assert r.status_code == 200 and "at least 4 words" in r.content.decode()
    assert not m.EmergencyGrant.objects.exists()
    last = _last()
    r = worker.post(f"/cases/{case.pk}/break-glass/", {"case_number": case.pk, "reason": REASON})
    assert r.status_code == 302 and r["Location"] == f"/cases/{case.pk}/"
    (entry,) = _after(last)
    assert entry.action == "break_glass" and entry.object_id == str(case.pk)
    assert entry.details["agency"] == CHILDREN and "A&E" not in json.dumps(entry.details)
    grant = m.EmergencyGrant.objects.get()
    assert grant.expires_at - grant.opened_at == dt.timedelta(hours=4)
    alert = m.Alert.objects.get(kind="break_glass")
    assert alert.agency.name == OTHER_AGENCY and CHILDREN in alert.text and REASON in alert.text
    assert timezone.localtime(grant.opened_at).strftime("%H:%M") in alert.text

    last = _last()
    page = worker.get(f"/cases/{case.pk}/").content.decode()
    (entry,) = _after(last)  # exactly one audit entry for the view
    assert entry.action == Action.PAGE_VIEWED and entry.details["case"] == str(case.pk)
    until = timezone.localtime(grant.expires_at).strftime("%H:%M")
    assert f"Emergency access until {until}; your reason: " in page and "A&amp;E" in page
    assert "5 Home Road" in page  # children's services need the address
    for hidden in ("Secret Refuge", "07700 900777"):  # ... not the refuge, not the phone
        assert hidden not in page

    # a colleague of the same agency does not ride on the grant
    _refused(colleague, "get", f"/cases/{case.pk}/", str(case.pk))

    # the owner sees the alert on the caseload and marks it read
    owner = _client(client_for, OTHER_AGENCY, "southwark-idva")
    caseload = owner.get("/cases/").content.decode()
    assert "Alerts" in caseload and "A user of Lambeth Children" in caseload
    last = _last()
    assert owner.post(f"/cases/alerts/{alert.pk}/read/").status_code == 302
    (entry,) = _after(last)
    assert entry.action == "case_alert_read" and entry.object_id == str(alert.pk)
    alert.refresh_from_db()
    assert alert.read_at is not None and alert.read_by == owner.user
    assert "A user of Lambeth Children" not in owner.get("/cases/").content.decode()

    # after expiry: refused again
    grant.expires_at = timezone.now() - dt.timedelta(seconds=1)
    grant.save()
    _refused(worker, "get", f"/cases/{case.pk}/", str(case.pk))


def test_break_glass_is_refused_to_an_agency_that_already_sees_the_case(client_for, case_objects):
    client = client_for(Role.PARTNER)
    own = str(case_objects["{case_own}"])
    _refused(client, "post", "/cases/break-glass/", own, {"case_number": own, "reason": REASON})
    assert not m.EmergencyGrant.objects.exists()
    r = client.post("/cases/break-glass/", {"case_number": 999999, "reason": REASON})
    assert r.status_code == 200 and "There is no case 999999" in r.content.decode()


def test_a_user_may_not_read_or_mark_another_agencys_alerts(client_for, case_objects):
    client = client_for(Role.PARTNER)
    alert = m.Alert.objects.get(pk=case_objects["{alert_other}"])
    page = client.get("/cases/alerts/").content.decode()
    assert "Test alert." in page and "Other." not in page
    _refused(client, "post", f"/cases/alerts/{alert.pk}/read/", str(alert.pk))
    alert.refresh_from_db()
    assert alert.read_at is None
    assert "Test alert." in client.get("/cases/").content.decode()  # on the caseload


def test_subject_access_finds_every_agencys_record_and_audits_counts_only(client_for, case_objects):
    police = m.Agency.objects.get(name=POLICE)
    m.Person.objects.create(
        agency=police, given_name="ALEXANDRA", family_name="testperson",
        date_of_birth=dt.date(1985, 3, 4),
    )  # fmt: skip
    client = client_for(Role.SECRETARIAT)
    last = _last()
    query = {
        "given_name": " Alexandra ",
        "family_name": "Testperson",
        "date_of_birth": "1985-03-04",
    }
    page = client.post("/cases/subject-access/", query).content.decode()
    assert "2 records found" in page
    assert "Lambeth IDVA service" in page and "Lambeth Police CSU" in page
    assert "Refuge House" in page and "Safety plan agreed." in page  # everything held
    (entry,) = _after(last)
    assert entry.action == "subject_access" and str(entry.details["records"]) == "2"
    for fmt, magic in (("pdf", b"%PDF"), ("docx", b"PK")):
        r = client.post(f"/cases/subject-access/report.{fmt}", query)
        assert r.status_code == 200 and r.content[:4].startswith(magic)
        assert client.get(f"/cases/subject-access/report.{fmt}", query).status_code == 405
    for e in _after(last):
        text = e.summary + json.dumps(e.details)
        assert "Alexandra" not in text and "Testperson" not in text and "1985" not in text
    assert [e.action for e in _after(last)] == ["subject_access"] * 3
    # partner users may not search across agencies
    partner = client_for(Role.PARTNER)
    assert partner.post("/cases/subject-access/", query).status_code == 403


def _text_cells_containing(needles: tuple[str, ...]) -> list[str]:
    """Every cell of every table whose text holds one of ``needles`` (table and column)."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')
            columns = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    text = value if isinstance(value, str) else json.dumps(value, default=str)
                    if any(n.lower() in text.lower() for n in needles):
                        found.append(f"{table}.{column}")
    return found


def test_deleting_a_case_past_retention_leaves_no_trace_of_the_person_but_the_audit_entry(
    client_for, case_objects
):
    own = m.Agency.objects.get(name="Lambeth IDVA service")
    police = m.Agency.objects.get(name=POLICE)
    victim = m.Person.objects.create(
        agency=own, given_name="Quillon", family_name="Erasable", phone="07700 900999",
        date_of_birth=dt.date(1970, 1, 1),
    )  # fmt: skip
    shared_perp = (
        m.Person.objects.get(pk=case_objects["{person_own}"])
        .cases.get()
        .parties.get(role="perpetrator")
        .person
    )  # also named on {case_own}: kept
    case = m.Case.objects.create(
        agency=own, victim=victim, status="closed", opened_on=dt.date(2015, 1, 1),
        closed_on=dt.date(2018, 6, 1),
    )  # fmt: skip
    m.CaseParty.objects.create(case=case, person=shared_perp, role="perpetrator")
    child = m.Person.objects.create(agency=own, given_name="Wrenna", family_name="Erasable")
    m.CaseParty.objects.create(case=case, person=child, role="child")
    m.Address.objects.create(case=case, kind="refuge", lines="Erasable Lodge", postcode="SE1 1ZZ")
    m.CaseNote.objects.create(case=case, agency=own, text="Quillon moved away.")
    m.CaseNote.objects.filter(text="Quillon moved away.").update(
        created_at=timezone.make_aware(dt.datetime(2018, 7, 1))
    )
    m.Share.objects.create(
        case=case, to_agency=police, basis="consent",
        consent_recorded_on=dt.date(2016, 1, 1), groups=["identity"],
    )  # fmt: skip
    m.Alert.objects.create(agency=own, case=case, kind="break_glass", text="Quillon's case")
    m.EmergencyGrant.objects.create(
        case=case,
        user=_user(client_for),
        agency=POLICE,
        reason="About Quillon Erasable",
        expires_at=timezone.make_aware(dt.datetime(2018, 1, 1)),
    )
    secretariat = client_for(Role.SECRETARIAT)
    listing = secretariat.get("/cases/retention/").content.decode()
    assert f"Case {case.pk}" in listing and "1 July 2018" in listing  # the last activity
    assert "Quillon" not in listing and "Erasable" not in listing
    assert f"Case {case_objects['{case_other}']}" not in listing  # open: never due
    assert _text_cells_containing(("Quillon",))  # the scan finds it while it is there

    # no reason: nothing deleted
    r = secretariat.post(f"/cases/retention/{case.pk}/delete/", {"reason": ""})
    assert r.status_code == 200 and m.Case.objects.filter(pk=case.pk).exists()
    last = _last()
    r = secretariat.post(f"/cases/retention/{case.pk}/delete/", {"reason": "no_open_matter"})
    assert r.status_code == 302
    (entry,) = _after(last)
    assert entry.action == "case_records_deleted" and entry.object_id == str(case.pk)
    assert entry.details["agency"] == own.name and entry.details["reason"] == "no_open_matter"
    assert not m.Case.objects.filter(pk=case.pk).exists()
    assert not m.Person.objects.filter(pk__in=[victim.pk, child.pk]).exists()
    assert m.Person.objects.filter(pk=shared_perp.pk).exists()  # named on another case
    assert _text_cells_containing(("Quillon", "Erasable", "07700 900999")) == []
    assert AuditEvent.objects.filter(pk=entry.pk).exists()


def _user(client_for):
    return client_for(Role.PARTNER, username="grant-holder", agency=POLICE).user


def test_open_or_recent_cases_cannot_be_deleted(client_for, case_objects):
    secretariat = client_for(Role.SECRETARIAT)
    pk = case_objects["{case_own}"]
    r = secretariat.post(f"/cases/retention/{pk}/delete/", {"reason": "no_further_need"})
    assert r.status_code == 200 and "not due for review" in r.content.decode()
    assert m.Case.objects.filter(pk=pk).exists()
    assert not AuditEvent.objects.filter(action="case_records_deleted").exists()


def test_each_successful_view_of_a_sharing_page_is_one_audit_entry(client_for, case_objects):
    client = client_for(Role.PARTNER)
    pk = case_objects["{case_own}"]
    for path in (f"/cases/{pk}/shares/", f"/cases/{pk}/shares/new/", "/cases/alerts/"):
        last = _last()
        assert client.get(path).status_code == 200
        (entry,) = _after(last)
        assert entry.action == Action.PAGE_VIEWED
