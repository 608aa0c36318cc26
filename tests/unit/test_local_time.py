"""The fast local-time reading gives exactly ICU's answer (DuckDB's TIMESTAMPTZ cast)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsvb.ingest import local_time
from dsvb.ingest.local_time import (
    PLAIN_PATTERN,
    local_month_sql,
    plain_sql,
    to_utc_sql,
    year_rules,
)

ZONES = ["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata"]


def _read(zone: str, values: list[str | None]) -> list[tuple]:
    """(text, fast UTC, ICU UTC, fast month, ICU month) for each text."""
    con = duckdb.connect()
    con.execute(f"SET TimeZone = '{zone}'")
    con.execute("CREATE TABLE v AS SELECT unnest(?::VARCHAR[]) AS raw", [values])
    naive, plain = "n", "p"
    rows = con.execute(
        f"""
        SELECT raw,
               ({to_utc_sql("raw", naive, plain, zone)})::VARCHAR,
               timezone('UTC', TRY_CAST(raw AS TIMESTAMPTZ))::VARCHAR,
               ({local_month_sql("raw", naive, plain, zone)})::VARCHAR,
               date_trunc('month', timezone('{zone}', TRY_CAST(raw AS TIMESTAMPTZ)))::DATE::VARCHAR
        FROM (SELECT raw, TRY_CAST(raw AS TIMESTAMP) AS n,
                     {plain_sql("raw")} AS p FROM v)
        """
    ).fetchall()
    con.close()
    return rows


def _differences(zone: str, values: list[str | None]) -> list[tuple]:
    return [r for r in _read(zone, values) if r[1] != r[2] or r[3] != r[4]]


def _minutes_around_changes(zone: str) -> list[str]:
    """Every minute of every day on which the offset changes, and of the days either side."""
    days = set()
    for rule in year_rules(zone).values():
        for edge in (rule.start, rule.end):
            for d in (-1, 0, 1):
                days.add((edge + dt.timedelta(days=d)).date())
    out = []
    for day in sorted(days):
        start = dt.datetime.combine(day, dt.time())
        out += [(start + dt.timedelta(minutes=m)).isoformat() for m in range(24 * 60)]
    return out


@pytest.mark.parametrize("zone", ZONES)
def test_every_minute_around_every_change_of_offset_reads_as_icu_does(zone: str) -> None:
    values = _minutes_around_changes(zone)
    assert len(values) > 1440  # the zone's changes were found (or its new years, for Kolkata)
    assert _differences(zone, values) == []


def test_london_rule_is_the_known_one() -> None:
    rule = year_rules("Europe/London")[2010]
    # BST from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of
    # October; local times in the spring gap and the autumn overlap are read as GMT
    assert (rule.start, rule.end) == (dt.datetime(2010, 3, 28, 2), dt.datetime(2010, 10, 31, 1))
    assert (rule.base, rule.shift) == (dt.timedelta(0), dt.timedelta(hours=1))
    assert set(year_rules("Europe/London")) == set(range(1990, 2060))


def test_values_that_are_not_plain_or_outside_the_years_go_through_icu() -> None:
    values = [
        "2010-07-01T00:30:00Z",
        "2010-07-01T00:30:00+01:00",
        "2010-01-01T10:00:00+01",  # hours-only offset
        "2010-01-01T10:00:00-0500",
        "1970-06-01T12:00:00",  # British Standard Time, before the years covered
        "2075-06-01T12:00:00",
        "2010-03-28T01:30:00",  # spring gap
        "2010-10-31T01:30:00",  # autumn overlap
        "2010-08-01",
        "2010-08-01 10:00",
        "2010-08-01T10:00:00.123456",
        "31/03/2010",
        "not a date",
        None,
    ]
    rows = _read("Europe/London", values)
    assert [r for r in rows if r[1] != r[2] or r[3] != r[4]] == []
    fast_path = [r[0] for r in rows if r[0] and _is_plain_in_range(r[0])]
    assert "2010-08-01" in fast_path and "2010-07-01T00:30:00Z" not in fast_path
    assert {r[0]: r[1] for r in rows}["31/03/2010"] is None


def _is_plain_in_range(text: str) -> bool:
    import re

    return bool(re.match(PLAIN_PATTERN, text)) and 1990 <= int(text[:4]) <= 2059


def test_a_zone_whose_changes_are_not_on_the_hour_is_left_to_icu() -> None:
    # Lord Howe Island moves its clocks by 30 minutes: the hourly rule cannot describe it,
    # so every year is either verified minute by minute or left out
    rules = year_rules("Australia/Lord_Howe")
    assert len(rules) < 70
    values = [v for v in _minutes_around_changes("Australia/Sydney") if v[:4] == "2010"]
    assert _differences("Australia/Lord_Howe", values) == []


@settings(max_examples=100, deadline=None)
@given(
    moment=st.datetimes(min_value=dt.datetime(1985, 1, 1), max_value=dt.datetime(2065, 12, 31)),
    form=st.sampled_from(
        ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S.%f"]
    ),
    zone=st.sampled_from(ZONES),
)
def test_any_plain_local_time_reads_as_icu_does(moment: dt.datetime, form: str, zone: str) -> None:
    assert _differences(zone, [moment.strftime(form)]) == []


def test_rules_are_computed_once_per_zone() -> None:
    assert year_rules("Europe/London") is year_rules("Europe/London")
    assert local_time._lists("Europe/London") is local_time._lists("Europe/London")


@pytest.mark.parametrize("zone", ZONES)
def test_times_the_clocks_skip_or_repeat_are_found_exactly(zone: str) -> None:
    """Every minute of every change day 1990-2059 against Python's zoneinfo: a wall time
    whose two readings (fold 0 and fold 1) differ is skipped or repeated."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone)
    values = _minutes_around_changes(zone)
    con = duckdb.connect()
    con.execute("CREATE TABLE v AS SELECT unnest(?::VARCHAR[]) AS raw", [values])
    found = dict(
        con.execute(
            f"SELECT raw, {local_time.clock_change_sql('n', 'p', zone)} FROM "
            f"(SELECT raw, TRY_CAST(raw AS TIMESTAMP) AS n, "
            f"{plain_sql('raw')} AS p FROM v)"
        ).fetchall()
    )
    con.close()
    expected = {}
    for raw in values:
        wall = dt.datetime.fromisoformat(raw)
        first, second = wall.replace(tzinfo=tz, fold=0), wall.replace(tzinfo=tz, fold=1)
        expected[raw] = first.utcoffset() != second.utcoffset()
    assert found == expected
    assert any(expected.values()) == (zone != "Asia/Kolkata")


def test_text_that_is_not_iso_8601_is_not_a_date_time_even_where_icu_reads_it() -> None:
    values = [
        "2010/03/31", "epoch", "infinity", "2010-03-31 (BC)", "2010-03-31T23:15:00 EST",
        "2010-03-01 10:00:00 UTC",  # zone names are not ISO 8601 (and EST is not one zone)
    ]  # fmt: skip
    for _text, fast, icu, _month, _icu_month in _read("Europe/London", values):
        assert fast is None and icu is not None


# Texts near the usual form: every character of "YYYY-MM-DDTHH:MM:SS" replaced in turn by
# characters a date-time parser might take (signs, spaces, letters, separators, non-ASCII
# digits), and the form shortened or lengthened.
_NEAR = "0123456789-+: .TZtz/\\x\u0660\uff11\u00a0"


def _plain_both_ways(values: list[str]) -> list[tuple[str, bool, bool]]:
    con = duckdb.connect()
    con.execute("CREATE TABLE v AS SELECT unnest(?::VARCHAR[]) AS raw", [values])
    rows = con.execute(
        f"SELECT raw, {plain_sql('raw')}, regexp_matches(raw, '{PLAIN_PATTERN}') FROM v"
    ).fetchall()
    con.close()
    return rows


def test_the_quick_plain_test_answers_as_the_pattern_for_every_near_miss() -> None:
    usual = "2010-03-31T23:15:00"
    values = [usual, usual[:-3], usual[:10], usual.replace("T", " "), usual + ".5", usual + "Z"]
    for i in range(len(usual)):
        for ch in _NEAR:
            values.append(usual[:i] + ch + usual[i + 1 :])
            values.append(usual[:i] + ch + usual[i:])
            values.append(usual[:i] + usual[i + 1 :])
    rows = _plain_both_ways(values)
    assert [r for r in rows if r[1] != r[2]] == []
    assert sum(r[1] for r in rows) > len(_NEAR)  # digits swapped for digits are still plain


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_NEAR, min_size=0, max_size=24))
def test_the_quick_plain_test_answers_as_the_pattern_for_any_text(text: str) -> None:
    assert [r for r in _plain_both_ways([text]) if r[1] != r[2]] == []
