"""The demo's year of the board's cycle (``dsvb.web.oversight.demo.load_cycle``), on the demo
store: every kind of page has something to show (each state, each verdict of the report
check, something late on the what's-due list), it is added once, and its people are invented
(none of the real people in the minutes seed).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from dsvb.oversight import deadlines
from dsvb.oversight.states import (
    ActionStatus,
    Attendance,
    BriefStatus,
    FindingKind,
    FindingStatus,
    LetterStatus,
    MinutesStatus,
    RecommendationStatus,
    ResponseStatus,
)
from dsvb.web import demo
from dsvb.web.oversight import models as m
from dsvb.web.oversight.demo import LATE_FINAL, MEMBERS, load_cycle

TODAY = dt.date(2026, 12, 6)
VERDICTS = {"consistent", "inconsistent", "matches_data", "differs_from_data", "unchecked"}
# the minutes seed (../shared/seeds/003_0806aeff72a2cbe9.txt), as the repository keeps it
MINUTES_SEED = Path(__file__).parents[2] / "data" / "seeds" / "003_board_notes_2007-11-06.txt"
HEADINGS = {"Board Members", "Other Attendees", "MPS", "MPA"}


@pytest.fixture
def cycle(demo_store, db) -> dict:
    made = load_cycle(TODAY)
    return {"summary": made}


def test_every_page_of_the_cycle_has_something_to_show(cycle) -> None:
    made = cycle["summary"]
    assert made.added
    assert made.meetings == 6 and made.sessions == 12
    assert "6 meetings, 12 sessions" in made.line()
    # the board, its cycle and what came before
    assert m.Member.objects.count() == len(MEMBERS)  # no demo account in this database
    assert m.Member.objects.filter(role="co_chair").count() == 2
    assert any(not x.serving_on(TODAY) for x in m.Member.objects.all())  # one has left
    cycle_now = m.Cycle.current(TODAY)
    assert cycle_now is not None
    assert 8 <= m.PastReview.objects.count() <= 13  # about a third of the 32 boroughs
    reviewed = set(m.PastReview.objects.values_list("area_code", flat=True))
    assert not reviewed & set(m.Session.objects.values_list("area_code", flat=True))
    # six meetings around today: five held, the next one coming; one thematic
    meetings = list(m.Meeting.objects.order_by("date"))
    assert [x.status for x in meetings] == ["held"] * 5 + ["planned"]
    assert all(x.date < TODAY for x in meetings[:5]) and meetings[5].date > TODAY
    assert all(cycle_now.starts <= x.date <= cycle_now.ends for x in meetings)
    thematic = [x for x in meetings if x.kind == "thematic_session"]
    assert len(thematic) == 1 and thematic[0].title == "Older victims"
    assert all(len(x.area_codes) == 2 for x in meetings)
    assert all(x.agenda_items for x in meetings)
    for kind in Attendance:
        assert m.Attendee.objects.filter(attendance=kind.value).exists(), kind
    # briefs: sent for every held session, one sent and one still a draft for the next
    assert {b.status for b in m.Brief.objects.filter(session__meeting__status="held")} == {
        BriefStatus.SENT.value
    }
    coming = {b.status for b in m.Brief.objects.filter(session__meeting=meetings[5])}
    assert coming == {BriefStatus.SENT.value, BriefStatus.DRAFT.value}
    # reports: a draft and a final for every held session, checked, with every verdict
    reports = m.BoroughReport.objects.all()
    assert reports.count() == 20
    assert all(r.check_result and not r.check_error for r in reports)
    seen = {row["verdict"] for r in reports for row in r.check_result["rows"]}
    assert seen == VERDICTS
    late = [r for r in reports if r.late]
    assert {r.brief.session.area_name for r in late} == {LATE_FINAL}
    # minutes: approved for held meetings but the latest (draft), with paragraphs and actions
    minutes = list(m.Minutes.objects.order_by("meeting__date"))
    assert [x.status for x in minutes] == [MinutesStatus.APPROVED.value] * 4 + [
        MinutesStatus.DRAFT.value
    ]
    assert all(x.paragraphs.exists() for x in minutes)
    assert all(x.approved_at_meeting for x in minutes[:4])
    actions = m.ActionItem.objects.all()
    assert {a.status for a in actions} == {s.value for s in ActionStatus}
    forms = {a.form for a in actions}
    assert len(forms) >= 5, forms  # written in several ways
    assert all(a.paragraph is not None for a in actions)
    assert actions.exclude(owner_area_codes="").exists()  # some owned by a borough
    assert m.ActionUpdate.objects.exists()
    # findings drafted by the rules, agreed; letters sent; the oldest session's follow-up
    findings = m.Finding.objects.all()
    assert {f.kind for f in findings} == {k.value for k in FindingKind}
    assert findings.exclude(rule_id="").exists()
    assert findings.filter(status=FindingStatus.AGREED.value).exists()
    assert m.Letter.objects.filter(status=LetterStatus.SENT.value).count() == 8
    assert m.Letter.objects.filter(status=LetterStatus.DRAFT.value).count() == 2
    answered = findings.exclude(response_status=ResponseStatus.AWAITED.value)
    assert answered.exists()
    assert {f.session.meeting for f in answered} == {meetings[0]}
    assert all(f.response for f in answered)
    received = m.Letter.objects.exclude(follow_up_received=None)
    assert {x.session.meeting for x in received} == {meetings[0]}
    # recommendations for last year and this year, with updates, in every status
    recommendations = m.Recommendation.objects.all()
    assert {r.year for r in recommendations} == {TODAY.year - 1, TODAY.year}
    assert {r.status for r in recommendations} == {s.value for s in RecommendationStatus}
    assert m.RecommendationUpdate.objects.exists()
    # a draft annual report for the year with the secretariat's texts
    report = m.AnnualReport.objects.get()
    assert report.year == TODAY.year and report.status == "draft" and report.themes
    # every theme is one of the one list (findings, recommendations and the report)
    from dsvb.oversight.themes import TITLES

    assert set(report.themes) <= set(TITLES)
    assert {r.theme for r in recommendations} <= set(TITLES)
    assert {f.theme for f in findings} <= set(TITLES)


def test_what_is_due_has_something_late_and_something_coming(cycle) -> None:
    draft_brief = m.Brief.objects.get(status=BriefStatus.DRAFT.value)
    sent_by = deadlines.brief_dates(draft_brief.session.meeting.date).sent
    assert sent_by < TODAY  # should have gone out: late
    overdue = [a for a in m.ActionItem.objects.all() if a.is_open and a.due and a.due < TODAY]
    assert len(overdue) == 1
    assert overdue[0].area_codes  # a borough's, so the borough sees it late on its list
    coming = [a for a in m.ActionItem.objects.all() if a.is_open and a.due and a.due > TODAY]
    assert coming
    awaited = m.Letter.objects.filter(follow_up_received=None, follow_up_due__lt=TODAY)
    assert awaited.exists()  # a follow-up report that is late
    assert m.Letter.objects.filter(follow_up_due__gt=TODAY).exists()


def test_the_reports_figures_are_the_demo_stores_with_one_slip_and_one_difference(
    cycle,
) -> None:
    def verdicts(file_name: str) -> dict[str, int]:
        return m.BoroughReport.objects.get(file_name=file_name).check_result["verdicts"]

    kingston = verdicts("kingston-upon-thames-final-report.md")
    assert kingston["matches_data"] >= 4
    assert kingston["inconsistent"] == kingston["differs_from_data"] == 0
    assert verdicts("hounslow-draft-report.md")["inconsistent"] > 0
    assert verdicts("hounslow-final-report.md")["inconsistent"] == 0  # corrected
    newham = m.BoroughReport.objects.get(file_name="newham-final-report.md").check_result
    differs = [r for r in newham["rows"] if r["verdict"] == "differs_from_data"]
    assert [(r["indicator"], r["difference"]) for r in differs] == [("charges", "+7")]


def test_it_is_added_once(cycle) -> None:
    first = cycle["summary"]
    again = load_cycle(TODAY)
    assert not again.added
    assert {**vars(again), "added": True} == vars(first)
    assert "nothing added" in again.line()
    said: list[str] = []
    demo._load_cycle(said.append)  # what dsvb demo says
    assert said == [again.line()]
    # a later day adds nothing either
    assert load_cycle(TODAY + dt.timedelta(days=40)).meetings == 6


def test_an_installation_with_its_own_cycle_gets_nothing(demo_store, db) -> None:
    m.Meeting.objects.create(date=TODAY, kind="borough_session")
    made = load_cycle(TODAY)
    assert not made.added
    assert made.meetings == 1 and made.members == 0 and made.briefs == 0


def _seed_people() -> set[str]:
    text = MINUTES_SEED.read_text(encoding="utf-8")
    block = text.split("Introductions:", 1)[1].split("\n\n\n\n", 1)[0]
    names = set()
    for line in block.splitlines():
        found = re.match(r"^([A-Z][a-z'-]+(?: [A-Z][A-Za-z'-]+)+)\s*(?:,|–|$)", line.strip())
        if found and found.group(1) not in HEADINGS:
            names.add(found.group(1))
    return names


def test_the_people_are_invented(cycle) -> None:
    real = _seed_people()
    assert len(real) >= 25 and "Cindi Butts" in real and "Graham Goldspring" in real
    surnames = {name.split()[-1] for name in real}
    people = [x.name for x in m.Member.objects.all()] + [
        x.name for x in m.Attendee.objects.exclude(name="")
    ]
    assert len(people) > 20
    assert not {p.split()[-1] for p in people} & surnames
    texts = (
        [p.text for p in m.Paragraph.objects.all()]
        + [bytes(r.content).decode() for r in m.BoroughReport.objects.all()]
        + [f.text + f.response for f in m.Finding.objects.all()]
        + [x.signatories + x.addressee for x in m.Letter.objects.all()]
        + [a.owners + a.task for a in m.ActionItem.objects.all()]
    )
    for name in real:
        assert not any(name in t for t in texts), name
