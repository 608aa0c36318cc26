"""Object-level holes a review found after the cycle was built: actions written in draft
minutes shown to (and updated by) their borough; a brief withdrawn before it was ever sent
shown to its borough; a session's findings changed after its letter was sent. Each attack is
made by a real signed-in client against the real pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import Action, AuditEvent
from dsvb.web.oversight import models as m
from tests.support.web_fixtures import LAMBETH

TASK = "Ring Zed"


@pytest.fixture
def lambeth(client_for) -> Client:
    return client_for(Role.BOROUGH_USER)


@pytest.fixture
def draft_action(cycle_objects) -> m.ActionItem:
    """Lambeth's action written in the later meeting's minutes, which are still a draft."""
    meeting = m.Meeting.objects.get(pk=cycle_objects["{meeting_later}"])
    assert meeting.minutes.status == "draft"
    return m.ActionItem.objects.create(
        meeting=meeting,
        owners=LAMBETH,
        owner_area_codes=LAMBETH,
        task=TASK,
        due=dt.date(2030, 1, 10),
    )


def _everywhere(client: Client, action: m.ActionItem) -> dict[str, bool]:
    """Whether the action shows on each page that lists actions."""
    link = f"/board/actions/{action.pk}/"
    feed_token = m.CalendarToken.for_user(client.user).token
    return {
        "register": link in client.get("/board/actions/").content.decode(),
        "home": TASK in client.get("/board/").content.decode(),
        "due": link in client.get("/board/due/").content.decode(),
        "calendar": TASK in client.get(f"/board/calendar/{feed_token}.ics").content.decode(),
    }


def test_actions_of_draft_minutes_are_the_boards_until_approved(
    lambeth, client_for, cycle_objects, draft_action
) -> None:
    path = f"/board/actions/{draft_action.pk}/"
    assert lambeth.get(path).status_code == 403
    refusal = AuditEvent.objects.filter(action=Action.ACCESS_DENIED, object_id=str(draft_action.pk))
    assert refusal.filter(object_type="action").exists()
    assert lambeth.post(path, {"note": "Done already."}).status_code == 403
    assert m.ActionItem.objects.get(pk=draft_action.pk).progress == ""
    assert not m.ActionUpdate.objects.filter(action=draft_action).exists()
    assert _everywhere(lambeth, draft_action) == dict.fromkeys(
        ("register", "home", "due", "calendar"), False
    )
    # the secretariat sees it all along
    secretariat = client_for(Role.SECRETARIAT)
    assert secretariat.get(path).status_code == 200

    meeting = cycle_objects["{meeting_later}"]
    approve = secretariat.post(f"/board/meetings/{meeting}/minutes/approve/", {})
    assert approve.status_code == 302
    assert lambeth.get(path).status_code == 200
    assert _everywhere(lambeth, draft_action) == dict.fromkeys(
        ("register", "home", "due", "calendar"), True
    )
    assert lambeth.post(path, {"note": "Done already."}).status_code == 302
    assert m.ActionItem.objects.get(pk=draft_action.pk).progress == "Done already."


def test_actions_of_a_meeting_without_minutes_are_the_boards(lambeth, cycle_objects) -> None:
    coming = m.Meeting.objects.get(pk=cycle_objects["{meeting_coming}"])
    action = m.ActionItem.objects.create(
        meeting=coming, owners=LAMBETH, owner_area_codes=LAMBETH, task=TASK
    )
    assert lambeth.get(f"/board/actions/{action.pk}/").status_code == 403


def test_a_brief_withdrawn_before_it_was_sent_stays_the_boards(lambeth, cycle_objects) -> None:
    never_sent = cycle_objects["{brief_draft}"]
    m.Brief.objects.filter(pk=never_sent).update(status="withdrawn", sent_on=None)
    assert lambeth.get(f"/board/briefs/{never_sent}/").status_code == 403
    # one withdrawn after it was sent was the borough's: it still reads it
    sent = cycle_objects["{brief_own}"]
    m.Brief.objects.filter(pk=sent).update(status="withdrawn")
    assert lambeth.get(f"/board/briefs/{sent}/").status_code == 200


@pytest.fixture
def secretariat(client_for) -> Client:
    return client_for(Role.SECRETARIAT)


def _page(client: Client, path: str) -> str:
    """The page's text without its per-request form token."""
    return re.sub(
        r'name="csrfmiddlewaretoken" value="[^"]*"', "", client.get(path).content.decode()
    )


def _refused(response, before: int) -> None:
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED).count() == before + 1


def test_findings_of_a_sent_letter_cannot_change(secretariat, cycle_objects) -> None:
    session = cycle_objects["{session_own}"]
    letter_path = f"/board/sessions/{session}/letter/"
    letter_before = _page(secretariat, letter_path)
    assert "Good work." in letter_before
    commend = cycle_objects["{commend_own}"]
    findings = list(m.Finding.objects.filter(session_id=session).values())

    denied = AuditEvent.objects.filter(action=Action.ACCESS_DENIED).count()
    edit = secretariat.post(
        f"/board/findings/{commend}/", {"kind": "commend", "theme": "", "text": "Rewritten."}
    )
    _refused(edit, denied)
    _refused(secretariat.post(f"/board/findings/{commend}/move/", {"to": "rejected"}), denied + 1)
    _refused(secretariat.post(f"/board/sessions/{session}/findings/", {"draft": "1"}), denied + 2)
    _refused(
        secretariat.post(
            f"/board/sessions/{session}/findings/", {"kind": "commend", "text": "Added late."}
        ),
        denied + 3,
    )
    assert list(m.Finding.objects.filter(session_id=session).values()) == findings
    assert _page(secretariat, letter_path) == letter_before


def test_findings_change_while_the_letter_is_a_draft(secretariat, cycle_objects) -> None:
    """The refusal is the sent letter's: the same edit on a draft letter's finding is made."""
    m.Letter.objects.filter(pk=cycle_objects["{letter_own}"]).update(status="draft")
    commend = cycle_objects["{commend_own}"]
    edit = secretariat.post(
        f"/board/findings/{commend}/", {"kind": "commend", "theme": "", "text": "Rewritten."}
    )
    assert edit.status_code == 302
    assert m.Finding.objects.get(pk=commend).text == "Rewritten."


def test_drafting_again_never_deletes_a_finding_with_a_response(demo_store, secretariat) -> None:
    meeting = m.Meeting.objects.create(
        date=dt.date(2010, 12, 14), kind="borough_session", status="held"
    )
    session = m.Session.objects.create(meeting=meeting, area_code="E09000008")  # Croydon
    path = f"/board/sessions/{session.pk}/findings/"
    assert secretariat.post(path, {"draft": "1"}).status_code == 302
    drafted = list(session.findings.order_by("order"))
    assert drafted, "the rules draft something for Croydon on the demo store"
    answered = drafted[0]
    m.Finding.objects.filter(pk=answered.pk).update(
        response="Reviewed already.", response_status="answered"
    )
    assert secretariat.post(path, {"draft": "1"}).status_code == 302
    kept = m.Finding.objects.get(pk=answered.pk)
    assert (kept.response, kept.response_status) == ("Reviewed already.", "answered")
    assert session.findings.filter(rule_id=answered.rule_id).count() == 1
    assert session.findings.count() == len(drafted)
