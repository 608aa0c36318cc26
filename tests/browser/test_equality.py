"""The equality page in a real browser: a borough user finds it from the menu, reads the
sentences, the dot plot and a strand's table; a board member switches to London; axe finds
nothing on either page (no violation of any impact).

The data are the web tests' demo store (a year of calibrated demo records).
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from dsvb.web.accounts.roles import Role
from tests.browser.conftest import (
    LAMBETH,
    TIMEOUT_MS,
    accessibility_violations,
    describe,
    sign_in_as,
)


def _open(section: Locator, summary: str) -> None:
    """Open a strand's table (a details element, open already when a group is called)."""
    details = section.locator("details", has_text=summary)
    if details.get_attribute("open") is None:
        details.locator("summary").click()


def _axe_clean(page: Page) -> None:
    violations = accessibility_violations(page)
    assert not violations, f"axe on {page.url}:\n{describe(violations)}"


def test_a_borough_user_reads_their_equality_page(
    page: Page, sign_in, demo_store, screenshot
) -> None:
    sign_in(Role.BOROUGH_USER, area_code=LAMBETH)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Equality").click()
    expect(page).to_have_url(re.compile(rf"/performance/equality/{LAMBETH}/"))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^Equality and disproportionality: Lambeth, "))
    main = page.get_by_role("main")
    expect(main.locator("#summary li").first).to_be_visible()
    # the dot plot: one image, named by its title, described
    plot = main.get_by_role("img", name=re.compile(r"^Sanction detection rate by group"))
    expect(plot).to_be_visible()
    expect(plot.locator("desc")).to_contain_text("logarithmic scale")
    # a strand's table, opened from its summary (a details element: no script needed)
    section = main.get_by_role("region", name="Sanction detection rate", exact=True)
    _open(section, "Victim's ethnic group: table")
    table = main.get_by_role("table", name=re.compile(r"^Sanction detection rate by victim's"))
    expect(table).to_be_visible()
    expect(table.get_by_role("row", name=re.compile(r"^White"))).to_contain_text("Reference")
    expect(
        main.get_by_role("table", name=re.compile(r"^Share not recorded, Lambeth"))
    ).to_be_visible()
    screenshot("lambeth")
    _axe_clean(page)


def test_a_board_member_switches_to_london(page: Page, sign_in, demo_store) -> None:
    sign_in(Role.BOARD_MEMBER)
    page.goto(f"/performance/equality/{LAMBETH}/")
    form = page.locator("form.dsvb-filters")
    form.get_by_label("Area").select_option(label="London (all boroughs)")
    form.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Equality and disproportionality: London, ")
    )
    expect(page.get_by_role("img", name=re.compile(r"^Charge rate by group"))).to_be_visible()
    _axe_clean(page)


def test_the_page_works_without_javascript(browser, base_url, make_user, demo_store) -> None:
    """The choices are a GET form and the tables open from details elements: neither needs
    a script."""
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        sign_in_as(page, make_user(Role.BOROUGH_USER, area_code=LAMBETH))
        page.goto(f"/performance/equality/{LAMBETH}/")
        form = page.locator("form.dsvb-filters")
        form.get_by_label("Crime family").select_option(label="Sexual offences")
        form.get_by_role("button", name="Show").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            re.compile(r"^Equality and disproportionality: Lambeth, Sexual offences, ")
        )
        assert "family=sexual" in page.url
        section = page.get_by_role("region", name="Charge rate", exact=True)
        table = section.get_by_role("table", name=re.compile(r"^Charge rate by suspect's sex"))
        details = section.locator("details", has_text="Suspect's sex: table")
        if details.get_attribute("open") is None:  # open already when a group is called
            expect(table).to_be_hidden()
        _open(section, "Suspect's sex: table")
        expect(table).to_be_visible()
    finally:
        context.close()
