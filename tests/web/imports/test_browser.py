"""In a real browser: upload a return, watch the progress page update itself, read the report.

Playwright drives Debian's Chromium (``/usr/bin/chromium``, or ``DSVB_CHROMIUM``) against
Django's live server; the import runs in the runner thread, as in production, so the page's
script has something to poll. Axe checks the pages; no Content Security Policy violation may
be reported by the browser.
"""

from __future__ import annotations

from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from dsvb.web.accounts.roles import Role
from tests.support.builder import rewrite_cell
from tests.support.web_fixtures import current_code
from tests.web.conftest import PASSWORD
from tests.web.imports.conftest import SEXUAL

SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots" / "imports"


def _sign_in(page: Page, live_server, make_user) -> None:
    user = make_user(Role.FORCE_ANALYST)
    page.goto(f"{live_server.url}/accounts/sign-in/")
    main = page.get_by_role("main")
    main.get_by_label("User name").fill(user.username)
    main.get_by_label("Password").fill(PASSWORD)
    main.get_by_role("button", name="Sign in").click()
    main.get_by_label("Code from your authenticator app").fill(
        current_code(user.totpdevice_set.get())
    )
    main.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def _serious(page: Page) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [
        f"{v['impact']}: {v['id']} {v['help']} {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def test_upload_a_return_watch_its_progress_and_read_its_report(
    page: Page, live_server, make_user, settings
) -> None:
    settings.DSVB_JOBS_INLINE = False
    page.set_default_timeout(30_000)
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    _sign_in(page, live_server, make_user)
    page.get_by_role("link", name="Imports").click()
    expect(page.get_by_role("heading", name="Imports", level=1)).to_be_visible()
    assert _serious(page) == []
    page.screenshot(path=SCREENSHOTS / "list.png", full_page=True)

    # a mistake first: the error summary links to the field
    page.get_by_role("button", name="Upload and import the return").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select the published return’s CSV file")
    expect(page).to_have_title(
        "Error: Upload a published return – Domestic and Sexual Violence Board"
    )
    assert _serious(page) == []
    page.screenshot(path=SCREENSHOTS / "upload-error.png", full_page=True)

    page.get_by_label("Published return").set_input_files(str(SEXUAL))
    page.get_by_role("button", name="Upload and import the return").click()
    expect(page.get_by_role("heading", name="Importing a published return")).to_be_visible()
    expect(page.locator("[data-job-refresh]")).to_be_hidden()  # the script polls instead

    # the page updates itself: no reload, the report link appears when the job ends
    status = page.locator("#job-status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_contain_text("Succeeded", timeout=90_000)
    expect(page.locator("[data-job-messages]")).to_contain_text("Finished: stored as return 1")
    report_link = page.get_by_role("link", name="View the import report")
    expect(report_link).to_be_visible()
    assert _serious(page) == []
    page.screenshot(path=SCREENSHOTS / "progress.png", full_page=True)

    report_link.click()
    expect(page.get_by_role("heading", name="Import report")).to_be_visible()
    expect(page.get_by_role("heading", name="Unreadable cells (1)")).to_be_visible()
    expect(page.get_by_role("heading", name="Reconciliation differences (7)")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("116 47 1")
    assert _serious(page) == []
    page.screenshot(path=SCREENSHOTS / "report.png", full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the notes as CSV").click()
    assert download.value.suggested_filename.endswith("-notes.csv")
    assert csp_errors == []


def test_select_an_extract_s_csv_files_together_and_read_what_is_wrong(
    page: Page, live_server, make_user, extract_folder
) -> None:
    folder = extract_folder()
    rewrite_cell(folder / "crimes.csv", 2, "recorded_at", "31/03/2010")
    page.set_default_timeout(30_000)
    _sign_in(page, live_server, make_user)
    page.goto(f"{live_server.url}/imports/")
    page.get_by_label("Extract files").set_input_files(sorted(folder.glob("*.csv")))
    page.get_by_role("button", name="Upload and import the extract").click()

    expect(page.get_by_role("heading", name="Importing an extract")).to_be_visible()
    expect(page.locator("#job-status")).to_contain_text("Failed")
    page.get_by_role("link", name="View the import report").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    summary.get_by_role("link", name="crimes.csv, row 2, column recorded_at").click()
    expect(page.locator("#problem-1")).to_contain_text("31/03/2010")
    assert page.url.endswith("#problem-1")
    assert _serious(page) == []
    page.screenshot(path=SCREENSHOTS / "failed-report.png", full_page=True)
