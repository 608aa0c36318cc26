"""``dsvb marac-return``, run as a real command against a temporary SQLite database that
``dsvb manage migrate`` built and a small known partnership filled: the counts, both
formats, one MARAC by name, and bad input refused in words with a failing exit code."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.commands import run_dsvb, web_env

SEED = """
import datetime as dt
from dsvb.web.commands import setup
setup()
from dsvb.web.cases import models as m
idva = m.Agency.objects.create(name="Test IDVA", kind="idva")
police = m.Agency.objects.create(name="Test Police", kind="police")
marac = m.Agency.objects.create(name="Test MARAC", kind="marac")
other = m.Agency.objects.create(name="Other MARAC", kind="marac")
marac.members.set([idva, police])
held = m.MaracMeeting.objects.create(marac=marac, date=dt.date(2026, 2, 10), status="held")
later = m.MaracMeeting.objects.create(marac=marac, date=dt.date(2026, 4, 14), status="held")
elsewhere = m.MaracMeeting.objects.create(marac=other, date=dt.date(2026, 2, 11), status="held")
def case(agency, sex, ethnicity, born, children, perp_born):
    victim = m.Person.objects.create(agency=agency, given_name="Test", family_name="Victim",
        sex=sex, ethnicity=ethnicity, date_of_birth=born)
    c = m.Case.objects.create(agency=agency, victim=victim)
    perp = m.Person.objects.create(agency=agency, given_name="Test", family_name="Perp",
        date_of_birth=perp_born)
    m.CaseParty.objects.create(case=c, person=perp, role="perpetrator")
    for _ in range(children):
        child = m.Person.objects.create(agency=agency, given_name="Test", family_name="Child")
        m.CaseParty.objects.create(case=c, person=child, role="child", in_household=True)
    return c
def heard(c, agency, meeting, repeat=False):
    m.Referral.objects.create(case=c, marac=meeting.marac, referring_agency=agency,
        consent="given", status="heard", meeting=meeting, is_repeat=repeat,
        repeat_definition="any_abuse" if repeat else "")
heard(case(idva, "female", "black", dt.date(1990, 1, 1), 2, dt.date(1988, 1, 1)), idva, held)
heard(case(police, "male", "", dt.date(2009, 6, 1), 0, dt.date(2009, 1, 1)), police, held, True)
heard(case(idva, "female", "white", None, 1, None), idva, later)
heard(case(police, "female", "asian", dt.date(1980, 1, 1), 0, dt.date(1970, 1, 1)), police,
      elsewhere)
"""


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> dict[str, str]:
    env = web_env(tmp_path_factory.mktemp("marac-return"))
    migrated = run_dsvb(env, "manage", "migrate", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    seeded = subprocess.run(
        [sys.executable, "-c", SEED], env=env, capture_output=True, text=True, timeout=120
    )
    assert seeded.returncode == 0, seeded.stderr
    return env


def _rows(text: str) -> dict[str, dict[str, str]]:
    return {r["measure"]: r for r in csv.DictReader(io.StringIO(text))}


def test_the_return_of_one_marac_as_csv(database) -> None:
    result = run_dsvb(
        database, "marac-return", "--from", "2026-01-01", "--to", "2026-03-31",
        "--marac", "Test MARAC", "--women", "20000", "--idva-fte", "0.5", "--format", "csv",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "measure,value,benchmark,note"
    rows = _rows(result.stdout)
    values = {k: rows[k]["value"] for k in rows}
    assert values["Cases discussed"] == "2"  # the April meeting and the other MARAC's: out
    assert values["Repeat cases"] == "1"
    assert values["Children in the households"] == "2"
    assert values["Referrals by Test IDVA"] == "1" and values["Referrals by Test Police"] == "1"
    assert values["Referrals by the police"] == "1"
    assert values["Referrals by partner agencies"] == "1"
    assert values["Victims BME"] == "1" and values["Victims BME: not recorded"] == "1"
    assert values["Victims male"] == "1" and values["Victims aged 16-17"] == "1"
    assert values["Perpetrators under 18"] == "1"
    # 2 cases in 90 days, a year, per 10,000 of 20,000 women; 1 IDVA referral per 0.5 IDVA
    assert values["Cases a year per 10,000 adult women"] == str(round(2 * 365.25 / 90 / 2, 1))
    assert rows["Cases a year per 10,000 adult women"]["benchmark"] == "40"
    assert values["IDVA referrals a year per full-time IDVA"] == str(round(365.25 / 90 / 0.5, 1))
    assert rows["IDVA referrals a year per full-time IDVA"]["benchmark"] == "100"


def test_every_marac_as_json(database) -> None:
    result = run_dsvb(
        database, "marac-return", "--from", "2026-01-01", "--to", "2026-06-30", "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["from"] == "2026-01-01" and data["to"] == "2026-06-30"
    by = {r["measure"]: r for r in data["rows"]}
    assert by["Cases discussed"]["value"] == 4
    assert by["Cases a year per 10,000 adult women"]["value"] is None


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--from", "2026-02-30", "--to", "2026-03-31"), "'2026-02-30' is not a date"),
        (("--from", "1/1/2026", "--to", "2026-03-31"), "write it as YYYY-MM-DD"),
        (("--from", "2026-03-31", "--to", "2026-01-01"), "is before --from"),
        (("--from", "2026-01-01", "--to", "2026-03-31", "--marac", "Nowhere"), "no MARAC is"),
        (("--from", "2026-01-01", "--to", "2026-03-31", "--women", "0"), "--women"),
    ],
)
def test_bad_input_is_refused_in_words(database, args, words) -> None:
    result = run_dsvb(database, "marac-return", *args)
    assert result.returncode != 0
    assert words in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_repeats_by_linked_person_need_a_linked_store(database, tmp_path: Path) -> None:
    """--people linked: refused naming ``dsvb link`` until a link run is in the store; then
    the row of repeats by linked person follows the recorded one (here no case person has a
    key, so the two agree)."""
    path = tmp_path / "store.duckdb"
    args = ("marac-return", "--from", "2026-01-01", "--to", "2026-03-31", "--marac",
            "Test MARAC", "--people", "linked", "--store", str(path))  # fmt: skip
    missing = run_dsvb(database, *args)
    assert missing.returncode == 1 and f"dsvb link --store {path}" in missing.stderr
    from dsvb import store
    from dsvb.linkage.tables import ensure_tables

    con = store.connect(path)
    ensure_tables(con)
    con.close()
    never = run_dsvb(database, *args)
    assert never.returncode == 1 and "have not been linked" in never.stderr
    con = store.connect(path)
    con.execute(
        "INSERT INTO link_runs VALUES (1, TIMESTAMP '2026-01-01 10:00:00', "
        "TIMESTAMP '2026-01-01 10:01:00', 'full', 0, 0, 0, 0.9, '{}', 'test')"
    )
    con.close()
    done = run_dsvb(database, *args)
    assert done.returncode == 0, done.stderr
    measures = [r["measure"] for r in csv.DictReader(io.StringIO(done.stdout))]
    assert measures[1:3] == ["Repeat cases", "Repeat cases by linked person"]
    rows = _rows(done.stdout)
    assert rows["Repeat cases by linked person"]["value"] == rows["Repeat cases"]["value"] == "1"
    plain = run_dsvb(database, *args[:7])  # recorded only, as before
    assert plain.returncode == 0, plain.stderr
    assert "Repeat cases" in plain.stdout
    assert "Repeat cases by linked person" not in plain.stdout
