"""A brief drawn from the data: its page, PDF and DOCX say the same things (section A's
dates, B1's figures for the borough and period, B2-B5 from the year's template), a published
brief is under disclosure control, and an edited template is the one used."""

from __future__ import annotations

import datetime as dt
import io

import docx
import pdfplumber
import pytest

from dsvb.web.accounts.roles import Role
from dsvb.web.oversight import data
from dsvb.web.oversight import models as m
from tests.support.web_fixtures import LAMBETH


@pytest.fixture
def brief(demo_store, db) -> m.Brief:
    start, end = data.latest_period(12)
    meeting = m.Meeting.objects.create(date=end + dt.timedelta(days=90), kind="borough_session")
    session = m.Session.objects.create(meeting=meeting, area_code=LAMBETH)
    return m.Brief.objects.create(
        session=session, period_start=start, period_end=end, **m.Brief.defaults_for(meeting.date)
    )


def _pdf_text(content: bytes) -> str:
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def _docx_text(content: bytes) -> str:
    word = docx.Document(io.BytesIO(content))
    cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in word.paragraphs] + cells)


def test_the_page_pdf_and_docx_carry_the_same_brief_from_the_years_template(
    client_for, brief
) -> None:
    from dsvb.web.oversight import papers

    client = client_for(Role.SECRETARIAT)
    page = client.get(f"/board/briefs/{brief.pk}/").content.decode()
    pdf = _pdf_text(client.get(f"/board/briefs/{brief.pk}/brief.pdf").content)
    word = _docx_text(client.get(f"/board/briefs/{brief.pk}/brief.docx").content)
    due = f"{brief.draft_due:%-d %B %Y}"
    for text in (page, pdf, word):
        assert "Lambeth" in text
        assert due in text
        assert "B2" in text and "Policy compliance" in text
    assert "not for publication" in page
    # the secretariat edits the year's template: the brief follows
    year = brief.session.meeting.date.year
    assert "## B2" in client.get(f"/board/briefs/templates/{year}/").content.decode()
    original, edited_before = papers.template_text(year)
    assert not edited_before
    edited = original.replace("Policy compliance", "Policy compliance, as the board asks")
    response = client.post(f"/board/briefs/templates/{year}/", {"text": edited})
    assert response.status_code == 302
    page = client.get(f"/board/briefs/{brief.pk}/").content.decode()
    assert "Policy compliance, as the board asks" in page
