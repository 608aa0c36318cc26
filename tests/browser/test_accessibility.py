"""axe-core on each main page, as each kind of visitor sees it: no serious or critical
violations (WCAG 2.2 A/AA rules and axe's best practices).

axe comes bundled with axe-playwright-python (no download). Lesser findings (moderate,
minor) are printed, not failed, so that they stay visible.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from dsvb.web.accounts.roles import Role
from tests.browser.conftest import LAMBETH, SOUTHWARK, describe

PUBLIC_PAGES = {
    "home": "/",
    "sign-in": "/accounts/sign-in/",
    "signed-out": "/accounts/signed-out/",
    "accessibility-statement": "/accessibility/",
    "published-data": "/published/",
    "published-family": "/published/families/serious_sexual/",
    "published-borough": f"/published/areas/{LAMBETH}/",
    "disclosure-policy": "/published/disclosure-control/",
    "not-found": "/no-such-page/",
}

SIGNED_IN_PAGES = {
    "overview": (Role.BOARD_MEMBER, "/performance/"),
    "overview-serious-sexual-quarter": (
        Role.FORCE_ANALYST,
        "/performance/?family=serious_sexual&period=3m-2010-11",
    ),
    "overview-sorted-by-change": (
        Role.SECRETARIAT,
        "/performance/?family=sexual&indicator=sd_rate&sort=change&dir=desc",
    ),
    "scorecard-chooser": (Role.BOARD_MEMBER, "/performance/scorecard/"),
    "scorecard": (Role.BOARD_MEMBER, f"/performance/scorecard/{SOUTHWARK}/"),
    "own-scorecard": (Role.BOROUGH_USER, f"/performance/scorecard/{LAMBETH}/"),
    "refused": (Role.BOROUGH_USER, f"/performance/scorecard/{SOUTHWARK}/"),
    "imports": (Role.FORCE_ANALYST, "/imports/"),
    "upload-return": (Role.FORCE_ANALYST, "/imports/return/"),
    "upload-extract": (Role.FORCE_ANALYST, "/imports/extract/"),
    "audit-search": (Role.AUDITOR, "/audit/"),
    "users": (Role.SECRETARIAT, "/accounts/users/"),
    "disclosure-settings": (Role.SECRETARIAT, "/published/disclosure-control/change/"),
    "publish": (Role.SECRETARIAT, "/published/publish/"),
    "new-user": (Role.SECRETARIAT, "/accounts/users/new/"),
    "account": (Role.PARTNER, "/accounts/"),
    "change-password": (Role.BOARD_MEMBER, "/accounts/password/"),
}


def _report(page: Page, violations: list[dict]) -> None:
    if violations:
        print(f"\naxe, lesser findings on {page.url}:\n{describe(violations)}")


@pytest.mark.parametrize("path", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())
def test_public_pages_have_no_serious_accessibility_violations(
    page: Page, path: str, assert_accessible, published_store
) -> None:
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    _report(page, assert_accessible())


@pytest.mark.parametrize(("role", "path"), SIGNED_IN_PAGES.values(), ids=SIGNED_IN_PAGES.keys())
def test_signed_in_pages_have_no_serious_accessibility_violations(
    page: Page, role: str, path: str, sign_in, assert_accessible, demo_store
) -> None:
    sign_in(role, **({"area_code": LAMBETH} if role == Role.BOROUGH_USER else {}))
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    _report(page, assert_accessible())


def test_the_sign_in_page_with_errors_has_no_serious_violations(
    page: Page, assert_accessible, db
) -> None:
    page.goto("/accounts/sign-in/")
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    _report(page, assert_accessible())


def test_the_locked_out_page_has_no_serious_violations(
    page: Page, make_user, assert_accessible
) -> None:
    from django.conf import settings

    from tests.browser.conftest import fill_sign_in_form

    user = make_user(Role.BOARD_MEMBER)
    page.goto("/accounts/sign-in/")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        fill_sign_in_form(page, user.username, f"wrong-{attempt}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is locked")
    _report(page, assert_accessible())
