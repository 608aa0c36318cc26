"""A DASH risk assessment in a browser: an IDVA signs in, opens a new assessment of their
agency's case, answers 14 questions yes and the rest no, saves, and reads the score of 14
and visible high risk (axe on the form and the result)."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect

from dsvb.cases import dash
from dsvb.web.accounts.roles import Role
from dsvb.web.cases import models as m


def test_an_idva_completes_a_dash_with_14_yes_and_sees_visible_high_risk(
    page: Page, sign_in, case_objects, assert_accessible, screenshot
) -> None:
    case = case_objects["{case_own}"]
    sign_in(Role.PARTNER)  # Lambeth IDVA service, which owns the case
    page.goto(f"/cases/{case}/assessments/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "SafeLives DASH risk identification checklist"
    )
    assert_accessible()
    main = page.get_by_role("main")
    for i, question in enumerate(dash.checklist("safelives").scored(dt.date.today())):
        group = main.get_by_role("group", name=f"{question.number}. {question.label}")
        group.get_by_label("Yes" if i < 14 else "No", exact=True).check()
    screenshot("answered")
    main.get_by_role("button", name="Save the assessment").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("DASH risk assessment of")
    expect(page.locator("#dash-score")).to_contain_text("14")
    expect(page.locator("#dash-score")).to_contain_text("Visible high risk")
    expect(page.locator("#dash-level")).to_contain_text("High")
    assert_accessible()
    saved = m.Assessment.objects.filter(case_id=case).latest("pk")
    assert (saved.score, saved.level) == (14, "high")
