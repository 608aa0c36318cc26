"""Minutes in, through the web: typed, imported from a real DOCX made here and from the
minutes seed (its 15 action lines become 15 actions with owners); previewed before anything
is stored; the actions in the register, and as the next meeting's matters arising."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import AuditEvent
from dsvb.web.oversight import audit
from dsvb.web.oversight import models as m

ROOT = Path(__file__).resolve().parents[3]
SEED = ROOT / "tests" / "data" / "seeds" / "003_board_notes_2007-11-06.txt"  # the seed's copy
KINGSTON = "E09000021"


@pytest.fixture
def secretariat(client_for):
    return client_for(Role.SECRETARIAT)


@pytest.fixture
def meeting(db) -> m.Meeting:
    return m.Meeting.objects.create(date=dt.date(2007, 11, 6), kind="business_meeting")


def _docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Board meeting, 15 June 2010", 1)
    document.add_paragraph("1. Apologies were received from the co-chair.")
    document.add_paragraph("2. Lambeth presented its figures on cautions.")
    document.add_paragraph(
        "Action: Board staff to write to the Lambeth borough commander by 30 June 2010"
    )
    document.add_paragraph("3. Southwark: the murder review was discussed.")
    document.add_paragraph("ACTION – Southwark, Board staff")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _preview_then_save(client, meeting: m.Meeting, data: dict) -> tuple[str, object]:
    path = f"/board/meetings/{meeting.pk}/minutes/import/"
    preview = client.post(path, data)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Check the minutes before saving" in page
    assert not m.Minutes.objects.filter(meeting=meeting).exists(), "a preview stores nothing"
    content = re.search(r'name="content" value="([^"]*)"', page)[1]
    name = re.search(r'name="name" value="([^"]*)"', page)[1]
    saved = client.post(path, {"save": "1", "content": content, "name": name})
    assert saved.status_code == 302
    return page, saved


def test_minutes_imported_from_a_docx(secretariat, meeting) -> None:
    upload = SimpleUploadedFile("minutes.docx", _docx())
    page, _ = _preview_then_save(secretariat, meeting, {"upload": upload})
    assert "write to the Lambeth borough commander" in page

    minutes = m.Minutes.objects.get(meeting=meeting)
    assert minutes.status == "draft" and minutes.source_name == "minutes.docx"
    assert [p.number for p in minutes.paragraphs.all()] == ["1", "2", "3"]
    actions = list(meeting.actions.order_by("id"))
    assert [(a.owners, a.paragraph_number) for a in actions] == [
        ("Board staff", "2"),
        ("Southwark; Board staff", "3"),
    ]
    assert actions[0].due == dt.date(2010, 6, 30)
    assert actions[0].paragraph.number == "2"
    assert actions[1].owner_area_codes == "E09000028"
    assert AuditEvent.objects.filter(action=audit.MINUTES_IMPORTED).count() == 1


def test_the_minutes_seed_gives_its_15_actions_with_owners(secretariat, meeting) -> None:
    upload = SimpleUploadedFile("board-notes-2007-11-06.txt", SEED.read_bytes())
    page, _ = _preview_then_save(secretariat, meeting, {"upload": upload})
    assert "names no owner" in page
    actions = list(meeting.actions.all())
    assert len(actions) == 15
    assert all(a.owners.strip() and a.task.strip() for a in actions)
    # the one the minutes wrote in the passive is the board's until it allocates it (the
    # preview warned of it: "names no owner")
    (passive,) = [a for a in actions if a.task.startswith("Disproportionality")]
    assert passive.owners == "Board"
    owners = {a.owners for a in actions}
    assert {"Shaun Sawyer", "Board staff"} <= {o.split("; ")[0] for o in owners}
    kingston = [a for a in actions if KINGSTON in a.area_codes]
    assert len(kingston) == 1 and "murder review" in kingston[0].task
    # the register lists every one, linked to its source paragraph
    register = secretariat.get("/board/actions/").content.decode()
    assert register.count(f"/board/meetings/{meeting.pk}/minutes/#paragraph-") == 15
    # who attended, from the minutes' lists: the board's members present, the rest guests
    attendees = list(meeting.attendees.all())
    assert len(attendees) == 7 + 9 + 3 + 18
    present = {a.name for a in attendees if a.attendance == "present"}
    assert "Cindi Butts" in present and len(present) == 7
    assert {a.organisation for a in attendees if a.attendance == "guest"} == {
        "MPS",
        "MPA",
        "Other Attendees",
    }


def test_typed_minutes_edited_and_approved_then_matters_arising_next_time(
    secretariat, meeting
) -> None:
    text = (
        "1. Welcome and apologies.\n\n"
        "2. Data quality was discussed.\n"
        "Action: Board staff to circulate the data paper\n\n"
        "3. Any other business.\n"
        "Action: Shaun Sawyer to update on SLA\n"
    )
    _preview_then_save(secretariat, meeting, {"text": text})
    minutes = m.Minutes.objects.get(meeting=meeting)
    first = minutes.paragraphs.get(number="1")
    edit = secretariat.post(
        f"/board/meetings/{meeting.pk}/minutes/paragraphs/{first.pk}/",
        {"heading": "", "text": "Welcome; apologies from the co-chair."},
    )
    assert edit.status_code == 302
    assert minutes.paragraphs.get(number="1").text == "Welcome; apologies from the co-chair."

    later = m.Meeting.objects.create(date=dt.date(2008, 1, 15), kind="business_meeting")
    secretariat.post(
        f"/board/meetings/{meeting.pk}/minutes/approve/", {"approved_at_meeting": later.pk}
    )
    minutes.refresh_from_db()
    assert minutes.status == "approved" and minutes.approved_at_meeting == later
    # approved minutes are not changed
    again = secretariat.post(
        f"/board/meetings/{meeting.pk}/minutes/paragraphs/{first.pk}/", {"text": "Changed"}
    )
    assert again.status_code == 302
    assert minutes.paragraphs.get(number="1").text == "Welcome; apologies from the co-chair."

    done = meeting.actions.get(owners="Shaun Sawyer")
    secretariat.post(
        f"/board/actions/{done.pk}/", {"update": "1", "status": "done", "note": "Done"}
    )
    assert m.ActionItem.objects.get(pk=done.pk).status == "done"

    page = secretariat.get(f"/board/meetings/{later.pk}/minutes/").content.decode()
    arising = page.split('id="matters-arising"')[1].split("</table>")[0]
    assert "circulate the data paper" in arising
    assert "update on SLA" not in arising, "a closed action is not a matter arising"


def test_a_move_needing_a_reason_is_refused_without_one(secretariat, cycle_objects) -> None:
    action = cycle_objects["{action_other}"]
    response = secretariat.post(
        f"/board/actions/{action}/", {"update": "1", "status": "dropped", "note": " "}
    )
    assert response.status_code == 200
    assert m.ActionItem.objects.get(pk=action).status == "open"
    response = secretariat.post(
        f"/board/actions/{action}/",
        {"update": "1", "status": "dropped", "note": "Overtaken by the review"},
    )
    assert response.status_code == 302
    assert m.ActionItem.objects.get(pk=action).status == "dropped"


def test_a_file_that_is_not_minutes_is_refused_in_words(secretariat, meeting) -> None:
    upload = SimpleUploadedFile("minutes.docx", b"not a word document")
    response = secretariat.post(f"/board/meetings/{meeting.pk}/minutes/import/", {"upload": upload})
    assert response.status_code == 200
    assert "minutes.docx" in response.content.decode()
    assert not m.Minutes.objects.filter(meeting=meeting).exists()
    other = SimpleUploadedFile("minutes.pdf.exe", b"x")
    response = secretariat.post(f"/board/meetings/{meeting.pk}/minutes/import/", {"upload": other})
    assert "is not a .txt, .md or .docx file" in response.content.decode()
