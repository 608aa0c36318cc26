"""An analyst's import from the browser, end to end: upload a revised published return, read
its report, and find its reconciliation note on the borough's scorecard.

(The upload pages' own behaviour, progress polling and error reports are tested in
tests/web/imports/test_browser.py; this is the journey across the service.)
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import Action, AuditEvent
from tests.browser.conftest import LAMBETH

PUBLISHED = Path(__file__).resolve().parents[2] / "src" / "dsvb" / "reference" / "published"


@pytest.fixture
def own_demo_store(demo_store: Path, settings, tmp_path: Path) -> Path:
    """A copy of the demo store for this test alone (the import writes to it)."""
    from django.core.cache import cache

    copy = tmp_path / "store.duckdb"
    shutil.copyfile(demo_store, copy)
    settings.DSVB_STORE = copy
    settings.UPLOAD_DIR = tmp_path / "uploads"
    cache.clear()
    return copy


@pytest.fixture
def revised_return(tmp_path: Path) -> Path:
    """The published DV table by borough, revised: Lambeth's sanction detections changed (so
    the printed total no longer reconciles as before), and its name mistyped "Lamberth"."""
    original = (PUBLISHED / "dv_by_borough_12m_to_2010-11.csv").read_text(encoding="utf-8")
    revised = original.replace("Lambeth,5011,1880,935,556,376", "Lamberth,5011,1880,999,556,376")
    assert revised != original
    path = tmp_path / "dv_by_borough_12m_to_2010-11_revised.csv"
    path.write_text(revised, encoding="utf-8")
    return path


def test_an_analyst_uploads_a_return_reads_its_report_and_sees_it_on_the_scorecard(
    page: Page, sign_in, own_demo_store, revised_return, assert_accessible, screenshot
) -> None:
    user = sign_in(Role.FORCE_ANALYST)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Imports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Imports")

    page.get_by_label("Published return").set_input_files(str(revised_return))
    page.get_by_role("button", name="Upload and import the return").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Importing a published return")
    expect(page.locator("#job-status")).to_contain_text("Succeeded", timeout=90_000)
    screenshot("progress")

    page.get_by_role("link", name="View the import report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import report")
    main = page.get_by_role("main")
    expect(main).to_contain_text(revised_return.name)
    # the mistyped name was read as Lambeth, and said so
    normalised = page.get_by_role("table", name=re.compile(r"^Normalised"))
    expect(
        normalised.get_by_role("row", name=re.compile("'Lamberth' read as Lambeth"))
    ).to_be_visible()
    # the total of sanction detections no longer matches the boroughs, and the report says by
    # how much: 24,397 + 64 = 24,461 against the 24,406 printed
    differences = page.get_by_role("table", name=re.compile(r"^Reconciliation differences"))
    expect(
        differences.get_by_role("row", name=re.compile(r"dv_sanction_detections.*24,461"))
    ).to_be_visible()
    assert_accessible()
    screenshot("report")
    assert AuditEvent.objects.filter(action=Action.IMPORT_SUCCEEDED, actor_id=user.pk).exists()

    # the board sees the note where it matters: on Lambeth's scorecard
    page.goto(f"/performance/scorecard/{LAMBETH}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lambeth scorecard")
    notes = page.locator("#returns ~ .dsvb-return", has_text="DV by borough revised")
    expect(notes).to_contain_text("'Lamberth' read as Lambeth")
    screenshot("scorecard-notes")
