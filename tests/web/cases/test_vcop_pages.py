"""The Victims' Code pages of the cases app: recording an event stores the contacts it owes
with their deadlines, a contact recorded as made, the overdue list by team, refusals with
their audit entries, compliance through the indicator, the case page and caseload parts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import engines
from django.utils import timezone

from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import AuditEvent
from dsvb.web.cases import models as m
from tests.support.case_fixtures import POLICE

pytestmark = pytest.mark.django_db


@pytest.fixture
def police(client_for):
    return client_for(Role.PARTNER, username="police", agency=POLICE)


def _local(at: dt.datetime) -> dt.datetime:
    return timezone.localtime(at).replace(tzinfo=None)


def test_an_arrest_on_a_friday_afternoon_is_owed_by_the_next_working_day(
    police, case_objects
) -> None:
    case = case_objects["{case_shared}"]
    before = AuditEvent.objects.count()
    response = police.post(
        f"/cases/{case}/victims-code/",
        {"kind": "arrest", "occurred_on": "2026-12-18", "occurred_time": "16:00"},
    )
    assert response.status_code == 302
    event = m.VcopEvent.objects.get(case_id=case, kind="arrest", occurred_at__year=2026,
                                    occurred_at__month=12)  # fmt: skip
    (contact,) = m.VictimContact.objects.filter(event=event)
    # the enhanced service (domestic abuse): by the end of Monday 21 December
    assert (contact.reason, contact.edition) == ("arrest", "2020 Code")
    assert _local(contact.due_at) == dt.datetime(2026, 12, 21, 23, 59, 59)
    # one entry: the act, naming the case, and no personal data
    (entry,) = AuditEvent.objects.order_by("pk")[before:]
    assert (entry.action, entry.object_id) == ("vcop_recorded", str(case))
    assert "Examplename" not in entry.summary and "Dana" not in str(entry.details)
    page = police.get(f"/cases/{case}/victims-code/").content.decode()
    assert "Monday 21 December 2026, 23:59" in page
    assert "Suspect arrested: Friday 18 December 2026, 16:00" in page


def test_a_standard_victim_gets_five_working_days_over_christmas(police, case_objects) -> None:
    case = m.Case.objects.get(pk=case_objects["{case_shared}"])
    case.domestic_abuse = False
    case.save()
    police.post(
        f"/cases/{case.pk}/victims-code/",
        {"kind": "suspect_charged", "occurred_on": "2026-12-18", "occurred_time": "16:00"},
    )
    contact = m.VictimContact.objects.get(case=case, reason="suspect_charged")
    # 21, 22, 23, 24, then Christmas and the substitute Boxing Day (28th) skipped: 29th
    assert _local(contact.due_at).date() == dt.date(2026, 12, 29)


def test_a_bad_event_is_refused_in_words(police, case_objects) -> None:
    case = case_objects["{case_shared}"]
    response = police.post(f"/cases/{case}/victims-code/", {"kind": "escape"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Select a valid choice" in page and "This field is required" in page
    assert not m.VcopEvent.objects.filter(case_id=case, kind="escape").exists()


def test_monthly_updates_follow_an_open_investigation_until_the_arrest(
    police, case_objects
) -> None:
    case = case_objects["{case_shared}"]
    m.VcopEvent.objects.filter(case_id=case).delete()  # the fixture's arrest on 2 October
    police.post(
        f"/cases/{case}/victims-code/",
        {"kind": "investigation_opened", "occurred_on": "2026-08-10", "occurred_time": "10:00"},
    )
    updates = m.VictimContact.objects.filter(case_id=case, reason="update").order_by("due_at")
    # 10 September, 12 October (the 10th a Saturday), 10 November, 10 December and the
    # next one within a month of today
    days = [_local(u.due_at).date() for u in updates]
    assert days[:3] == [dt.date(2026, 9, 10), dt.date(2026, 10, 12), dt.date(2026, 11, 10)]
    # an arrest on 1 November: the updates after it are no longer owed
    police.post(
        f"/cases/{case}/victims-code/",
        {"kind": "arrest", "occurred_on": "2026-11-01", "occurred_time": "09:00"},
    )
    days = [_local(u.due_at).date() for u in updates.all()]
    assert days == [dt.date(2026, 9, 10), dt.date(2026, 10, 12)]


def test_a_contact_recorded_as_made_and_the_overdue_list(police, case_objects) -> None:
    case, contact = case_objects["{case_shared}"], case_objects["{vcop_contact}"]
    page = police.get("/cases/victims-code/overdue/").content.decode()
    # the fixture's arrest contact, due 5 October 2026, not made: under the case's team
    assert "Lambeth CSU (1)" in page
    assert f'href="/cases/{case}/victims-code/"' in page
    assert "5 October 2026, 23:59" in page
    before = AuditEvent.objects.count()
    response = police.post(
        f"/cases/{case}/victims-code/contacts/{contact}/made/",
        {"made_on": "2026-10-06", "made_time": "09:30"},
    )
    assert response.status_code == 302
    made = m.VictimContact.objects.get(pk=contact)
    assert _local(made.made_at) == dt.datetime(2026, 10, 6, 9, 30)
    (entry,) = AuditEvent.objects.order_by("pk")[before:]
    assert entry.action == "vcop_recorded" and "made (late)" in entry.summary
    assert "No contact is overdue" in police.get("/cases/victims-code/overdue/").content.decode()
    # made once: not again
    again = police.post(f"/cases/{case}/victims-code/contacts/{contact}/made/", {})
    assert again.status_code == 404


def test_a_made_time_in_the_future_is_refused_in_words(police, case_objects) -> None:
    case, contact = case_objects["{case_shared}"], case_objects["{vcop_contact}"]
    tomorrow = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    response = police.post(
        f"/cases/{case}/victims-code/contacts/{contact}/made/", {"made_on": tomorrow}
    )
    assert response.status_code == 200
    assert "cannot have been made in the future" in response.content.decode()
    assert m.VictimContact.objects.get(pk=contact).made_at is None


def test_another_agency_is_refused_with_an_audit_entry(client_for, police, case_objects) -> None:
    idva = client_for(Role.PARTNER)  # Lambeth IDVA service
    other, shared = case_objects["{case_other}"], case_objects["{case_shared}"]
    for client, path in (
        (idva, f"/cases/{other}/victims-code/"),  # Southwark's: an id changed in the address
        (idva, f"/cases/{shared}/victims-code/"),  # shared with it, not the Victims' Code
        (police, f"/cases/{case_objects['{case_own}']}/victims-code/"),  # shared via MARAC
    ):
        for method in ("get", "post"):
            before = AuditEvent.objects.count()
            data = {"kind": "arrest", "occurred_on": "2026-12-01", "occurred_time": "10:00"}
            response = getattr(client, method)(path, data if method == "post" else None)
            assert response.status_code == 403, (path, method)
            (entry,) = AuditEvent.objects.order_by("pk")[before:]
            assert entry.action == "access_denied", (path, method)
            assert entry.object_type == "case"
    contact = case_objects["{vcop_contact}"]
    response = idva.post(f"/cases/{shared}/victims-code/contacts/{contact}/made/", {})
    assert response.status_code == 403
    assert m.VictimContact.objects.get(pk=contact).made_at is None
    assert not m.VcopEvent.objects.filter(occurred_at__date=dt.date(2026, 12, 1)).exists()
    # the overdue list of another agency's user does not show the police's contacts
    assert "Lambeth CSU" not in idva.get("/cases/victims-code/overdue/").content.decode()


def _compliance(client, query: str = "") -> dict[tuple[str, str], tuple[int, int]]:
    response = client.get(f"/cases/victims-code/compliance/{query}")
    assert response.status_code == 200
    return {
        (family["id"], line["reason"]): (line["on_time"], line["due"])
        for family in response.context["families"]
        for line in family["lines"]
    }


def test_compliance_by_reason_through_the_indicator(police, case_objects) -> None:
    case = case_objects["{case_shared}"]
    period = "?from=2026-01-01&to=2027-01-01"
    # the fixture's arrest contact, due 5 October and not made
    assert _compliance(police, period) == {("dv", "arrest"): (0, 1), ("dv", "ALL"): (0, 1)}
    police.post(
        f"/cases/{case}/victims-code/",
        {"kind": "interview", "occurred_on": "2026-11-02", "occurred_time": "10:00"},
    )
    interview = m.VictimContact.objects.get(case_id=case, reason="interview")
    police.post(
        f"/cases/{case}/victims-code/contacts/{interview.pk}/made/",
        {"made_on": "2026-11-03", "made_time": "12:00"},
    )
    figures = _compliance(police, period)
    assert figures == {
        ("dv", "arrest"): (0, 1),
        ("dv", "interview"): (1, 1),
        ("dv", "ALL"): (1, 2),
    }
    # a period with none of them
    assert _compliance(police, "?from=2025-01-01&to=2026-01-01") == {}
    page = police.get(f"/cases/victims-code/compliance/{period}").content.decode()
    assert "Interview under caution" in page and "50%" in page
    bad = police.get("/cases/victims-code/compliance/?from=2027-01-01&to=2026-01-01")
    assert "The end of the period must be after its start" in bad.content.decode()


def test_the_case_page_and_caseload_parts(police, case_objects) -> None:
    case = m.Case.objects.get(pk=case_objects["{case_shared}"])
    engine = engines["django"]
    part = engine.get_template("cases/fragments/case_vcop.html")
    shown = part.render({"case": case, "show": {"victims_code": True}})
    assert "1 overdue" in shown and "Arrest: was due 5 October 2026" in shown
    assert f'href="/cases/{case.pk}/victims-code/"' in shown
    assert part.render({"case": case, "show": {"victims_code": False}}).strip() == ""
    caseload = engine.get_template("cases/fragments/caseload_vcop.html")
    listed = caseload.render({"agencies": [case.agency]})
    assert "Lambeth CSU: <strong>1</strong> overdue contact" in listed
    assert 'href="/cases/victims-code/overdue/"' in listed
