"""Object-level attacks on the planning pages: a borough user who changes an id in the address
to another borough's brief or report is refused (403) and the refusal is in the audit log;
uploads go only to a brief that is sent, and a refusal says why."""

from __future__ import annotations

import io

import pytest

from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import Action, AuditEvent
from dsvb.web.oversight import models as m

ATTACKS = [
    ("get", "/board/briefs/{brief_other}/"),
    ("get", "/board/briefs/{brief_other}/brief.pdf"),
    ("get", "/board/briefs/{brief_other}/brief.docx"),
    ("get", "/board/reports/{report_other}/"),
    ("get", "/board/reports/{report_other}/download/"),
    ("get", "/board/briefs/{brief_other}/upload/"),
    ("post", "/board/briefs/{brief_other}/upload/"),
    (
        "get",
        "/board/briefs/{brief_draft}/",
    ),  # its own, but a draft: the board's alone
]


def _path(template: str, ids: dict) -> str:
    for placeholder, value in ids.items():
        template = template.replace(placeholder, str(value))
    return template


def _report_file(name: str = "report.txt") -> io.BytesIO:
    f = io.BytesIO(b"1474 incidents of which 791 were offences (54%).\n")
    f.name = name
    return f


@pytest.mark.parametrize(("method", "template"), ATTACKS)
def test_a_borough_user_is_refused_another_boroughs_papers_and_the_refusal_is_audited(
    method, template, client_for, cycle_objects
) -> None:
    client = client_for(Role.BOROUGH_USER)  # Lambeth
    path = _path(template, cycle_objects)
    before = m.BoroughReport.objects.count()
    data = {"kind": "final", "file": _report_file()} if method == "post" else None
    response = getattr(client, method)(path, data) if data else getattr(client, method)(path)
    assert response.status_code == 403, (path, response.status_code)
    refusal = AuditEvent.objects.filter(action=Action.ACCESS_DENIED).latest("id")
    assert refusal.actor_id == client.user.pk
    assert path in refusal.summary
    assert refusal.object_type in {"brief", "report"}
    assert m.BoroughReport.objects.count() == before  # nothing stored
    # and nothing of the refused object was shown
    assert b"1474" not in response.content


def test_the_same_pages_of_its_own_borough_are_served(client_for, cycle_objects) -> None:
    client = client_for(Role.BOROUGH_USER)
    for template in (
        "/board/briefs/{brief_own}/",
        "/board/reports/{report_own}/",
        "/board/reports/{report_own}/download/",
    ):
        assert client.get(_path(template, cycle_objects)).status_code == 200, template
    download = client.get(_path("/board/reports/{report_own}/download/", cycle_objects))
    assert download.content == b"1474 incidents of which 791 were offences (54%)."
    assert AuditEvent.objects.filter(action="document_downloaded").exists()


@pytest.mark.parametrize("state", ["withdrawn", "closed"])
def test_an_upload_to_a_brief_that_takes_none_is_refused_with_the_reason(
    state, client_for, cycle_objects
) -> None:
    brief = m.Brief.objects.get(pk=cycle_objects["{brief_own}"])
    brief.move_to(state, reason="the session was moved")
    brief.save()
    client = client_for(Role.BOROUGH_USER)
    response = client.post(
        f"/board/briefs/{brief.pk}/upload/", {"kind": "final", "file": _report_file()}
    )
    assert response.status_code == 403
    refusal = AuditEvent.objects.filter(action=Action.ACCESS_DENIED).latest("id")
    assert f"is {state}: it takes nothing now" in refusal.details["reason"]
    assert m.BoroughReport.objects.filter(brief=brief).count() == 1  # the fixture's only
    # the brief's page says why instead of offering the upload
    page = client.get(f"/board/briefs/{brief.pk}/").content.decode()
    assert "Upload a report" not in page and "it takes nothing now" in page


def test_a_board_member_may_read_but_not_upload(client_for, cycle_objects) -> None:
    client = client_for(Role.BOARD_MEMBER)
    brief = cycle_objects["{brief_own}"]
    assert client.get(f"/board/briefs/{brief}/").status_code == 200
    response = client.post(
        f"/board/briefs/{brief}/upload/", {"kind": "final", "file": _report_file()}
    )
    assert response.status_code == 403
