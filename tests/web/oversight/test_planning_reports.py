"""Borough reports uploaded as real files (a text file, a Word document made with python-docx):
stored with every version kept, their figures checked as they arrive and shown beside their
sentences; files dsvb cannot read refused with the reason."""

from __future__ import annotations

import io

import docx
import pytest

from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import AuditEvent
from dsvb.web.oversight import models as m

TEXT = "Kingston's year\n\nThere were 1474 incidents of which 791 were offences (54%).\n"


def _upload(name: str, content: bytes) -> io.BytesIO:
    f = io.BytesIO(content)
    f.name = name
    return f


def _docx(*paragraphs: str) -> bytes:
    word = docx.Document()
    for p in paragraphs:
        word.add_paragraph(p)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


@pytest.fixture
def borough(client_for):
    return client_for(Role.BOROUGH_USER)


def test_a_text_report_is_stored_versioned_and_audited(borough, cycle_objects) -> None:
    brief = cycle_objects["{brief_own}"]
    for expected_version in (1, 2):
        response = borough.post(
            f"/board/briefs/{brief}/upload/",
            {"kind": "draft", "file": _upload("kingston.txt", TEXT.encode())},
        )
        assert response.status_code == 302, response.content[:800]
        report = m.BoroughReport.objects.filter(brief_id=brief, kind="draft").latest("id")
        assert report.version == expected_version
        assert bytes(report.content) == TEXT.encode()
        assert report.uploaded_by == borough.user.username
    entry = AuditEvent.objects.filter(action="report_uploaded").latest("id")
    assert entry.details["area"] == "E09000022" and "version 2" in entry.summary


def test_a_file_of_another_kind_is_refused_naming_it(borough, cycle_objects) -> None:
    brief = cycle_objects["{brief_own}"]
    response = borough.post(
        f"/board/briefs/{brief}/upload/",
        {"kind": "final", "file": _upload("figures.xlsx", b"PK\x03\x04 not a report")},
    )
    assert response.status_code == 200
    assert "figures.xlsx is not a report dsvb can read" in response.content.decode()
    assert m.BoroughReport.objects.filter(brief_id=brief).count() == 1  # the fixture's


def test_a_word_document_that_is_not_one_is_stored_with_the_reason_it_was_not_checked(
    borough, cycle_objects
) -> None:
    brief = cycle_objects["{brief_own}"]
    response = borough.post(
        f"/board/briefs/{brief}/upload/",
        {"kind": "final", "file": _upload("report.docx", b"this is not a Word document")},
    )
    assert response.status_code == 302
    report = m.BoroughReport.objects.filter(brief_id=brief).latest("id")
    assert report.check_result is None and "report.docx" in report.check_error
    page = borough.get(f"/board/reports/{report.pk}/").content.decode()
    assert "The figures were not checked" in page


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("kingston.txt", TEXT.encode()),
        (
            "kingston.docx",
            _docx(
                "Kingston's year",
                "There were 1474 incidents of which 791 were offences (54%).",
            ),
        ),
    ],
)
def test_the_figures_of_a_real_file_are_checked_and_shown_beside_their_sentence(
    name, content, borough, cycle_objects
) -> None:
    brief = cycle_objects["{brief_own}"]
    response = borough.post(
        f"/board/briefs/{brief}/upload/", {"kind": "final", "file": _upload(name, content)}
    )
    assert response.status_code == 302
    report = m.BoroughReport.objects.filter(brief_id=brief).latest("id")
    rows = report.check_result["rows"]
    percent = next(r for r in rows if r["figure"].startswith("54"))
    assert percent["verdict"] == "consistent", percent
    assert "791" in percent["recomputed"] and "1474" in percent["text"]
    page = borough.get(response["Location"]).content.decode()
    assert "There were 1474 incidents of which 791 were offences (54%)." in page
    assert "govuk-tag--green" in page and "Consistent" in page


def test_a_changed_figure_is_shown_as_inconsistent(borough, cycle_objects) -> None:
    brief = cycle_objects["{brief_own}"]
    changed = TEXT.replace("(54%)", "(64%)").encode()
    response = borough.post(
        f"/board/briefs/{brief}/upload/",
        {"kind": "final", "file": _upload("changed.txt", changed)},
    )
    page = borough.get(response["Location"]).content.decode()
    assert "Inconsistent" in page and "govuk-tag--red" in page
