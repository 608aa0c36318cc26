"""The Victims' Code pages of the cases app: recording an event stores the contacts it owes
with their deadlines, a contact recorded as made, the overdue list by team, refusals with
their audit entries, compliance through the indicator, the case page and caseload parts."""

from __future__ import annotations

import datetime as dt
import re

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


# --- the second review: page views write nothing, closed cases, dates refused in words ----------


def _open_investigation(case_id: int, days_ago: int) -> None:
    """An investigation opened ``days_ago`` with no arrest (stored directly: no sync)."""
    m.VcopEvent.objects.filter(case_id=case_id).delete()
    m.VictimContact.objects.filter(case_id=case_id).delete()
    m.VcopEvent.objects.create(
        case_id=case_id,
        kind="investigation_opened",
        occurred_at=timezone.now() - dt.timedelta(days=days_ago),
    )


def test_a_page_view_writes_nothing_but_shows_the_updates_owed(
    client_for, police, case_objects
) -> None:
    case = case_objects["{case_shared}"]
    _open_investigation(case, 95)
    share = m.Share.objects.get(pk=case_objects["{share}"])
    share.groups = sorted(set(share.groups) | {"victims_code"})
    share.save()
    idva = client_for(Role.PARTNER)  # the IDVA service the case is shared with
    for client in (idva, police):
        page = client.get(f"/cases/{case}/victims-code/")
        assert page.status_code == 200
        overdue = [line for line in page.context["contacts"] if line["status"] == "overdue"]
        assert [line["label"] for line in overdue] == ["Monthly update"] * 3
    police.get("/cases/victims-code/overdue/")
    police.get("/cases/victims-code/compliance/")
    assert not m.VictimContact.objects.filter(case_id=case).exists()  # nothing written
    listed = police.get("/cases/victims-code/overdue/")
    assert listed.context["total"] == 3
    # "made now" on an update not yet stored: the rows are synced, that one made
    first = min(line["contact"].due_at for line in overdue)
    response = police.post(f"/cases/{case}/victims-code/", {"update_due": first.isoformat()})
    assert response.status_code == 302
    updates = m.VictimContact.objects.filter(case_id=case, reason="update")
    assert updates.count() == 4  # three fallen due and the next one
    assert updates.get(due_at=first).made_at is not None
    assert police.get("/cases/victims-code/overdue/").context["total"] == 2


def test_the_sync_is_idempotent_and_one_row_per_update_is_enforced(police, case_objects) -> None:
    from django.db import IntegrityError, transaction

    from dsvb.web.cases.views.vcop import sync_updates

    case = m.Case.objects.get(pk=case_objects["{case_shared}"])
    _open_investigation(case.pk, 95)
    sync_updates(case)
    sync_updates(case)
    updates = m.VictimContact.objects.filter(case=case, reason="update")
    assert updates.count() == 4
    first = updates.order_by("due_at").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        m.VictimContact.objects.create(case=case, reason="update", due_at=first.due_at)
    # two contacts of other reasons at one time stay allowed (two events may owe them)
    m.VictimContact.objects.create(case=case, reason="arrest", due_at=first.due_at)
    m.VictimContact.objects.create(case=case, reason="arrest", due_at=first.due_at)


def test_closing_and_reopening_a_case_syncs_its_updates(police, case_objects) -> None:
    case = case_objects["{case_shared}"]
    _open_investigation(case, 95)
    police.post(  # an event recorded: the updates are stored, the next one ahead
        f"/cases/{case}/victims-code/",
        {"kind": "support_referral", "occurred_on": timezone.localdate().isoformat(),
         "occurred_time": "00:01"},
    )  # fmt: skip
    updates = m.VictimContact.objects.filter(case_id=case, reason="update")
    assert updates.count() == 4
    assert police.post(f"/cases/{case}/close/", {"outcome": "support_completed"}).status_code == 302
    assert updates.count() == 3  # the one ahead is not owed once the case closed
    assert police.post(f"/cases/{case}/reopen/", {"reason": "New incident"}).status_code == 302
    assert updates.count() == 4


def test_a_closed_case_is_off_the_overdue_list_and_its_contact_can_be_recorded(
    police, case_objects
) -> None:
    case = m.Case.objects.get(pk=case_objects["{case_shared}"])
    contact = case_objects["{vcop_contact}"]
    case.status, case.closed_on = "closed", dt.date(2026, 11, 1)
    case.save()
    assert police.get("/cases/victims-code/overdue/").context["total"] == 0
    caseload = engines["django"].get_template("cases/fragments/caseload_vcop.html")
    assert "No contact is overdue" in caseload.render({"agencies": [case.agency]})
    # compliance still counts it: due, not made, late
    assert _compliance(police, "?from=2026-10-01&to=2026-11-01")[("dv", "arrest")] == (0, 1)
    before = AuditEvent.objects.count()
    response = police.post(
        f"/cases/{case.pk}/victims-code/contacts/{contact}/made/",
        {"made_on": "2026-10-03", "made_time": "10:00"},
    )
    assert response.status_code == 302
    assert _local(m.VictimContact.objects.get(pk=contact).made_at) == dt.datetime(2026, 10, 3, 10)
    (entry,) = AuditEvent.objects.order_by("pk")[before:]
    assert entry.action == "vcop_recorded" and "the case is closed" in entry.summary
    assert _compliance(police, "?from=2026-10-01&to=2026-11-01")[("dv", "arrest")] == (1, 1)
    # the page offers "made now" on a closed case's contacts, but no new event
    page = police.get(f"/cases/{case.pk}/victims-code/")
    assert page.context["can_make"] and not page.context["can_record"]


def test_a_contact_made_before_its_event_is_refused_in_words(police, case_objects) -> None:
    case, contact = case_objects["{case_shared}"], case_objects["{vcop_contact}"]
    response = police.post(  # the arrest it reports was on 2 October 2026 at 14:00
        f"/cases/{case}/victims-code/contacts/{contact}/made/",
        {"made_on": "2026-10-02", "made_time": "13:59"},
    )
    assert response.status_code == 200
    assert (
        "cannot have been made before the event it follows (2 October 2026, 14:00)"
        in response.content.decode()
    )
    assert m.VictimContact.objects.get(pk=contact).made_at is None


def test_an_update_made_before_the_investigation_opened_is_refused(police, case_objects) -> None:
    case = m.Case.objects.get(pk=case_objects["{case_shared}"])
    _open_investigation(case.pk, 40)
    from dsvb.web.cases.views.vcop import sync_updates

    sync_updates(case)
    update = m.VictimContact.objects.filter(case=case, reason="update").order_by("due_at").first()
    too_early = (timezone.localdate() - dt.timedelta(days=45)).isoformat()
    response = police.post(
        f"/cases/{case.pk}/victims-code/contacts/{update.pk}/made/", {"made_on": too_early}
    )
    assert response.status_code == 200
    assert "cannot have been made before the investigation was opened" in (
        response.content.decode()
    )


def test_an_event_before_the_first_code_is_refused_in_words(police, case_objects) -> None:
    case = case_objects["{case_shared}"]
    response = police.post(
        f"/cases/{case}/victims-code/",
        {"kind": "investigation_opened", "occurred_on": "2005-06-01", "occurred_time": "10:00"},
    )
    assert response.status_code == 200
    assert "The Victims&#x27; Code came into force on 3 April 2006" in response.content.decode()
    assert not m.VcopEvent.objects.filter(case_id=case, kind="investigation_opened").exists()


def _more_cases(agency: m.Agency, victim: m.Person, n: int) -> None:
    for i in range(n):
        case = m.Case.objects.create(
            agency=agency, victim=victim, team=f"Team {i % 3}", area_code="E09000022"
        )
        event = m.VcopEvent.objects.create(
            case=case, kind="investigation_opened",
            occurred_at=timezone.now() - dt.timedelta(days=70),
        )  # fmt: skip
        m.VictimContact.objects.create(
            case=case, event=event, reason="arrest", due_at=timezone.now() - dt.timedelta(days=3)
        )
    m.Case.objects.create(agency=agency, victim=victim, status="closed",
                          opened_on=dt.date(2026, 1, 1), closed_on=dt.date(2026, 2, 1))  # fmt: skip


def test_the_caseload_and_overdue_list_take_the_same_queries_for_more_cases(
    police, case_objects
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = m.Case.objects.get(pk=case_objects["{case_shared}"])
    caseload = engines["django"].get_template("cases/fragments/caseload_vcop.html")

    def counts() -> tuple[int, int, str]:
        with CaptureQueriesContext(connection) as part:
            listed = caseload.render({"agencies": [case.agency]})
        with CaptureQueriesContext(connection) as page:
            assert police.get("/cases/victims-code/overdue/").status_code == 200
        return len(part), len(page), listed

    _more_cases(case.agency, case.victim, 2)
    few_part, few_page, _ = counts()
    _more_cases(case.agency, case.victim, 10)
    many_part, many_page, listed = counts()
    assert (many_part, many_page) == (few_part, few_page)
    assert few_part <= 3
    # 13 open cases: 12 arrest contacts overdue, 24 monthly updates (two each), the fixture's
    assert sum(int(n) for n in re.findall(r"<strong>(\d+)</strong>", listed)) == 37
