"""Sources: the tables whose rows indicators count, built as Ibis expressions.

Each source knows how to select its rows for a period, which rows belong to each crime
family, and how to derive each cut (area, unit, month, victim and suspect characteristics).
Person-level sources (victims, cautioned offenders) are built per family because a
person's repeat status depends on which of their offences are in the family.

Where a crime has several victims (or suspects), person cuts use one per crime, the one
with the lowest ``person_id``, so that cuts of crime counts add up to the total.
Victims and offenders are attributed to the area, unit and month of their latest offence
in the period, so person counts add up across areas too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dsvb import reference
from dsvb.indicators.model import LINKED, Context

if TYPE_CHECKING:
    import ibis
    import ibis.expr.types as ir
    import pyarrow as pa
else:

    class _Ibis:
        """Ibis, imported when a query is first built: a run of compiled queries
        (:mod:`dsvb.indicators.compiled`) does without it, and importing it costs 0.5 s."""

        def __getattr__(self, name: str) -> Any:
            import ibis

            return getattr(ibis, name)

    ibis = _Ibis()

NOT_RECORDED = "not_recorded"

# --- families ------------------------------------------------------------------------------


def _crime_family(t: ir.Table, family: str, ctx: Context) -> ir.BooleanValue:
    sexual = t.serious_sexual | t.offence_group.isin(ctx.sexual_offence_groups)
    if family == "dv":
        return t.dv
    if family == "serious_sexual":
        return t.serious_sexual
    if family == "sexual":
        return sexual
    if family == "other_sexual":
        return sexual & ~t.serious_sexual
    raise KeyError(family)


def _incident_family(t: ir.Table, family: str, ctx: Context) -> ir.BooleanValue:
    """Incidents by their own flags, and by the crime they became (any status)."""
    linked_serious = t.linked_serious_sexual.fill_null(False)
    linked_sexual = t.linked_sexual.fill_null(False)
    sexual = t.sexual_offence_flag | linked_sexual
    if family == "dv":
        return t.dv_flag
    if family == "serious_sexual":
        return linked_serious
    if family == "sexual":
        return sexual
    if family == "other_sexual":
        return sexual & ~linked_serious
    raise KeyError(family)


# --- cuts ----------------------------------------------------------------------------------

AGE_BANDS = ("under_18", "18_35", "36_60", "61_plus")


def age_band(year: ir.IntegerValue, birth_year: ir.IntegerValue) -> ir.StringValue:
    age = year - birth_year
    return ibis.cases(
        (birth_year.isnull(), NOT_RECORDED),
        (age < 18, "under_18"),
        (age <= 35, "18_35"),
        (age <= 60, "36_60"),
        else_="61_plus",
    )


NO_ONE = "none"  # a crime with no victim (or no suspect) linked to it: nobody to describe


def _person_cuts(prefix: str) -> dict[str, Callable[[ir.Table], ir.Value]]:
    """A person's strand as a cut. On a table of records (crimes, incidents, contacts) the
    person is the record's principal victim or suspect, and a record with nobody in the
    role is :data:`NO_ONE`, not "not recorded": a crime whose suspect was never identified
    says nothing about how well suspects' ethnicity is recorded."""

    def nobody(t: ir.Table, value: ir.Value) -> ir.Value:
        linked = f"{prefix}_linked"
        if linked not in t.columns:  # a table of people: everyone is in the role
            return value
        return ibis.ifelse(t[linked].isnull(), ibis.literal(NO_ONE), value)

    def text(column: str) -> Callable[[ir.Table], ir.Value]:
        return lambda t: nobody(t, t[f"{prefix}_{column}"].fill_null(NOT_RECORDED))

    def disability(t: ir.Table) -> ir.Value:
        flag = t[f"{prefix}_disabled"]
        return nobody(
            t,
            ibis.cases((flag.isnull(), NOT_RECORDED), (flag, "disabled"), else_="not_disabled"),
        )

    def band(t: ir.Table) -> ir.Value:
        return nobody(t, age_band(t.month.year(), t[f"{prefix}_birth_year"]))

    def lgbt(t: ir.Table) -> ir.Value:
        flag = t[f"{prefix}_lgbt"]
        return nobody(
            t, ibis.cases((flag.isnull(), NOT_RECORDED), (flag, "lgbt"), else_="not_lgbt")
        )

    return {
        f"{prefix}_sex": text("sex"),
        f"{prefix}_age_band": band,
        f"{prefix}_ethnicity": text("ethnicity"),
        f"{prefix}_disability": disability,
        f"{prefix}_lgbt": lgbt,
    }


def _lgbt_flag(t: ir.Table) -> ir.Value:
    """The crime's own LGBT flag (``crimes.lgbt``), which the annual report found "largely
    unrecorded": flagged, not flagged, or not recorded."""
    return ibis.cases((t.lgbt.isnull(), NOT_RECORDED), (t.lgbt, "lgbt"), else_="not_lgbt")


COMMON_CUTS: dict[str, Callable[[ir.Table], ir.Value]] = {
    "area": lambda t: t.area_code,
    "unit": lambda t: t.unit.fill_null(NOT_RECORDED),
    "month": lambda t: t.month.cast("string").substr(0, 7),
    **_person_cuts("victim"),
    **_person_cuts("suspect"),
}
CRIME_CUTS: dict[str, Callable[[ir.Table], ir.Value]] = {"lgbt_flag": _lgbt_flag}
CUT_NAMES = (*COMMON_CUTS, *CRIME_CUTS, "reason")
CUT_ALIASES = {
    "sex": "victim_sex",
    "age_band": "victim_age_band",
    "age": "victim_age_band",
    "ethnicity": "victim_ethnicity",
    "disability": "victim_disability",
    "lgbt": "victim_lgbt",
}
PERSON_ATTRIBUTES = ("sex", "birth_year", "ethnicity", "disabled", "lgbt")


def person_cut_roles(cuts: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(r for r in ("victim", "suspect") if any(c.startswith(f"{r}_") for c in cuts))


# --- building blocks -----------------------------------------------------------------------


class NoLinks(LookupError):
    """Figures by linked person were asked of data without linkage's person keys."""


#: the table of linkage's person keys (:mod:`dsvb.linkage.tables`): record -> person key
PERSON_LINKS = "person_links"


@dataclass(frozen=True)
class Tables:
    incidents: ir.Table
    crimes: ir.Table
    people: ir.Table
    crime_people: ir.Table
    victim_contacts: ir.Table
    # the backend, for the tables read only by some queries (:meth:`person_links`)
    on: Any = field(default=None, repr=False, compare=False)

    def person_links(self) -> ir.Table:
        """The police extract's people's person keys: ``record_id`` (a ``person_id``) and
        ``person_key``, from linkage's ``person_links`` (source ``extract``). Read only when
        a query counts by linked person, so a store never linked still answers every other
        query."""
        from dsvb.linkage.records import EXTRACT

        try:
            links = self.on.table(PERSON_LINKS)
        except Exception as exc:  # each backend has its own "no such table"
            raise NoLinks(
                "these records have no person keys (no person_links table): run "
                "`dsvb link --store PATH` to link the people first, or count by recorded "
                "person (--people recorded)"
            ) from exc
        return links.filter(links.source == EXTRACT).select("record_id", "person_key")

    @classmethod
    def from_backend(cls, con: ibis.BaseBackend, *, now: dt.datetime | None = None) -> Tables:
        """The store's tables, each row outside the plausible range for police records
        (``reference.plausible_values``) left out. Imports refuse such values, but a store
        made by an older dsvb may hold some (``0001-01-01``, ``9999-12-31``), and one such
        record must not make every period, page and export fail; see
        :func:`implausible_records` for how many were left out."""
        raw = cls(*(con.table(name) for name in _STORE_TABLES))
        bounds = _Bounds.at(now)
        return cls(
            incidents=raw.incidents.filter(bounds.event(raw.incidents.reported_at)),
            crimes=raw.crimes.filter(
                bounds.event(raw.crimes.recorded_at),
                bounds.optional_event(raw.crimes.arrested_at),
                bounds.optional_event(raw.crimes.outcome_at),
            ),
            people=raw.people.mutate(
                birth_year=ibis.ifelse(
                    raw.people.birth_year.between(*bounds.birth_years),
                    raw.people.birth_year,
                    ibis.null().cast(raw.people.birth_year.type()),
                )
            ),
            crime_people=raw.crime_people,
            victim_contacts=raw.victim_contacts.filter(
                bounds.deadline(raw.victim_contacts.due_at),
                bounds.optional_event(raw.victim_contacts.made_at),
            ),
            on=con,
        )


_STORE_TABLES = ("incidents", "crimes", "people", "crime_people", "victim_contacts")


@dataclass(frozen=True)
class _Bounds:
    """The plausible ranges at one moment, as Ibis conditions."""

    events: tuple[dt.datetime, dt.datetime]
    deadlines: tuple[dt.datetime, dt.datetime]
    birth_years: tuple[int, int]

    @classmethod
    def at(cls, now: dt.datetime | None) -> _Bounds:
        values = reference.plausible_values()
        when = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
        return cls(values.event_range(when), values.deadline_range(when), values.birth_years(when))

    def event(self, value: ir.TimestampValue) -> ir.BooleanValue:
        return value.between(*self.events)

    def optional_event(self, value: ir.TimestampValue) -> ir.BooleanValue:
        """Missing, or in the range. Written as ``coalesce(value, low) BETWEEN low AND
        high`` rather than ``value IS NULL OR value BETWEEN …``: the same rows, but DuckDB
        evaluates the OR on every row (about 30 ms a scan of 0.5M crimes with two such
        columns, five scans a query), while the coalesced form is narrowed from the
        column's statistics to a near-free check."""
        low, high = self.events
        return value.fill_null(ibis.literal(low, value.type())).between(low, high)

    def deadline(self, value: ir.TimestampValue) -> ir.BooleanValue:
        return value.between(*self.deadlines)


#: The stand-in for "now" when a query is compiled once to be run again later
#: (:func:`dsvb.indicators.engine.compute` keeps compiled SQL per process): the plausible
#: range's upper bounds are the only part of a compiled query that depends on the clock, so
#: a query compiled with tables of ``Tables.from_backend(con, now=COMPILE_NOW)`` is made
#: right for any moment by :func:`sql_at`. A date no record or clock will reach, with
#: microseconds, so that its literals cannot be mistaken for another value.
COMPILE_NOW = dt.datetime(2345, 6, 7, 8, 9, 10, 111213)


def _timestamp_sql(value: dt.datetime) -> str:
    """A naive timestamp literal as Ibis writes it for DuckDB (``visit_Literal``)."""
    seconds = value.second + value.microsecond / 1e6
    return (
        f"MAKE_TIMESTAMP({value.year}, {value.month}, {value.day}, {value.hour}, "
        f"{value.minute}, {seconds})"
    )


def sql_at(sql: str, now: dt.datetime | None = None) -> str:
    """DuckDB SQL compiled from tables at :data:`COMPILE_NOW`, with the plausible range's
    bounds at ``now`` (default: the current time) instead: the same text as compiling the
    query from ``Tables.from_backend(con, now=now)``, without building or compiling it
    again. Raises ``ValueError`` if a stand-in value is left in the text (a change in how
    Ibis writes literals), rather than run a query with the wrong bounds."""
    compiled, actual = _Bounds.at(COMPILE_NOW), _Bounds.at(now)
    for old, new in (
        (compiled.events[1], actual.events[1]),
        (compiled.deadlines[1], actual.deadlines[1]),
    ):
        sql = sql.replace(_timestamp_sql(old), _timestamp_sql(new))
    if f"MAKE_TIMESTAMP({COMPILE_NOW.year}," in sql:
        raise ValueError("a compiled query still holds the stand-in for now; not run")
    (low, high), actual_high = compiled.birth_years, actual.birth_years[1]
    return re.sub(rf"BETWEEN {low} AND {high}(?![\w.])", f"BETWEEN {low} AND {actual_high}", sql)


def months_held_sql(now: dt.datetime | None = None) -> str:
    """DuckDB SQL answering one row: the first and last month (first days) of the incidents
    and crimes stored, those outside the plausible range left out as
    :meth:`Tables.from_backend` leaves them out (for pages that read the months held
    straight from the store)."""
    bounds = _Bounds.at(now)
    low, high = (f"TIMESTAMP '{v.isoformat(sep=' ')}'" for v in bounds.events)
    return (
        "SELECT min(m), max(m) FROM ("
        f"SELECT reported_month AS m FROM incidents WHERE reported_at BETWEEN {low} AND {high} "
        f"UNION ALL SELECT recorded_month FROM crimes WHERE recorded_at BETWEEN {low} AND {high})"
    )


def arrow_of(con: ibis.BaseBackend, expr: ir.Expr) -> pa.Table:
    """An expression's rows as Arrow. On DuckDB the compiled SQL is run on the connection
    itself: Ibis's ``to_pyarrow`` imports pandas (about 0.3 s) to convert types, which a
    command answering in a second cannot spend."""
    if getattr(con, "name", None) == "duckdb":
        return con.con.sql(str(con.compile(expr))).to_arrow_table()
    return con.to_pyarrow(expr)


def scalar_of(con: ibis.BaseBackend, expr: ir.Scalar) -> object:
    """A scalar expression's value (None for SQL NULL), as :func:`arrow_of` reads it."""
    if getattr(con, "name", None) == "duckdb":
        return arrow_of(con, expr).column(0)[0].as_py()
    return con.to_pyarrow(expr).as_py()


def implausible_records(con: Any, *, now: dt.datetime | None = None) -> dict[str, int]:
    """How many stored records of each table :meth:`Tables.from_backend` leaves out (or, for
    people, reads without their birth year) as outside the plausible range; tables with
    none are not listed. ``con`` is an Ibis backend or, compiled once and kept
    (:mod:`dsvb.indicators.compiled`), a DuckDB connection."""
    from dsvb.indicators import compiled

    columns = compiled.store_columns(con)

    def scalar(key: str, build: Callable[[ibis.BaseBackend, Tables, _Bounds], ir.Scalar]) -> int:
        if columns is None:
            expr = build(con, Tables.from_backend(con, now=now), _Bounds.at(now))
            return int(scalar_of(con, expr) or 0)  # type: ignore[call-overload]
        sql = compiled.sql(
            con,
            ("implausible", key),
            lambda on, tables: build(on, tables, _Bounds.at(COMPILE_NOW)),
            columns,
            now=now,
        )
        return int(compiled.connection(con).execute(sql).fetchone()[0] or 0)

    def stored(name: str) -> Callable[[ibis.BaseBackend, Tables, _Bounds], ir.Scalar]:
        return lambda on, tables, bounds: on.table(name).count()

    def kept(name: str) -> Callable[[ibis.BaseBackend, Tables, _Bounds], ir.Scalar]:
        return lambda on, tables, bounds: getattr(tables, name).count()

    def unreadable_birth_years(on: ibis.BaseBackend, tables: Tables, bounds: _Bounds) -> ir.Scalar:
        years = on.table("people").birth_year
        low, high = bounds.birth_years
        return on.table("people").filter(years.notnull() & ~years.between(low, high)).count()

    counts: dict[str, int] = {}
    for name in ("incidents", "crimes", "victim_contacts"):
        left_out = scalar(f"{name}-stored", stored(name)) - scalar(f"{name}-kept", kept(name))
        if left_out:
            counts[name] = int(left_out)
    people = scalar("people-birth-years", unreadable_birth_years)
    if people:
        counts["people"] = int(people)
    return counts


def _join(left: ir.Table, right: ir.Table, key: str, how: str = "left") -> ir.Table:
    """Join on a column both tables share, keeping it once."""
    joined = left.join(right, left[key] == right[key], how=how)
    if f"{key}_right" in joined.columns:
        joined = joined.drop(f"{key}_right")
    return joined


def _principal(tables: Tables, role: str) -> ir.Table:
    """One person per crime in a role: the lowest person_id."""
    cp = tables.crime_people
    chosen = (
        cp.filter(cp.role == role)
        .group_by("crime_id")
        .aggregate(**{f"{role}_id": cp.person_id.min()})
    )
    people = tables.people.select(
        "person_id", *(tables.people[c].name(f"{role}_{c}") for c in PERSON_ATTRIBUTES)
    )
    joined = chosen.left_join(people, chosen[f"{role}_id"] == people.person_id)
    joined = joined.mutate(**{f"{role}_linked": ibis.literal(True)})
    return joined.drop(*(c for c in ("person_id", f"{role}_id") if c in joined.columns))


def _with_people(t: ir.Table, tables: Tables, roles: tuple[str, ...]) -> ir.Table:
    for role in roles:
        principal = _principal(tables, role)
        t = _join(t, principal, "crime_id")
    return t


def _crimes_in(tables: Tables, start: object, end: object) -> ir.Table:
    c = tables.crimes
    return c.filter(c.recorded_at >= start, c.recorded_at < end)


# --- the sources ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """A table of countable rows, shared by all families or built per family."""

    name: str
    description: str
    build: Callable[[Tables, Context, tuple[str, ...], tuple[str, ...]], ir.Table]
    family_of: Callable[[ir.Table, str, Context], ir.BooleanValue] | None
    per_family: bool = False
    cuts: tuple[str, ...] = tuple(COMMON_CUTS)


def _build_crimes(
    tables: Tables, ctx: Context, families: tuple[str, ...], cuts: tuple[str, ...]
) -> ir.Table:
    t = _crimes_in(tables, ctx.start, ctx.end).rename(month="recorded_month")
    return _with_people(t, tables, person_cut_roles(cuts))


def _build_incidents(
    tables: Tables, ctx: Context, families: tuple[str, ...], cuts: tuple[str, ...]
) -> ir.Table:
    i = tables.incidents
    i = i.filter(i.reported_at >= ctx.start, i.reported_at < ctx.end).rename(month="reported_month")
    needs_crime = any(f != "dv" for f in families) or "unit" in cuts
    roles = person_cut_roles(cuts)
    if needs_crime or roles:
        c = tables.crimes
        linked = c.select(
            c.crime_id,
            c.unit,
            linked_serious_sexual=c.serious_sexual,
            linked_sexual=c.serious_sexual | c.offence_group.isin(ctx.sexual_offence_groups),
            linked_havens_referral=c.havens_referral,
        )
        i = _join(i, linked, "crime_id")
    else:
        i = i.mutate(
            unit=ibis.null("string"),
            linked_serious_sexual=ibis.null("boolean"),
            linked_sexual=ibis.null("boolean"),
            linked_havens_referral=ibis.null("boolean"),
        )
    return _with_people(i, tables, roles)


def _build_contacts(
    tables: Tables, ctx: Context, families: tuple[str, ...], cuts: tuple[str, ...]
) -> ir.Table:
    v = tables.victim_contacts
    v = v.filter(v.due_at >= ctx.start, v.due_at < ctx.end).rename(month="due_month")
    c = tables.crimes.select(
        "crime_id", "area_code", "unit", "dv", "serious_sexual", "offence_group", "status"
    )
    v = _join(v, c, "crime_id", how="inner")
    return _with_people(v, tables, person_cut_roles(cuts))


def _offence_history(
    tables: Tables,
    ctx: Context,
    families: tuple[str, ...],
    role: str,
    offence: Callable[[ir.Table], ir.BooleanValue],
    since: object,
) -> ir.Table:
    """Person-offence rows in a role, one copy per family, from ``since`` to the period end."""
    crimes = tables.crimes
    crimes = crimes.filter(
        offence(crimes), crimes.recorded_at >= since, crimes.recorded_at < ctx.end
    )
    crimes = crimes.select(
        "crime_id",
        "recorded_at",
        "recorded_month",
        "area_code",
        "unit",
        "dv",
        "serious_sexual",
        "offence_group",
    )
    cp = tables.crime_people
    links = cp.filter(cp.role == role).select("crime_id", "person_id")
    if ctx.people == LINKED:
        links = _as_linked(links, tables)
    rows = _join(links, crimes, "crime_id", how="inner")
    parts = [
        rows.filter(_crime_family(rows, f, ctx)).mutate(family=ibis.literal(f)) for f in families
    ]
    return parts[0] if len(parts) == 1 else ibis.union(*parts)


def _as_linked(links: ir.Table, tables: Tables) -> ir.Table:
    """Crime-person rows with each person as linkage found them: ``person_id`` becomes the
    record's person key (``key:P…``), or the recorded id (``id:…``) for a person linkage
    gave no key, prefixed so that a key and an id never meet; ``recorded_id`` keeps the
    lowest recorded id (whose characteristics the person cuts read). One row per crime and
    person: two records of one person as victims of the same crime are one victim of it,
    not a repeat."""
    keys = tables.person_links()
    joined = links.left_join(keys, links.person_id == keys.record_id)
    who = ibis.ifelse(
        joined.person_key.isnull(),
        ibis.literal("id:").concat(joined.person_id),
        ibis.literal("key:").concat(joined.person_key),
    )
    rows = joined.select(crime_id=joined.crime_id, person=who, recorded=joined.person_id)
    return (
        rows.group_by(["crime_id", "person"])
        .aggregate(recorded_id=rows.recorded.min())
        .rename(person_id="person")
    )


def _person_table(
    tables: Tables,
    rows: ir.Table,
    ctx: Context,
    repeat: ir.BooleanValue,
    is_latest: ir.BooleanValue,
    prefix: str,
    cuts: tuple[str, ...],
    history: ir.IntegerValue | None = None,
) -> ir.Table:
    """Collapse person-offence rows to one row per family and person, attributed to the
    area, unit and month of the person's latest offence. ``history``, when given, is each
    person's number of rows before the period is applied (kept as ``offences_in_window``)."""
    rows = rows.mutate(
        is_repeat_offence=repeat,
        latest=is_latest,
        history=history if history is not None else ibis.literal(None, "int64"),
    )
    rows = rows.filter(rows.recorded_at >= ctx.start)
    persons = rows.group_by(["family", "person_id"]).aggregate(
        is_repeat=rows.is_repeat_offence.max(),
        offences=rows.count(),
        repeat_offences=rows.is_repeat_offence.cast("int64").sum(),
        offences_in_window=rows.history.max(),
        area_code=rows.area_code.max(where=rows.latest),
        unit=rows.unit.max(where=rows.latest),
        month=rows.recorded_month.max(where=rows.latest),
        **(
            # a linked person's characteristics: as recorded on their latest offence
            {"recorded_id": rows.recorded_id.max(where=rows.latest)}
            if "recorded_id" in rows.columns
            else {}
        ),
    )
    if not any(c.startswith(f"{prefix}_") for c in cuts):
        return persons  # no cut by the person's characteristics: no need to look them up
    people = tables.people.select(
        "person_id", *(tables.people[c].name(f"{prefix}_{c}") for c in PERSON_ATTRIBUTES)
    )
    if "recorded_id" in persons.columns:
        people = people.rename(recorded_id="person_id")
        return _join(persons, people, "recorded_id")
    return _join(persons, people, "person_id")


def _build_victims(
    tables: Tables, ctx: Context, families: tuple[str, ...], cuts: tuple[str, ...]
) -> ir.Table:
    """Victims of offences in the period; repeat if an earlier offence in the family against
    them was recorded within the look-back window before one of these offences. Their
    offences in the window (from the look-back's start to the period's end) are counted too:
    a repeat victim has at least two there, as in the Kingston return's "offences per repeat
    victim"."""
    since = ctx.period.shifted_back(ctx.window_months).start_utc
    rows = _offence_history(
        tables, ctx, families, "victim", lambda c: c.status == "confirmed", since
    )
    order = ibis.window(
        group_by=[rows.family, rows.person_id], order_by=[rows.recorded_at, rows.crime_id]
    )
    previous = rows.recorded_at.lag().over(order)
    window_start = rows.recorded_at - ibis.interval(months=ctx.window_months)
    repeat = (previous.notnull() & (previous >= window_start)).fill_null(False)
    is_latest = rows.crime_id.lead().over(order).isnull()  # one ordering serves both
    history = rows.count().over(ibis.window(group_by=[rows.family, rows.person_id]))
    return _person_table(tables, rows, ctx, repeat, is_latest, "victim", cuts, history)


def _build_cautioned(
    tables: Tables, ctx: Context, families: tuple[str, ...], cuts: tuple[str, ...]
) -> ir.Table:
    """Offenders cautioned in the period; repeat if cautioned for an earlier offence in the
    family at any time before (all the history in the store)."""
    rows = _offence_history(
        tables,
        ctx,
        families,
        "suspect",
        lambda c: (c.status == "confirmed") & (c.outcome == "caution"),
        ibis.timestamp("1900-01-01 00:00:00"),
    )
    order = ibis.window(
        group_by=[rows.family, rows.person_id], order_by=[rows.recorded_at, rows.crime_id]
    )
    repeat = rows.recorded_at.lag().over(order).notnull()
    is_latest = rows.crime_id.lead().over(order).isnull()
    return _person_table(tables, rows, ctx, repeat, is_latest, "suspect", cuts)


def _build_suspects(
    tables: Tables, ctx: Context, families: tuple[str, ...], cuts: tuple[str, ...]
) -> ir.Table:
    """People named as suspects in confirmed offences recorded in the period, once each per
    family, attributed to the area, unit and month of their latest such offence: the
    denominator-free count behind "suspects per 1,000 population" (issue 15)."""
    rows = _offence_history(
        tables, ctx, families, "suspect", lambda c: c.status == "confirmed", ctx.start
    )
    order = ibis.window(
        group_by=[rows.family, rows.person_id], order_by=[rows.recorded_at, rows.crime_id]
    )
    is_latest = rows.crime_id.lead().over(order).isnull()
    return _person_table(tables, rows, ctx, ibis.literal(False), is_latest, "suspect", cuts)


_PERSON_CUTS = ("area", "unit", "month")

SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source(
            "incidents",
            "Incidents (calls and reports) reported in the period",
            _build_incidents,
            _incident_family,
        ),
        Source(
            "crimes",
            "Crime records made in the period",
            _build_crimes,
            _crime_family,
            cuts=(*COMMON_CUTS, *CRIME_CUTS),
        ),
        Source(
            "contacts",
            "Victims' Code contacts falling due in the period",
            _build_contacts,
            _crime_family,
            cuts=(*COMMON_CUTS, "reason"),
        ),
        Source(
            "victims",
            "Victims of offences recorded in the period",
            _build_victims,
            None,
            per_family=True,
            cuts=(*_PERSON_CUTS, *_person_cuts("victim")),
        ),
        Source(
            "cautioned_offenders",
            "Offenders cautioned for offences recorded in the period",
            _build_cautioned,
            None,
            per_family=True,
            cuts=(*_PERSON_CUTS, *_person_cuts("suspect")),
        ),
        Source(
            "suspects",
            "People named as suspects in offences recorded in the period",
            _build_suspects,
            None,
            per_family=True,
            cuts=(*_PERSON_CUTS, *_person_cuts("suspect")),
        ),
    )
}


def cut_expression(source: Source, table: ir.Table, cut: str) -> ir.Value:
    if cut == "reason":
        return table.reason
    if cut in CRIME_CUTS:
        return CRIME_CUTS[cut](table)
    return COMMON_CUTS[cut](table)
