"""A store where nobody is recorded twice still links: Splink estimates the chance that two
random records match as 0 when no pair agrees on full name and date of birth, and every
later step takes its log (a ValueError before the fix); the starting model's prior, scaled
to the records, stands instead."""

from __future__ import annotations

import json

from dsvb import store
from dsvb.demo.identities import person_records
from dsvb.linkage.run import link


def test_records_of_distinct_people_link_each_to_their_own_key() -> None:
    records, _truth = person_records(1500, seed=5, records_per_person=1.0)
    seen: set[tuple] = set()
    distinct = []
    for record in records:
        alike = (record.given_name, record.family_name, record.date_of_birth)
        if alike not in seen:
            seen.add(alike)
            distinct.append(record)
    assert len(distinct) >= 1000  # above the size at which the model is trained, not shipped
    con = store.connect(":memory:")
    try:
        run = link(con, extra=distinct)
        model = json.loads(con.execute("SELECT model FROM link_runs").fetchone()[0])
    finally:
        con.close()
    assert run.records == len(distinct)
    assert run.people >= len(distinct) - 2  # at most a chance pair or two of near-alikes
    assert 0 < model["probability_two_random_records_match"] < 0.01
