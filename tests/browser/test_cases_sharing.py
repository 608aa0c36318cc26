"""Sharing in a browser: the police owner shares a case with the IDVA service (only some
groups, on the victim's consent); the IDVA user sees only those; a children's services user
breaks the glass with a reason and sees the emergency banner; the police owner finds the
alert on the caseload (axe on each page on the way)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import Page, expect

from dsvb.cases.fields import FieldGroup
from dsvb.web.accounts.roles import Role
from dsvb.web.cases import models as m
from tests.browser.conftest import sign_in_as
from tests.support.case_fixtures import CHILDREN, POLICE

REASON = "Mother at A&E with the children tonight; need the risk level and address"


def _sign_out(page: Page) -> None:
    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_share_then_break_glass_and_the_owners_alert(
    page: Page, make_user, case_agencies, assert_accessible, screenshot
) -> None:
    police = case_agencies[POLICE]
    victim = m.Person.objects.create(
        agency=police, given_name="Ffion", family_name="Exampleton",
        date_of_birth=dt.date(1992, 4, 5), phone="07700 900321",
    )  # fmt: skip
    case = m.Case.objects.create(agency=police, victim=victim, opened_on=dt.date(2026, 11, 1))
    m.Address.objects.create(case=case, kind="home", lines="12 Hidden Street", postcode="SE11 4ZZ")
    officer = make_user(Role.PARTNER, username="police-officer", agency=POLICE)
    idva = make_user(Role.PARTNER, username="idva-worker")  # Lambeth IDVA service
    worker = make_user(Role.PARTNER, username="cs-worker", agency=CHILDREN)

    # the police owner shares identity and risk only, on the victim's consent
    sign_in_as(page, officer)
    page.goto(f"/cases/{case.pk}/shares/")
    expect(page.get_by_role("main")).to_contain_text("This case is not shared with any agency")
    assert_accessible()
    page.get_by_role("link", name="Share with an agency").click()
    main = page.get_by_role("main")
    main.get_by_label("Agency to share with").select_option(
        label="Lambeth IDVA service (IDVA service)"
    )
    main.get_by_role("button", name="Continue").click()
    main = page.get_by_role("main")
    expect(main.get_by_label("Identity")).to_be_checked()  # pre-ticked: the IDVA's needs
    expect(main.get_by_label("Refuge or safe address")).to_be_checked()
    assert_accessible()
    for group in FieldGroup:  # untick all but identity and risk
        box = main.get_by_label(group.label, exact=True)
        if group not in (FieldGroup.IDENTITY, FieldGroup.RISK) and box.count():
            box.uncheck()
    main.get_by_role("radio", name="The victim's consent").check()
    main.get_by_label("Date the victim's consent was recorded").fill(
        timezone.localdate().isoformat()
    )
    main.get_by_role("button", name="Share").click()
    table = page.get_by_role("main").locator("table")
    expect(table).to_contain_text("Lambeth IDVA service")
    expect(table).to_contain_text("Active")
    share = m.Share.objects.get(case=case)
    assert set(share.groups) == {"identity", "risk"}
    assert_accessible()
    _sign_out(page)

    # the IDVA user sees the identity, not the telephone or the address
    sign_in_as(page, idva)
    page.goto(f"/cases/{case.pk}/")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Ffion Exampleton")
    expect(main).not_to_contain_text("07700 900321")
    expect(main).not_to_contain_text("12 Hidden Street")
    expect(main).to_contain_text("Shared with Lambeth IDVA service on")
    assert_accessible()
    _sign_out(page)

    # children's services break the glass, with a reason, and see the banner
    sign_in_as(page, worker)
    page.goto("/cases/break-glass/")
    main = page.get_by_role("main")
    main.get_by_label("Case number").fill(str(case.pk))
    main.get_by_label("Why you need to see this case now").fill(REASON)
    assert_accessible()
    main.get_by_role("button", name="See the case now").click()
    banner = page.get_by_role("region", name="Emergency access")
    expect(banner).to_contain_text("Emergency access until")
    expect(banner).to_contain_text(REASON)
    expect(page.get_by_role("main")).to_contain_text("12 Hidden Street")  # their need
    expect(page.get_by_role("main")).not_to_contain_text("07700 900321")
    assert_accessible()
    screenshot("emergency-banner")
    _sign_out(page)

    # the owner sees the alert on the caseload
    sign_in_as(page, officer)
    page.goto("/cases/")
    alerts = page.get_by_role("region", name="Alerts")
    expect(alerts).to_contain_text("A user of Lambeth Children's Services")
    expect(alerts).to_contain_text(REASON)
    assert_accessible()
    alerts.get_by_role("link", name="See and mark alerts as read").click()
    page.get_by_role("button", name="Mark as read").first.click()
    expect(page.get_by_role("main")).to_contain_text("by police-officer")
    assert_accessible()
