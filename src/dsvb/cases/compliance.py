"""The managers' compliance lists over police extracts: the "book of non-compliance" kept "to
identify repeat offenders, be it individuals or across teams" (seed 002).

Each list is *defined from the indicator counts*, not beside them: the records of a whole
count that are not in its part count (DV crimes without a completed risk form are the
``offences`` that are not ``offences_risk_form_completed``), selected through the same
:class:`~dsvb.indicators.model.Count` predicates and the same source builders
(:data:`dsvb.indicators.sources.SOURCES`) the engine counts with. So a list's length is, by
construction, the indicator's denominator minus its numerator for the same area and period,
and a change to a count's definition changes the list with it. The one list that is a count
of people (offenders cautioned more than once) is that count's rows, with the cautions that
put each person on it.

Who may open one police record (``record.view``): force analysts, any area's; borough users,
their own area's; nobody else -- not the board, which oversees figures and has no need to
know a crime's details. Lists (counts and record ids) follow who may see an area's data
(``area.view``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dsvb.access.model import Decision, Membership, Resource, area_name
from dsvb.access.permissions import register
from dsvb.access.roles import Role
from dsvb.indicators import compiled
from dsvb.indicators import definitions as defs
from dsvb.indicators.model import LONDON, Period
from dsvb.indicators.sources import COMMON_CUTS, SOURCES, Tables, arrow_of

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from dsvb.indicators.model import Context

CRIME, INCIDENT, PERSON = "crime", "incident", "person"
RECORD_KINDS = (CRIME, INCIDENT, PERSON)


class UnknownList(KeyError):
    """A list id nobody defined."""


@dataclass(frozen=True)
class ComplianceList:
    """One list: the records of ``whole`` (a count id) that are not in ``part`` (a count id
    counting a subset of the same records), in ``family``; or, with no ``part``, the rows of
    ``whole`` themselves. ``indicator`` is the indicator whose figure the list explains:
    its denominator is ``whole`` and numerator ``part`` (or, for a bare count, its numerator
    is ``whole``)."""

    id: str
    title: str
    indicator: str
    whole: str
    part: str | None
    family: str
    kind: str
    description: str = ""

    @property
    def source(self) -> str:
        return defs.COUNTS[self.whole].source


LISTS: dict[str, ComplianceList] = {
    c.id: c
    for c in (
        ComplianceList(
            "no_risk_form",
            "DV crimes without a completed risk form",
            "risk_form_completion",
            "offences",
            "offences_risk_form_completed",
            "dv",
            CRIME,
            "Confirmed domestic-violence crimes whose risk form (124D / DASH) was not completed",
        ),
        ComplianceList(
            "risk_form_not_supervised",
            "Risk forms not supervised",
            "risk_form_supervision",
            "risk_forms",
            "risk_forms_supervised",
            "dv",
            CRIME,
            "Domestic-violence crimes with a risk form no supervisor has checked",
        ),
        ComplianceList(
            "suspect_present_no_arrest",
            "Suspect present, no arrest",
            "arrest_rate_suspect_present",
            "incidents_suspect_present",
            "arrests_suspect_present",
            "dv",
            INCIDENT,
            "Domestic-violence incidents where the suspect was at the scene and nobody was "
            "arrested",
        ),
        ComplianceList(
            "no_crime_report_or_reason",
            "DV incidents with neither a crime report nor a reason",
            "cad_to_cris",
            "incidents",
            "incidents_compliant",
            "dv",
            INCIDENT,
            "Domestic-violence incidents that became no crime report and carry no reason why "
            "none was needed",
        ),
        ComplianceList(
            "repeat_cautions",
            "Offenders cautioned for DV more than once",
            "repeat_caution_offenders",
            "repeat_caution_offenders",
            None,
            "dv",
            PERSON,
            "Offenders cautioned in the period who had been cautioned for domestic violence before",
        ),
    )
}


def _parts_of(count_id: str) -> set[str]:
    """Every count that counts all the records ``count_id`` counts (``part_of``, followed)."""
    seen: set[str] = set()
    todo = list(defs.COUNTS[count_id].part_of)
    while todo:
        whole = todo.pop()
        if whole not in seen:
            seen.add(whole)
            todo.extend(defs.COUNTS[whole].part_of)
    return seen


def check_lists(lists: dict[str, ComplianceList] | None = None) -> None:
    """Fail loudly, at import, if a list names a count or indicator that does not exist, or
    does not say what its indicator counts: then its length could not agree with the
    figure."""
    for item in (lists or LISTS).values():
        where = f"compliance list {item.id!r}"
        if item.kind not in RECORD_KINDS:
            raise ValueError(f"{where}: record kind {item.kind!r} is not one of {RECORD_KINDS}")
        if item.family not in defs.FAMILIES:
            raise ValueError(f"{where}: no family {item.family!r}")
        for count_id in (item.whole, item.part):
            if count_id is not None and count_id not in defs.COUNTS:
                raise ValueError(f"{where}: no count {count_id!r}")
        indicator = defs.INDICATORS.get(item.indicator)
        if indicator is None:
            raise ValueError(f"{where}: no indicator {item.indicator!r}")
        if not indicator.applies_to(item.family):
            raise ValueError(f"{where}: {item.indicator} is not computed for {item.family}")
        if item.part is None:
            if (indicator.numerator, indicator.denominator) != (item.whole, None):
                raise ValueError(f"{where}: {item.indicator} is not the bare count {item.whole}")
        else:
            if (indicator.denominator, indicator.numerator) != (item.whole, item.part):
                raise ValueError(f"{where}: {item.indicator} is not {item.part} over {item.whole}")
            if defs.COUNTS[item.part].source != defs.COUNTS[item.whole].source:
                raise ValueError(f"{where}: {item.part} and {item.whole} count different rows")
            if item.whole not in _parts_of(item.part):
                raise ValueError(f"{where}: {item.part} is not declared part of {item.whole}")
        expected = {"crimes": CRIME, "incidents": INCIDENT}.get(item.source, PERSON)
        if expected != item.kind:
            raise ValueError(f"{where}: {item.source} rows are {expected}s, not {item.kind}s")


check_lists()


def get_list(list_id: str) -> ComplianceList:
    try:
        return LISTS[list_id]
    except KeyError:
        raise UnknownList(
            f"no compliance list {list_id!r}; choose from {', '.join(LISTS)}"
        ) from None


# --- the records --------------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """One row of a list: a crime, an incident or a person, with the area and unit (team)
    it is counted under (as the indicators cut them), its date(s) and a few fields."""

    kind: str
    id: str
    area_code: str
    unit: str
    dates: tuple[dt.date, ...]
    fields: tuple[tuple[str, str], ...] = ()
    crime_ids: tuple[str, ...] = ()  # a person's: the cautions that put them on the list

    @property
    def date(self) -> dt.date | None:
        return self.dates[-1] if self.dates else None

    def field(self, name: str) -> str:
        return dict(self.fields).get(name, "")


#: the columns every export of a list starts with (the records' own fields follow)
TABLE_COLUMNS = ("list", "kind", "id", "area_code", "unit", "dates", "crime_ids")


def table(list_id: str, found: Sequence[Record]) -> tuple[list[str], list[list[str]]]:
    """A list's records as a header and rows (the CSV of the web and the command line)."""
    names = [n for n, _ in found[0].fields] if found else []
    rows = [
        [
            list_id,
            r.kind,
            r.id,
            r.area_code,
            r.unit,
            " ".join(d.isoformat() for d in r.dates),
            " ".join(r.crime_ids),
            *(v for _, v in r.fields),
        ]
        for r in found
    ]
    return [*TABLE_COLUMNS, *names], rows


@dataclass(frozen=True, order=True)
class UnitCount:
    area_code: str
    unit: str
    count: int


def local_date(value: dt.datetime | None) -> dt.date | None:
    """A stored instant (UTC, without zone) as the Europe/London date people know it by."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC).astimezone(LONDON).date()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        day = local_date(value)
        return day.isoformat() if day else ""
    return str(value)


def _context(period: Period) -> Context:
    from dsvb.indicators.engine import _context as engine_context

    return engine_context(period, 12)


CRIME_FIELDS = (
    "offence_group",
    "status",
    "risk_form",
    "risk_form_supervised",
    "risk_level",
    "arrested_at",
    "outcome",
    "incident_id",
)
INCIDENT_FIELDS = (
    "channel",
    "crime_id",
    "no_crime_report_reason",
    "suspect_present",
    "arrest_made",
)


def _rows(con: Any, item: ComplianceList, period: Period, area: str | None) -> ir.Table:
    """The list's rows, as an expression over the source the indicator counts, with ``unit``
    as the engine's unit cut gives it."""
    on = compiled.backend(con)
    tables = Tables.from_backend(on)
    ctx = _context(period)
    source = SOURCES[item.source]
    # the unit cut: incidents take the unit of the crime they became, as the engine's do
    t = source.build(tables, ctx, (item.family,), ("area", "unit"))
    in_family = (
        (t.family == item.family) if source.per_family else source.family_of(t, item.family, ctx)  # type: ignore[misc]
    )
    whole = defs.COUNTS[item.whole].where
    keep = in_family.fill_null(False)
    if whole is not None:
        keep = keep & whole(t, ctx).fill_null(False)
    if item.part is not None:
        part = defs.COUNTS[item.part].where
        assert part is not None  # a part count counts some rows, not all
        keep = keep & ~part(t, ctx).fill_null(False)
    t = t.filter(keep)
    if area is not None:
        t = t.filter(t.area_code == area)
    return t.mutate(list_unit=COMMON_CUTS["unit"](t))


def _period(start: dt.date, end: dt.date) -> Period:
    return Period(start, end)


def records(
    con: Any, list_id: str, *, start: dt.date, end: dt.date, area: str | None = None
) -> list[Record]:
    """The list's records for the period ``[start, end)`` (Europe/London dates), in one area
    or all, ordered by area, unit, date and id. ``con``: the store (a DuckDB connection or
    an Ibis backend)."""
    item = get_list(list_id)
    period = _period(start, end)
    t = _rows(con, item, period, area)
    on = compiled.backend(con)
    if item.kind == CRIME:
        columns = ["crime_id", "area_code", "list_unit", "recorded_at", *CRIME_FIELDS]
        rows = arrow_of(on, t.select(*columns)).to_pylist()
        found = [
            Record(
                CRIME,
                r["crime_id"],
                r["area_code"],
                r["list_unit"],
                (local_date(r["recorded_at"]),),  # type: ignore[arg-type]
                tuple((f, _text(r[f])) for f in CRIME_FIELDS),
            )
            for r in rows
        ]
    elif item.kind == INCIDENT:
        columns = ["incident_id", "area_code", "list_unit", "reported_at", *INCIDENT_FIELDS]
        rows = arrow_of(on, t.select(*columns)).to_pylist()
        found = [
            Record(
                INCIDENT,
                r["incident_id"],
                r["area_code"],
                r["list_unit"],
                (local_date(r["reported_at"]),),  # type: ignore[arg-type]
                tuple((f, _text(r[f])) for f in INCIDENT_FIELDS),
            )
            for r in rows
        ]
    else:
        people = arrow_of(on, t.select("person_id", "area_code", "list_unit", "offences"))
        found = _people(on, item, period, people.to_pylist())
    return sorted(found, key=lambda r: (r.area_code, r.unit, r.date or dt.date.min, r.id))


def _people(on: Any, item: ComplianceList, period: Period, rows: list[dict]) -> list[Record]:
    """Each person with the cautions that make them a repeat: the cautions for offences in
    the family recorded up to the period's end (all the history, as the count looks back),
    through the ``cautions`` count's own predicate."""
    if not rows:
        return []
    tables = Tables.from_backend(on)
    history = _context(Period(dt.date(1900, 1, 1), period.end))
    crimes = SOURCES["crimes"]
    c = crimes.build(tables, history, (item.family,), ())
    cautions = defs.COUNTS["cautions"].where
    assert cautions is not None and crimes.family_of is not None
    c = c.filter(
        crimes.family_of(c, item.family, history).fill_null(False)
        & cautions(c, history).fill_null(False)
    )
    cp = tables.crime_people
    links = cp.filter((cp.role == "suspect") & cp.person_id.isin([r["person_id"] for r in rows]))
    joined = links.join(c, links.crime_id == c.crime_id).select(
        links.person_id, links.crime_id, c.recorded_at
    )
    by_person: dict[str, list[tuple[dt.datetime, str]]] = {}
    for r in arrow_of(on, joined).to_pylist():
        by_person.setdefault(r["person_id"], []).append((r["recorded_at"], r["crime_id"]))
    found = []
    for r in rows:
        held = sorted(by_person.get(r["person_id"], []))
        found.append(
            Record(
                PERSON,
                r["person_id"],
                r["area_code"],
                r["list_unit"],
                tuple(d for d in (local_date(at) for at, _ in held) if d is not None),
                (
                    ("cautions", str(len(held))),
                    ("cautions_in_period", str(r["offences"])),
                ),
                tuple(crime_id for _, crime_id in held),
            )
        )
    return found


def counts(
    con: Any, list_id: str, *, start: dt.date, end: dt.date, area: str | None = None
) -> list[UnitCount]:
    """How many records the list holds per area and unit (team), ordered by both."""
    item = get_list(list_id)
    t = _rows(con, item, _period(start, end), area)
    grouped = t.group_by(["area_code", "list_unit"]).aggregate(n=t.count())
    rows = arrow_of(compiled.backend(con), grouped).to_pylist()
    return sorted(UnitCount(r["area_code"], r["list_unit"], int(r["n"])) for r in rows)


def counts_by_area(
    con: Any, list_id: str, *, start: dt.date, end: dt.date, area: str | None = None
) -> dict[str, int]:
    """How many records the list holds per area."""
    total: Counter[str] = Counter()
    for row in counts(con, list_id, start=start, end=end, area=area):
        total[row.area_code] += row.count
    return dict(sorted(total.items()))


# --- one police record ----------------------------------------------------------------------


@dataclass(frozen=True)
class PoliceRecord:
    """A crime or an incident as the extract gave it: its fields, the people linked to it
    by id and role (no names: the extract holds none), and the Victims' Code contacts owed
    on it."""

    kind: str
    id: str
    area_code: str
    unit: str
    date: dt.date | None
    fields: tuple[tuple[str, str], ...]
    people: tuple[tuple[str, str], ...]  # (person id, role)
    contacts: tuple[tuple[str, str, str], ...]  # (reason, due date, made date or "")
    crime_id: str = ""  # an incident's crime, if it became one
    crime_area_code: str = ""  # that crime's area ("" if the crime is not held)

    def resource(self) -> Resource:
        return record_resource(self.kind, self.id, self.area_code)

    def crime_resource(self) -> Resource | None:
        """The crime an incident became, as access asks about it: the crime's own area's,
        which need not be the incident's (None: a crime, or an incident that became none).
        An incident page shows that crime's people and contacts only to those who may see
        the crime itself."""
        if self.kind != INCIDENT or not self.crime_id:
            return None
        return record_resource(CRIME, self.crime_id, self.crime_area_code)

    def without_crime(self) -> PoliceRecord:
        """This incident without the people and contacts of the crime it became (for a
        viewer who may see the incident but not that crime)."""
        return dataclasses.replace(self, people=(), contacts=())


def _linked(on: Any, tables: Tables, crime_id: str) -> tuple[tuple, tuple]:
    cp = tables.crime_people
    people = arrow_of(
        on,
        cp.filter(cp.crime_id == crime_id)
        .select("person_id", "role")
        .order_by(["role", "person_id"]),
    ).to_pylist()
    v = tables.victim_contacts
    contacts = arrow_of(
        on,
        v.filter(v.crime_id == crime_id)
        .select("reason", "due_at", "made_at")
        .order_by(["due_at", "reason"]),
    ).to_pylist()
    return (
        tuple((p["person_id"], p["role"]) for p in people),
        tuple((c["reason"], _text(c["due_at"]), _text(c["made_at"])) for c in contacts),
    )


def find_crime(con: Any, crime_id: str) -> PoliceRecord | None:
    """A crime by its id (None: not held)."""
    on = compiled.backend(con)
    tables = Tables.from_backend(on)
    c = tables.crimes
    rows = arrow_of(on, c.filter(c.crime_id == crime_id).limit(1)).to_pylist()
    if not rows:
        return None
    r = rows[0]
    people, contacts = _linked(on, tables, crime_id)
    names = [
        n
        for n in c.columns
        if n not in ("crime_id", "area_code", "unit", "import_id", "recorded_month")
    ]
    return PoliceRecord(
        CRIME,
        crime_id,
        r["area_code"],
        r["unit"] or "",
        local_date(r["recorded_at"]),
        tuple((n, _text(r[n])) for n in names),
        people,
        contacts,
        crime_id,
    )


def find_incident(con: Any, incident_id: str) -> PoliceRecord | None:
    """An incident by its id (None: not held), with the people and contacts of the crime it
    became, if any."""
    on = compiled.backend(con)
    tables = Tables.from_backend(on)
    i = tables.incidents
    rows = arrow_of(on, i.filter(i.incident_id == incident_id).limit(1)).to_pylist()
    if not rows:
        return None
    r = rows[0]
    crime_id = r["crime_id"] or ""
    unit = crime_area = ""
    people: tuple = ()
    contacts: tuple = ()
    if crime_id:
        c = tables.crimes
        held = arrow_of(
            on, c.filter(c.crime_id == crime_id).select("unit", "area_code").limit(1)
        ).to_pylist()
        if held:
            unit, crime_area = held[0]["unit"] or "", held[0]["area_code"] or ""
        people, contacts = _linked(on, tables, crime_id)
    names = [
        n for n in i.columns if n not in ("incident_id", "area_code", "import_id", "reported_month")
    ]
    return PoliceRecord(
        INCIDENT,
        incident_id,
        r["area_code"],
        unit or "",
        local_date(r["reported_at"]),
        tuple((n, _text(r[n])) for n in names),
        people,
        contacts,
        crime_id,
        crime_area,
    )


# --- who may open one police record -----------------------------------------------------------


def record_resource(kind: str, record_id: str, area_code: str) -> Resource:
    """A police record as access asks about it: owned by its area. With no ``record_id``,
    an area's records of that kind as a whole (what a list's rows and its CSV show)."""
    if kind not in (CRIME, INCIDENT):
        raise ValueError(f"a police record is a crime or an incident, not {kind!r}")
    return Resource(kind=kind, id=record_id, owner_area=area_code)


def list_records_resource(list_id: str, area_code: str) -> Resource:
    """What a list's rows show of an area (record ids, dates and fields; a person list's
    person ids and the crimes that cautioned them), as access asks about it: the area's
    records of the list's kind as a whole. Whoever may not see them (``record.view``) gets
    the list's counts per unit only."""
    kind = get_list(list_id).kind
    return record_resource(CRIME if kind == PERSON else kind, "", area_code)


def _view_record(memberships: tuple[Membership, ...], obj: object) -> Decision:
    assert isinstance(obj, Resource)
    if obj.kind not in (CRIME, INCIDENT):
        raise TypeError(f"record.view is asked of a crime or an incident, not a {obj.kind}")
    of_area = area_name(obj.owner_area or "")
    what = f"{obj.kind} {obj.id} of {of_area}" if obj.id else f"the {obj.kind}s of {of_area}"
    analyst = next((m for m in memberships if m.role == Role.FORCE_ANALYST), None)
    if analyst is not None:
        return Decision(True, f"a force performance analyst may see every area's {obj.kind}s")
    boroughs = [m for m in memberships if m.role == Role.BOROUGH_USER and m.area_code]
    if any(m.area_code == obj.owner_area for m in boroughs):
        return Decision(True, f"a borough user of {area_name(obj.owner_area or '')} may see {what}")
    if boroughs:
        areas = " and ".join(dict.fromkeys(area_name(m.area_code or "") for m in boroughs))
        return Decision(False, f"a borough user of {areas} may not see {what}")
    roles = " and ".join(dict.fromkeys(m.describe() for m in memberships))
    return Decision(
        False,
        f"{roles} has no need to know a police record's details: only force analysts and "
        f"the borough's own users see {what}",
    )


VIEW_RECORD = register(
    "record.view",
    "See one police record (a crime or an incident) from the extract: force analysts any "
    "area's, borough users their own area's; not the board (need to know)",
    _view_record,
    objects=[Resource],
).name
