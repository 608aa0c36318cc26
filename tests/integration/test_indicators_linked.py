"""Counting people by linked person (decision 0047): the same definitions, with the records
linkage gave one person key counted as one person. Person keys are written by hand into a
real store's ``person_links`` (no Splink needed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from dsvb import store
from dsvb.indicators import compiled
from dsvb.indicators.engine import IndicatorQuery, NoLinks, compute
from dsvb.ingest.extract import import_extract
from dsvb.linkage.tables import ensure_tables
from tests.support.builder import ExtractBuilder

LAMBETH, NEWHAM = "E09000022", "E09000025"
YEAR_2010 = {"start": dt.date(2010, 1, 1), "end": dt.date(2011, 1, 1)}


def add_links(con: duckdb.DuckDBPyConnection, keys: dict[str, str], *, run: bool = True) -> None:
    """Give extract people person keys, as a link run would (one run recorded)."""
    ensure_tables(con)
    if run:
        con.execute(
            "INSERT INTO link_runs VALUES (1, TIMESTAMP '2026-01-01 10:00:00', "
            "TIMESTAMP '2026-01-01 10:01:00', 'full', ?, ?, ?, 0.9, '{}', 'test')",
            [len(keys), len(keys), len(set(keys.values()))],
        )
    con.executemany(
        "INSERT INTO person_links VALUES ('extract', ?, ?, 1)", [[k, v] for k, v in keys.items()]
    )
    # a case person with the same key is another source: never counted by the indicators
    con.execute("INSERT INTO person_links VALUES ('Refuge North', '7', 'P000000000001', 1)")


def people_store(b: ExtractBuilder, folder: Path) -> duckdb.DuckDBPyConnection:
    """One woman recorded as three people (p1, p2 in Lambeth; p3 in Newham), a repeat victim
    by recorded id (q), a one-off victim (r), and an offender cautioned under two ids."""
    p1 = b.person("P0001", ethnicity="asian")
    p2 = b.person("P0002", ethnicity="black")
    p3 = b.person("P0003", ethnicity="mixed")
    q, r = b.person("Q0001"), b.person("R0001")
    s1, s2 = b.person("S0001", sex="male"), b.person("S0002", sex="male")
    b.crime(victims=[p1], recorded_at="2010-02-01T10:00:00")
    b.crime(victims=[p2], recorded_at="2010-05-01T10:00:00")
    # p1 and p3 are the same woman, both recorded as victims of one crime: one victim of it
    b.crime(victims=[p1, p3], recorded_at="2010-09-01T10:00:00", area=NEWHAM)
    b.crime(victims=[q], recorded_at="2010-03-01T10:00:00")
    b.crime(victims=[q], recorded_at="2010-04-01T10:00:00")
    b.crime(victims=[r], recorded_at="2010-06-01T10:00:00")
    b.crime(suspects=[s1], outcome="caution", recorded_at="2010-02-01T00:00:00")
    b.crime(suspects=[s2], outcome="caution", recorded_at="2010-08-01T00:00:00")
    connection = store.connect(":memory:")
    import_extract(connection, b.write(folder / "extract"))
    return connection


@pytest.fixture
def con(builder: ExtractBuilder, tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = people_store(builder, tmp_path)
    yield connection
    connection.close()


LINKS = {
    "P0001": "P000000000001",
    "P0002": "P000000000001",
    "P0003": "P000000000001",
    # Q0001 has no key: counted as herself; R0001's key is her own
    "R0001": "P0000000000AA",
    "S0001": "P0000000000BB",
    "S0002": "P0000000000BB",
}


def figures(con: duckdb.DuckDBPyConnection, people: str, **query: object) -> dict:
    results = compute(con, IndicatorQuery(**{**YEAR_2010, "people": people, **query}))
    return {
        (r.area_code, r.family, r.indicator, r.cuts): (r.numerator, r.denominator) for r in results
    }


def test_linked_people_are_one_victim_and_one_offender(con: duckdb.DuckDBPyConnection) -> None:
    add_links(con, LINKS)
    recorded = figures(con, "recorded")
    linked = figures(con, "linked")
    key = ("ALL", "dv")

    # recorded: p1 (twice), p2, p3, q (twice), r = 5 victims, p1 and q repeat
    assert recorded[(*key, "repeat_victim_rate", ())] == (2, 5)
    # linked: one woman (four offences, three of them repeats), q, r = 3 victims
    assert linked[(*key, "repeat_victim_rate", ())] == (2, 3)
    # offences against repeat victims: recorded p1 2 + q 2; linked the woman's 3 crimes + q 2
    assert recorded[(*key, "offences_per_repeat_victim", ())] == (4, 2)
    assert linked[(*key, "offences_per_repeat_victim", ())] == (5, 2)
    # repeats among offences: recorded p1's Sep crime, q's Apr; linked May, Sep, and q's Apr
    assert recorded[(*key, "repeat_victim_offences", ())] == (2, None)
    assert linked[(*key, "repeat_victim_offences", ())] == (3, None)
    # the woman is attributed to the area of her latest offence (Newham)
    assert linked[(NEWHAM, "dv", "repeat_victim_rate", ())] == (1, 1)
    assert linked[(LAMBETH, "dv", "repeat_victim_rate", ())] == (1, 2)
    # an offender cautioned under two ids has been cautioned before
    assert recorded[(*key, "repeat_caution_offenders", ())] == (0, None)
    assert linked[(*key, "repeat_caution_offenders", ())] == (1, None)
    # counts of records do not change
    for indicator in ("offences", "sd_rate", "incidents"):
        assert recorded[(*key, indicator, ())] == linked[(*key, indicator, ())]


def test_a_linked_person_is_cut_by_her_latest_offence_record(
    con: duckdb.DuckDBPyConnection,
) -> None:
    add_links(con, LINKS)
    linked = figures(con, "linked", by=("victim_ethnicity",), indicators=("repeat_victim_rate",))
    rates = {
        dict(cuts)["victim_ethnicity"]: value
        for (area, family, _, cuts), value in linked.items()
        if area == "ALL" and family == "dv"
    }
    # the woman's latest offence (September) names P0001 and P0003: her characteristics
    # are the lowest id's, P0001's (asian); q and r are white
    assert rates == {"asian": (1, 1), "white": (1, 2), "ALL": (2, 3)}
    recorded = figures(
        con, "recorded", by=("victim_ethnicity",), indicators=("repeat_victim_rate",)
    )
    assert {
        dict(c)["victim_ethnicity"]: v
        for (a, f, _, c), v in recorded.items()
        if a == "ALL" and f == "dv"
    } == {
        "asian": (1, 1),
        "black": (0, 1),
        "mixed": (0, 1),
        "white": (1, 2),
        "ALL": (2, 5),
    }


def test_without_links_every_recorded_id_is_a_person(con: duckdb.DuckDBPyConnection) -> None:
    """Links to nobody (a run that keyed no one) give the recorded figures exactly."""
    ensure_tables(con)
    con.execute(
        "INSERT INTO link_runs VALUES (1, TIMESTAMP '2026-01-01 10:00:00', "
        "TIMESTAMP '2026-01-01 10:01:00', 'full', 0, 0, 0, 0.9, '{}', 'test')"
    )
    assert figures(con, "linked") == figures(con, "recorded")


def test_a_store_never_linked_is_refused_by_name(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(NoLinks, match="dsvb link"):
        compute(con, IndicatorQuery(**YEAR_2010, people="linked"))
    ensure_tables(con)  # the tables of a schema-7 store, but no run yet
    with pytest.raises(NoLinks, match="dsvb link --store"):
        compute(con, IndicatorQuery(**YEAR_2010, people="linked"))
    # recorded figures need no links
    assert compute(con, IndicatorQuery(**YEAR_2010))


def test_an_unknown_way_of_counting_people_is_refused() -> None:
    with pytest.raises(ValueError, match="recorded, linked"):
        IndicatorQuery(people="guessed")


def test_the_compiled_query_key_tells_recorded_from_linked(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same query shape, compiled once for each way of counting people: a kept recorded
    query is never run for a linked one (nor the other way round)."""
    monkeypatch.setenv("DSVB_QUERY_CACHE", "")
    add_links(con, LINKS)
    query = {"indicators": ("repeat_victim_rate",)}
    first = figures(con, "recorded", **query)
    kept = set(compiled._MEMORY)
    linked = figures(con, "linked", **query)
    assert set(compiled._MEMORY) - kept  # a query of its own
    assert figures(con, "recorded", **query) == first
    assert linked != first


def test_side_by_side_shows_the_repeat_victims_hidden_by_recorded_ids(
    con: duckdb.DuckDBPyConnection,
) -> None:
    from dsvb.indicators import linked

    add_links(con, LINKS)
    figures_ = linked.side_by_side(con, IndicatorQuery(**YEAR_2010, families=("dv",)))
    by_area = {f.area_code: f for f in figures_}
    assert [f.area_code for f in figures_][-1] == "ALL"  # the force row last
    force = by_area["ALL"]
    assert force.is_force and force.family == "dv"
    assert force.recorded == linked.RepeatFigures(5, 2, 4)
    assert force.linked == linked.RepeatFigures(3, 2, 5)
    assert force.hidden_repeat_victims == 0
    assert force.duplicate_victims == 2
    assert force.hidden_rate_points == round(100 * (2 / 3 - 2 / 5), 1)
    assert force.linked.offences_per_repeat_victim == 2.5
    newham = by_area[NEWHAM]
    # recorded: p1 and p3 are counted in Newham (their latest offence); p1's September
    # crime repeats her February one: one repeat victim of two, with two offences
    assert newham.recorded == linked.RepeatFigures(2, 1, 2)
    assert newham.linked == linked.RepeatFigures(1, 1, 3)
    assert newham.hidden_repeat_victims == 0 and newham.duplicate_victims == 1
    lambeth = by_area[LAMBETH]
    assert lambeth.recorded == linked.RepeatFigures(3, 1, 2)  # p2, q (repeat), r
    assert lambeth.linked == linked.RepeatFigures(2, 1, 2)  # q (repeat), r
    flat = linked.rows([force])
    assert flat[0]["repeat_victim_rate_recorded"] == 40.0
    assert flat[0]["repeat_victim_rate_linked"] == 66.7
    assert set(flat[0]) == set(linked.COLUMNS)


def test_side_by_side_hidden_repeat_victims(builder: ExtractBuilder, tmp_path: Path) -> None:
    """Two first-time victims by id, one repeat victim once linked: one hidden repeat."""
    from dsvb.indicators import linked

    a, b = builder.person("A1"), builder.person("B1")
    builder.crime(victims=[a], recorded_at="2010-02-01T10:00:00")
    builder.crime(victims=[b], recorded_at="2010-03-01T10:00:00")
    con = store.connect(":memory:")
    try:
        import_extract(con, builder.write(tmp_path / "extract"))
        with pytest.raises(NoLinks, match="dsvb link"):
            linked.side_by_side(con, IndicatorQuery(**YEAR_2010))
        add_links(con, {"A1": "P00000000000C", "B1": "P00000000000C"})
        figures_ = linked.side_by_side(con, IndicatorQuery(**YEAR_2010, families=("dv",)))
    finally:
        con.close()
    by_area = {f.area_code: f for f in figures_}
    force, lambeth = by_area["ALL"], by_area[LAMBETH]
    # every area of the force is shown, those without victims with zeros
    assert by_area[NEWHAM].recorded == by_area[NEWHAM].linked == linked.RepeatFigures(0, 0, 0)
    assert by_area[NEWHAM].linked.repeat_victim_rate is None
    assert force.recorded == linked.RepeatFigures(2, 0, 0)
    assert force.linked == linked.RepeatFigures(1, 1, 2)
    assert force.hidden_repeat_victims == 1
    assert force.hidden_rate_points == 100.0
    assert lambeth.area_code == LAMBETH and lambeth.hidden_repeat_victims == 1


def test_a_key_for_each_record_alone_gives_the_recorded_figures(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """Only who is the same person changes: when linkage keeps every record apart (a key of
    its own each), every indicator, by every person cut, equals the recorded figure."""
    people = [p for (p,) in con.execute("SELECT person_id FROM people").fetchall()]
    add_links(con, {p: f"P{i:012x}" for i, p in enumerate(people)})
    for by in (("area",), ("victim_ethnicity",), ("suspect_sex",), ("month",)):
        assert figures(con, "linked", by=by) == figures(con, "recorded", by=by)
