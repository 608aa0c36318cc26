"""The public's pages in a real browser: published, disclosure-controlled figures, without
signing in (issue 3: "public (no sign-in; published, disclosure-controlled pages only)").

Disclosure control (DOMAIN.md): below force level a count of people or their crimes between
1 and 9 is shown as ``[c]``; the policy and its version are printed on every published
output, downloads included. The pages show the latest release (published here as the demo
and the secretariat do).
"""

from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import Locator, Page, expect

from dsvb.reports.disclosure import POLICY_ID
from dsvb.web.audit.models import Action, AuditEvent

BOROUGHS = 32
# a whole number on its own (not part of a decimal or a percentage), e.g. "5" or "1,204"
WHOLE_NUMBER = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})*(?![\d.,%])")


def _small_counts(cells: Locator) -> list[str]:
    """Cells below force level showing a count of 1 to 9 (which should have been [c])."""
    found = []
    for text in cells.all_inner_texts():
        for number in WHOLE_NUMBER.findall(text):
            if 1 <= int(number.replace(",", "")) <= 9:
                found.append(text)
    return found


def _open_published_figures(page: Page) -> None:
    page.goto("/")
    page.get_by_role("link", name="See the published data").click()
    expect(page).to_have_url(re.compile(r"/published/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Published figures")


def test_the_public_read_a_family_by_borough_without_signing_in(
    page: Page, published_store, assert_accessible, screenshot
) -> None:
    _open_published_figures(page)
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    expect(page.get_by_role("main")).to_contain_text("[c]")
    screenshot("published-figures")

    page.get_by_role("link", name="Domestic violence by borough", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Domestic violence by borough")
    policy = page.locator("#disclosure-policy")
    expect(policy).to_contain_text(re.compile(rf"policy {POLICY_ID}, version \d+"))

    table = page.locator("#published-table")
    expect(table.locator("caption")).to_contain_text("[c]: withheld")
    boroughs = table.locator("tbody tr:not(.dsvb-public-total)")
    expect(boroughs).to_have_count(BOROUGHS)
    assert _small_counts(boroughs.locator("td")) == []
    assert_accessible()
    screenshot("domestic-violence")


def test_the_public_read_one_borough_against_the_force(
    page: Page, published_store, assert_accessible
) -> None:
    _open_published_figures(page)
    page.locator(".dsvb-public-areas").get_by_role("link", name="Lambeth").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lambeth")
    expect(page.locator("#disclosure-policy")).to_contain_text(POLICY_ID)
    area_cells = page.locator("td[data-level='area']")
    expect(area_cells.first).to_be_visible()
    assert _small_counts(area_cells) == []
    assert_accessible()


def test_a_public_download_is_disclosure_controlled_and_says_so(
    page: Page, published_store
) -> None:
    _open_published_figures(page)
    page.get_by_role("link", name="Domestic violence by borough", exact=True).click()
    downloads = page.locator(".dsvb-public-downloads")
    with page.expect_download() as info:
        downloads.get_by_role("link", name=re.compile(r"^CSV")).click()
    download = info.value
    assert re.search(r"^dsvb-release-1-.*-sdc-v\d+-dv\.csv$", download.suggested_filename)

    rows = list(csv.DictReader(io.StringIO(download.path().read_text(encoding="utf-8"))))
    assert {r["area_code"] for r in rows if r["geography_level"] == "area"} >= {"E09000022"}
    for row in rows:
        assert POLICY_ID in row["disclosure_policy"] and row["disclosure_policy_version"]
        if row["geography_level"] != "area":
            continue
        for column in ("numerator", "denominator"):
            value = row[column]
            assert not (value.isdigit() and 1 <= int(value) <= 9), f"small count: {row}"
    assert any(r["numerator"] == "[c]" for r in rows), "nothing withheld in a year of demo data"
    # downloads by the public are audited too (anonymously)
    audited = AuditEvent.objects.filter(action=Action.EXPORTED, object_type="public_export")
    assert audited.count() == 1 and audited.get().actor_id is None


def test_the_public_are_sent_to_sign_in_for_internal_pages(page: Page, db) -> None:
    for path in ("/performance/", "/performance/scorecard/E09000022/", "/imports/", "/audit/"):
        page.goto(path)
        expect(page).to_have_url(re.compile(r"/accounts/sign-in/\?next="))
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
