"""A small cycle in the database for the permission matrix and the cycle's web tests: one held
borough session for Lambeth and Southwark (the borough user's own and another), each with a
sent brief, a report, findings, a sent letter and an action; approved minutes of that meeting
and draft minutes of a later one; a recommendation and a draft annual report.

``cycle_objects`` returns placeholder -> id, for paths such as ``/board/briefs/{brief_own}/``.
"""

from __future__ import annotations

import datetime as dt

import pytest

from dsvb.web.oversight import models as m
from tests.support.web_fixtures import LAMBETH, SOUTHWARK

MEETING_DAY = dt.date(2010, 6, 15)


@pytest.fixture
def cycle_objects(db, make_user) -> dict[str, int | str]:
    held = m.Meeting.objects.create(
        date=MEETING_DAY, kind="borough_session", status="held", agenda="Minutes\nLambeth"
    )
    later = m.Meeting.objects.create(
        date=dt.date(2010, 9, 14), kind="thematic_session", title="Older victims", status="held"
    )
    coming = m.Meeting.objects.create(date=dt.date(2030, 11, 16), kind="borough_session")
    member = m.Member.objects.create(name="A Co-Chair", organisation="MPA", role="co_chair")
    m.Attendee.objects.create(meeting=held, member=member, attendance="present")
    ids: dict[str, int | str] = {
        "{meeting}": held.pk,
        "{meeting_later}": later.pk,
        "{meeting_coming}": coming.pk,
        "{member}": member.pk,
    }
    for label, code in (("own", LAMBETH), ("other", SOUTHWARK)):
        session = m.Session.objects.create(meeting=held, area_code=code)
        brief = m.Brief.objects.create(
            session=session,
            period_start=dt.date(2009, 4, 1),
            period_end=dt.date(2010, 3, 31),
            status="sent",
            sent_on=dt.date(2010, 4, 20),
            **m.Brief.defaults_for(held.date),
        )
        report = m.BoroughReport.objects.create(
            brief=brief,
            kind="final",
            version=1,
            file_name="report.txt",
            content=b"1474 incidents of which 791 were offences (54%).",
            uploaded_by="someone",
        )
        commend = m.Finding.objects.create(
            session=session, kind="commend", text="Good work.", status="agreed"
        )
        follow = m.Finding.objects.create(
            session=session, kind="follow_up", text="Cautions.", status="agreed"
        )
        letter = m.Letter.objects.create(session=session, date=dt.date(2010, 7, 1), status="sent")
        action = m.ActionItem.objects.create(
            meeting=held, owners=code, owner_area_codes=code, task="Send the figures"
        )
        ids.update(
            {
                f"{{session_{label}}}": session.pk,
                f"{{brief_{label}}}": brief.pk,
                f"{{report_{label}}}": report.pk,
                f"{{commend_{label}}}": commend.pk,
                f"{{follow_up_{label}}}": follow.pk,
                f"{{letter_{label}}}": letter.pk,
                f"{{action_{label}}}": action.pk,
            }
        )
    approved = m.Minutes.objects.create(meeting=held, status="approved")
    m.Paragraph.objects.create(minutes=approved, order=1, number="1", text="Welcome.")
    draft = m.Minutes.objects.create(meeting=later, status="draft")
    draft_paragraph = m.Paragraph.objects.create(
        minutes=draft, order=1, number="1", text="Draft words."
    )
    rec = m.Recommendation.objects.create(year=2010, number=1, text="Do this.", owner="MPS")
    report = m.AnnualReport.objects.create(
        year=2010, period_start=dt.date(2009, 12, 1), period_end=dt.date(2010, 11, 30)
    )
    ids.update(
        {
            "{minutes_approved}": approved.pk,
            "{minutes_draft}": draft.pk,
            "{recommendation}": rec.pk,
            "{annual_report}": report.year,
        }
    )
    # the planning part's: a coming session with a draft brief (Lambeth's: the board's alone
    # until sent) and one with none yet (Southwark's), and a calendar feed's secret address
    coming_own = m.Session.objects.create(meeting=coming, area_code=LAMBETH)
    coming_other = m.Session.objects.create(meeting=coming, area_code=SOUTHWARK)
    draft_brief = m.Brief.objects.create(
        session=coming_own,
        period_start=dt.date(2009, 4, 1),
        period_end=dt.date(2010, 3, 31),
        **m.Brief.defaults_for(coming.date),
    )
    # a finding of a session with no letter yet (a sent letter's findings are kept as sent)
    unsent = m.Finding.objects.create(session=coming_other, kind="commend", text="Early.")
    owner = make_user("secretariat", username="calendar-owner", second_factor=False)
    ids.update(
        {
            "{finding_unsent}": unsent.pk,
            "{session_coming}": coming_other.pk,
            "{brief_draft}": draft_brief.pk,
            "{calendar_token}": m.CalendarToken.for_user(owner).token,
        }
    )
    # (after the session) a published annual report the public may read, a draft paragraph
    m.AnnualReport.objects.create(
        year=2009,
        period_start=dt.date(2008, 12, 1),
        period_end=dt.date(2009, 11, 30),
        status="published",
        published_html="<article><h1>Annual report 2009</h1></article>",
        published_pdf=b"%PDF-1.4 published",
        published_docx=b"PK published",
    )
    ids.update({"{annual_report_published}": 2009, "{paragraph_draft}": draft_paragraph.pk})
    return ids
