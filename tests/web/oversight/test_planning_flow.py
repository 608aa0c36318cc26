"""The planning pages doing their work: a meeting planned with its boroughs, attendance
recorded, a brief written, sent (kept as sent) and withdrawn, a held meeting closing its
briefs, what's due for the board and for a borough, the board's home page and navigation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import AuditEvent
from dsvb.web.oversight import models as m
from tests.support.web_fixtures import LAMBETH, SOUTHWARK


@pytest.fixture
def secretariat(client_for):
    return client_for(Role.SECRETARIAT)


def test_a_meeting_is_planned_with_its_boroughs_and_attendance_recorded(
    secretariat, cycle_objects
) -> None:
    response = secretariat.post(
        "/board/meetings/new/",
        {
            "date": "2031-03-11",
            "starts_at": "14:00",
            "kind": "borough_session",
            "title": "",
            "location": "City Hall",
            "agenda": "Minutes of the last meeting\nLambeth\nSouthwark",
            "units": "",
            "boroughs": [LAMBETH, SOUTHWARK],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    meeting = m.Meeting.objects.get(date=dt.date(2031, 3, 11))
    assert sorted(meeting.area_codes) == sorted([LAMBETH, SOUTHWARK])
    member = cycle_objects["{member}"]
    for data in (
        {"member": member, "attendance": "present"},
        {"name": "DCI Example", "organisation": "Lambeth BOCU", "attendance": "guest"},
    ):
        assert (
            secretariat.post(f"/board/meetings/{meeting.pk}/attendance/", data).status_code == 302
        )
    page = secretariat.get(f"/board/meetings/{meeting.pk}/").content.decode()
    assert "DCI Example" in page and "A Co-Chair" in page and "Write the brief" in page
    assert f"/board/meetings/{meeting.pk}/minutes/" in page
    # a guest with no name is refused, saying what is missing
    refused = secretariat.post(
        f"/board/meetings/{meeting.pk}/attendance/", {"attendance": "present"}
    )
    assert "Choose a member or give a guest" in refused.content.decode()
    assert AuditEvent.objects.filter(action="meeting_changed").count() == 3


def test_a_cancelled_meeting_needs_a_reason(secretariat, cycle_objects) -> None:
    pk = cycle_objects["{meeting_coming}"]
    assert secretariat.post(f"/board/meetings/{pk}/cancel/", {"reason": ""}).status_code == 200
    assert m.Meeting.objects.get(pk=pk).status == "planned"
    secretariat.post(f"/board/meetings/{pk}/cancel/", {"reason": "The venue is closed"})
    meeting = m.Meeting.objects.get(pk=pk)
    assert meeting.status == "cancelled" and meeting.status_reason == "The venue is closed"


def test_a_brief_is_written_sent_kept_as_sent_and_then_seen_by_its_borough(
    secretariat, client_for, cycle_objects
) -> None:
    session = m.Session.objects.get(pk=cycle_objects["{session_coming}"])  # Southwark
    form = secretariat.get(f"/board/sessions/{session.pk}/brief/new/").content.decode()
    defaults = m.Brief.defaults_for(session.meeting.date)
    assert defaults["draft_due"].isoformat() in form
    response = secretariat.post(
        f"/board/sessions/{session.pk}/brief/new/",
        {
            "period_start": "2029-01-01",
            "period_end": "2029-12-31",
            "draft_due": defaults["draft_due"].isoformat(),
            "final_due": (session.meeting.date + dt.timedelta(days=1)).isoformat(),
            "length_limit": "No more than 20 pages",
            "contacts": "Secretariat: board@example.org",
        },
    )
    assert "on or before the meeting" in response.content.decode()
    response = secretariat.post(
        f"/board/sessions/{session.pk}/brief/new/",
        {
            "period_start": "2029-01-01",
            "period_end": "2029-12-31",
            "draft_due": defaults["draft_due"].isoformat(),
            "final_due": defaults["final_due"].isoformat(),
            "length_limit": "No more than 20 pages",
            "contacts": "Secretariat: board@example.org",
        },
    )
    assert response.status_code == 302
    brief = m.Brief.objects.get(session=session)
    southwark = client_for(Role.BOROUGH_USER, username="southwark", area_code=SOUTHWARK)
    assert southwark.get(f"/board/briefs/{brief.pk}/").status_code == 403  # a draft
    assert secretariat.post(f"/board/briefs/{brief.pk}/send/").status_code == 302
    brief.refresh_from_db()
    assert brief.status == "sent" and brief.sent_on == timezone.localdate()
    assert bytes(brief.sent_pdf).startswith(b"%PDF") and bytes(brief.sent_docx)[:2] == b"PK"
    assert brief.sent_html
    assert AuditEvent.objects.filter(action="brief_sent", object_id=str(brief.pk)).exists()
    # the borough sees it now, and downloads it as sent
    page = southwark.get(f"/board/briefs/{brief.pk}/").content.decode()
    assert "as sent" in page and "Upload a report" in page
    pdf = southwark.get(f"/board/briefs/{brief.pk}/brief.pdf")
    assert pdf.content == bytes(brief.sent_pdf)
    entry = AuditEvent.objects.filter(action="document_downloaded").latest("id")
    assert entry.actor_id == southwark.user.pk and "as sent" in entry.summary
    # a sent brief is not changed; withdrawing it needs a reason and stops uploads
    assert secretariat.get(f"/board/briefs/{brief.pk}/edit/").status_code == 302
    assert (
        secretariat.post(f"/board/briefs/{brief.pk}/withdraw/", {"reason": ""}).status_code == 200
    )
    secretariat.post(f"/board/briefs/{brief.pk}/withdraw/", {"reason": "Session moved"})
    brief.refresh_from_db()
    assert brief.status == "withdrawn" and brief.status_reason == "Session moved"
    assert southwark.get(f"/board/briefs/{brief.pk}/upload/").status_code == 403


def test_holding_a_meeting_closes_its_briefs(secretariat, cycle_objects) -> None:
    meeting = m.Meeting.objects.get(pk=cycle_objects["{meeting_coming}"])
    brief = m.Brief.objects.get(pk=cycle_objects["{brief_draft}"])
    brief.status = "sent"
    brief.save()
    assert secretariat.post(f"/board/meetings/{meeting.pk}/held/").status_code == 302
    meeting.refresh_from_db()
    brief.refresh_from_db()
    assert meeting.status == "held" and brief.status == "closed"
    # held is final: a second move is refused with the reason, nothing changes
    secretariat.post(f"/board/meetings/{meeting.pk}/cancel/", {"reason": "late"})
    meeting.refresh_from_db()
    assert meeting.status == "held"


def test_whats_due_shows_the_board_everything_and_a_borough_its_own(
    secretariat, client_for, cycle_objects
) -> None:
    board = secretariat.get("/board/due/").content.decode()
    # the fixture's briefs were sent in 2010 with reports in; their letters went; the
    # actions are open with no date but the next meeting's: late
    assert "Send the figures" in board
    assert "Lambeth" in board and "Southwark" in board
    assert "Brief to Lambeth for the borough session on 16 November 2030" in board
    lambeth = client_for(Role.BOROUGH_USER).get("/board/due/").content.decode()
    assert "Lambeth" in lambeth and "Southwark" not in lambeth
    assert "16 November 2030" not in lambeth  # a draft brief is the board's
    assert client_for(Role.FORCE_ANALYST).get("/board/due/").status_code == 403


def test_the_home_page_and_the_navigation(client_for, cycle_objects) -> None:
    borough = client_for(Role.BOROUGH_USER)
    page = borough.get("/board/").content.decode()
    assert "Your borough's papers" in page and "report.txt" in page
    assert f"/board/briefs/{cycle_objects['{brief_own}']}/" in page
    assert f"/board/briefs/{cycle_objects['{brief_other}']}/" not in page
    assert 'href="/board/"' in page  # the Board item
    board = client_for(Role.BOARD_MEMBER).get("/board/").content.decode()
    assert "Coming meetings" in board and "/board/planner/" in board
    analyst = client_for(Role.FORCE_ANALYST).get("/performance/").content.decode()
    assert 'href="/board/"' not in analyst


def test_a_years_brief_template_is_edited_and_a_broken_one_refused(secretariat, cycle_objects):
    page = secretariat.get("/board/briefs/templates/2011/").content.decode()
    assert "B2" in page
    response = secretariat.post("/board/briefs/templates/2011/", {"text": "## Nonsense"})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert not m.BriefTemplate.objects.exists()
