"""The papers after a session, through the web, on the demo store: findings drafted from the
data (as the rules draft them), edited and agreed; the letter built from the agreed ones,
downloaded and sent (kept as sent, follow-up due by the dated rule); the follow-up session
and report; recommendations numbered per year with dated updates; the annual report's texts,
preview and publication under the disclosure policy in force."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client

from dsvb.oversight import deadlines
from dsvb.oversight.findings import draft_findings
from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import AuditEvent
from dsvb.web.oversight import audit, data
from dsvb.web.oversight import models as m
from dsvb.web.public import policy as public_policy

CROYDON = "E09000008"


@pytest.fixture
def secretariat(client_for) -> Client:
    return client_for(Role.SECRETARIAT)


@pytest.fixture
def session(demo_store, db) -> m.Session:
    """Croydon's session on 14 December 2010, with a co-chair to sign its letter."""
    meeting = m.Meeting.objects.create(
        date=dt.date(2010, 12, 14), kind="borough_session", status="held"
    )
    m.Member.objects.create(name="Cindy Butts", organisation="MPA", role="co_chair")
    return m.Session.objects.create(meeting=meeting, area_code=CROYDON)


def _pdf_text(content: bytes) -> str:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def _docx_text(content: bytes) -> str:
    import docx

    return "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)


def test_findings_drafted_from_the_data_as_the_rules_draft_them(secretariat, session) -> None:
    path = f"/board/sessions/{session.pk}/findings/"
    assert secretariat.post(path, {"draft": "1"}).status_code == 302
    start, end = data.latest_period(12)
    expected = draft_findings(data.assessment("dv", start, end), CROYDON, session.meeting.date)
    stored = list(session.findings.order_by("order"))
    assert [(f.rule_id, f.kind, f.text) for f in stored] == [
        (f.rule, f.kind, f.text) for f in expected.findings
    ]
    assert all(f.status == "draft" and f.drafted_text == f.text for f in stored)
    # drafting again replaces the drafts, never duplicates them
    secretariat.post(path, {"draft": "1"})
    assert session.findings.count() == len(expected.findings)
    assert AuditEvent.objects.filter(action=audit.FINDING_CHANGED).count() == 2


def test_findings_edited_agreed_and_sent_in_the_letter(secretariat, session, client_for) -> None:
    path = f"/board/sessions/{session.pk}/findings/"
    secretariat.post(
        path, {"kind": "commend", "theme": "victims_communities", "text": "Victims first."}
    )
    secretariat.post(path, {"kind": "follow_up", "theme": "data", "text": "Explain cautions."})
    secretariat.post(path, {"kind": "follow_up", "theme": "data", "text": "Set aside this."})
    commend, follow, aside = session.findings.order_by("order")
    edit = secretariat.post(
        f"/board/findings/{follow.pk}/",
        {"kind": "follow_up", "theme": "data", "text": "Explain the rise in cautions."},
    )
    assert edit.status_code == 302
    for finding in (commend, follow):
        secretariat.post(f"/board/findings/{finding.pk}/move/", {"to": "agreed"})
    secretariat.post(f"/board/findings/{aside.pk}/move/", {"to": "rejected"})
    assert set(session.findings.values_list("status", flat=True)) == {"agreed", "rejected"}

    letter_path = f"/board/sessions/{session.pk}/letter/"
    early = secretariat.post(letter_path, {"date": "2010-12-01", "addressee": "A Commander"})
    assert early.status_code == 200 and "The letter follows the session" in early.content.decode()
    assert not m.Letter.objects.filter(session=session).exists()
    saved = secretariat.post(
        letter_path,
        {
            "date": "2010-12-20",
            "reference": "DSVB/10/7",
            "addressee": "Chief Superintendent A Commander",
            "signatories": "Cindy Butts, Co-chair",
        },
    )
    assert saved.status_code == 302
    preview = secretariat.get(letter_path).content.decode()
    assert "Victims first." in preview and "Explain the rise in cautions." in preview
    assert "Set aside this." not in preview

    docx = secretariat.get(f"/board/sessions/{session.pk}/letter.docx")
    assert docx.status_code == 200
    assert "Explain the rise in cautions." in _docx_text(docx.content)

    # the borough cannot see the draft; a board member cannot send it
    assert client_for(Role.BOARD_MEMBER).post(f"{letter_path}send/").status_code == 403
    sent = secretariat.post(f"{letter_path}send/")
    assert sent.status_code == 302
    letter = m.Letter.objects.get(session=session)
    assert letter.status == "sent"
    assert letter.follow_up_due == deadlines.due("follow_up_due", dt.date(2010, 12, 20))
    assert bytes(letter.sent_pdf).startswith(b"%PDF")
    assert "Victims first." in _pdf_text(bytes(letter.sent_pdf))
    assert AuditEvent.objects.filter(action=audit.LETTER_SENT).count() == 1

    # as sent, whatever changes later
    m.Finding.objects.filter(pk=commend.pk).update(text="Changed after sending.")
    pdf = secretariat.get(f"/board/sessions/{session.pk}/letter.pdf")
    assert pdf.content == bytes(letter.sent_pdf)
    downloads = AuditEvent.objects.filter(action=audit.DOCUMENT_DOWNLOADED)
    assert downloads.count() == 2 and {e.object_type for e in downloads} == {"letter"}
    # a sent letter is not redrafted
    assert secretariat.post(letter_path, {"date": "2011-01-01"}).status_code == 403


def test_the_follow_up_session_shows_the_report(secretariat, cycle_objects) -> None:
    session = cycle_objects["{session_own}"]
    follow_up_meeting = cycle_objects["{meeting_coming}"]
    saved = secretariat.post(
        f"/board/sessions/{session}/follow-up/",
        {
            "follow_up": "1",
            "follow_up_due": "2011-01-01",
            "follow_up_meeting": follow_up_meeting,
            "follow_up_received": "2010-12-20",
        },
    )
    assert saved.status_code == 302
    letter = m.Letter.objects.get(session_id=session)
    assert letter.follow_up_meeting_id == follow_up_meeting
    assert letter.follow_up_received == dt.date(2010, 12, 20)
    minutes = secretariat.get(f"/board/meetings/{follow_up_meeting}/minutes/").content.decode()
    assert f"/board/sessions/{session}/follow-up/report.html" in minutes
    report = secretariat.get(f"/board/sessions/{session}/follow-up/report.docx")
    assert "Cautions." in _docx_text(report.content)


def test_recommendations_numbered_per_year_with_dated_updates(secretariat, cycle_objects) -> None:
    add = {"year": "2010", "text": "Record LGBT flags.", "owner": "MPS", "theme": "data"}
    assert secretariat.post("/board/recommendations/", add).status_code == 302
    secretariat.post("/board/recommendations/", {**add, "year": "2011", "text": "Next year."})
    numbers = dict(m.Recommendation.objects.values_list("text", "number"))
    assert numbers == {"Do this.": 1, "Record LGBT flags.": 2, "Next year.": 1}

    rec = m.Recommendation.objects.get(text="Record LGBT flags.")
    path = f"/board/recommendations/{rec.pk}/"
    update = {"on": "2011-03-01", "status": "complete", "text": "Flags recorded."}
    assert secretariat.post(path, update).status_code == 302
    rec.refresh_from_db()
    assert rec.status == "complete"
    # back to ongoing needs a reason; an update dated before the last is refused
    refused = secretariat.post(path, {**update, "on": "2011-04-01", "status": "ongoing"})
    assert refused.status_code == 200 and "needs a reason" in refused.content.decode()
    earlier = secretariat.post(path, {**update, "on": "2011-02-01", "text": "Earlier."})
    assert earlier.status_code == 200
    reopened = secretariat.post(
        path,
        {
            "on": "2011-04-01",
            "status": "ongoing",
            "text": "Gaps found in two boroughs.",
            "reason": "Audit found gaps",
        },
    )
    assert reopened.status_code == 302
    assert list(rec.updates.values_list("status", flat=True)) == ["complete", "ongoing"]
    page = secretariat.get("/board/recommendations/").content.decode()
    assert "2010/2" in page and "Gaps found in two boroughs." in page  # the latest update
    assert "Flags recorded." not in page


def test_the_annual_report_previewed_and_published_under_the_policy(
    secretariat, cycle_objects, demo_store
) -> None:
    year = 2010
    start, end = data.latest_period(12)
    m.AnnualReport.objects.filter(year=year).update(period_start=start, period_end=end)
    texts = {"theme_data": "Recording of repeat victims improved across boroughs."}
    assert secretariat.post(f"/board/annual-report/{year}/", texts).status_code == 302
    preview = secretariat.get(f"/board/annual-report/{year}/preview/")
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "Recording of repeat victims improved across boroughs." in page
    # a commendation agreed at the year's session, worded without figures under the policy
    assert "Other matters raised at its session" in page
    assert Client().get(f"/board/annual-report/{year}/published/").status_code == 404

    assert secretariat.post(f"/board/annual-report/{year}/publish/").status_code == 302
    report = m.AnnualReport.objects.get(year=year)
    assert report.status == "published"
    assert bytes(report.published_pdf).startswith(b"%PDF")
    (event,) = AuditEvent.objects.filter(action=audit.ANNUAL_REPORT_PUBLISHED)
    assert event.details["policy_version"] == public_policy.current().version
    public = Client().get(f"/board/annual-report/{year}/published/")
    assert public.status_code == 200
    assert "Recording of repeat victims improved across boroughs." in public.content.decode()
    pdf = Client().get(f"/board/annual-report/{year}/published.pdf")
    assert pdf.content == bytes(report.published_pdf)
    # published is final: the texts are not edited any more
    assert secretariat.post(f"/board/annual-report/{year}/", texts).status_code == 403


def test_the_published_annual_report_prints_no_count_from_a_finding(
    secretariat, cycle_objects, demo_store
) -> None:
    """A rule-drafted finding carries the borough's exact counts (a count of 1-9 below force
    level is outside disclosure control): the published report words it by its theme, and a
    finding whose letter is not sent is not in the report at all."""
    from dsvb.web.oversight.views.annual import report_inputs

    year = 2010
    start, end = data.latest_period(12)
    m.AnnualReport.objects.filter(year=year).update(period_start=start, period_end=end)
    lambeth = m.Session.objects.get(pk=cycle_objects["{session_own}"])
    m.Finding.objects.create(
        session=lambeth,
        kind="follow_up",
        theme="policy_qa",
        rule_id="caution_repeat",
        text="60.4% of offences were detected (638 of 1,056); 7 repeat caution offenders.",
        status="agreed",
    )
    unsent = m.Session.objects.create(meeting=lambeth.meeting, area_code=CROYDON)
    m.Finding.objects.create(
        session=unsent, kind="commend", theme="thematic", text="Unsent praise.", status="agreed"
    )
    m.Letter.objects.create(session=unsent, date=dt.date(2010, 7, 1), status="draft")

    report = m.AnnualReport.objects.get(year=year)
    areas = [b.area for b in report_inputs(report, public_policy.current()).boroughs]
    assert lambeth.area_name in areas and unsent.area_name not in areas

    assert secretariat.post(f"/board/annual-report/{year}/publish/").status_code == 302
    page = Client().get(f"/board/annual-report/{year}/published/").content.decode()
    assert "Policy compliance and quality assurance" in page
    for count in ("638", "1,056", "60.4", "7 repeat", "Unsent praise"):
        assert count not in page
    pdf = _pdf_text(bytes(m.AnnualReport.objects.get(year=year).published_pdf))
    assert "638" not in pdf and "repeat caution offenders" not in pdf


def test_the_annual_reports_period_is_its_years_and_the_secretariat_edits_it(
    secretariat, demo_store, db
) -> None:
    """A new report's period is the 12 months to the last month the store holds up to the end
    of its year (never the latest 12 months whatever the year); a year the store holds nothing
    in says so; the secretariat edits the period."""
    from dsvb.web.oversight.data import data as store_data

    state = store_data.state()
    last = state.last_month.replace(day=1)
    year = last.year
    assert secretariat.post("/board/annual-report/", {"year": year}).status_code == 302
    report = m.AnnualReport.objects.get(year=year)
    assert report.period_end.replace(day=1) == last
    assert report.period_end == (last + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(1)
    assert report.period_start >= state.first_month
    page = secretariat.get(f"/board/annual-report/{year}/").content.decode()
    assert "holds no data in" not in page

    # the year before: its figures end with its December, not with the latest month held
    earlier = year - 1
    if state.first_month <= dt.date(earlier, 12, 1):
        secretariat.post("/board/annual-report/", {"year": earlier})
        before = m.AnnualReport.objects.get(year=earlier)
        assert before.period_end == dt.date(earlier, 12, 31)

    # a year after the data: said on the page, no other year's figures
    secretariat.post("/board/annual-report/", {"year": year + 3})
    later = m.AnnualReport.objects.get(year=year + 3)
    page = secretariat.get(f"/board/annual-report/{year + 3}/").content.decode()
    assert f"The store holds no data in {year + 3}" in page
    preview = secretariat.get(f"/board/annual-report/{year + 3}/preview/").content.decode()
    assert "the store holds no figures for" in preview.lower()
    assert later.period_end == dt.date(year + 3, 11, 30)

    # the secretariat edits the period; an end before the start is refused
    start, end = report.period_start, report.period_end
    shorter = (end.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    saved = secretariat.post(
        f"/board/annual-report/{year}/",
        {"period_start": start.isoformat(), "period_end": (shorter - dt.timedelta(1)).isoformat()},
    )
    assert saved.status_code == 302
    report.refresh_from_db()
    assert report.period_end == shorter - dt.timedelta(1) and report.period_start == start
    bad = secretariat.post(
        f"/board/annual-report/{year}/",
        {"period_start": end.isoformat(), "period_end": start.isoformat()},
    )
    assert bad.status_code == 200 and "The period ends after it starts" in bad.content.decode()
    report.refresh_from_db()
    assert report.period_start == start
