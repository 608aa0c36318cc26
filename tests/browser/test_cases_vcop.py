"""The Victims' Code in a browser: a police caseworker records an event on their case,
sees the contact it owes with its deadline, records one as made, and reads the overdue
list of their agency's cases by team; every page passes the accessibility checks."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from dsvb.cases import vcop
from dsvb.web.accounts.roles import Role
from dsvb.web.cases import models as m
from tests.support.case_fixtures import POLICE


def test_police_record_an_event_see_the_contact_owed_and_the_overdue_list(
    page: Page, sign_in, case_objects, assert_accessible, screenshot
) -> None:
    case = case_objects["{case_shared}"]
    sign_in(Role.PARTNER, username="police", agency=POLICE)
    page.goto(f"/cases/{case}/victims-code/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Victims' Code")
    assert_accessible()

    # a bail ten days ago: its contact (1 working day, the enhanced service) is overdue
    day = timezone.localdate() - dt.timedelta(days=10)
    (owed,) = vcop.owed("bail", dt.datetime.combine(day, dt.time(15, 0)), enhanced=True)
    page.get_by_label("What happened").select_option("bail")
    page.get_by_label("Date", exact=True).fill(day.isoformat())
    page.get_by_label("Time", exact=True).fill("15:00")
    page.get_by_role("button", name="Record the event").click()
    contacts = page.locator("#vcop-contacts")
    deadline = f"{owed.due_at:%A} {owed.due_at.day} {owed.due_at:%B %Y}, 23:59"
    row = contacts.get_by_role("row").filter(has_text="Bail or change of bail")
    expect(row).to_contain_text(deadline)
    expect(row).to_contain_text("Overdue")
    expect(page.locator("#vcop-events")).to_contain_text("Suspect bailed")
    assert m.VictimContact.objects.filter(case_id=case, reason="bail_change").count() == 1
    assert_accessible()
    screenshot("event-recorded")

    # the overdue list: the fixture's arrest contact and the bail, under the case's team
    page.get_by_role("link", name="Overdue contacts of your agency's cases").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Overdue Victims' Code contacts")
    table = page.get_by_role("table", name="Lambeth CSU (2)")
    expect(table).to_contain_text("Arrest")
    expect(table).to_contain_text("Bail or change of bail")
    assert_accessible()
    screenshot("overdue")

    # made now, late: it leaves the overdue list
    table.get_by_role("link", name=f"Case {case}").first.click()
    page.get_by_role("button", name=re.compile(r"^Made now.*Bail or change of bail")).click()
    expect(
        page.locator("#vcop-contacts").get_by_role("row").filter(has_text="Bail or change")
    ).to_contain_text("Made late")
    page.goto("/cases/victims-code/overdue/")
    expect(page.get_by_role("table", name="Lambeth CSU (1)")).to_contain_text("Arrest")

    page.goto("/cases/victims-code/compliance/?from=2026-01-01&to=2027-01-01")
    expect(page.get_by_role("heading", level=1)).to_have_text("Victims' Code compliance")
    assert_accessible()
