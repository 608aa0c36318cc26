"""Splitting a wrong link in a browser: a force analyst finds a record's person, reads why
its records were linked (each comparison's weight), ticks one twin's records on the split
form (a group: the other person's records move out together) with a reason and sees them
under a new key; the auditor finds the split in the audit log, without a name, a
date of birth or the reason's words; a borough user and a partner agency user who type the
person's address get 403, audited (axe on each page on the way)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from dsvb import store
from dsvb.linkage import review
from dsvb.linkage.records import EXTRACT, RecordRef
from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import Action, AuditEvent
from tests.browser.conftest import sign_in_as
from tests.support.linkage_store import KEY_TWINS, make_linkage_store

REASON = "Twins: different given names, same birth date and address"


@pytest.fixture
def linked(tmp_path, settings):
    path = make_linkage_store(tmp_path / "store.duckdb")
    settings.DSVB_STORE = path
    cache.clear()
    yield path
    cache.clear()


def _sign_out(page: Page) -> None:
    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_an_analyst_splits_a_twin_off_and_the_audit_log_shows_it_without_identifiers(
    page: Page, make_user, linked, assert_accessible, screenshot
) -> None:
    analyst = make_user(Role.FORCE_ANALYST, username="analyst")
    sign_in_as(page, analyst)

    # find the person of a record, from the summary
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Linked people").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Linked people")
    main = page.get_by_role("main")
    expect(main).to_contain_text("People found in more than one source")
    assert_accessible()
    main.get_by_label("Record id").fill("LNK-5")
    main.get_by_role("button", name="Find the person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Person {KEY_TWINS}")

    # the records and why they were linked
    main = page.get_by_role("main")
    records = main.locator("#records")
    expect(records).to_contain_text("Carys")
    expect(records).to_contain_text("Delyth")
    expect(records).to_contain_text("5 January 2001")
    pair = main.locator("#pair-1")
    expect(pair).to_contain_text("match weight 4.75")
    expect(pair.get_by_role("row", name="Given name")).to_contain_text("different")
    expect(pair.get_by_role("row", name="Given name")).to_contain_text("-5.30")
    expect(pair.get_by_role("row", name="Date of birth")).to_contain_text("+7.40")
    assert_accessible()
    screenshot("person")

    # split the second twin off, with a reason and the confirmation
    main.get_by_role("link", name="Split records off this person").click()
    main = page.get_by_role("main")
    main.get_by_role("button", name="Split the records off").click()  # nothing filled in
    expect(page.get_by_role("alert")).to_contain_text("Choose the records to split off")
    expect(page.get_by_role("alert")).to_contain_text("Confirm that you have checked")
    assert_accessible()
    main = page.get_by_role("main")
    group = main.get_by_role("group", name="Which records are another person?")
    carys = group.get_by_role("checkbox", name="Police extract, record LNK-4: Carys Twinexample")
    delyth = group.get_by_role("checkbox", name="Police extract, record LNK-5: Delyth Twinexample")
    # both ticked: nothing would stay with the person
    carys.check()
    delyth.check()
    main.get_by_label("Why these records are not the same person").fill(REASON)
    main.get_by_label("I have checked these records and they are not the same person").check()
    main.get_by_role("button", name="Split the records off").click()
    expect(page.get_by_role("alert")).to_contain_text("Leave at least one record with this person")
    main = page.get_by_role("main")
    group = main.get_by_role("group", name="Which records are another person?")
    group.get_by_role("checkbox", name="Police extract, record LNK-4: Carys Twinexample").uncheck()
    expect(
        group.get_by_role("checkbox", name="Police extract, record LNK-5: Delyth Twinexample")
    ).to_be_checked()
    main.get_by_label("I have checked these records and they are not the same person").check()
    main.get_by_role("button", name="Split the records off").click()

    con = store.connect(linked, read_only=True)
    try:
        new_key = review.key_of(con, RecordRef(EXTRACT, "LNK-5"))
    finally:
        con.close()
    assert new_key and new_key != KEY_TWINS
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Person {new_key}")
    banner = page.get_by_role("alert")
    expect(banner).to_contain_text(f"The records were split off person {KEY_TWINS}")
    main = page.get_by_role("main")
    expect(main.locator("#records")).to_contain_text("Delyth")
    expect(main.locator("#records")).not_to_contain_text("Carys")
    expect(main.locator("#pair-1")).to_contain_text("Split: not the same person")
    expect(main).to_contain_text(REASON)  # the analyst reads the reason with the split
    assert_accessible()
    screenshot("split")
    _sign_out(page)

    # the audit log: the split by record and keys, no identifier, not the reason's words
    auditor = make_user(Role.AUDITOR, username="auditor")
    sign_in_as(page, auditor)
    page.goto("/audit/")
    page.get_by_label("Action").select_option(label="Linked record split off a person")
    page.get_by_role("button", name="Search").click()
    entries = page.get_by_role("region", name="Audit entries")
    expect(entries).to_contain_text(f"Record extract:LNK-5 split off person {KEY_TWINS}")
    expect(entries).to_contain_text(new_key)
    main = page.get_by_role("main")
    for secret in ("Delyth", "Carys", "Twinexample", "2001", "SE5", "Twins"):
        expect(main).not_to_contain_text(secret)
    assert_accessible()
    screenshot("audit")


@pytest.mark.parametrize("role", [Role.BOROUGH_USER, Role.PARTNER])
def test_a_person_by_key_is_refused_to_borough_and_partner_users_and_audited(
    page: Page, make_user, linked, role
) -> None:
    user = make_user(role, username=f"not-an-analyst-{role}")
    sign_in_as(page, user)
    expect(page.get_by_role("navigation", name="Menu")).not_to_contain_text("Linked people")
    response = page.goto(f"/linkage/people/{KEY_TWINS}/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("main")).not_to_contain_text("Delyth")
    refused = AuditEvent.objects.filter(action=Action.ACCESS_DENIED, actor_id=user.pk).get()
    assert refused.details["view_arguments"] == {"person_key": KEY_TWINS}
