"""The cycle after a session, in a browser: the secretariat imports the minutes and finds
their actions in the register, drafts findings from the data, agrees its own, sends the
letter; the borough answers a follow-up item of its letter; the secretariat records a
recommendation's update and previews the annual report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from dsvb.web.accounts.roles import Role
from dsvb.web.oversight import data
from dsvb.web.oversight import models as m
from tests.browser.conftest import LAMBETH, sign_in_as

MINUTES = """Board meeting, 14 December 2010

1. Welcome and apologies.

2. Lambeth presented its report on domestic violence.
Action: Lambeth to send the cautions audit to the board

3. Any other business.
Action: Board staff to circulate the data paper
"""


@pytest.fixture
def cycle(demo_store, db) -> dict[str, object]:
    meeting = m.Meeting.objects.create(
        date=dt.date(2010, 12, 14), kind="borough_session", status="held"
    )
    session = m.Session.objects.create(meeting=meeting, area_code=LAMBETH)
    m.Member.objects.create(name="Cindy Butts", organisation="MPA", role="co_chair")
    rec = m.Recommendation.objects.create(
        year=2010, number=1, text="Record LGBT flags on every crime.", owner="MPS"
    )
    start, end = data.latest_period(12)
    m.AnnualReport.objects.create(year=2010, period_start=start, period_end=end)
    return {"meeting": meeting, "session": session, "recommendation": rec}


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("signed out")


def test_the_cycle_after_a_session(
    page: Page, sign_in, make_user, cycle, tmp_path: Path, assert_accessible, screenshot
) -> None:
    meeting, session = cycle["meeting"], cycle["session"]
    sign_in(Role.SECRETARIAT)

    # minutes imported, previewed, saved; their actions in the register
    minutes_file = tmp_path / "minutes-2010-12-14.txt"
    minutes_file.write_text(MINUTES, encoding="utf-8")
    page.goto(f"/board/meetings/{meeting.pk}/minutes/import/")
    page.get_by_label("Or import a file (.txt, .md or .docx)").set_input_files(str(minutes_file))
    page.get_by_role("button", name="Preview the paragraphs and actions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the minutes before saving")
    expect(page.locator("#actions-found")).to_contain_text("send the cautions audit to the board")
    assert_accessible()
    page.get_by_role("button", name="Save as draft minutes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Minutes")
    expect(page.get_by_text("Draft minutes are the board's alone")).to_be_visible()
    page.goto("/board/actions/")
    register = page.locator("#register")
    expect(register).to_contain_text("send the cautions audit to the board")
    expect(register).to_contain_text("circulate the data paper")
    assert_accessible()
    screenshot("register")

    # findings: drafted from the data, one of the board's own added and agreed
    page.goto(f"/board/sessions/{session.pk}/findings/")
    page.get_by_role("button", name="Draft from the data").click()
    expect(page.get_by_text("drafted from the data", exact=False).first).to_be_visible()
    page.get_by_label("Asked to follow up").check()
    page.get_by_label("Text").fill("Explain the rise in cautions since April.")
    page.get_by_role("button", name="Save the finding").click()
    finding = m.Finding.objects.get(text="Explain the rise in cautions since April.")
    page.locator(f"#finding-{finding.pk}").get_by_role("button", name="Agree").click()
    expect(page.locator(f"#finding-{finding.pk}")).to_contain_text("Agreed")
    assert_accessible()

    # the letter drafted, previewed, sent
    page.goto(f"/board/sessions/{session.pk}/letter/")
    page.get_by_label("Date", exact=True).fill("2010-12-20")
    page.get_by_label("Addressee").fill("Chief Superintendent A Commander")
    page.get_by_label("Signatories").fill("Cindy Butts, Co-chair")
    page.get_by_role("button", name="Save the letter").click()
    expect(page.locator("#letter-preview")).to_contain_text(
        "Explain the rise in cautions since April."
    )
    assert_accessible()
    page.get_by_role("button", name="Send the letter").click()
    expect(page.get_by_text("The letter is sent.")).to_be_visible()
    assert m.Letter.objects.get(session=session).status == "sent"
    _sign_out(page)

    # the borough answers its follow-up item
    sign_in(Role.BOROUGH_USER)
    page.goto(f"/board/sessions/{session.pk}/follow-up/")
    item = page.locator(f"#item-{finding.pk}")
    item.get_by_label("Response").fill("The cautions were audited in January.")
    item.get_by_label("Answered", exact=True).check()
    item.get_by_role("button", name="Save the response").click()
    expect(page.locator(f"#item-{finding.pk}")).to_contain_text(
        "The cautions were audited in January."
    )
    assert_accessible()
    screenshot("follow-up")
    _sign_out(page)

    # the secretariat updates a recommendation and previews the annual report
    sign_in_as(page, make_user(Role.SECRETARIAT, username="secretariat-2"))
    page.goto(f"/board/recommendations/{cycle['recommendation'].pk}/")
    page.get_by_label("Date", exact=True).fill("2011-01-10")
    page.get_by_label("Status").select_option("ongoing")
    page.get_by_label("Update", exact=True).fill("Flags now recorded in 20 boroughs.")
    page.get_by_role("button", name="Add the update").click()
    expect(page.get_by_text("Flags now recorded in 20 boroughs.")).to_be_visible()
    page.goto("/board/annual-report/2010/preview/", timeout=180_000)  # every family assessed
    expect(page.get_by_role("heading", level=1)).to_have_text("Annual report 2010: preview")
    expect(page.locator("#report-preview")).to_contain_text("Record LGBT flags on every crime.")
    assert_accessible()
    screenshot("annual-report")
