"""Browser tests: Playwright driving Debian's Chromium against Django's live server.

Each test gets a fresh browser context (no cookies) on ``live_server``, which serves the
application from the test database (SQLite, or PostgreSQL when ``DATABASE_URL`` says so) in
a thread of this process. A screenshot of the page as each test left it is kept in
``test-artifacts/screenshots/<database>/`` (and named steps beside it) for people to look at.

The browser is ``/usr/bin/chromium`` (Debian's package, installed by ``make system-deps``);
``DSVB_CHROMIUM`` names another. Playwright cannot download its own browser here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.support.web_fixtures import LAMBETH, PASSWORD, SOUTHWARK, current_code  # noqa: F401

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
TIMEOUT_MS = 20_000  # the first page on a new period computes its indicators


def _vendor() -> str:
    from django.db import connection

    return connection.vendor


def _artifact_name(request: pytest.FixtureRequest) -> str:
    module = Path(request.node.path).stem
    name = re.sub(r"\[chromium-?", "[", request.node.name).replace("[]", "")
    return re.sub(r"[^A-Za-z0-9_.=-]+", "_", f"{module}.{name}").strip("_")


@pytest.fixture
def page(page: Page, request: pytest.FixtureRequest) -> Iterator[Page]:
    """Playwright's page, with shorter waits and a screenshot kept when the test ends.

    Any script error or Content Security Policy violation the browser reports on any page
    fails the test: pages must run under the CSP with no inline script or style.
    """
    page.set_default_timeout(TIMEOUT_MS)
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"{m.type}: {m.text}")
            if m.type == "error" and ("Content Security Policy" in m.text or "Refused" in m.text)
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
    yield page
    folder = SCREENSHOTS / _vendor()
    folder.mkdir(parents=True, exist_ok=True)
    if not page.is_closed():
        page.screenshot(path=folder / f"{_artifact_name(request)}.png", full_page=True)
    assert not problems, "the browser reported:\n" + "\n".join(problems)


@pytest.fixture
def screenshot(page: Page, request: pytest.FixtureRequest) -> Callable[[str], Path]:
    """Keep a screenshot of a named step: ``screenshot("overview")``."""

    def take(step: str) -> Path:
        folder = SCREENSHOTS / _vendor()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{_artifact_name(request)}--{re.sub(r'[^A-Za-z0-9_-]+', '-', step)}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return take


def fill_sign_in_form(page: Page, username: str, password: str) -> None:
    """Fill the real sign-in form and submit it (by its labels and button)."""
    main = page.get_by_role("main")
    main.get_by_label("User name").fill(username)
    main.get_by_label("Password").fill(password)
    main.get_by_role("button", name="Sign in").click()


def sign_in_as(page: Page, user: Any, password: str = PASSWORD) -> None:
    """Sign in through the sign-in page, then the code page when the user has an
    authenticator app (the code its key gives now)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    page.goto("/accounts/sign-in/")
    fill_sign_in_form(page, user.username, password)
    device = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
    if device is not None:
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Enter the code from your authenticator app"
        )
        main = page.get_by_role("main")
        main.get_by_label("Code from your authenticator app").fill(current_code(device))
        main.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", level=1)).not_to_have_text(
            "Enter the code from your authenticator app"
        )
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


@pytest.fixture
def sign_in(page: Page, make_user: Callable[..., Any]) -> Callable[..., Any]:
    """Make a user of a role and sign them in through the sign-in (and code) pages; returns
    the user."""

    def signed_in(role: str, **fields: Any) -> Any:
        user = make_user(role, **fields)
        sign_in_as(page, user)
        return user

    return signed_in


BLOCKING_IMPACTS = ("serious", "critical")


def accessibility_violations(page: Page) -> list[dict]:
    """Run axe-core (bundled with axe-playwright-python) on the page as it is now."""
    results = Axe().run(page)
    return results.response["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['impact']}: {v['id']} – {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary']}")
    return "\n".join(lines)


@pytest.fixture
def assert_accessible(page: Page) -> Callable[[], list[dict]]:
    """Fail on any axe violation of impact serious or critical; return the lesser ones."""

    def check() -> list[dict]:
        violations = accessibility_violations(page)
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"axe on {page.url}:\n{describe(blocking)}"
        return violations

    return check
