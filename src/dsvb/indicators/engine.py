"""Compute indicators: compile the definitions for a query and run them on an Ibis backend.

For each source the engine builds one aggregate over the source's rows — every count for
every requested family — grouped by the requested cuts (see :func:`_totals`); the
force-wide row is the sum of the groups. Results are turned into :class:`IndicatorResult`
records.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dsvb import reference, store
from dsvb.indicators import compiled
from dsvb.indicators import definitions as defs
from dsvb.indicators.model import (
    LINKED,
    PEOPLE,
    RECORDED,
    Context,
    Count,
    Indicator,
    Period,
    add_months,
)
from dsvb.indicators.results import FORCE_CODE, IndicatorResult
from dsvb.indicators.sources import (
    CUT_ALIASES,
    CUT_NAMES,
    NOT_RECORDED,
    PERSON_LINKS,
    SOURCES,
    NoLinks,
    Source,
    Tables,
    arrow_of,
    cut_expression,
    scalar_of,
)

if TYPE_CHECKING:  # Ibis and Arrow only when a query is built (see dsvb.indicators.compiled)
    import ibis
    import ibis.expr.types as ir
    import pyarrow as pa

__all__ = [
    "IndicatorQuery",
    "NoLinks",
    "UnknownCut",
    "compute",
    "compute_from_extract",
    "compute_from_store",
    "unlinked_note",
    "unlinked_records",
]

ALL = "ALL"


class UnknownCut(ValueError):
    pass


@dataclass(frozen=True)
class IndicatorQuery:
    """What to compute: families, a period, cuts, optionally a subset of indicators."""

    families: tuple[str, ...] = defs.ALL_FAMILIES
    start: dt.date | None = None  # None: the first month in the data
    end: dt.date | None = None  # exclusive; None: after the last month in the data
    by: tuple[str, ...] = ("area",)
    window_months: int = 12
    indicators: tuple[str, ...] | None = None
    force_row: bool = True
    # who counts as the same person, for counts of people (victims, offenders): each
    # recorded person id (RECORDED), or the records linkage gave one person key (LINKED)
    people: str = RECORDED

    def __post_init__(self) -> None:
        if self.people not in PEOPLE:
            raise ValueError(
                f"unknown way of counting people {self.people!r}; choose from {', '.join(PEOPLE)}"
            )
        by = tuple(dict.fromkeys(CUT_ALIASES.get(c, c) for c in self.by if c))
        unknown = [c for c in by if c not in CUT_NAMES]
        if unknown:
            raise UnknownCut(
                f"unknown cut(s): {', '.join(unknown)}; choose from {', '.join(CUT_NAMES)}"
            )
        object.__setattr__(self, "by", by)
        families = tuple(self.families)
        bad = [f for f in families if f not in defs.FAMILIES]
        if bad:
            raise ValueError(
                f"unknown family {', '.join(bad)}; choose from {', '.join(defs.FAMILIES)}"
            )
        object.__setattr__(self, "families", families)
        if self.indicators is not None:
            bad = [i for i in self.indicators if i not in defs.INDICATORS]
            if bad:
                raise ValueError(f"unknown indicator(s): {', '.join(bad)}")
        if self.window_months < 1:
            raise ValueError("the repeat look-back window must be at least one month")

    def period(self, data: Period | None) -> Period | None:
        """The period asked for, with open ends filled from the data's months."""
        start = self.start or (data.start if data else None)
        end = self.end or (data.end if data else None)
        if start is None or end is None:
            return None
        return Period(start, end)

    def selected(self) -> list[Indicator]:
        ids = self.indicators or tuple(defs.INDICATORS)
        return [defs.INDICATORS[i] for i in ids]


@dataclass
class _Counts:
    """Count values keyed by (cut values, family, count id)."""

    values: dict[tuple[tuple[str, ...], str, str], float] = field(default_factory=dict)
    keys: set[tuple[str, ...]] = field(default_factory=set)

    def get(self, key: tuple[str, ...], family: str, count: str) -> float:
        return self.values.get((key, family, count), 0)


def _context(period: Period, window_months: int, people: str = RECORDED) -> Context:
    return Context(
        period=period,
        window_months=window_months,
        sanction_detection_outcomes=reference.sanction_detection_outcomes(period.start, period.end),
        sexual_offence_groups=reference.sexual_offence_groups(),
        people=people,
    )


#: the attribute naming the tables an opener of other data registered for the engine (see
#: :func:`dsvb.indicators.spark.backend`): only those count as the data's own
VIEWS = "dsvb_views"


def _tables(con: Any) -> set[str]:
    """The tables of an Ibis backend the engine may read: those its opener registered, when
    it says (a Spark session under spark-submit may hold a permanent ``person_links`` of
    something else in its current database), else every table listed."""
    listed = set(con.list_tables())
    registered = getattr(con, VIEWS, None)
    return listed if registered is None else listed & set(registered)


def check_links(con: Any) -> None:
    """Raise :class:`NoLinks` unless the data holds linkage's person keys: a store no
    ``dsvb link`` has run on would otherwise count every recorded id as its own person and
    show "linked" figures equal to the recorded ones, as if nothing were hidden. A store
    has keys once a link run is recorded (``link_runs``); data without that table (a
    Parquet export) once ``person_links`` is there."""
    if compiled.is_duckdb(con):
        db = compiled.connection(con)
        present = {
            name
            for (name,) in db.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = current_schema()"
            ).fetchall()
        }
        runs = (
            db.execute("SELECT count(*) FROM link_runs").fetchone()[0]
            if "link_runs" in present
            else None
        )
    else:
        present = _tables(con)
        runs = int(con.table("link_runs").count().execute()) if "link_runs" in present else None
    if PERSON_LINKS not in present or runs == 0:
        raise NoLinks(
            "the store's people have not been linked (no `dsvb link` run): run "
            "`dsvb link --store PATH` first, or count by recorded person (--people recorded)"
        )


IDENTIFIERS = "person_identifiers"


def unlinked_records(con: Any) -> int | None:
    """How many extract records hold identifiers but no person key: people imported since
    the last ``dsvb link`` run (person_identifiers anti-joined to person_links of source
    ``extract``). Counted by linked person they are each their own person, so the linked
    figures understate what linkage would find until ``dsvb link`` runs again; callers
    say so. None when the data hold no identifiers (a Parquet export never does: the
    count cannot be known there)."""
    if compiled.is_duckdb(con):
        db = compiled.connection(con)
        present = {
            name
            for (name,) in db.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = current_schema()"
            ).fetchall()
        }
        if IDENTIFIERS not in present:
            return None
        if PERSON_LINKS not in present:
            return int(
                db.execute(f"SELECT count(DISTINCT person_id) FROM {IDENTIFIERS}").fetchone()[0]
            )
        return int(
            db.execute(
                f"SELECT count(DISTINCT i.person_id) FROM {IDENTIFIERS} i WHERE NOT EXISTS "
                f"(SELECT 1 FROM {PERSON_LINKS} l WHERE l.source = 'extract' "
                "AND l.record_id = i.person_id)"
            ).fetchone()[0]
        )
    present = _tables(con)
    if IDENTIFIERS not in present:
        return None
    ids = con.table(IDENTIFIERS).select("person_id").distinct()
    if PERSON_LINKS in present:
        links = con.table(PERSON_LINKS)
        links = links.filter(links.source == "extract")
        ids = ids.anti_join(links, ids.person_id == links.record_id)
    return int(ids.count().execute())


def unlinked_note(count: int | None, store_path: object = "PATH") -> str | None:
    """The note for :func:`unlinked_records` (None when every record has its key)."""
    if not count:
        return None
    records = "record with identifiers has" if count == 1 else "records with identifiers have"
    return (
        f"note: {count:,} {records} no person key (imported since the "
        "last link run) and count as their own person in the linked figures: run "
        f"`dsvb link --store {store_path}` to link them"
    )


def data_period(con: Any) -> Period | None:
    """Whole months covering every incident and crime in the store (those within the
    plausible range for police records: see :meth:`Tables.from_backend`). ``con`` is an
    Ibis backend or a DuckDB connection (the query compiled once and kept)."""
    if compiled.is_duckdb(con):

        def months(on: ibis.BaseBackend, t: Tables) -> ir.Table:
            held = t.incidents.select(m=t.incidents.reported_month).union(
                t.crimes.select(m=t.crimes.recorded_month)
            )
            return held.aggregate(first=held.m.min(), last=held.m.max())

        sql = compiled.sql(con, ("data_period",), months)
        first, last = compiled.connection(con).execute(sql).fetchone()
        firsts, lasts = [first] if first is not None else [], [last]
    else:
        tables = Tables.from_backend(con)
        first_e = [tables.incidents.reported_month.min(), tables.crimes.recorded_month.min()]
        last_e = [tables.incidents.reported_month.max(), tables.crimes.recorded_month.max()]
        # the minimum of an empty table is None
        firsts = [v for v in (scalar_of(con, e) for e in first_e) if v is not None]
        lasts = [v for v in (scalar_of(con, e) for e in last_e) if v is not None]
    if not firsts:
        return None
    start, end = min(firsts), max(lasts)
    start = start.date() if isinstance(start, dt.datetime) else start
    end = end.date() if isinstance(end, dt.datetime) else end
    return Period(start, add_months(end, 1))


def _atoms(condition: ir.BooleanValue) -> list[ir.BooleanValue]:
    """The terms of a condition that is a conjunction (``a & b & c``), else the condition."""
    import ibis.expr.operations as ops

    op = condition.op()
    if isinstance(op, ops.And):
        return [*_atoms(op.left.to_expr()), *_atoms(op.right.to_expr())]
    return [condition]


def _conditions(
    source: Source,
    table: ir.Table,
    counts: Sequence[Count],
    families: Sequence[str],
    ctx: Context,
    by: Sequence[str],
) -> tuple[ir.Table, dict[str, list[str]]]:
    """One row per source row: each family's condition (``f<i>``), each distinct term of the
    counts' conditions (``a<k>``) as a boolean column, each summand (``s<j>``) and each cut
    as text (``cut<k>``); and, for each count's condition (``w<j>``), the terms it is the
    conjunction of. Many counts share terms (``status = 'confirmed'``, a contact's reason,
    whether it was on time): evaluating each term once per row rather than each count's
    whole condition roughly halves the per-row work on the crimes and contacts sources."""
    columns: dict[str, ir.Value] = {}
    for i, family in enumerate(families):
        in_family = (
            (table.family == family) if source.per_family else source.family_of(table, family, ctx)  # type: ignore[misc]
        )
        columns[f"f{i}"] = in_family.fill_null(False)
    atoms: dict[Any, str] = {}
    conjunctions: dict[str, list[str]] = {}
    for j, count in enumerate(counts):
        if count.where is not None:
            names = []
            for atom in _atoms(count.where(table, ctx)):
                name = atoms.setdefault(atom.op(), f"a{len(atoms)}")
                if name not in columns:
                    # a null term is false: the conjunction of terms each null-as-false is
                    # true exactly where the whole condition, null-as-false, is true
                    columns[name] = atom.fill_null(False)
                if name not in names:
                    names.append(name)
            conjunctions[f"w{j}"] = names
        if count.sum_of is not None:
            columns[f"s{j}"] = count.sum_of(table, ctx)
    for k, cut in enumerate(by):
        columns[f"cut{k}"] = cut_expression(source, table, cut).cast("string")
    return table.select(**columns), conjunctions


def _groups(
    rows: ir.Table, by: Sequence[str], conjunctions: dict[str, list[str]] | None = None
) -> ir.Table:
    """The rows counted by their cut values and conditions together (``rows__n``), with
    each summand summed: rows alike in every condition fall in one group, so a year of a
    force's records becomes a few thousand groups. Conditions are the families' (``f<i>``),
    the counts' (``w<j>``) and the terms of counts' conditions (``a<k>``); a count's
    condition given as ``conjunctions`` (``w<j>`` to its terms) is made from its terms
    after grouping, once per group rather than once per row."""
    cuts = [f"cut{k}" for k in range(len(by))]
    conditions = [c for c in rows.columns if c[0] in "fwa"]
    summands = [c for c in rows.columns if c[0] == "s"]
    groups = rows.group_by([*cuts, *conditions]).aggregate(
        rows__n=rows.count(), **{s: rows[s].sum() for s in summands}
    )
    if not conjunctions:
        return groups
    made = {
        w: functools.reduce(operator.and_, (groups[a] for a in terms))
        for w, terms in conjunctions.items()
    }
    return groups.select(
        *(c for c in groups.columns if c[0] != "a"),
        **made,
    )


def _totals(
    groups: pa.Table, counts: Sequence[Count], families: Sequence[str], by: Sequence[str]
) -> pa.Table:
    """Every (family, count) by the cuts, from the groups: the sum of the group sizes (or
    summands) where the family's and the count's conditions hold.

    The same answer as filtering the rows once per count, but the backend looks at each
    row once rather than once per count (on DuckDB about nine times faster for the crimes
    source and its 76 counts), and the small sums over groups are done here, in Arrow,
    on backends other than DuckDB (where :func:`_totals_sql` does them in the query).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    cuts = [f"cut{k}" for k in range(len(by))]
    columns: dict[str, pa.ChunkedArray] = {c: groups[c] for c in cuts}
    for i, family in enumerate(families):
        for j, count in enumerate(counts):
            where = groups[f"f{i}"]
            if count.where is not None:
                where = pc.and_(where, groups[f"w{j}"])
            value = groups[f"s{j}"] if count.sum_of is not None else groups["rows__n"]
            if pa.types.is_decimal(value.type):  # DuckDB sums integers as HUGEINT
                value = value.cast(pa.int64())
            zero = pa.scalar(0, value.type)
            columns[f"{family}\x1f{count.id}"] = pc.if_else(where, pc.fill_null(value, zero), zero)
    table = pa.table(columns)
    metrics = [name for name in columns if name not in cuts]
    if not cuts:
        return pa.table({m: [pc.sum(table[m]).as_py() or 0] for m in metrics})
    summed = table.group_by(cuts, use_threads=False).aggregate([(m, "sum") for m in metrics])
    return summed.rename_columns([n.removesuffix("_sum") for n in summed.column_names])


def _totals_sql(
    groups: str, counts: Sequence[Count], families: Sequence[str], by: Sequence[str]
) -> str:
    """:func:`_totals` in DuckDB SQL over the groups' SQL: one column per (family, count),
    in the order of :func:`_pairs`, after the cuts."""
    cuts = [f'"cut{k}"' for k in range(len(by))]
    sums = []
    for i, _family in enumerate(families):
        for j, count in enumerate(counts):
            where = f'"f{i}"' if count.where is None else f'"f{i}" AND "w{j}"'
            value = f'"s{j}"' if count.sum_of is not None else '"rows__n"'
            sums.append(f"coalesce(sum(coalesce({value}, 0)) FILTER (WHERE {where}), 0)")
    group = f" GROUP BY {', '.join(cuts)}" if cuts else ""
    return f"SELECT {', '.join([*cuts, *sums])} FROM ({groups}) AS groups{group}"


def _pairs(counts: Sequence[Count], families: Sequence[str]) -> list[tuple[str, str]]:
    return [(family, count.id) for family in families for count in counts]


def _source_rows(
    con: Any,
    tables: Callable[[], Tables],
    source: Source,
    counts: Sequence[Count],
    query: IndicatorQuery,
    ctx: Context,
    columns: tuple | None,
) -> list[tuple]:
    """Rows of (cut values..., one value per :func:`_pairs`). On DuckDB the query is
    compiled once and kept (:mod:`dsvb.indicators.compiled`) and the sums over groups are
    part of it; on other backends it is built each time and the groups summed in Arrow."""

    def expression(on: ibis.BaseBackend, at: Tables) -> ir.Table:
        table = source.build(at, ctx, query.families, query.by)
        rows, conjunctions = _conditions(source, table, counts, query.families, ctx, query.by)
        return _groups(rows, query.by, conjunctions)

    if columns is None:
        on = compiled.backend(con)
        table = _totals(arrow_of(on, expression(on, tables())), counts, query.families, query.by)
        names = [f"cut{k}" for k in range(len(query.by))] + [
            f"{family}\x1f{count}" for family, count in _pairs(counts, query.families)
        ]
        return [tuple(row) for row in zip(*(table[n].to_pylist() for n in names), strict=True)]
    key = ("source", source.name, tuple(c.id for c in counts), query.families, query.by, ctx)
    groups = compiled.sql(con, key, expression, columns)
    totals = _totals_sql(groups, counts, query.families, query.by)
    return compiled.connection(con).execute(totals).fetchall()


def _run_source(
    con: Any,
    tables: Callable[[], Tables],
    source: Source,
    counts: Sequence[Count],
    query: IndicatorQuery,
    ctx: Context,
    into: _Counts,
    columns: tuple | None = None,
) -> None:
    """One aggregate query over the source. Every count is additive over the groups (each
    row, and each person, falls in exactly one group), so the force-wide row is the sum of
    the group rows. Only sources of people depend on who counts as the same person: the
    others are built (and their compiled queries kept) as for recorded people."""
    if not source.per_family and ctx.people != RECORDED:
        ctx = dataclasses.replace(ctx, people=RECORDED)
    pairs = _pairs(counts, query.families)
    force = (ALL,) * len(query.by)
    width = len(query.by)
    for row in _source_rows(con, tables, source, counts, query, ctx, columns):
        key = tuple(v or NOT_RECORDED for v in row[:width])
        into.keys.add(key)
        for (family, count), value in zip(pairs, row[width:], strict=True):
            into.values[(key, family, count)] = value or 0
            if query.by and query.force_row:
                total = (force, family, count)
                into.values[total] = into.values.get(total, 0) + (value or 0)
    if query.by and query.force_row:
        into.keys.add(force)


def compute(con: Any, query: IndicatorQuery) -> list[IndicatorResult]:
    """Compute the query's indicators from the store tables behind an Ibis backend, or a
    DuckDB connection (queries compiled once and kept: :mod:`dsvb.indicators.compiled`)."""
    needs_data = query.start is None or query.end is None
    period = query.period(data_period(con) if needs_data else None)
    if period is None:
        return []
    if query.people == LINKED:
        check_links(con)
    ctx = _context(period, query.window_months, query.people)
    built: list[Tables] = []

    def tables() -> Tables:  # the store's tables, built once if a source needs them
        if not built:
            built.append(Tables.from_backend(compiled.backend(con)))
        return built[0]

    columns = compiled.store_columns(con)
    indicators = [i for i in query.selected() if any(i.applies_to(f) for f in query.families)]

    needed: dict[str, list[Count]] = defaultdict(list)
    for indicator in indicators:
        for count_id in (indicator.numerator, indicator.denominator):
            if count_id is None:
                continue
            count = defs.COUNTS[count_id]
            if count not in needed[count.source]:
                needed[count.source].append(count)

    skipped_sources = {
        name for name in needed if any(c not in SOURCES[name].cuts for c in query.by)
    }
    counts = _Counts()
    for name, source_counts in needed.items():
        if name in skipped_sources:
            continue
        _run_source(con, tables, SOURCES[name], source_counts, query, ctx, counts, columns)

    keys = set(counts.keys)
    if query.by == ("area",):
        keys |= _every_area(keys)
    return _results(indicators, query, counts, keys, skipped_sources)


def _every_area(observed: Iterable[tuple[str, ...]]) -> set[tuple[str, ...]]:
    """Every area of the forces in the data, so that an area with no records shows zeros."""
    registry = reference.areas()
    known = {a.code: a for a in registry}
    forces = {known[code].force_code for (code,) in observed if code in known}
    return {(a.code,) for a in registry if a.force_code in forces}


def _results(
    indicators: Sequence[Indicator],
    query: IndicatorQuery,
    counts: _Counts,
    keys: set[tuple[str, ...]],
    skipped_sources: set[str],
) -> list[IndicatorResult]:
    names = {a.code: a.name for a in reference.areas()}
    area_at = query.by.index("area") if "area" in query.by else None

    def sort_key(key: tuple[str, ...]) -> tuple:
        return tuple((v == ALL, v) for v in key)

    results = []
    for key in sorted(keys, key=sort_key):
        if area_at is None or key[area_at] == ALL:
            area_code, area_name = FORCE_CODE, "All areas"
        else:
            area_code = key[area_at]
            area_name = names.get(area_code, area_code)
        cuts = tuple((c, v) for c, v in zip(query.by, key, strict=True) if c != "area")
        for family in query.families:
            for indicator in indicators:
                if not indicator.applies_to(family):
                    continue
                sources = {defs.COUNTS[indicator.numerator].source}
                if indicator.denominator:
                    sources.add(defs.COUNTS[indicator.denominator].source)
                if sources & skipped_sources:
                    continue
                numerator = counts.get(key, family, indicator.numerator)
                denominator = (
                    counts.get(key, family, indicator.denominator)
                    if indicator.denominator
                    else None
                )
                results.append(
                    IndicatorResult(
                        area_code=area_code,
                        area_name=area_name,
                        family=family,
                        indicator=indicator.id,
                        numerator=_number(numerator),
                        denominator=_number(denominator),
                        is_rate=indicator.is_rate,
                        cuts=cuts,
                    )
                )
    return results


def _number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def compute_from_store(path: str | Path | None, query: IndicatorQuery) -> list[IndicatorResult]:
    con = store.connect(path, read_only=True)
    try:
        return compute(con, query)
    finally:
        con.close()


def compute_from_extract(folder: str | Path, query: IndicatorQuery) -> list[IndicatorResult]:
    """Validate an extract into a throwaway in-memory store and compute from it."""
    from dsvb.ingest.extract import import_extract

    con = store.connect(":memory:")
    try:
        import_extract(con, folder)
        return compute(con, query)
    finally:
        con.close()
