"""A MARAC coordinator in a browser: opens the MARAC, plans a meeting, lists a referral
waiting for one, records an action with its owner and due date, and marks the meeting held
(the referral heard); axe on each page."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect

from dsvb.web.accounts.roles import Role
from dsvb.web.cases import models as m
from tests.support.case_fixtures import MARAC, POLICE


def test_a_coordinator_plans_lists_records_an_action_and_holds_the_meeting(
    page: Page, sign_in, case_objects, assert_accessible, screenshot
) -> None:
    case = m.Case.objects.get(pk=case_objects["{case_own}"])
    waiting = m.Referral.objects.create(
        case=case, marac_id=case_objects["{marac}"], referring_agency=case.agency,
        criteria=["repeat"], consent="not_sought", consent_reason="Risk of escalation",
        is_repeat=True, repeat_definition="any_abuse",
    )  # fmt: skip
    sign_in(Role.PARTNER, username="coordinator", agency=MARAC)
    page.goto("/cases/maracs/")
    assert_accessible()
    page.get_by_role("link", name=MARAC).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(MARAC)
    expect(page.get_by_role("main")).to_contain_text("Referrals waiting to be listed")
    assert_accessible()
    page.get_by_role("link", name="Plan a meeting").click()
    day = dt.date.today() + dt.timedelta(days=14)
    page.get_by_label("Date of the meeting").fill(day.isoformat())
    page.get_by_role("button", name="Plan the meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Meeting of {day.day} {day:%B %Y}")
    assert_accessible()
    page.get_by_label("Referral waiting to be listed").select_option(str(waiting.pk))
    page.get_by_role("button", name="List it").click()
    expect(page.locator("#case-list")).to_contain_text(f"Case {case.pk}")
    assert_accessible()
    page.get_by_role("link", name=f"Add an action for case {case.pk}").click()
    page.get_by_label("Agency").select_option(label=POLICE)
    page.get_by_label("Person responsible").fill("DC Example")
    page.get_by_label("Action").fill("Flag the address for urgent response")
    due = day + dt.timedelta(days=14)
    page.get_by_label("Due by").fill(due.isoformat())
    assert_accessible()
    page.get_by_role("button", name="Record the action").click()
    actions = page.locator("#actions")
    expect(actions).to_contain_text("DC Example")
    expect(actions).to_contain_text("Flag the address for urgent response")
    expect(actions).to_contain_text(f"{due.day} {due:%B %Y}")
    page.get_by_role("button", name="The meeting was held").click()
    expect(page.get_by_role("main")).to_contain_text("The meeting is held: 1 case heard")
    expect(page.locator("#case-list")).to_contain_text("Heard")
    assert_accessible()
    screenshot("marac-meeting-held")
    waiting.refresh_from_db()
    assert waiting.status == "heard"
    action = m.MaracAction.objects.get(owner="DC Example")
    assert action.due_on == due and action.agency.name == POLICE
