"""The linkage review pages on a real store written by hand (no Splink): what each role
sees, the evidence, the one audit entry per view (without identifiers), refusals audited,
and splitting a record off through the web."""

from __future__ import annotations

import json
import re

import pytest
from django.core.cache import cache

from dsvb import store
from dsvb.linkage import review
from dsvb.linkage.records import EXTRACT, RecordRef
from dsvb.web.accounts.models import Membership
from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import Action, AuditEvent
from dsvb.web.linkage import audit
from tests.support.case_fixtures import OWN_AGENCY
from tests.support.linkage_store import (
    IDENTIFIERS,
    KEY_A,
    KEY_B,
    KEY_TWINS,
    make_linkage_store,
)

REASON = "Twins: different given names, same birth date and address"
# every identifier written into the store, and the case person's (case_objects)
SECRETS = [v for row in IDENTIFIERS.values() for v in (row[0], row[1], row[3])] + [
    "1990-03-14",
    "2001-01-05",
    "Alexandra",
]


@pytest.fixture
def linked(tmp_path, settings, case_objects):
    """A store whose person KEY_A holds the Lambeth IDVA service's own case victim."""
    path = make_linkage_store(
        tmp_path / "store.duckdb", case_record=str(case_objects["{person_own}"])
    )
    settings.DSVB_STORE = path
    cache.clear()
    yield path
    cache.clear()


def entries(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def no_identifiers(entry: AuditEvent) -> None:
    text = entry.summary + json.dumps(entry.details) + entry.object_id
    for secret in SECRETS:
        assert secret not in text, (secret, text)


def test_an_analyst_sees_the_records_identifiers_and_why_they_were_linked(
    client_for, linked
) -> None:
    client = client_for(Role.FORCE_ANALYST)
    before = AuditEvent.objects.count()
    page = client.get(f"/linkage/people/{KEY_A}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Amelia" in html and "Fakenmae" in html and "14 March 1990" in html
    assert "SE11 4ZZ" in html
    assert "match weight 14.25" in html and "Jaro-Winkler &gt;= 0.92" in html
    assert "match weight 9.50" in html
    # the case record: agency and id only (a force analyst never sees a case)
    assert "Lambeth IDVA service, record" in html
    assert "Alexandra" not in html and "shown only to those who may see the case" in html
    # ... and its pair with LNK-2 the total weight only: the levels next to LNK-2's
    # identifiers would spell out the case person's (review B, M1)
    assert (
        "Jaro-Winkler &gt;= 0.88" not in html
        and "postcode" not in html.lower().split("match weight 9.50")[1].split("</table>")[0]
    )
    assert "Only the total weight is shown" in html
    # one audit entry, naming the person by key only
    assert AuditEvent.objects.count() == before + 1
    (entry,) = entries(Action.PAGE_VIEWED)
    assert entry.details["person_key"] == KEY_A and entry.details["records"] == "3"
    no_identifiers(entry)


def test_an_analyst_who_is_also_the_case_owner_sees_the_case_persons_identifiers(
    make_user, linked
) -> None:
    from django.test import Client

    from tests.support.web_fixtures import sign_in_with_code

    user = make_user(Role.FORCE_ANALYST, username="analyst-and-idva")
    Membership.objects.create(user=user, role=Role.PARTNER, agency=OWN_AGENCY)
    client = Client()
    sign_in_with_code(client, user)
    html = client.get(f"/linkage/people/{KEY_A}/").content.decode()
    assert "Alexandra" in html and "shown only to those who may see the case" not in html
    assert "Jaro-Winkler &gt;= 0.88" in html and "Only the total weight is shown" not in html
    # and may look the case record up by its agency and id
    page = client.get("/linkage/record/", {"source": OWN_AGENCY, "record_id": case_record(linked)})
    assert page.status_code == 200 and f"Person {KEY_A}" in page.content.decode()


def case_record(path) -> str:
    con = store.connect(path, read_only=True)
    try:
        (found,) = con.execute(
            "SELECT record_id FROM person_links WHERE source = ?", [OWN_AGENCY]
        ).fetchone()
    finally:
        con.close()
    return found


def test_a_case_record_is_not_looked_up_by_one_who_may_not_see_its_cases(client_for, linked):
    """An agency's record ids tried one by one would tell a force analyst who its clients
    are and their police identity (review B, M1): refused whether or not the id is linked,
    and audited."""
    client = client_for(Role.FORCE_ANALYST)
    for record_id in (case_record(linked), "999999"):
        page = client.get("/linkage/record/", {"source": OWN_AGENCY, "record_id": record_id})
        assert page.status_code == 403
        assert KEY_A not in page.content.decode()
    refusals = entries(Action.ACCESS_DENIED)
    assert [r.details["record_id"] for r in refusals] == [case_record(linked), "999999"]
    assert all(r.details["source"] == OWN_AGENCY for r in refusals)
    assert "none of that person's cases" in refusals[0].details["reason"]
    assert not entries(Action.PAGE_VIEWED)


def test_a_record_finds_its_person(client_for, linked) -> None:
    client = client_for(Role.FORCE_ANALYST)
    page = client.get("/linkage/record/", {"source": "extract", "record_id": "LNK-3"})
    assert page.status_code == 200
    assert f"Person {KEY_B}" in page.content.decode() and "Looked up" in page.content.decode()
    (entry,) = entries(Action.PAGE_VIEWED)
    assert entry.details["record_id"] == "LNK-3" and entry.details["person_key"] == KEY_B
    assert client.get("/linkage/record/", {"record_id": "NOBODY"}).status_code == 404
    assert client.get("/linkage/people/P000000000000/").status_code == 404


def test_lookups_that_find_nothing_are_audited(client_for, linked) -> None:
    """Someone trying record ids or keys leaves a trace (review B, L2)."""
    client = client_for(Role.FORCE_ANALYST)
    assert client.get("/linkage/record/", {"record_id": "NOBODY"}).status_code == 404
    assert client.get("/linkage/people/P000000000000/").status_code == 404
    assert client.get("/linkage/people/P000000000000/split/").status_code == 404
    missed = entries(audit.LINK_LOOKUP_MISSED)
    assert [m.details.get("record_id") for m in missed] == ["NOBODY", None, None]
    assert [m.details.get("person_key") for m in missed] == [None, *["P000000000000"] * 2]
    assert missed[0].actor_username == client.user.username
    assert not entries(Action.PAGE_VIEWED)


@pytest.mark.parametrize(
    "role", [Role.BOROUGH_USER, Role.PARTNER, Role.SECRETARIAT, Role.BOARD_MEMBER, Role.AUDITOR]
)
def test_others_are_refused_a_person_by_key_and_the_refusal_is_audited(
    client_for, linked, role
) -> None:
    client = client_for(role)
    for path in (f"/linkage/people/{KEY_A}/", f"/linkage/people/{KEY_A}/split/"):
        response = client.get(path)
        assert response.status_code == 403
        assert "Amelia" not in response.content.decode()
    refusals = entries(Action.ACCESS_DENIED)
    assert len(refusals) == 2
    assert refusals[0].details["view_arguments"] == {"person_key": KEY_A}
    assert "may not review linked records" in refusals[0].details["reason"]
    assert not entries(Action.PAGE_VIEWED)


def test_the_summary_has_counts_for_the_board_and_no_records(client_for, linked) -> None:
    client = client_for(Role.BOARD_MEMBER)
    page = client.get("/linkage/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Linked people" in html
    for secret in ("Amelia", "LNK-1", KEY_A):
        assert secret not in html
    assert "Find a record" not in html  # the board does not review records
    assert KEY_TWINS not in html and "Links to check first" not in html
    analyst = client_for(Role.FORCE_ANALYST).get("/linkage/").content.decode()
    assert "Find a record" in analyst
    # the analyst's list of links to check first: the twins' weak link before person A's
    listed = re.findall(r'href="/linkage/people/(P[0-9A-F]{12})/"', analyst)
    assert listed == [KEY_TWINS, KEY_A]


def test_the_navigation_offers_linked_people_to_those_who_may_see_them(client_for, linked):
    assert "Linked people" in client_for(Role.FORCE_ANALYST).get("/linkage/").content.decode()
    other = client_for(Role.BOROUGH_USER).get("/performance/scorecard/").content.decode()
    assert "/linkage/" not in other


def test_a_summary_of_a_store_without_linkage_says_none_has_run(client_for, tmp_path, settings):
    path = tmp_path / "plain.duckdb"
    store.connect(path).close()
    settings.DSVB_STORE = path
    page = client_for(Role.FORCE_ANALYST).get("/linkage/")
    assert page.status_code == 200 and "No linkage has been run" in page.content.decode()


def test_splitting_a_record_off_through_the_web(client_for, linked) -> None:
    client = client_for(Role.FORCE_ANALYST)
    form = client.get(f"/linkage/people/{KEY_TWINS}/split/")
    assert form.status_code == 200 and "Delyth Twinexample, born 5 January 2001" in (
        form.content.decode()
    )
    assert re.search(r'type="checkbox"\s+name="records"', form.content.decode())
    response = client.post(
        f"/linkage/people/{KEY_TWINS}/split/",
        {"records": "extract:LNK-5", "reason": REASON, "confirm": "on"},
    )
    assert response.status_code == 302
    con = store.connect(linked, read_only=True)
    try:
        new_key = review.key_of(con, RecordRef(EXTRACT, "LNK-5"))
        assert review.key_of(con, RecordRef(EXTRACT, "LNK-4")) == KEY_TWINS
        assert con.execute("SELECT split_by, reason FROM link_splits").fetchall() == [
            (client.user.username, REASON)
        ]
    finally:
        con.close()
    assert new_key != KEY_TWINS
    assert response["Location"] == f"/linkage/people/{new_key}/?split_from={KEY_TWINS}"
    (asked,) = entries(audit.LINK_SPLIT_REQUESTED)
    (entry,) = entries(audit.LINK_SPLIT)
    assert asked.id < entry.id and asked.details["records"] == ["extract:LNK-5"]
    assert entry.actor_username == client.user.username
    assert entry.details["records"] == ["extract:LNK-5"] and entry.details["new_key"] == new_key
    assert entry.details["from_key"] == KEY_TWINS
    assert entry.details["split_from"] == ["extract:LNK-4"]
    for e in (asked, entry):
        no_identifiers(e)
        assert "Twins" not in json.dumps(e.details)  # the reason's words stay in the store
    page = client.get(response["Location"]).content.decode()
    assert f"Person {new_key}" in page and "The records were split off person" in page
    assert "Split: not the same person" in page


@pytest.mark.parametrize(
    ("posted", "error"),
    [
        ({"records": "extract:LNK-5", "reason": REASON}, "Confirm that you have checked"),
        ({"records": "extract:LNK-5", "reason": "twins", "confirm": "on"}, "at least 5 words"),
        ({"reason": REASON, "confirm": "on"}, "Choose the records to split off"),
        ({"records": "extract:LNK-1", "reason": REASON, "confirm": "on"}, "Select a valid choice"),
        (
            {"records": ["extract:LNK-4", "extract:LNK-5"], "reason": REASON, "confirm": "on"},
            "Leave at least one record with this person",
        ),
    ],
)
def test_a_split_form_with_a_problem_splits_nothing(client_for, linked, posted, error) -> None:
    before = linked.read_bytes()
    response = client_for(Role.FORCE_ANALYST).post(f"/linkage/people/{KEY_TWINS}/split/", posted)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert linked.read_bytes() == before
    assert not entries(audit.LINK_SPLIT) and not entries(audit.LINK_SPLIT_REQUESTED)


def test_a_split_of_a_record_that_moved_meanwhile_is_refused(client_for, linked) -> None:
    client = client_for(Role.FORCE_ANALYST)
    review.split(linked, RecordRef(EXTRACT, "LNK-5"), KEY_TWINS, by="someone", reason=REASON)
    # the form was read before: it still offers LNK-4 (now alone) -- nothing to split from
    response = client.post(
        f"/linkage/people/{KEY_TWINS}/split/",
        {"records": "extract:LNK-4", "reason": REASON, "confirm": "on"},
    )
    assert response.status_code == 200
    assert "has one record: there is nothing to split" in response.content.decode()
    assert not entries(audit.LINK_SPLIT)


def test_a_group_of_records_moves_out_together_through_the_web(client_for, linked) -> None:
    """Two people merged: the analyst ticks the other person's records (review B, H1)."""
    client = client_for(Role.FORCE_ANALYST)
    group = [f"{OWN_AGENCY}:{case_record(linked)}", "extract:LNK-2"]
    response = client.post(
        f"/linkage/people/{KEY_A}/split/", {"records": group, "reason": REASON, "confirm": "on"}
    )
    assert response.status_code == 302
    con = store.connect(linked, read_only=True)
    try:
        rows = con.execute("SELECT record_id_a, record_id_b FROM link_splits ORDER BY ALL")
        assert rows.fetchall() == sorted([(case_record(linked), "LNK-1"), ("LNK-2", "LNK-1")])
        new = review.key_of(con, RecordRef(EXTRACT, "LNK-2"))
        assert review.key_of(con, RecordRef(OWN_AGENCY, case_record(linked))) == new != KEY_A
    finally:
        con.close()
    (entry,) = entries(audit.LINK_SPLIT)
    assert sorted(entry.details["records"]) == sorted(group)
    assert entry.details["split_from"] == ["extract:LNK-1"]


def test_a_split_is_audited_before_the_store_is_written(client_for, linked, monkeypatch):
    """If the audit log cannot be written, nothing is split (review B, L6)."""
    from dsvb.web.linkage import views

    real = views.record

    def failing(request, action, *args, **kwargs):
        if action == audit.LINK_SPLIT_REQUESTED:
            raise RuntimeError("the audit log is down")
        return real(request, action, *args, **kwargs)

    monkeypatch.setattr(views, "record", failing)
    client = client_for(Role.FORCE_ANALYST)
    client.raise_request_exception = False
    before = linked.read_bytes()
    response = client.post(
        f"/linkage/people/{KEY_TWINS}/split/",
        {"records": "extract:LNK-5", "reason": REASON, "confirm": "on"},
    )
    assert response.status_code == 500
    assert linked.read_bytes() == before


def test_a_committed_split_whose_done_entry_fails_is_logged_and_keeps_its_request(
    client_for, linked, monkeypatch, caplog
) -> None:
    from dsvb.web.linkage import views

    real = views.record

    def failing(request, action, *args, **kwargs):
        if action == audit.LINK_SPLIT:
            raise RuntimeError("the audit log is down")
        return real(request, action, *args, **kwargs)

    monkeypatch.setattr(views, "record", failing)
    response = client_for(Role.FORCE_ANALYST).post(
        f"/linkage/people/{KEY_TWINS}/split/",
        {"records": "extract:LNK-5", "reason": REASON, "confirm": "on"},
    )
    assert response.status_code == 302  # the store has committed: the split is done
    (asked,) = entries(audit.LINK_SPLIT_REQUESTED)
    assert asked.details["records"] == ["extract:LNK-5"]
    (logged,) = [r for r in caplog.records if "committed split has no audit entry" in r.message]
    assert "extract:LNK-5" in logged.getMessage() and "Delyth" not in logged.getMessage()


def test_a_split_refused_by_the_store_is_audited_as_not_made(client_for, linked, monkeypatch):
    from dsvb.web.linkage import views

    def refused(*args, **kwargs):
        raise review.SplitRefused("record extract:LNK-5 is no longer part of person X")

    monkeypatch.setattr(views.review, "split", refused)
    response = client_for(Role.FORCE_ANALYST).post(
        f"/linkage/people/{KEY_TWINS}/split/",
        {"records": "extract:LNK-5", "reason": REASON, "confirm": "on"},
    )
    assert response.status_code == 200 and "no longer part of person" in response.content.decode()
    assert len(entries(audit.LINK_SPLIT_REQUESTED)) == 1
    (not_made,) = entries(audit.LINK_SPLIT_NOT_MADE)
    assert "no longer part" in not_made.details["reason"] and not entries(audit.LINK_SPLIT)


def test_the_waterfall_starts_from_the_prior_and_ends_at_the_pairs_weight() -> None:
    from dsvb.web.linkage.views import _waterfall

    steps = (
        review.ComparisonStep("given_name", "exact", 6.0),
        review.ComparisonStep("prior", "", -8.0),
        review.ComparisonStep("dob", "jw>=0.92", 3.5),
    )
    pair = review.PairEvidence(RecordRef(EXTRACT, "a"), RecordRef(EXTRACT, "b"), 1.5, 0.7, steps, 1)
    rows = _waterfall(pair)
    assert [r["name"] for r in rows] == ["Prior", "Given name", "Date of birth"]
    assert [r["total"] for r in rows] == [-8.0, -2.0, 1.5]
    assert rows[2]["level"] == "Jaro-Winkler similarity ≥ 0.92"
    assert rows[0]["direction"] == "against" and rows[1]["direction"] == "for"
    # a run that kept no prior: the difference is shown, so the total is the pair's weight
    unitemised = review.PairEvidence(pair.left, pair.right, 2.0, 0.8, steps[:1], 1)
    rows = _waterfall(unitemised)
    assert rows[0]["name"] == "Prior: before any comparison" and rows[0]["weight"] == -4.0
    assert rows[-1]["total"] == 2.0


def test_the_summary_shows_repeat_victims_by_recorded_id_and_linked_person(
    client_for, demo_store, linkage_objects
) -> None:
    """With the figures by linked person (dsvb.indicators.linked, issue 18's other part):
    skipped on a build without them."""
    pytest.importorskip("dsvb.indicators.linked")
    html = client_for(Role.BOARD_MEMBER).get("/linkage/").content.decode()
    assert 'id="repeat-side-by-side"' in html
    assert "Hidden repeat victims" in html and "Domestic violence" in html
    for secret in ("Amelia", "LNK-1"):
        assert secret not in html


def test_the_summary_counts_records_with_identifiers_but_no_key(
    client_for, demo_store, linkage_objects
) -> None:
    """The demo's people hold identifiers, and the hand-written run keyed only five records:
    the rest count as their own person in the linked figures, and the page says how many."""
    pytest.importorskip("dsvb.indicators.linked")
    con = store.connect(demo_store, read_only=True)
    try:
        (unkeyed,) = con.execute(
            "SELECT count(DISTINCT person_id) FROM person_identifiers WHERE person_id NOT IN "
            "(SELECT record_id FROM person_links WHERE source = 'extract')"
        ).fetchone()
    finally:
        con.close()
    assert unkeyed > 1
    html = client_for(Role.BOARD_MEMBER).get("/linkage/").content.decode()
    assert 'id="unlinked-records"' in html
    assert f"{unkeyed:,} records with identifiers have no person key yet" in html
    assert "<code>dsvb link</code>" in html
