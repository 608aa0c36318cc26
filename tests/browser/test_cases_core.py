"""Cases and people in a browser: a partner agency's user signs in, lands on the caseload,
opens a case for a victim, records the alleged perpetrator and a child, a refuge address
and an incident, and reads them on the case page (axe on each page on the way)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from dsvb.web.accounts.roles import Role
from dsvb.web.cases import models as m


def test_a_partner_opens_a_case_and_records_its_people_address_and_incident(
    page: Page, sign_in, case_agencies, assert_accessible, screenshot
) -> None:
    sign_in(Role.PARTNER)  # Lambeth IDVA service, which has no case yet
    expect(page.get_by_role("heading", level=1)).to_have_text("Caseload")
    expect(page.get_by_role("main")).to_contain_text("Your agency has no cases yet")
    assert_accessible()

    page.get_by_role("link", name="Open a case").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open a case")
    main = page.get_by_role("main")
    main.get_by_label("Given name").fill("Morwenna")
    main.get_by_label("Family name").fill("Synthetica")
    main.get_by_label("Date of birth").fill("1991-02-03")
    main.get_by_label("Sex", exact=True).select_option("female")
    main.get_by_label("Telephone").fill("07700 900123")
    main.get_by_label("When and how it is safe to make contact").fill("Text first")
    main.get_by_label("Team").fill("IDVA team")
    main.get_by_label("Crime reference").fill("CR-4242")
    assert_accessible()
    main.get_by_role("button", name="Open the case").click()

    case = m.Case.objects.get(victim__given_name="Morwenna")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Case {case.pk}: Morwenna Synthetica"
    )
    expect(page.get_by_role("main")).to_contain_text("07700 900123")

    for role, given, relationship in (
        ("Alleged perpetrator", "Rhodri", "husband"),
        ("Child", "Tegan", "daughter"),
    ):
        page.get_by_role("link", name="Add a perpetrator, child or household member").click()
        main = page.get_by_role("main")
        main.get_by_label(role, exact=True).check()
        main.get_by_label("Given name").fill(given)
        main.get_by_label("Family name").fill("Synthetica")
        main.get_by_label("Relationship").fill(relationship)
        if role == "Child":
            main.get_by_label("Lives in the victim's household").check()
            assert_accessible()
        main.get_by_role("button", name="Add").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"Case {case.pk}")

    page.get_by_role("link", name="Add an address").click()
    main = page.get_by_role("main")
    main.get_by_label("Refuge or safe house").check()
    main.get_by_label("Address", exact=True).fill("Sanctuary House\n9 Quiet Lane")
    main.get_by_label("Postcode").fill("SE5 9ZZ")
    assert_accessible()
    main.get_by_role("button", name="Add the address").click()

    page.get_by_role("link", name="Add an incident").click()
    main = page.get_by_role("main")
    main.get_by_label("Date of the incident").fill("2026-11-20")
    main.get_by_label("Threats").check()
    main.get_by_label("Alleged perpetrator").select_option(label="Rhodri Synthetica")
    main.get_by_label("Reported to police").check()
    assert_accessible()
    main.get_by_role("button", name="Add the incident").click()

    main = page.get_by_role("main")
    expect(main.locator("#perpetrators + table")).to_contain_text("Rhodri Synthetica")
    expect(main.locator("#household + table")).to_contain_text("Tegan Synthetica")
    expect(main).to_contain_text("Sanctuary House")
    expect(main).to_contain_text("Refuge or safe address")
    expect(main.locator("#incidents + table")).to_contain_text("Threats (Rhodri Synthetica)")
    expect(main.locator("#incidents + table")).to_contain_text("Lambeth IDVA service")
    expect(main).to_contain_text("You see the whole case")
    assert_accessible()
    screenshot("case-page")

    page.get_by_role("link", name="Caseload").first.click()
    expect(page.get_by_role("main").locator("table").first).to_contain_text("Morwenna Synthetica")
    assert_accessible()
