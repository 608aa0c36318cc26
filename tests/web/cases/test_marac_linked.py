"""The MARAC return's repeats by linked person (decision 0047): a victim referred by the
police under one record and, months later, by the IDVA service under another is a repeat
only once linkage has found her the same person. Person keys are written by hand into a
real store's ``person_links`` (no Splink needed)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from dsvb import store
from dsvb.linkage.tables import ensure_tables
from dsvb.web.accounts.roles import Role
from dsvb.web.cases import marac_data
from dsvb.web.cases import models as m
from tests.support.case_fixtures import MARAC, OWN_AGENCY, POLICE, make_person

PERIOD = "from=2026-10-01&to=2026-12-31"


@pytest.fixture
def heard_with_history(case_objects) -> dict[str, int]:
    """The fixture's referral (the IDVA service's, 2 September 2026, after an incident on
    30 August by her ex-partner) heard in December; and an earlier police case of the same
    woman and man under the police's own records, referred on 1 March 2026."""
    meeting = m.MaracMeeting.objects.get(pk=case_objects["{marac_meeting}"])
    meeting.move_to("held")
    meeting.save()
    referral = m.Referral.objects.get(pk=case_objects["{referral}"])
    referral.move_to("heard")
    referral.save()
    police = m.Agency.objects.get(name=POLICE)
    marac = m.Agency.objects.get(name=MARAC)
    her = make_person(police, "Alex", "Testperson", date_of_birth=dt.date(1985, 4, 3))
    him = make_person(police, "Brian", "Testperson")
    earlier = m.Case.objects.create(
        agency=police, victim=her, team="Lambeth CSU", opened_on=dt.date(2026, 2, 20)
    )
    m.CaseParty.objects.create(case=earlier, person=him, role="perpetrator")
    m.Referral.objects.create(
        case=earlier, marac=marac, referring_agency=police, referred_on=dt.date(2026, 3, 1),
        criteria=["visible_high_risk"], consent="given", status="closed",
    )  # fmt: skip
    case = m.Case.objects.get(pk=case_objects["{case_own}"])
    own_him = case.parties.get(role="perpetrator").person
    return {"own_her": case.victim_id, "own_him": own_him.pk, "her": her.pk, "him": him.pk}


def _linked_store(path: Path, people: dict[str, int], *, same_man: bool = True) -> None:
    con = store.connect(path)
    try:
        ensure_tables(con)
        con.execute(
            "INSERT INTO link_runs VALUES (1, TIMESTAMP '2026-12-01 10:00:00', "
            "TIMESTAMP '2026-12-01 10:01:00', 'full', 4, 4, 2, 0.9, '{}', 'test')"
        )
        rows = [
            (OWN_AGENCY, people["own_her"], "P0000000000A1"),
            (POLICE, people["her"], "P0000000000A1"),
            (OWN_AGENCY, people["own_him"], "P0000000000B1"),
            (POLICE, people["him"], "P0000000000B1" if same_man else "P0000000000B2"),
        ]
        con.executemany(
            "INSERT INTO person_links VALUES (?, ?, ?, 1)", [[s, str(i), k] for s, i, k in rows]
        )
    finally:
        con.close()


def test_the_return_shows_repeats_by_linked_person_beside_recorded(
    client_for, case_objects, heard_with_history, settings, tmp_path
) -> None:
    settings.DSVB_STORE = tmp_path / "store.duckdb"
    _linked_store(settings.DSVB_STORE, heard_with_history)
    board = client_for(Role.BOARD_MEMBER)
    page = board.get(f"/cases/maracs/{case_objects['{marac}']}/return/?{PERIOD}")
    assert page.status_code == 200
    rows = {r.measure: r for r in page.context["rows"]}
    # recorded: the IDVA service's victim had no earlier referral of her own
    assert rows["Repeat cases"].value == 0
    # linked: the incident of 30 August, with the same man, came within 12 months of the
    # police's referral of the same woman on 1 March
    assert rows["Repeat cases by linked person"].value == 1
    assert "1 more than by recorded victim" in rows["Repeat cases by linked person"].note
    text = page.content.decode()
    assert "Repeat cases by linked person: 1, 1 more than by recorded victim" in text
    # no identifier of either record on the page of counts
    assert "Alex" not in text and "Testperson" not in text
    got = board.get(f"/cases/maracs/{case_objects['{marac}']}/return.csv?{PERIOD}")
    by = {r["measure"]: r for r in csv.DictReader(io.StringIO(got.content.decode()))}
    assert by["Repeat cases by linked person"]["value"] == "1"


def test_another_man_is_not_a_repeat_even_when_she_is_linked(
    case_objects, heard_with_history, settings, tmp_path
) -> None:
    settings.DSVB_STORE = tmp_path / "store.duckdb"
    _linked_store(settings.DSVB_STORE, heard_with_history, same_man=False)
    marac = m.Agency.objects.get(name=MARAC)
    keys = marac_data.person_keys()
    ret = marac_data.marac_return([marac], dt.date(2026, 10, 1), dt.date(2026, 12, 31), keys=keys)
    assert (ret.repeats, ret.linked_repeats, ret.hidden_repeats) == (0, 0, 0)


def test_without_links_the_return_says_to_run_dsvb_link(
    client_for, case_objects, heard_with_history, settings, tmp_path
) -> None:
    settings.DSVB_STORE = tmp_path / "store.duckdb"
    store.connect(settings.DSVB_STORE).close()  # a store, never linked
    board = client_for(Role.BOARD_MEMBER)
    page = board.get(f"/cases/maracs/{case_objects['{marac}']}/return/?{PERIOD}")
    assert page.status_code == 200
    rows = {r.measure: r for r in page.context["rows"]}
    assert "Repeat cases by linked person" not in rows
    assert rows["Repeat cases"].value == 0
    assert f"dsvb link --store {settings.DSVB_STORE}" in page.content.decode()
    settings.DSVB_STORE = tmp_path / "missing.duckdb"
    with pytest.raises(marac_data.NotLinked, match="no analytical store"):
        marac_data.person_keys()


def _keys_of_their_own(path: Path, people: dict[str, int], *, skip: tuple[str, ...] = ()) -> None:
    """A link run that gave every record a key of its own (nobody linked to anybody), but
    none to the records named in ``skip`` (recorded since that run)."""
    con = store.connect(path)
    try:
        ensure_tables(con)
        con.execute(
            "INSERT INTO link_runs VALUES (1, TIMESTAMP '2026-12-01 10:00:00', "
            "TIMESTAMP '2026-12-01 10:01:00', 'full', 4, 4, 4, 0.9, '{}', 'test')"
        )
        sources = {"own_her": OWN_AGENCY, "own_him": OWN_AGENCY, "her": POLICE, "him": POLICE}
        con.executemany(
            "INSERT INTO person_links VALUES (?, ?, ?, 1)",
            [
                [sources[who], str(pk), f"P00000000000{n}"]
                for n, (who, pk) in enumerate(people.items())
                if who not in skip
            ],
        )
    finally:
        con.close()


@pytest.fixture
def referred_before_in_another_case(case_objects, heard_with_history) -> dict[str, int]:
    """The IDVA service's victim had another case of her own, referred on 1 March 2026 over
    the same man; the heard referral was stored as no repeat (judged before the incident of
    30 August was entered): today's facts of her cases would judge it a repeat."""
    case = m.Case.objects.get(pk=case_objects["{case_own}"])
    own = m.Agency.objects.get(name=OWN_AGENCY)
    marac = m.Agency.objects.get(name=MARAC)
    other = m.Case.objects.create(
        agency=own, victim=case.victim, team="Lambeth IDVA", opened_on=dt.date(2026, 2, 20)
    )
    m.CaseParty.objects.create(
        case=other, person_id=heard_with_history["own_him"], role="perpetrator"
    )
    m.Referral.objects.create(
        case=other, marac=marac, referring_agency=own, referred_on=dt.date(2026, 3, 1),
        criteria=["visible_high_risk"], consent="given", status="closed",
    )  # fmt: skip
    assert not m.Referral.objects.get(pk=case_objects["{referral}"]).is_repeat
    return heard_with_history


@pytest.mark.parametrize("skip", [(), ("own_her",)], ids=["key-per-record", "victim-unkeyed"])
def test_a_key_per_record_gives_linked_repeats_equal_to_repeats(
    case_objects, referred_before_in_another_case, settings, tmp_path, skip
) -> None:
    settings.DSVB_STORE = tmp_path / "store.duckdb"
    _keys_of_their_own(settings.DSVB_STORE, referred_before_in_another_case, skip=skip)
    marac = m.Agency.objects.get(name=MARAC)
    keys = marac_data.person_keys()
    ret = marac_data.marac_return([marac], dt.date(2026, 10, 1), dt.date(2026, 12, 31), keys=keys)
    assert ret.linked_repeats == ret.repeats == 0
    assert ret.hidden_repeats == 0


def test_the_linked_row_names_victims_without_a_key(
    client_for, case_objects, heard_with_history, settings, tmp_path
) -> None:
    settings.DSVB_STORE = tmp_path / "store.duckdb"
    _keys_of_their_own(settings.DSVB_STORE, heard_with_history, skip=("own_her",))
    board = client_for(Role.BOARD_MEMBER)
    page = board.get(f"/cases/maracs/{case_objects['{marac}']}/return/?{PERIOD}")
    rows = {r.measure: r for r in page.context["rows"]}
    note = rows["Repeat cases by linked person"].note
    assert "1 case's victim has no person key yet" in note and "dsvb link" in note
    _keys_of_their_own(tmp_path / "all.duckdb", heard_with_history)
    settings.DSVB_STORE = tmp_path / "all.duckdb"
    page = board.get(f"/cases/maracs/{case_objects['{marac}']}/return/?{PERIOD}")
    rows = {r.measure: r for r in page.context["rows"]}
    assert "no person key" not in rows["Repeat cases by linked person"].note
