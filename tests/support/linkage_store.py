"""A linkage run's tables written by hand into a store, for the review pages' tests (no
Splink needed): three people, with synthetic identifiers only.

- ``P00000000AAA1``: police extract people ``LNK-1`` and ``LNK-2`` (a typo in the surname,
  the same date of birth) and the Lambeth IDVA service's case person (record id given by
  the caller: the database's ``Person.pk``, or ``"901"``). The pair LNK-1/LNK-2 was linked
  on names, date of birth and postcode; LNK-2/the case person on name and date of birth.
- ``P00000000BBB2``: ``LNK-3`` alone.
- ``P00000000CCC3``: ``LNK-4`` and ``LNK-5``, twins (same surname, postcode and date of
  birth, different given names) wrongly linked: the pair a reviewer splits.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from dsvb import store
from dsvb.linkage.records import EXTRACT
from dsvb.linkage.tables import ensure_tables

# as issue 18's context gives it, until the store's schema (version 7) carries it
PERSON_IDENTIFIERS_DDL = """
CREATE TABLE IF NOT EXISTS person_identifiers (
    person_id VARCHAR NOT NULL,
    given_name VARCHAR,
    family_name VARCHAR,
    date_of_birth DATE,
    postcode VARCHAR,
    import_id INTEGER NOT NULL
);
"""

KEY_A, KEY_B, KEY_TWINS = "P00000000AAA1", "P00000000BBB2", "P00000000CCC3"
CASE_AGENCY = "Lambeth IDVA service"

IDENTIFIERS = {
    "LNK-1": ("Amelia", "Fakename", dt.date(1990, 3, 14), "SE11 4ZZ"),
    "LNK-2": ("Amelia", "Fakenmae", dt.date(1990, 3, 14), "SE11 4ZZ"),
    "LNK-3": ("Bronwen", "Notreal", dt.date(1985, 7, 2), "SW9 9ZZ"),
    "LNK-4": ("Carys", "Twinexample", dt.date(2001, 1, 5), "SE5 0ZZ"),
    "LNK-5": ("Delyth", "Twinexample", dt.date(2001, 1, 5), "SE5 0ZZ"),
}


def steps(*items: tuple[str, str, float]) -> str:
    return json.dumps(
        [{"comparison": c, "level": level, "match_weight": w} for c, level, w in items]
    )


def write_linkage(con: Any, *, case_record: str = "901", run_by: str = "test") -> None:
    """Write the three people into an open, writable store connection."""
    ensure_tables(con)
    con.execute(PERSON_IDENTIFIERS_DDL)
    for table in ("link_runs", "person_links", "link_pairs", "link_splits"):
        con.execute(f"DELETE FROM {table}")
    con.execute("DELETE FROM person_identifiers WHERE person_id LIKE 'LNK-%'")
    for pid, (given, family, dob, postcode) in IDENTIFIERS.items():
        con.execute(
            "INSERT INTO person_identifiers VALUES (?, ?, ?, ?, ?, 1)",
            [pid, given, family, dob, postcode],
        )
    at = dt.datetime(2026, 11, 30, 9, 0)
    con.execute(
        "INSERT INTO link_runs VALUES (1, ?, ?, 'full', 6, 6, 3, 0.9, '{}', ?)",
        [at, at + dt.timedelta(seconds=4), run_by],
    )
    links = [
        (EXTRACT, "LNK-1", KEY_A),
        (EXTRACT, "LNK-2", KEY_A),
        (CASE_AGENCY, case_record, KEY_A),
        (EXTRACT, "LNK-3", KEY_B),
        (EXTRACT, "LNK-4", KEY_TWINS),
        (EXTRACT, "LNK-5", KEY_TWINS),
    ]
    con.executemany("INSERT INTO person_links VALUES (?, ?, ?, 1)", links)
    pairs = [
        (EXTRACT, "LNK-1", EXTRACT, "LNK-2", 14.25, 0.99994,
         steps(("given_name", "exact", 6.1), ("family_name", "Jaro-Winkler >= 0.92", 4.2),
               ("date_of_birth", "exact", 7.4), ("postcode", "full", 5.0),
               ("prior", "", -8.45))),
        (EXTRACT, "LNK-2", CASE_AGENCY, case_record, 9.5, 0.9986,
         steps(("given_name", "exact", 6.1), ("family_name", "Jaro-Winkler >= 0.88", 3.1),
               ("date_of_birth", "exact", 7.4), ("postcode", "missing", 0.0),
               ("prior", "", -7.1))),
        (EXTRACT, "LNK-4", EXTRACT, "LNK-5", 4.75, 0.964,
         steps(("given_name", "different", -5.3), ("family_name", "exact", 5.9),
               ("date_of_birth", "exact", 7.4), ("postcode", "full", 5.0),
               ("prior", "", -8.25))),
    ]  # fmt: skip
    con.executemany("INSERT INTO link_pairs VALUES (?, ?, ?, ?, ?, ?, ?, 1)", pairs)


def make_linkage_store(path: Path, *, case_record: str = "901") -> Path:
    """A new store at ``path`` holding the linkage tables (and identifiers) above."""
    con = store.connect(path)
    try:
        write_linkage(con, case_record=case_record)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return path
