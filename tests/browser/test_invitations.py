"""In a browser: the secretariat invites a person, who sets their own password from the link;
a locked-out account is unlocked from the Users page. axe-core on each new page."""

from __future__ import annotations

import re

from django.conf import settings
from playwright.sync_api import Browser, Page, expect

from dsvb.web.accounts.models import User
from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import Action, AuditEvent
from tests.browser.conftest import (
    BLOCKING_IMPACTS,
    PASSWORD,
    accessibility_violations,
    describe,
    fill_sign_in_form,
)

NEW_PASSWORD = "a-sound-long-passphrase-5"


def test_an_invited_person_sets_their_own_password_and_signs_in(
    page: Page, browser: Browser, base_url: str, sign_in, assert_accessible, screenshot
) -> None:
    sign_in(Role.SECRETARIAT)
    page.goto("/accounts/users/")
    page.get_by_role("button", name="Add a user").click()
    main = page.get_by_role("main")
    main.get_by_label("User name").fill("priya")
    main.get_by_label("First name").fill("Priya")
    main.get_by_label("Role").select_option(label="Board member")
    expect(main.locator('input[type="password"]')).to_have_count(0)
    main.get_by_role("button", name="Save and send a link to set a password").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("priya can now set a password")
    link = page.get_by_test_id("invitation-link").inner_text().strip()
    assert link.startswith(f"{base_url}/accounts/invitation/")
    assert_accessible()
    screenshot("link-shown")

    # the invited person, in their own browser
    theirs = browser.new_context(locale="en-GB")
    try:
        invited = theirs.new_page()
        invited.goto(link)
        expect(invited).to_have_url(re.compile(r"/accounts/invitation/.+/set-password/$"))
        expect(invited.get_by_role("heading", level=1)).to_have_text("Set your password")
        serious = [v for v in accessibility_violations(invited) if v["impact"] in BLOCKING_IMPACTS]
        assert not serious, describe(serious)
        form = invited.get_by_role("main")
        form.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        form.get_by_label("Confirm the new password").fill(NEW_PASSWORD)
        form.get_by_role("button", name="Set password").click()
        expect(invited.get_by_role("main")).to_contain_text("Your password is set")
        fill_sign_in_form(invited, "priya", NEW_PASSWORD)
        expect(invited).to_have_url(re.compile(r"/performance/"))

        # the link again: it says it has been used
        invited.goto(link)
        expect(invited.get_by_role("heading", level=1)).to_have_text("This link does not work")
        expect(invited.get_by_test_id("invitation-problem")).to_contain_text("already been used")
    finally:
        theirs.close()
    assert User.objects.get(username="priya").check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action=Action.PASSWORD_SET).count() == 1


def test_the_secretariat_unlocks_a_locked_out_account(
    page: Page, browser: Browser, base_url: str, make_user, sign_in, assert_accessible, screenshot
) -> None:
    person = make_user(Role.BOARD_MEMBER, username="bola")
    theirs = browser.new_context(locale="en-GB")
    try:
        locked = theirs.new_page()
        for n in range(settings.AXES_FAILURE_LIMIT):
            locked.goto(f"{base_url}/accounts/sign-in/")
            fill_sign_in_form(locked, "bola", f"wrong-guess-{n}")
        expect(locked.get_by_role("heading", level=1)).to_have_text("Your account is locked")

        sign_in(Role.SECRETARIAT)
        page.goto("/accounts/users/")
        expect(page.get_by_role("heading", name="Locked out")).to_be_visible()
        assert_accessible()
        screenshot("locked-listed")
        page.get_by_label("Why unlock bola?").fill("Confirmed by phone: she mistyped it")
        page.get_by_role("button", name="Unlock bola").click()
        expect(page.get_by_role("main")).to_contain_text("Unlocked bola")
        expect(page.get_by_role("heading", name="Locked out")).to_have_count(0)

        locked.goto(f"{base_url}/accounts/sign-in/")
        fill_sign_in_form(locked, "bola", PASSWORD)
        expect(locked.get_by_role("button", name="Sign out")).to_be_visible()
    finally:
        theirs.close()
    entry = AuditEvent.objects.get(action=Action.ACCOUNT_UNLOCKED)
    assert entry.object_id == str(person.pk)
    assert entry.details["reason"] == "Confirmed by phone: she mistyped it"
