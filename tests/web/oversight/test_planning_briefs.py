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


def test_a_published_briefs_tables_are_prepared_once_in_the_background(demo_store, db) -> None:
    """Controlling every borough's strand tables takes minutes: the first asker starts one
    preparation and is told to come back; while it runs, another asker starts none; then
    the tables come from the shared cache (per store version, period and policy)."""
    import threading

    from django.core.cache import cache

    from dsvb.reports.disclosure import Policy
    from dsvb.web.oversight import papers

    def preparers() -> set:
        return {t for t in threading.enumerate() if t.name == "published-brief"}

    start, end = data.latest_period(3)
    policy, other = Policy(version=1), Policy(version=2)
    before = preparers()
    with pytest.raises(papers.Preparing, match="disclosure control"):
        papers.published_equality((), policy, start, end)
    started = preparers() - before
    for thread in started:
        thread.join(timeout=60)
    assert len(started) <= 1
    assert papers.published_equality((), policy, start, end) == ()  # from the cache
    # another worker is preparing the other policy's: this one waits and starts nothing
    cache.add(papers._published_key(other, start, end) + ":preparing", True, 60)
    before = preparers()
    with pytest.raises(papers.Preparing):
        papers.published_equality((), other, start, end)
    assert preparers() - before == set()


def test_a_published_brief_being_prepared_says_so_and_its_download_waits(
    client_for, brief, monkeypatch
) -> None:
    from dsvb.web.oversight import papers

    brief.published = True
    brief.save()

    def preparing(*args, **kwargs):
        raise papers.Preparing("The figures of a published brief are being put under control")

    monkeypatch.setattr(papers, "published_equality", preparing)
    client = client_for(Role.SECRETARIAT)
    page = client.get(f"/board/briefs/{brief.pk}/")
    assert page.status_code == 200
    assert "being put under control" in page.content.decode()
    assert "cannot be drawn" not in page.content.decode()
    download = client.get(f"/board/briefs/{brief.pk}/brief.pdf")
    assert download.status_code == 302 and download["Location"] == f"/board/briefs/{brief.pk}/"
