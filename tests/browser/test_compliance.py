"""The compliance lists in a browser: a Lambeth borough user opens the lists from the menu,
a list of their own borough, and a crime record on it; each page passes axe. The data are
the web tests' demo store."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from dsvb.web.accounts.roles import Role
from tests.browser.conftest import LAMBETH


def test_a_borough_user_opens_the_lists_a_list_and_a_record(
    page: Page, sign_in, demo_store, assert_accessible, screenshot
) -> None:
    sign_in(Role.BOROUGH_USER, area_code=LAMBETH)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Compliance").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Compliance lists")
    expect(
        page.get_by_role("heading", name="DV crimes without a completed risk form")
    ).to_be_visible()
    assert_accessible()
    screenshot("lists")

    page.locator(f'a[href^="/compliance/no_risk_form/{LAMBETH}/"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "DV crimes without a completed risk form: Lambeth"
    )
    expect(page.locator("#list-count")).to_contain_text("record")
    assert_accessible()
    screenshot("list")

    first = page.locator("table.govuk-table a.govuk-link").first
    crime_id = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Crime {crime_id}")
    expect(page.get_by_role("heading", name="Victims' Code contacts")).to_be_visible()
    assert_accessible()
    screenshot("record")
