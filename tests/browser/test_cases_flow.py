"""The partnership cases end to end in one browser, through the real pages only (the agencies
and users are made first; everything else is done by clicking):

1. an IDVA of "Lambeth IDVA service" opens a case, records a refuge address and a note,
   completes a SafeLives DASH with 14 yes, sees the MARAC referral proposed on the
   assessment and refers the case (the victim's consent given);
2. the "Lambeth MARAC" coordinator sees the referral, plans a meeting, lists the referral,
   marks the meeting held and gives the police an action with an owner and a due date;
3. a police caseworker (police are a MARAC member) sees the case with only the groups the
   police need of those the referral shared: the risk level, never the refuge address or
   the IDVA's notes;
4. a children's services worker (not a MARAC member) breaks the glass with a reason and
   sees the emergency banner; the IDVA, the owner, sees the alert on the caseload;
5. the secretariat reads the break-glass and referral entries in the audit log, which never
   name the victim.

A second test (the Victims' Code part, branch cases-vcop): a police caseworker records an
arrest on a police case, and with a contact left overdue reads the overdue list.
Axe runs on each page on the way.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from dsvb.cases import dash
from dsvb.web.accounts.roles import Role
from dsvb.web.cases import models as m
from tests.browser.conftest import sign_in_as
from tests.support.case_fixtures import CHILDREN, MARAC, OWN_AGENCY, POLICE
from tests.support.web_fixtures import LAMBETH

VICTIM = ("Morwenna", "Flowtestperson")
REFUGE = "Sanctuary House"
NOTE = "Safety plan agreed: code word with her sister"
ACTION = "Flag the address for urgent response"
REASON = "Children brought to A&E tonight; need the risk level and the home address"


def _agencies() -> dict[str, m.Agency]:
    """The IDVA service, the police, children's services and the MARAC, whose members are the
    IDVA service and the police only (children's services must break the glass)."""
    agencies = {
        name: m.Agency.objects.create(name=name, kind=kind, area_code=LAMBETH)
        for name, kind in (
            (OWN_AGENCY, "idva"),
            (POLICE, "police"),
            (CHILDREN, "children_services"),
            (MARAC, "marac"),
        )
    }
    agencies[MARAC].members.set([agencies[OWN_AGENCY], agencies[POLICE]])
    return agencies


def _sign_out(page: Page) -> None:
    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def _as(page: Page, user: Any) -> None:
    if page.get_by_role("button", name="Sign out").count():
        _sign_out(page)
    sign_in_as(page, user)


def _idva_opens_assesses_and_refers(page: Page, check: Callable[[], Any]) -> int:
    expect(page.get_by_role("heading", level=1)).to_have_text("Caseload")
    page.get_by_role("link", name="Open a case").first.click()
    main = page.get_by_role("main")
    main.get_by_label("Given name").fill(VICTIM[0])
    main.get_by_label("Family name").fill(VICTIM[1])
    main.get_by_label("Date of birth").fill("1990-06-07")
    main.get_by_label("Sex", exact=True).select_option("female")
    main.get_by_label("Team").fill("IDVA team")
    main.get_by_role("button", name="Open the case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(rf": {' '.join(VICTIM)}$"))
    case = int(page.url.rstrip("/").rsplit("/", 1)[-1])
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {case}: {' '.join(VICTIM)}")

    page.get_by_role("link", name="Add an address").click()
    main = page.get_by_role("main")
    main.get_by_label("Refuge or safe house").check()
    main.get_by_label("Address", exact=True).fill(f"{REFUGE}\n9 Quiet Lane")
    main.get_by_label("Postcode").fill("SE5 9ZZ")
    main.get_by_role("button", name="Add the address").click()
    page.get_by_role("link", name="Add a note").click()
    page.get_by_role("main").get_by_label("Note").fill(NOTE)
    page.get_by_role("button", name="Add the note").click()
    main = page.get_by_role("main")
    expect(main).to_contain_text(REFUGE)
    expect(main).to_contain_text(NOTE)

    # the DASH: 14 yes, the rest no
    page.get_by_role("link", name="Complete a DASH risk assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "SafeLives DASH risk identification checklist"
    )
    main = page.get_by_role("main")
    for i, question in enumerate(dash.checklist("safelives").scored(timezone.localdate())):
        group = main.get_by_role("group", name=f"{question.number}. {question.label}")
        group.get_by_label("Yes" if i < 14 else "No", exact=True).check()
    main.get_by_role("button", name="Save the assessment").click()
    expect(page.locator("#dash-score")).to_contain_text("Visible high risk")
    proposal = page.locator("[data-marac-proposals]")
    expect(proposal).to_contain_text("A MARAC referral is proposed")
    expect(proposal).to_contain_text("Visible high risk")
    check()

    # refer, with the victim's consent (the proposed criterion is ticked already)
    proposal.get_by_role("link", name="Refer to MARAC").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Refer to a MARAC")
    main = page.get_by_role("main")
    expect(main.get_by_label("Visible high risk")).to_be_checked()
    main.get_by_role("radio", name="Given", exact=True).check()
    check()
    main.get_by_role("button", name="Refer to the MARAC").click()
    expect(page.get_by_role("main")).to_contain_text(f"Case {case} is referred to {MARAC}")
    return case


def _coordinator_holds_the_meeting(page: Page, case: int, check: Callable[[], Any]) -> None:
    alerts = page.get_by_role("region", name="Alerts")
    expect(alerts).to_contain_text(f"Case {case} referred by {OWN_AGENCY}")
    page.goto("/cases/maracs/")
    page.get_by_role("link", name=MARAC).click()
    expect(page.get_by_role("main")).to_contain_text("Referrals waiting to be listed")
    expect(page.get_by_role("main")).to_contain_text(f"Case {case}")
    page.get_by_role("link", name="Plan a meeting").click()
    day = timezone.localdate()
    page.get_by_label("Date of the meeting").fill(day.isoformat())
    page.get_by_role("button", name="Plan the meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Meeting of {day.day} {day:%B %Y}")
    waiting = page.get_by_label("Referral waiting to be listed")
    waiting.select_option(
        waiting.locator("option", has_text=f"Case {case}, referred").get_attribute("value")
    )
    page.get_by_role("button", name="List it").click()
    expect(page.locator("#case-list")).to_contain_text(f"Case {case}")
    expect(page.locator("#case-list")).to_contain_text("High")
    page.get_by_role("button", name="The meeting was held").click()
    expect(page.get_by_role("main")).to_contain_text("The meeting is held: 1 case heard")
    page.get_by_role("link", name=f"Add an action for case {case}").click()
    page.get_by_label("Agency").select_option(label=POLICE)
    page.get_by_label("Person responsible").fill("DC Example")
    page.get_by_label("Action").fill(ACTION)
    due = day + dt.timedelta(days=7)
    page.get_by_label("Due by").fill(due.isoformat())
    page.get_by_role("button", name="Record the action").click()
    actions = page.locator("#actions")
    expect(actions).to_contain_text(POLICE)
    expect(actions).to_contain_text("DC Example")
    expect(actions).to_contain_text(ACTION)
    expect(actions).to_contain_text(f"{due.day} {due:%B %Y}")
    check()


def test_an_idvas_case_through_dash_marac_sharing_break_glass_and_the_audit_log(
    page: Page, make_user, assert_accessible, screenshot
) -> None:
    _agencies()
    idva = make_user(Role.PARTNER, username="idva")  # Lambeth IDVA service
    coordinator = make_user(Role.PARTNER, username="coordinator", agency=MARAC)
    officer = make_user(Role.PARTNER, username="officer", agency=POLICE)
    worker = make_user(Role.PARTNER, username="cs-worker", agency=CHILDREN)
    secretariat = make_user(Role.SECRETARIAT, username="secretary")

    # 1. the IDVA
    _as(page, idva)
    case = _idva_opens_assesses_and_refers(page, assert_accessible)
    screenshot("referred")

    # 2. the MARAC coordinator
    _as(page, coordinator)
    _coordinator_holds_the_meeting(page, case, assert_accessible)
    screenshot("meeting-held")
    referral = m.Referral.objects.get(case_id=case)
    assert (referral.consent, referral.status) == ("given", "heard")
    assert m.MaracAction.objects.get(referral=referral).agency.name == POLICE

    # 3. the police, a MARAC member: what the referral shared, of what the police need
    _as(page, officer)
    page.goto(f"/cases/{case}/")
    main = page.get_by_role("main")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Case {case}")
    expect(main.locator("#case-risk")).to_contain_text("High")
    expect(main).not_to_contain_text(REFUGE)
    expect(main).not_to_contain_text("9 Quiet Lane")
    expect(main).not_to_contain_text(NOTE)
    assert_accessible()
    screenshot("police-view")

    # 4. children's services, not a member: the glass, then the owner's alert
    _as(page, worker)
    page.goto(f"/cases/{case}/")
    expect(page.get_by_role("main")).not_to_contain_text(" ".join(VICTIM))
    page.goto("/cases/break-glass/")
    main = page.get_by_role("main")
    main.get_by_label("Case number").fill(str(case))
    main.get_by_label("Why you need to see this case now").fill(REASON)
    main.get_by_role("button", name="See the case now").click()
    banner = page.get_by_role("region", name="Emergency access")
    expect(banner).to_contain_text("Emergency access until")
    expect(banner).to_contain_text(REASON)
    main = page.get_by_role("main")
    expect(main.locator("#case-risk")).to_contain_text("High")
    expect(main).not_to_contain_text(REFUGE)  # children's services do not need the refuge
    expect(main).not_to_contain_text(NOTE)
    assert_accessible()
    screenshot("break-glass")

    _as(page, idva)
    alerts = page.get_by_role("region", name="Alerts")
    expect(alerts).to_contain_text(f"A user of {CHILDREN} opened emergency access to case {case}")
    expect(alerts).to_contain_text(REASON)
    assert_accessible()

    # 5. the audit log: the acts, by case number and agency, never the victim's name
    _as(page, secretariat)
    for action, says in (
        ("Emergency access to a case (break glass)", f"Emergency access to case {case}"),
        ("MARAC referral made", f"Case {case} referred to {MARAC} by {OWN_AGENCY}"),
    ):
        page.goto("/audit/")
        page.get_by_label("Action").select_option(label=action)
        page.get_by_role("button", name="Search").click()
        entries = page.get_by_role("region", name="Audit entries")
        expect(entries).to_contain_text(says)
        expect(page.get_by_role("main")).not_to_contain_text(VICTIM[1])
        assert_accessible()
    screenshot("audit")


def test_police_record_an_arrest_and_read_the_overdue_victims_code_list(
    page: Page, make_user, assert_accessible, screenshot
) -> None:
    """Needs the Victims' Code pages (branch cases-vcop)."""
    agencies = _agencies()
    officer = make_user(Role.PARTNER, username="officer", agency=POLICE)
    _as(page, officer)

    page.get_by_role("link", name="Open a case").first.click()
    main = page.get_by_role("main")
    main.get_by_label("Given name").fill(VICTIM[0])
    main.get_by_label("Family name").fill(VICTIM[1])
    main.get_by_label("Team").fill("Lambeth CSU")
    main.get_by_role("button", name="Open the case").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(" ".join(VICTIM))
    case = m.Case.objects.get(victim__family_name=VICTIM[1])
    assert case.agency == agencies[POLICE]

    # an arrest a week ago, its contact (1 working day: domestic abuse) never made
    page.goto(f"/cases/{case.pk}/victims-code/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Victims' Code")
    day = timezone.localdate() - dt.timedelta(days=7)
    page.get_by_label("What happened").select_option("arrest")
    page.get_by_label("Date", exact=True).fill(day.isoformat())
    page.get_by_label("Time", exact=True).fill("10:00")
    page.get_by_role("button", name="Record the event").click()
    row = page.locator("#vcop-contacts").get_by_role("row").filter(has_text="Arrest")
    expect(row).to_contain_text("Overdue")
    assert_accessible()

    page.get_by_role("link", name="Overdue contacts of your agency's cases").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Overdue Victims' Code contacts")
    assert page.url.endswith("/cases/victims-code/overdue/")
    table = page.get_by_role("table", name="Lambeth CSU (1)")
    expect(table).to_contain_text("Arrest")
    expect(table.get_by_role("link", name=f"Case {case.pk}")).to_be_visible()
    assert_accessible()
    screenshot("overdue")
