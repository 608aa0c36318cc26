"""The glossary in a browser: axe clean, reflows at 320 px, and a term's link on a page
jumps to its definition (and the A-Z list to its letter)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from dsvb.web.accounts.roles import Role
from tests.browser.conftest import SOUTHWARK, describe


def test_the_glossary_is_axe_clean_and_reflows(page: Page, assert_accessible, db) -> None:
    page.goto("/glossary/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Glossary")
    lesser = assert_accessible()
    if lesser:
        print(f"\naxe, lesser findings on {page.url}:\n{describe(lesser)}")
    # the A-Z list jumps to its letter
    page.get_by_role("navigation", name="Glossary A to Z").get_by_role("link", name="H").click()
    expect(page).to_have_url(re.compile(r"/glossary/#letter-\d+$"))
    expect(page.get_by_role("heading", level=2, name="H", exact=True)).to_be_in_viewport()
    # content reflows at 320 px: nothing wider than the window
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto("/glossary/")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the glossary is {overflow}px wider than a 320px window"


def test_a_term_on_the_scorecard_jumps_to_its_definition(
    page: Page, sign_in, screenshot, assert_accessible, demo_store
) -> None:
    sign_in(Role.BOARD_MEMBER)
    page.goto(f"/performance/scorecard/{SOUTHWARK}/?family=dv")
    row = page.locator('tr[data-indicator="cad_to_cris"]')
    row.get_by_role("link", name="CAD-to-CRIS").click()
    expect(page).to_have_url(re.compile(r"/glossary/#cad_to_cris$"))
    entry = page.locator("#cad_to_cris")
    expect(entry).to_be_in_viewport()
    expect(entry.locator("dt")).to_have_text("CAD-to-CRIS compliance")
    expect(entry.locator("dd")).to_contain_text("crime report on CRIS")
    screenshot("cad-to-cris")
    # its see-also link goes on to the next term
    entry.get_by_role("link", name="CAD (Computer Aided Despatch)").click()
    expect(page).to_have_url(re.compile(r"/glossary/#cad$"))
    expect(page.locator("#cad")).to_be_in_viewport()
    assert_accessible()
