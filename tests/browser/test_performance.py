"""The performance pages in a real browser: the overview, switching family and period, the
funnel plot, a borough's scorecard and the exports, as a board member would use them.

The data are the web tests' demo store: a year (December 2009 to November 2010) of
calibrated demo records and the board's published tables.
"""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qs, urlparse

import openpyxl
from playwright.sync_api import Locator, Page, expect

from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import Action, AuditEvent
from tests.browser.conftest import LAMBETH

BOROUGHS = 32


def _query(page: Page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}


def _choose(page: Page, **choices: str) -> None:
    """Choose in the filter form by the fields' labels, then press Show."""
    form = page.locator("form.dsvb-filters")
    for label, option in choices.items():
        form.get_by_label(label.replace("_", " ").capitalize()).select_option(label=option)
    form.get_by_role("button", name="Show").click()


def test_a_board_member_switches_family_and_period_on_the_overview(
    page: Page, sign_in, demo_store, assert_accessible, screenshot
) -> None:
    sign_in(Role.BOARD_MEMBER)
    expect(page.get_by_role("heading", level=1)).to_have_text("Pan-force overview")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Domestic violence, 12 months to November 2010")
    summary = page.get_by_role("table", name=re.compile("^Domestic violence, all areas"))
    expect(summary).to_be_visible()
    screenshot("domestic-violence-12-months")

    _choose(page, crime_family="Serious sexual offences", period="3 months to November 2010")

    chosen = _query(page)
    assert (chosen["family"], chosen["period"]) == ("serious_sexual", "3m-2010-11")
    expect(main).to_contain_text("Serious sexual offences, 3 months to November 2010")
    expect(
        page.get_by_role("table", name=re.compile("^Serious sexual offences, all areas"))
    ).to_be_visible()
    # the choices stay chosen, so the form says what the page shows
    form = page.locator("form.dsvb-filters")
    expect(form.get_by_label("Crime family")).to_have_value("serious_sexual")
    expect(form.get_by_label("Period")).to_have_value("3m-2010-11")
    # the areas table has every borough, each linking to its scorecard
    areas = page.locator("#areas-table tbody tr")
    expect(areas).to_have_count(BOROUGHS)
    assert_accessible()
    screenshot("serious-sexual-quarter")


def test_the_areas_table_sorts_by_a_column(page: Page, sign_in, demo_store) -> None:
    sign_in(Role.FORCE_ANALYST)
    table = page.locator("#areas-table")
    table.get_by_role("link", name=re.compile(r"^Area")).click()
    header = page.locator("#areas-table thead th", has_text="Area")
    expect(header).to_have_attribute("aria-sort", re.compile("ascending|descending"))
    names = page.locator("#areas-table tbody th").all_inner_texts()
    assert len(names) == BOROUGHS
    ordered = sorted(names, key=str.casefold)
    assert names in (ordered, ordered[::-1])


def test_opening_a_funnel_plot_names_the_areas_outside_the_limits(
    page: Page, sign_in, demo_store, assert_accessible, screenshot
) -> None:
    sign_in(Role.BOARD_MEMBER)
    # choose a rate from the table of all indicators
    summary = page.locator("#summary-table")
    summary.get_by_role("link", name="Sanction detection rate").click()
    expect(page.get_by_role("heading", name="Sanction detection rate", level=2)).to_be_visible()
    page.get_by_role("navigation", name="On this page").get_by_role(
        "link", name="Funnel plot"
    ).click()
    expect(page).to_have_url(re.compile(r"#funnel$"))

    funnel = page.locator("figure.dsvb-chart--funnel")
    expect(funnel.locator("svg")).to_be_visible()
    expect(page.get_by_role("heading", name="Outside the 99.8% limits")).to_be_visible()
    named = page.locator("#outside-998")
    expect(named).to_be_visible()
    screenshot("funnel")

    # the same figures as a table, behind "Funnel plot figures as a table"
    page.get_by_text("Funnel plot figures as a table").click()
    rows = page.locator("#funnel-table tbody tr")
    expect(rows).to_have_count(BOROUGHS)
    # the column "Against the force rate": the flag by the limits drawn (widened ones when
    # the boroughs are over-dispersed, and then the last column is for chance alone)
    header = page.locator("#funnel-table thead th").all_inner_texts()
    column = header.index("Against the force rate") - 1  # the area is a th, not a td
    positions = {
        row.locator("th").inner_text(): row.locator("td").nth(column).inner_text()
        for row in rows.all()
    }
    outside = sorted(name for name, pos in positions.items() if "99.8%" in pos)
    if outside:
        for name in outside:
            expect(named).to_contain_text(name)
    else:
        expect(named).to_have_text("None.")
    assert_accessible()


def test_a_board_member_opens_a_borough_scorecard_from_the_overview(
    page: Page, sign_in, demo_store, assert_accessible, screenshot
) -> None:
    sign_in(Role.BOARD_MEMBER)
    page.locator("#areas-table").get_by_role("link", name="Lambeth", exact=True).click()

    expect(page).to_have_url(re.compile(rf"/performance/scorecard/{LAMBETH}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Lambeth scorecard")
    table = page.locator("#scorecard-table")
    expect(table.locator("tbody tr").first).to_be_visible()
    # every rate carries its numerator and denominator
    sd = table.locator("tbody tr[data-indicator='sd_rate']")
    expect(sd.locator(".dsvb-numerator")).to_have_text(re.compile(r"^[\d,]+$"))
    expect(sd.locator(".dsvb-denominator")).to_have_text(re.compile(r"^[\d,]+$"))
    expect(sd).to_contain_text("%")
    expect(page.get_by_role("heading", name="Notes from published returns")).to_be_visible()
    assert_accessible()
    screenshot("lambeth")

    # the scorecard's own choices switch borough, family and period together
    _choose(page, borough="Southwark", crime_family="Sexual offences")
    expect(page.get_by_role("heading", level=1)).to_have_text("Southwark scorecard")
    expect(page.get_by_role("main")).to_contain_text("Sexual offences, 12 months to November 2010")


def test_a_borough_user_has_only_their_own_scorecard(
    page: Page, sign_in, demo_store, screenshot
) -> None:
    sign_in(Role.BOROUGH_USER, area_code=LAMBETH)
    expect(page.get_by_role("heading", level=1)).to_have_text("Lambeth scorecard")
    # no borough to choose, and no overview in the menu
    expect(page.locator("form.dsvb-filters").get_by_label("Borough")).to_have_count(0)
    menu = page.get_by_role("navigation", name="Menu")
    expect(menu.get_by_role("link", name="Overview")).to_have_count(0)
    _choose(page, crime_family="Serious sexual offences")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lambeth scorecard")
    expect(page.get_by_role("main")).to_contain_text("Serious sexual offences")


def _download(page: Page, link: Locator) -> tuple[str, bytes]:
    with page.expect_download() as info:
        link.click()
    download = info.value
    return download.suggested_filename, download.path().read_bytes()


def test_exporting_the_areas_table_as_csv_and_xlsx(
    page: Page, sign_in, demo_store, tmp_path
) -> None:
    user = sign_in(Role.FORCE_ANALYST)
    expect(page.locator("#areas-table tbody tr")).to_have_count(BOROUGHS)
    shown = {
        row.locator("th").inner_text(): row.locator("td").nth(2).get_attribute("data-value")
        for row in page.locator("#areas-table tbody tr").all()
    }
    indicator = page.get_by_role("heading", level=2, name="Sanction detection rate")
    expect(indicator).to_be_visible()  # the indicator the areas table shows

    csv_link = page.get_by_role("link", name="CSV file of Sanction detection rate by area")
    name, body = _download(page, csv_link)
    assert name.endswith(".csv")
    records = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    boroughs = [r for r in records if r.get("area_name") in shown]
    assert len(boroughs) == BOROUGHS, f"{sorted(shown)} against {records[:3]}"

    xlsx_link = page.get_by_role(
        "link", name="Excel (XLSX) file of Sanction detection rate by area"
    )
    name, body = _download(page, xlsx_link)
    assert name.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    sheet = book["Data"]
    rows = list(sheet.iter_rows(values_only=True))
    header, data_rows = rows[0], rows[1:]
    assert len([r for r in data_rows if set(r) & set(shown)]) == BOROUGHS
    assert header  # labelled columns

    exported = AuditEvent.objects.filter(action=Action.EXPORTED, actor_id=user.pk)
    assert exported.count() == 2
