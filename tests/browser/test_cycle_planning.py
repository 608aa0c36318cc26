"""The planning half of the board's cycle in a browser: the secretariat accepts the planner's
proposal, writes and sends a borough's brief and downloads its PDF; the borough's user then
uploads a report against it and reads the check of its figures beside their sentences."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from dsvb.web.accounts.roles import Role
from dsvb.web.oversight import models as m

REPORT = "Our year\n\nThere were 1474 incidents of which 791 were offences (54%).\n"


@pytest.fixture
def coming_meeting(db) -> m.Meeting:
    today = dt.date.today()
    m.Cycle.objects.create(
        name="This cycle", starts=today.replace(day=1), ends=today.replace(year=today.year + 3)
    )
    return m.Meeting.objects.create(
        date=today + dt.timedelta(days=70), kind="borough_session", location="City Hall"
    )


def test_plan_brief_send_download_then_a_borough_uploads_and_reads_its_check(
    page: Page, sign_in, coming_meeting, tmp_path: Path, assert_accessible, screenshot
) -> None:
    sign_in(Role.SECRETARIAT)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Board").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The board's cycle")
    page.get_by_role("link", name="Review planner").click()
    expect(page.locator("#proposal")).to_contain_text("never reviewed")
    assert_accessible()
    page.get_by_role("link", name="Accept the proposal").click()
    page.get_by_role("button", name="Accept the proposal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review planner")
    sessions = list(coming_meeting.sessions.all())
    assert len(sessions) == 2 and all(s.planned_reason for s in sessions)
    session = sessions[0]

    page.goto(f"/board/meetings/{coming_meeting.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Borough session")
    assert_accessible()
    page.get_by_role("link", name=f"Write the brief for {session.area_name}").click()
    page.get_by_label("Period start").fill("2024-01-01")
    page.get_by_label("Period end").fill("2024-12-31")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#brief-status")).to_have_text("Draft")
    page.get_by_role("link", name="Send the brief").click()
    page.get_by_role("button", name="Send the brief").click()
    expect(page.locator("#brief-status")).to_have_text("Sent")
    assert_accessible()
    screenshot("brief-sent")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    pdf = tmp_path / "brief.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")

    page.goto("/board/due/")
    expect(page.locator("#soon, #later").first).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(f"{session.area_name}'s draft report")
    assert_accessible()

    page.get_by_role("button", name="Sign out").click()
    sign_in(Role.BOROUGH_USER, username="borough", area_code=session.area_code)
    page.goto("/board/")
    page.get_by_role("link", name=f"Brief for the {coming_meeting}").click()
    page.get_by_role("link", name="Upload a report").click()
    report = tmp_path / "our-report.txt"
    report.write_text(REPORT, encoding="utf-8")
    page.get_by_label("Final").check()
    page.get_by_label("Report").set_input_files(str(report))
    page.get_by_role("button", name="Upload the report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("our-report.txt")
    row = page.locator("#figures tr", has_text="791 / 1,474")
    expect(row).to_contain_text("There were 1474 incidents of which 791 were offences (54%).")
    expect(row).to_contain_text("Consistent")
    assert_accessible()
    screenshot("report-checked")
