"""Local date-times to UTC, fast, with exactly the answers of DuckDB's time zone support.

Extract date-times without an offset are local time (Europe/London). Reading each value
as a zoned timestamp through ICU (DuckDB's ``TIMESTAMPTZ`` cast in the session zone) is
correct but costs about 2 s per 10 million values, the largest single cost of a large
import. A plain value (date and time, no offset or zone) can instead be read as a naive
timestamp and shifted by its year's rule: one offset for the year, plus a daylight-saving
shift inside one window of local wall time. The rules are *derived from ICU itself* for
each year and checked minute by minute around every change, so the shortcut answers as
ICU does, including local times that do not exist (the spring gap) or occur twice (the
autumn overlap). Years that do not fit the pattern, values outside the years covered and
every value that is not plain fall back to the ICU cast.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from dsvb import reference

__all__ = [
    "ISO_PATTERN",
    "PLAIN_PATTERN",
    "YearRule",
    "clock_change_sql",
    "iso_instant_sql",
    "local_month_sql",
    "offset_in_range_sql",
    "plain_sql",
    "to_utc_sql",
    "usual_form_sql",
    "year_rules",
]

# date, or date and time (seconds and fractions optional); no offset, no zone name
PLAIN_PATTERN = r"^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d{1,9})?)?)?$"
# the same with an optional UTC offset (Z, +01, +0100, +01:00): every form the format allows.
# DuckDB's own TIMESTAMPTZ cast accepts far more (2010/03/31, 'epoch', 'infinity', BC dates,
# zone abbreviations), so nothing reaches it that does not match this first.
ISO_PATTERN = r"^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d{1,9})?)?)?(Z|[+-]\d\d(:?\d\d)?)?$"
FIRST_YEAR, LAST_YEAR = 1990, 2059  # outside these years: ICU


@dataclass(frozen=True)
class YearRule:
    """Local wall time in ``year`` is UTC + ``base``, or UTC + ``base + shift`` when it
    falls in [``start``, ``end``) (naive local times)."""

    year: int
    base: dt.timedelta
    shift: dt.timedelta
    start: dt.datetime
    end: dt.datetime

    def to_utc(self, local: dt.datetime) -> dt.datetime:
        inside = self.start <= local < self.end
        return local - self.base - (self.shift if inside else dt.timedelta(0))


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ts(value: dt.datetime) -> str:
    return f"TIMESTAMP '{value.isoformat(sep=' ')}'"


def _utc_of(con: duckdb.DuckDBPyConnection, values_sql: str) -> list[tuple]:
    """(local, utc) for naive local times, read as text through ICU as an import does."""
    return con.execute(
        f"SELECT v, timezone('UTC', CAST(strftime(v, '%Y-%m-%dT%H:%M:%S') AS TIMESTAMPTZ)) "
        f"FROM ({values_sql}) t(v) ORDER BY v"
    ).fetchall()


@functools.cache
def year_rules(zone: str) -> dict[int, YearRule]:
    """The rule of every year from FIRST_YEAR to LAST_YEAR that fits the pattern, derived
    from ICU's answers for every local hour and verified for every minute within an hour
    of each change (computed once per process and zone)."""
    con = duckdb.connect()
    try:
        con.execute(f"SET TimeZone = {_literal(zone)}")
        hours = (
            f"SELECT range AS v FROM range(TIMESTAMP '{FIRST_YEAR}-01-01', "
            f"TIMESTAMP '{LAST_YEAR + 1}-01-01', INTERVAL 1 HOUR)"
        )
        # per year: the offset at new year, and the hours whose offset differs from it
        rows = con.execute(
            f"""
            WITH h AS (
                SELECT v, year(v) AS y,
                       v - timezone('UTC', v::TIMESTAMPTZ)
                       AS o
                FROM ({hours})
            ), b AS (SELECT y, o AS base FROM h WHERE v = make_timestamp(y, 1, 1, 0, 0, 0))
            SELECT y, base, count(DISTINCT o) FILTER (WHERE o <> base),
                   min(o) FILTER (WHERE o <> base),
                   min(v) FILTER (WHERE o <> base), max(v) FILTER (WHERE o <> base),
                   count(*) FILTER (WHERE o <> base)
            FROM h JOIN b USING (y) GROUP BY y, base ORDER BY y
            """
        ).fetchall()
        candidates = {}
        for year, base, kinds, other, first, last, n in rows:
            if kinds == 0:
                start = end = dt.datetime(year, 1, 1)
                candidates[year] = YearRule(year, base, dt.timedelta(0), start, end)
            elif kinds == 1 and (last - first) == dt.timedelta(hours=n - 1):
                end = last + dt.timedelta(hours=1)
                candidates[year] = YearRule(year, base, other - base, first, end)
            # else: more than one change of offset, or not one window: ICU for that year
        return _verified(con, candidates)
    finally:
        con.close()


def _verified(
    con: duckdb.DuckDBPyConnection, candidates: dict[int, YearRule]
) -> dict[int, YearRule]:
    """Keep the rules that give ICU's answer for every minute within an hour of a change
    (where the hourly derivation cannot see inside the hour)."""
    edges = sorted(
        {e for r in candidates.values() if r.shift for e in (r.start, r.end)}
        | {dt.datetime(y, 1, 1) for y in candidates}
    )
    if not edges:
        return candidates
    windows = " UNION ALL ".join(
        f"SELECT range FROM range({_ts(e - dt.timedelta(hours=1))}, "
        f"{_ts(e + dt.timedelta(hours=1))}, INTERVAL 1 MINUTE)"
        for e in edges
    )
    wrong = set()
    for local, utc in _utc_of(con, windows):
        rule = candidates.get(local.year)
        if rule is not None and rule.to_utc(local) != utc:
            wrong.add(local.year)
    return {y: r for y, r in candidates.items() if y not in wrong}


_EPOCH = dt.datetime(1970, 1, 1)


def _micros(value: dt.datetime | dt.timedelta) -> int:
    """A naive local time as microseconds since 1970-01-01 00:00 (DuckDB's ``epoch_us``),
    or a span in microseconds."""
    span = value - _EPOCH if isinstance(value, dt.datetime) else value
    return (span.days * 86_400 + span.seconds) * 1_000_000 + span.microseconds


@functools.cache
def _lists(zone: str) -> tuple[str, str, str, str, str, int, int]:
    """SQL lists (BIGINT microseconds, NULL for years left to ICU) of each year's window
    start and end, standard offset, offset inside the window and shift; the years covered.

    Integer arithmetic on ``epoch_us`` is about twice as fast as comparing timestamps and
    subtracting intervals, which DuckDB does field by field."""
    rules = year_rules(zone)
    first, last = min(rules), max(rules)

    def listed(value: Callable[[YearRule], int]) -> str:
        cells = (str(value(rules[y])) if y in rules else "NULL" for y in range(first, last + 1))
        return "([" + ", ".join(cells) + "]::BIGINT[])"

    starts = listed(lambda r: _micros(r.start))
    ends = listed(lambda r: _micros(r.end))
    bases = listed(lambda r: _micros(r.base))
    inside = listed(lambda r: _micros(r.base + r.shift))
    shifts = listed(lambda r: _micros(r.shift))
    return starts, ends, bases, inside, shifts, first, last


def _fast(naive: str, plain: str, zone: str) -> tuple[str, str]:
    """(condition for the shortcut, the UTC instant by the shortcut)."""
    if not year_rules(zone):
        return "FALSE", "NULL::TIMESTAMP"
    starts, ends, bases, inside, _shifts, first, last = _lists(zone)
    year = f"year({naive})"
    i = f"({year} - {first - 1})"
    e = f"epoch_us({naive})"
    condition = f"{plain} AND {year} BETWEEN {first} AND {last} AND {bases}[{i}] IS NOT NULL"
    utc = (
        f"make_timestamp({e} - CASE WHEN {e} >= {starts}[{i}] AND {e} < {ends}[{i}] "
        f"THEN {inside}[{i}] ELSE {bases}[{i}] END)"
    )
    return condition, utc


def clock_change_sql(naive: str, plain: str, zone: str) -> str:
    """SQL true when a plain local time falls in the hour the clocks skip at a change (it
    never happened) or repeat (it happened twice). Both are read in standard time, as ICU
    reads them, but a person should know. Years left to ICU are not looked at."""
    if not year_rules(zone):
        return "FALSE"
    starts, ends, _bases, _inside, shifts, first, last = _lists(zone)
    i = f"(year({naive}) - {first - 1})"
    e = f"epoch_us({naive})"

    def between(edge: str, moved: str) -> str:
        low, high = f"least({edge}, {moved})", f"greatest({edge}, {moved})"
        return f"({e} >= {low} AND {e} < {high})"

    # the hour between each edge of the window and the same edge moved by the shift
    start, end, shift = f"{starts}[{i}]", f"{ends}[{i}]", f"{shifts}[{i}]"
    skipped_or_repeated = (
        f"{between(start, f'{start} - {shift}')} OR {between(end, f'{end} + {shift}')}"
    )

    exact = (
        f"coalesce({plain} AND year({naive}) BETWEEN {first} AND {last} "
        f"AND {shift} IS NOT NULL AND ({skipped_or_repeated}), FALSE)"
    )
    # The exact test alone cost about 0.2 s per million values (2 s on the 10M incidents);
    # looking up the few days of a change first leaves about 0.02 s per million.
    return f"CASE WHEN CAST({naive} AS DATE) IN ({_change_days(zone)}) THEN {exact} ELSE FALSE END"


@functools.cache
def _change_days(zone: str) -> str:
    """SQL list of the local dates on which a window of skipped or repeated times lies."""
    days: set[dt.date] = set()
    for rule in year_rules(zone).values():
        for edge, moved in (
            (rule.start, rule.start - rule.shift),
            (rule.end, rule.end + rule.shift),
        ):
            low, high = min(edge, moved), max(edge, moved)
            day = low.date()
            while day <= high.date():
                days.add(day)
                day += dt.timedelta(days=1)
    return ", ".join(f"DATE '{d.isoformat()}'" for d in sorted(days))


# The usual form of a plain value, as a GLOB (ASCII digits only, as RE2's \\d): every text
# it matches also matches PLAIN_PATTERN, and the test is about a third cheaper than RE2.
_D2 = "[0-9][0-9]"
_USUAL_PLAIN_GLOB = f"{_D2}{_D2}-{_D2}-{_D2}T{_D2}:{_D2}:{_D2}"


def usual_form_sql(raw: str) -> str:
    """SQL true when ``raw`` is in the usual form ``YYYY-MM-DDTHH:MM:SS`` (so plain, and
    with nothing to trim)."""
    return f"{raw} GLOB {_literal(_USUAL_PLAIN_GLOB)}"


def plain_sql(raw: str) -> str:
    """SQL true when ``raw`` matches PLAIN_PATTERN (a date or date-time without offset or
    zone): the usual form by a GLOB, anything else by the pattern."""
    return (
        f"CASE WHEN {usual_form_sql(raw)} THEN TRUE "
        f"ELSE regexp_matches({raw}, {_literal(PLAIN_PATTERN)}) END"
    )


# the offset of a date-time that has one: sign, hours, minutes (empty when not given)
_OFFSET_PATTERN = r"[T ]\d\d:\d\d(:\d\d(\.\d{1,9})?)?([+-])(\d\d):?(\d\d)?$"


def offset_in_range_sql(raw: str) -> str:
    """SQL true unless ``raw`` carries a UTC offset that no real time zone has: minutes
    of 60 or more, or an offset outside the range in the reference data (-12:00 to +14:00).
    DuckDB itself reads ``+25:00`` or ``+23:99`` as a valid offset."""
    values = reference.plausible_values()
    pattern = _literal(_OFFSET_PATTERN)
    sign = f"regexp_extract({raw}, {pattern}, 3)"
    hours = f"TRY_CAST(regexp_extract({raw}, {pattern}, 4) AS INTEGER)"
    minutes = f"coalesce(TRY_CAST(NULLIF(regexp_extract({raw}, {pattern}, 5), '') AS INTEGER), 0)"
    total = f"(CASE WHEN {sign} = '-' THEN -1 ELSE 1 END * ({hours} * 60 + {minutes}))"
    return (
        f"({sign} = '' OR ({minutes} < 60 AND {total} BETWEEN "
        f"{values.earliest_offset_minutes} AND {values.latest_offset_minutes}))"
    )


def iso_instant_sql(raw: str) -> str:
    """SQL for the instant of ``raw`` as a ``TIMESTAMPTZ`` read by ICU in the session time
    zone (NULL unless it is an ISO 8601 date or date-time, with or without an offset, and
    any offset is one a real time zone can have)."""
    iso = f"regexp_matches({raw}, {_literal(ISO_PATTERN)})"
    return f"CASE WHEN {iso} AND {offset_in_range_sql(raw)} THEN TRY_CAST({raw} AS TIMESTAMPTZ) END"


def to_utc_sql(raw: str, naive: str, plain: str, zone: str) -> str:
    """SQL for the UTC instant (a naive ``TIMESTAMP``) of the text ``raw``, given
    ``naive`` = ``TRY_CAST(raw AS TIMESTAMP)`` and ``plain`` = ``plain_sql(raw)``; the
    session time zone must be ``zone``. NULL when ``raw`` is not a date-time."""
    condition, utc = _fast(naive, plain, zone)
    return f"CASE WHEN {condition} THEN {utc} ELSE timezone('UTC', {iso_instant_sql(raw)}) END"


def local_month_sql(raw: str, naive: str, plain: str, zone: str) -> str:
    """SQL for the first day of the local month of ``raw`` (a ``DATE``): a plain value's
    own month, or for a value with an offset, the month of its instant in ``zone``."""
    condition, _ = _fast(naive, plain, zone)
    zoned = f"timezone({_literal(zone)}, {iso_instant_sql(raw)})"
    return (
        f"CASE WHEN {condition} THEN date_trunc('month', {naive})::DATE "
        f"ELSE date_trunc('month', {zoned})::DATE END"
    )
