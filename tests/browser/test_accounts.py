"""Signing in and out, lock-out, refusals and the keyboard, in a real browser."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from playwright.sync_api import Page, expect

from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import Action, AuditEvent
from tests.browser.conftest import LAMBETH, PASSWORD, SOUTHWARK, fill_sign_in_form
from tests.support.web_fixtures import current_code


def test_signing_in_through_the_form_lands_a_board_member_on_the_overview(
    page: Page, make_user, screenshot
) -> None:
    user = make_user(Role.BOARD_MEMBER, first_name="Bola", last_name="Member")
    page.goto("/")
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    screenshot("sign-in-page")

    fill_sign_in_form(page, user.username, PASSWORD)

    expect(page).to_have_url(re.compile(r"/performance/$"))
    banner = page.get_by_role("banner")
    expect(banner.get_by_role("link", name=re.compile("Bola Member"))).to_be_visible()
    expect(banner).to_contain_text("Board member")
    assert AuditEvent.objects.filter(action=Action.SIGN_IN, actor_id=user.pk).count() == 1


def test_a_wrong_password_is_refused_with_an_error_summary(page: Page, make_user) -> None:
    user = make_user(Role.FORCE_ANALYST)
    page.goto("/accounts/sign-in/")
    fill_sign_in_form(page, user.username, "not-the-password-at-all")

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_signing_out_ends_the_session(page: Page, sign_in) -> None:
    sign_in(Role.SECRETARIAT)
    page.get_by_role("banner").get_by_role("button", name="Sign out").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")
    expect(page.get_by_role("banner").get_by_role("link", name="Sign in")).to_be_visible()
    # the old session no longer opens signed-in pages
    page.goto("/accounts/")
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/\?next=/accounts/"))
    assert AuditEvent.objects.filter(action=Action.SIGN_OUT).count() == 1


def test_five_failed_attempts_lock_the_account_even_against_the_right_password(
    page: Page, make_user, screenshot
) -> None:
    user = make_user(Role.BOARD_MEMBER)
    page.goto("/accounts/sign-in/")
    for attempt in range(1, settings.AXES_FAILURE_LIMIT):
        fill_sign_in_form(page, user.username, f"wrong-guess-number-{attempt}")
        expect(page.get_by_role("alert")).to_contain_text("There is a problem")

    fill_sign_in_form(page, user.username, "wrong-guess-number-5")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is locked")
    screenshot("locked")

    page.goto("/accounts/sign-in/")
    fill_sign_in_form(page, user.username, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is locked")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    assert AuditEvent.objects.filter(action=Action.LOCKED_OUT, actor_username=user.username)
    assert not AuditEvent.objects.filter(action=Action.SIGN_IN)


def test_a_borough_user_sees_their_own_scorecard_and_is_refused_another_borough(
    page: Page, sign_in, demo_store, screenshot
) -> None:
    user = sign_in(Role.BOROUGH_USER, area_code=LAMBETH)
    # signing in lands on their own borough's scorecard
    expect(page).to_have_url(re.compile(rf"/performance/scorecard/{LAMBETH}/$"))
    screenshot("own-scorecard")

    response = page.goto(f"/performance/scorecard/{SOUTHWARK}/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You do not have access to this page")
    expect(page.get_by_role("main")).not_to_contain_text("Southwark")
    screenshot("refused")

    response = page.goto("/performance/")
    assert response is not None and response.status == 403
    refusals = AuditEvent.objects.filter(action=Action.ACCESS_DENIED, actor_id=user.pk)
    assert sorted(refusals.values_list("object_id", flat=True)) == [
        "/performance/",
        f"/performance/scorecard/{SOUTHWARK}/",
    ]


def _focused(page: Page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            return {
                tag: el.tagName.toLowerCase(),
                id: el.id,
                text: (el.innerText || el.value || '').trim(),
                outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
                shadow: style.boxShadow !== 'none',
                background: style.backgroundColor,
            };
        }"""
    )


def _tab_to(page: Page, wanted: Callable[[dict], bool], what: str, limit: int = 30) -> dict:
    """Press Tab until the focused element is the one wanted (going round the page)."""
    focused = _focused(page)
    for _ in range(limit):
        if wanted(focused):
            return focused
        page.keyboard.press("Tab")
        focused = _focused(page)
    raise AssertionError(f"{what} not reached with {limit} presses of Tab")


def test_signing_in_with_the_keyboard_alone(page: Page, make_user, screenshot) -> None:
    user = make_user(Role.FORCE_ANALYST)
    page.goto("/accounts/sign-in/")

    # the skip link is in the tab order, shows when focused and skips to the content
    _tab_to(page, lambda f: f["text"] == "Skip to main content", "the skip link")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_visible()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main-content$"))

    username = _tab_to(page, lambda f: f["id"] == "id_username", "the user name field")
    assert username["outline"] or username["shadow"], "no visible focus on the user name field"
    screenshot("focus-on-user-name")
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    password = _focused(page)
    assert password["id"] == "id_password"
    assert password["outline"] or password["shadow"], "no visible focus on the password field"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    button = _focused(page)
    assert button["text"] == "Sign in"
    assert button["outline"] or button["shadow"], "no visible focus on the Sign in button"
    page.keyboard.press("Enter")

    # an analyst must give the code from their authenticator app too
    expect(page).to_have_url(re.compile(r"/accounts/second-factor/"))
    code = _tab_to(page, lambda f: f["id"] == "id_code", "the code field")
    assert code["outline"] or code["shadow"], "no visible focus on the code field"
    page.keyboard.type(current_code(user.totpdevice_set.get()))
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/performance/(#main-content)?$"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
