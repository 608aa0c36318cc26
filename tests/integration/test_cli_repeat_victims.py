"""``dsvb repeat-victims`` and ``dsvb indicators --people linked``, run as real commands on a
store imported by ``dsvb import`` whose person keys are written by hand (as ``dsvb link``
would write them; no Splink needed): the side-by-side figures, the internal-figure note,
and a store never linked refused with the command to run."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dsvb.linkage.tables import ensure_tables
from tests.support.builder import ExtractBuilder

LAMBETH = "E09000022"


def _dsvb(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dsvb", *(str(a) for a in args)],
        env={**os.environ, "DSVB_QUERY_CACHE": ""},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(linked, never linked): one woman recorded under two ids, two crimes four months apart;
    one other victim once."""
    folder = tmp_path_factory.mktemp("repeat-victims")
    b = ExtractBuilder()
    a, a2, other = b.person("A1"), b.person("A2"), b.person("B1")
    b.crime(victims=[a], recorded_at="2010-02-01T10:00:00")
    b.crime(victims=[a2], recorded_at="2010-06-01T10:00:00")
    b.crime(victims=[other], recorded_at="2010-03-01T10:00:00")
    extract = b.write(folder / "extract")
    paths = []
    for name in ("linked.duckdb", "unlinked.duckdb"):
        path = folder / name
        done = _dsvb("import", extract, "--store", path, "--quiet")
        assert done.returncode == 0, done.stderr
        paths.append(path)
    con = duckdb.connect(str(paths[0]))
    try:
        ensure_tables(con)
        con.execute(
            "INSERT INTO link_runs VALUES (1, TIMESTAMP '2026-01-01 10:00:00', "
            "TIMESTAMP '2026-01-01 10:01:00', 'full', 3, 3, 2, 0.9, '{}', 'test')"
        )
        con.execute(
            "INSERT INTO person_links VALUES ('extract', 'A1', 'P00000000000A', 1), "
            "('extract', 'A2', 'P00000000000A', 1), ('extract', 'B1', 'P00000000000B', 1)"
        )
    finally:
        con.close()
    return paths[0], paths[1]


def test_repeat_victims_side_by_side_as_csv(stores: tuple[Path, Path]) -> None:
    linked, _ = stores
    done = _dsvb("repeat-victims", "--store", linked, "--from", "2010-01-01", "--to", "2011-01-01")
    assert done.returncode == 0, done.stderr
    rows = {r["area_code"]: r for r in csv.DictReader(io.StringIO(done.stdout))}
    force = rows["ALL"]
    assert force["family"] == "dv"
    assert (force["victims_recorded"], force["victims_linked"]) == ("3", "2")
    assert (force["repeat_victims_recorded"], force["repeat_victims_linked"]) == ("0", "1")
    assert force["hidden_repeat_victims"] == "1"
    assert force["repeat_victim_rate_recorded"] == "0.0"
    assert force["repeat_victim_rate_linked"] == "50.0"
    assert force["offences_per_repeat_victim_recorded"] == ""  # no repeat victim by id
    assert force["offences_per_repeat_victim_linked"] == "2.0"
    assert rows[LAMBETH]["hidden_repeat_victims"] == "1"
    assert "not for publication" in done.stderr


def test_repeat_victims_as_json(stores: tuple[Path, Path]) -> None:
    linked, _ = stores
    done = _dsvb("repeat-victims", "--store", linked, "--format", "json", "--family", "all")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["internal"] is True
    force_dv = [r for r in data["rows"] if r["area_code"] == "ALL" and r["family"] == "dv"]
    assert force_dv[0]["hidden_repeat_victims"] == 1
    assert {r["family"] for r in data["rows"]} == {"dv", "serious_sexual", "sexual", "other_sexual"}


def test_indicators_by_linked_person(stores: tuple[Path, Path]) -> None:
    linked, _ = stores
    common = ("indicators", "--store", linked, "--family", "dv", "--indicator",
              "repeat_victim_rate", "--format", "json")  # fmt: skip
    by_id = json.loads(_dsvb(*common).stdout)
    by_person = json.loads(_dsvb(*common, "--people", "linked").stdout)

    def force(rows: list[dict]) -> tuple:
        (row,) = [r for r in rows if r["area_code"] == "ALL"]
        return row["numerator"], row["denominator"]

    assert force(by_id) == (0, 3)
    assert force(by_person) == (1, 2)


def test_a_store_never_linked_is_refused_naming_dsvb_link(stores: tuple[Path, Path]) -> None:
    _, unlinked = stores
    for args in (
        ("repeat-victims", "--store", unlinked),
        ("indicators", "--store", unlinked, "--people", "linked"),
    ):
        done = _dsvb(*args)
        assert done.returncode == 1, done.stderr
        assert f"dsvb link --store {unlinked}" in done.stderr
        assert "Traceback" not in done.stderr and done.stdout == ""
    # an extract alone has no person keys: import and link it first
    done = _dsvb("indicators", "--extract", unlinked.parent / "extract", "--people", "linked")
    assert done.returncode == 1 and "run `dsvb link --store PATH`" in done.stderr


def test_bad_input_is_refused_in_words(stores: tuple[Path, Path], tmp_path: Path) -> None:
    linked, _ = stores
    done = _dsvb("repeat-victims", "--store", tmp_path / "none.duckdb")
    assert done.returncode == 1 and "no such store" in done.stderr
    done = _dsvb("repeat-victims", "--store", linked, "--from", "2011-01-01", "--to", "2010-01-01")
    assert done.returncode == 2 and "is not after --from" in done.stderr
    done = _dsvb("indicators", "--store", linked, "--people", "guessed")
    assert done.returncode == 2 and "recorded" in done.stderr


def _with_identifiers(linked: Path, folder: Path, *, keyed: tuple[str, ...]) -> Path:
    """A copy of the linked store whose three people hold identifiers, with person keys
    only for ``keyed`` (the others imported since the last link run)."""
    import shutil

    path = folder / "identified.duckdb"
    shutil.copy(linked, path)
    con = duckdb.connect(str(path))
    try:
        con.execute(
            "INSERT INTO person_identifiers VALUES ('A1', 'Ann', 'Lee', NULL, NULL, 1), "
            "('A2', 'Anne', 'Lee', NULL, NULL, 1), ('B1', 'Bea', 'Ray', NULL, NULL, 1)"
        )
        con.execute(
            "DELETE FROM person_links WHERE record_id NOT IN (SELECT unnest(?))", [list(keyed)]
        )
    finally:
        con.close()
    return path


def test_records_imported_since_the_last_link_run_are_counted_and_named(
    stores: tuple[Path, Path], tmp_path: Path
) -> None:
    linked, _ = stores
    path = _with_identifiers(linked, tmp_path, keyed=("A1", "A2"))
    done = _dsvb("repeat-victims", "--store", path, "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["unlinked_records"] == 1
    assert "1 record with identifiers has no person key" in done.stderr
    assert f"dsvb link --store {path}" in done.stderr
    done = _dsvb("indicators", "--store", path, "--people", "linked", "--family", "dv")
    assert done.returncode == 0, done.stderr
    assert "1 record with identifiers has no person key" in done.stderr
    assert f"dsvb link --store {path}" in done.stderr


def test_every_record_keyed_gives_no_unlinked_note_and_linked_figures_are_internal(
    stores: tuple[Path, Path], tmp_path: Path
) -> None:
    linked, _ = stores
    path = _with_identifiers(linked, tmp_path, keyed=("A1", "A2", "B1"))
    done = _dsvb("repeat-victims", "--store", path, "--format", "json")
    assert json.loads(done.stdout)["unlinked_records"] == 0
    assert "no person key" not in done.stderr
    done = _dsvb("indicators", "--store", path, "--people", "linked", "--family", "dv")
    assert done.returncode == 0, done.stderr
    assert "no person key" not in done.stderr
    assert "internal figure" in done.stderr and "not for publication" in done.stderr
    # counting by recorded id is the published figure: no such note
    done = _dsvb("indicators", "--store", path, "--family", "dv")
    assert "internal figure" not in done.stderr
