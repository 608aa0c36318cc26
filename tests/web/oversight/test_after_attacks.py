"""Object-level attacks on the pages after a session: a Lambeth borough user changing the id
in the address to Southwark's letter, follow-up, findings or action, reading draft minutes of
its own meeting, answering Southwark's follow-up items; the public asking for a draft annual
report. Each refusal is a 403 (or 404 / sign-in for the public) with the refusal audited,
and nothing is changed."""

from __future__ import annotations

import pytest
from django.test import Client

from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import Action, AuditEvent
from dsvb.web.oversight import audit
from dsvb.web.oversight import models as m


@pytest.fixture
def lambeth(client_for) -> Client:
    return client_for(Role.BOROUGH_USER)


def _path(template: str, ids: dict[str, int]) -> str:
    for placeholder, value in ids.items():
        template = template.replace(placeholder, str(value))
    return template


def answer(item: int, text: str, status: str) -> dict[str, str]:
    """The follow-up page's fields for one item (each item's form has its own prefix)."""
    return {f"item-{item}-response": text, f"item-{item}-response_status": status}


def _refusals(path: str) -> list[AuditEvent]:
    return [
        e
        for e in AuditEvent.objects.filter(action=Action.ACCESS_DENIED)
        if path in e.summary or e.object_id == path[:120]
    ]


@pytest.mark.parametrize(
    "template, kind",
    [
        ("/board/sessions/{session_other}/letter/", "letter"),
        ("/board/sessions/{session_other}/letter.pdf", "letter"),
        ("/board/sessions/{session_other}/follow-up/", "letter"),
        ("/board/sessions/{session_other}/follow-up/report.docx", "letter"),
        ("/board/sessions/{session_other}/findings/", "url"),
        ("/board/sessions/{session_own}/findings/", "url"),
        ("/board/actions/{action_other}/", "action"),
        ("/board/meetings/{meeting_later}/minutes/", "minutes"),
        ("/board/recommendations/", "url"),
        ("/board/annual-report/{annual_report}/", "url"),
    ],
)
def test_a_borough_user_is_refused_another_boroughs_papers(
    lambeth, cycle_objects, template, kind
) -> None:
    path = _path(template, cycle_objects)
    response = lambeth.get(path)
    assert response.status_code == 403
    refusals = _refusals(path)
    assert len(refusals) == 1, f"one audited refusal for {path}"
    assert refusals[0].object_type == kind
    assert refusals[0].actor_username == lambeth.user.username


def test_the_borough_reads_its_own_sent_letter_and_follow_up(lambeth, cycle_objects) -> None:
    for template in (
        "/board/sessions/{session_own}/letter/",
        "/board/sessions/{session_own}/follow-up/",
        "/board/sessions/{session_own}/follow-up/report.html",
        "/board/actions/{action_own}/",
    ):
        assert lambeth.get(_path(template, cycle_objects)).status_code == 200, template


def test_a_draft_letter_of_its_own_is_refused(lambeth, cycle_objects) -> None:
    m.Letter.objects.filter(pk=cycle_objects["{letter_own}"]).update(status="draft")
    path = _path("/board/sessions/{session_own}/letter/", cycle_objects)
    response = lambeth.get(path)
    assert response.status_code == 403
    assert "draft" in _refusals(path)[0].details["reason"]


def test_the_action_register_lists_only_the_boroughs_own(lambeth, cycle_objects) -> None:
    page = lambeth.get("/board/actions/").content.decode()
    assert f"/board/actions/{cycle_objects['{action_own}']}/" in page
    assert f"/board/actions/{cycle_objects['{action_other}']}/" not in page


def test_draft_minutes_of_its_own_meeting_are_refused_until_approved(
    lambeth, client_for, cycle_objects
) -> None:
    meeting = cycle_objects["{meeting}"]
    m.Minutes.objects.filter(meeting_id=meeting).update(status="draft")
    path = f"/board/meetings/{meeting}/minutes/"
    assert lambeth.get(path).status_code == 403
    assert _refusals(path)[0].object_type == "minutes"

    secretariat = client_for(Role.SECRETARIAT)
    approve = secretariat.post(f"/board/meetings/{meeting}/minutes/approve/", {})
    assert approve.status_code == 302
    assert m.Minutes.objects.get(meeting_id=meeting).status == "approved"
    assert AuditEvent.objects.filter(action=audit.MINUTES_APPROVED).count() == 1
    page = lambeth.get(path)
    assert page.status_code == 200
    assert "Welcome." in page.content.decode()


def test_answering_another_boroughs_follow_up_item_is_refused(lambeth, cycle_objects) -> None:
    item = cycle_objects["{follow_up_other}"]
    path = _path("/board/sessions/{session_other}/follow-up/", cycle_objects)
    response = lambeth.post(path, {"item": item, **answer(item, "Done, honestly.", "answered")})
    assert response.status_code == 403
    assert _refusals(path)
    finding = m.Finding.objects.get(pk=item)
    assert (finding.response, finding.response_status) == ("", "awaited")


def test_answering_another_boroughs_item_through_its_own_letter_is_not_found(
    lambeth, cycle_objects
) -> None:
    """Its own letter's address with Southwark's item: the item is not one of the letter's."""
    item = cycle_objects["{follow_up_other}"]
    path = _path("/board/sessions/{session_own}/follow-up/", cycle_objects)
    response = lambeth.post(path, {"item": item, **answer(item, "x", "answered")})
    assert response.status_code == 404
    assert m.Finding.objects.get(pk=item).response == ""


def test_the_borough_answers_its_own_follow_up_item(lambeth, cycle_objects) -> None:
    item = cycle_objects["{follow_up_own}"]
    path = _path("/board/sessions/{session_own}/follow-up/", cycle_objects)
    response = lambeth.post(
        path, {"item": item, **answer(item, "Cautions reviewed.", "partly_answered")}
    )
    assert response.status_code == 302
    finding = m.Finding.objects.get(pk=item)
    assert (finding.response, finding.response_status) == ("Cautions reviewed.", "partly_answered")
    assert finding.responded_by == lambeth.user.username
    assert AuditEvent.objects.filter(action=audit.FOLLOW_UP_ANSWERED).count() == 1
    report = lambeth.get(
        _path("/board/sessions/{session_own}/follow-up/report.html", cycle_objects)
    )
    assert "Cautions reviewed." in report.content.decode()


def test_the_borough_reports_progress_on_its_own_action_only(lambeth, cycle_objects) -> None:
    own, other = cycle_objects["{action_own}"], cycle_objects["{action_other}"]
    assert lambeth.post(f"/board/actions/{own}/", {"note": "Figures sent."}).status_code == 302
    assert m.ActionItem.objects.get(pk=own).progress == "Figures sent."
    assert m.ActionUpdate.objects.filter(action_id=own).count() == 1
    assert lambeth.post(f"/board/actions/{other}/", {"note": "Not ours."}).status_code == 403
    assert m.ActionItem.objects.get(pk=other).progress == ""
    # a board member sees the action but does not add to it
    assert (
        lambeth.post(f"/board/actions/{own}/", {"status": "done", "note": "x"}).status_code == 302
    )
    assert m.ActionItem.objects.get(pk=own).status == "open", "a borough does not move status"


def test_a_board_member_may_not_change_findings(client_for, cycle_objects) -> None:
    member = client_for(Role.BOARD_MEMBER)
    path = _path("/board/sessions/{session_own}/findings/", cycle_objects)
    assert member.get(path).status_code == 200
    assert member.post(path, {"kind": "commend", "text": "Sneaked in."}).status_code == 403
    assert _refusals(path)
    assert not m.Finding.objects.filter(text="Sneaked in.").exists()


def test_the_public_never_sees_a_draft_annual_report(cycle_objects) -> None:
    public = Client()
    year = cycle_objects["{annual_report}"]  # a draft
    assert public.get(f"/board/annual-report/{year}/published/").status_code == 404
    assert public.get(f"/board/annual-report/{year}/published.pdf").status_code == 404
    for path in (
        f"/board/annual-report/{year}/",
        f"/board/annual-report/{year}/preview/",
        f"/board/annual-report/{year}/report.pdf",
    ):
        response = public.get(path)
        assert response.status_code == 302 and response["Location"].startswith(
            "/accounts/sign-in/"
        ), path
    published = cycle_objects["{annual_report_published}"]
    page = public.get(f"/board/annual-report/{published}/published/")
    assert page.status_code == 200
    assert "Annual report 2009" in page.content.decode()
