"""The equality page in a real browser: a borough user finds it from the menu, reads the
sentences, the dot plot and a strand's table; a board member switches to London; axe finds
nothing on either page (no violation of any impact).

The data are the web tests' demo store (a year of calibrated demo records).
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from dsvb.web.accounts.roles import Role
from tests.browser.conftest import LAMBETH, accessibility_violations, describe


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
    section.get_by_text("Victim's ethnic group: table").click()
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
