"""The agencies' case people as linkage reads them (dsvb.web.cases.linkage) and the demo's
link run (dsvb.web.demo._link_people) on the demo's partnership cases: one record per
person, the agency as the source, never a refuge's postcode; a second demo links nothing
new and keeps every key."""

from __future__ import annotations

import pytest

from dsvb import store
from dsvb.web import demo
from dsvb.web.cases import models as m
from dsvb.web.cases.demo import load_cases
from dsvb.web.cases.linkage import person_records


@pytest.fixture
def loaded(db, settings, tmp_path) -> None:
    settings.DATA_DIR = tmp_path
    demo.create_accounts()
    load_cases()


def test_one_record_per_case_person_with_its_agency_and_never_a_refuge_postcode(loaded) -> None:
    records = person_records()
    people = list(m.Person.objects.select_related("agency"))
    assert sorted((r.source, r.record_id) for r in records) == sorted(
        (p.agency.name, str(p.pk)) for p in people
    )
    refuge = set(
        m.Address.objects.filter(kind="refuge")
        .exclude(postcode="")
        .values_list("postcode", flat=True)
    )
    homes = set(
        m.Address.objects.filter(kind="home")
        .exclude(postcode="")
        .values_list("postcode", flat=True)
    )
    used = {r.postcode for r in records if r.postcode}
    assert used, "the demo's victims have home postcodes"
    assert used <= homes | set(
        m.Address.objects.filter(kind="previous").values_list("postcode", flat=True)
    )
    assert not (used & (refuge - homes))


def test_the_demo_links_its_people_once_then_incrementally(loaded, tmp_path) -> None:
    path = tmp_path / "store.duckdb"
    store.connect(path).close()
    said: list[str] = []
    demo._link_people(path, said.append)
    con = store.connect(path, read_only=True)
    try:
        first = con.execute("SELECT source, record_id, person_key FROM person_links").fetchall()
    finally:
        con.close()
    assert len(first) == m.Person.objects.count()
    assert any("Link run 1 (full" in line for line in said)
    demo._link_people(path, said.append)
    assert any("Link run 2 (incremental" in line for line in said)
    con = store.connect(path, read_only=True)
    try:
        again = con.execute("SELECT source, record_id, person_key FROM person_links").fetchall()
    finally:
        con.close()
    assert sorted(again) == sorted(first)


def test_an_agency_named_extract_stops_the_read(loaded) -> None:
    """Its people would be taken for the police extract's records (decision 0046)."""
    from dsvb.web.cases.linkage import ReservedAgencyName

    agency = m.Agency.objects.create(name=" Extract ", kind="idva")
    with pytest.raises(ReservedAgencyName, match="' Extract '"):
        person_records()
    agency.name = "Extract services"
    agency.save()
    assert person_records()
