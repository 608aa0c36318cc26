"""The Victims' Code for partnership cases: what an event in an investigation owes the victim,
by when, which contacts are overdue, and compliance through the board's own indicator.

The deadlines are the reference module's (:func:`dsvb.reference.victims_code.deadline`:
working days, England and Wales bank holidays excluded, the edition of the Code in force on
the event's day, 1 working day for the enhanced service that victims of domestic abuse and
sexual offences receive, 5 otherwise). What this module adds is which contact each kind of
event owes (:data:`OWES`), the monthly updates while an investigation is open with no arrest
(:func:`monthly_updates`, its interval a dated rule in ``victims_code_updates.csv``), the
overdue list, and :func:`case_compliance`, which counts cases' contacts with the *same*
indicator definitions as an extract's (``vcop_compliance``): one definition of compliance,
whether the contacts came from a police extract or were recorded here.

Times: an aware datetime is read in Europe/London; a naive one is taken to be London local
time. Results are of the same kind as the time given (aware in, aware London out).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

import numpy as np

from dsvb.reference import victims_code as vc

__all__ = [
    "OWES",
    "ContactRow",
    "EventKind",
    "Owed",
    "by_team",
    "case_compliance",
    "code_in_force_from",
    "compliance_indicators",
    "contact_status",
    "event_label",
    "monthly_updates",
    "overdue",
    "owed",
]

LONDON = ZoneInfo("Europe/London")
UPDATE = "update"  # the extract format's contact type for a monthly update


class EventKind(StrEnum):
    """An event in the investigation that a case records."""

    INVESTIGATION_OPENED = "investigation_opened"
    ARREST = "arrest"
    INTERVIEW = "interview"
    SUSPECT_RELEASED = "suspect_released"
    RELEASED_UNDER_INVESTIGATION = "released_under_investigation"
    BAIL = "bail"
    BAIL_CHANGE = "bail_change"
    SUSPECT_CHARGED = "suspect_charged"
    NON_COURT_DISPOSAL = "non_court_disposal"
    DECISION_NOT_TO_CHARGE = "decision_not_to_charge"
    SUPPORT_REFERRAL = "support_referral"

    @property
    def label(self) -> str:
        return EVENT_LABELS[self]


EVENT_LABELS: dict[EventKind, str] = {
    EventKind.INVESTIGATION_OPENED: "Investigation opened (monthly updates until an arrest)",
    EventKind.ARREST: "Suspect arrested",
    EventKind.INTERVIEW: "Suspect interviewed under caution",
    EventKind.SUSPECT_RELEASED: "Suspect released without charge",
    EventKind.RELEASED_UNDER_INVESTIGATION: "Suspect released under investigation",
    EventKind.BAIL: "Suspect bailed",
    EventKind.BAIL_CHANGE: "Bail conditions changed",
    EventKind.SUSPECT_CHARGED: "Suspect charged",
    EventKind.NON_COURT_DISPOSAL: "Caution or other out-of-court disposal",
    EventKind.DECISION_NOT_TO_CHARGE: "Decision not to charge, or charges dropped",
    EventKind.SUPPORT_REFERRAL: "Victim agreed to a referral to victim support",
}

#: The contacts each kind of event owes. Each entry is a tuple of contact types, the first
#: with a rule in force on the event's day being the one owed; none in force, none owed (an
#: interview before the 2020 Code came into force on 1 April 2021 owed no contact; a release
#: under investigation before then was a release without charge). A bail and a change of
#: bail both owe the extract's ``bail_change`` contact ("bail or bail changes").
#: Opening an investigation owes no contact itself; it starts the monthly updates.
OWES: dict[EventKind, tuple[tuple[str, ...], ...]] = {
    EventKind.INVESTIGATION_OPENED: (),
    EventKind.ARREST: (("arrest",),),
    EventKind.INTERVIEW: (("interview",),),
    EventKind.SUSPECT_RELEASED: (("suspect_released",),),
    EventKind.RELEASED_UNDER_INVESTIGATION: (("released_under_investigation", "suspect_released"),),
    EventKind.BAIL: (("bail_change",),),
    EventKind.BAIL_CHANGE: (("bail_change",),),
    EventKind.SUSPECT_CHARGED: (("suspect_charged",),),
    EventKind.NON_COURT_DISPOSAL: (("non_court_disposal",),),
    EventKind.DECISION_NOT_TO_CHARGE: (("decision_not_to_charge",),),
    EventKind.SUPPORT_REFERRAL: (("support_referral",),),
}

REASON_LABELS: dict[str, str] = {
    "support_referral": "Referral to victim support",
    "update": "Monthly update",
    "arrest": "Arrest",
    "suspect_released": "Release without charge",
    "suspect_charged": "Charge",
    "non_court_disposal": "Caution or other disposal",
    "bail_change": "Bail or change of bail",
    "interview": "Interview under caution",
    "released_under_investigation": "Release under investigation",
    "decision_not_to_charge": "Decision not to charge",
}


def event_label(kind: str) -> str:
    """An event's words (a kind this version does not know: the kind as stored)."""
    try:
        return EventKind(kind).label
    except ValueError:
        return kind.replace("_", " ").capitalize()


def reason_label(reason: str) -> str:
    return REASON_LABELS.get(reason, reason.replace("_", " ").capitalize())


@dataclass(frozen=True)
class Owed:
    """A contact owed to the victim: its type, its deadline and the edition that set it."""

    reason: str
    due_at: dt.datetime
    edition: str


def _local(at: dt.datetime) -> dt.datetime:
    """London wall-clock time without a zone."""
    return at.astimezone(LONDON).replace(tzinfo=None) if at.tzinfo else at


def _like(local: dt.datetime, given: dt.datetime) -> dt.datetime:
    """A London local time, aware if ``given`` was."""
    return local.replace(tzinfo=LONDON) if given.tzinfo else local


def _category(enhanced: bool) -> str:
    return vc.ENHANCED if enhanced else vc.STANDARD


def owed(
    kind: EventKind | str,
    occurred_at: dt.datetime,
    *,
    enhanced: bool,
    rules: vc.DeadlineRules | None = None,
) -> tuple[Owed, ...]:
    """The contacts an event of ``kind`` at ``occurred_at`` owes, with their deadlines under
    the edition of the Code in force on the event's day."""
    kind = EventKind(kind)
    rules = rules or vc.deadline_rules()
    local = _local(occurred_at)
    category = _category(enhanced)
    out = []
    for alternatives in OWES[kind]:
        for reason in alternatives:
            try:
                rule = rules.rule(reason, local.date(), category)
            except ValueError:
                continue  # not owed under the edition in force then
            due = vc.deadline(reason, local, category, rules)
            out.append(Owed(reason, _like(due, occurred_at), rule.edition))
            break
    return tuple(out)


def code_in_force_from(rules: vc.UpdateRules | None = None) -> dt.date:
    """The day the first edition of the Code came into force: an event before it owed the
    victim nothing under any edition, and the rules cannot date its updates (a form refuses
    such a date in words rather than fail on it)."""
    rules = rules or vc.update_rules()
    return min(r.valid_from for r in rules)


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + (day.month - 1) + months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _working_day_on_or_after(day: dt.date) -> dt.date:
    days = vc.working_day_calendar(range(day.year - 1, day.year + 2))
    return np.busday_offset(np.datetime64(day, "D"), 0, roll="forward", busdaycal=days).astype(
        dt.date
    )


def monthly_updates(
    opened_at: dt.datetime,
    arrested_at: dt.datetime | None,
    closed_at: dt.datetime | None,
    until: dt.datetime,
    *,
    rules: vc.UpdateRules | None = None,
) -> tuple[dt.datetime, ...]:
    """When each update falls due while an investigation opened at ``opened_at`` is open
    with no arrest, up to ``until``: every interval (the rule in force when the previous
    one fell due; a month in every edition) after the opening, counted from the opening day
    so that the day of the month does not drift, at the end of the working day on or after
    it. An update falling due at or after the arrest or the close is not owed (the arrest
    owes its own contact)."""
    rules = rules or vc.update_rules()
    start = _local(opened_at).date()
    stops = [_local(t) for t in (arrested_at, closed_at) if t is not None]
    stop = min(stops) if stops else None
    end = _local(until)
    out: list[dt.datetime] = []
    months, previous = 0, start
    while True:
        months += rules.rule(previous).interval_months
        previous = _add_months(start, months)
        due = dt.datetime.combine(_working_day_on_or_after(previous), dt.time(23, 59, 59))
        if due > end or (stop is not None and due >= stop):
            break
        out.append(_like(due, opened_at))
    return tuple(out)


# --- contacts: their state, the overdue list ----------------------------------------------------


@dataclass(frozen=True)
class ContactRow:
    """A contact of a case as the lists and :func:`case_compliance` need it: no personal
    data, only the case's id, team, area and the flags that put it in a crime family."""

    case_id: int | str
    reason: str
    due_at: dt.datetime
    made_at: dt.datetime | None = None
    team: str = ""
    area_code: str = ""
    domestic_abuse: bool = True
    sexual_offence: bool = False
    id: int | None = None


def contact_status(due_at: dt.datetime, made_at: dt.datetime | None, now: dt.datetime) -> str:
    """``made`` (on time), ``late`` (made after its deadline), ``overdue`` (not made, its
    deadline passed) or ``due`` (not made yet, still in time). On time is as the indicator
    counts it: made at or before the deadline."""
    if made_at is not None:
        return "made" if made_at <= due_at else "late"
    return "overdue" if due_at < now else "due"


def overdue(contacts: Iterable[ContactRow], now: dt.datetime) -> list[ContactRow]:
    """The contacts not made whose deadline has passed, the longest overdue first."""
    return sorted(
        (c for c in contacts if contact_status(c.due_at, c.made_at, now) == "overdue"),
        key=lambda c: (c.due_at, str(c.case_id)),
    )


def by_team(
    contacts: Iterable[ContactRow], team: Callable[[ContactRow], str] = lambda c: c.team
) -> dict[str, list[ContactRow]]:
    """Contacts grouped by team (teams in name order; a case with no team under "No team"),
    keeping the order given within each team."""
    groups: dict[str, list[ContactRow]] = {}
    for c in contacts:
        groups.setdefault(team(c) or "No team", []).append(c)
    return dict(sorted(groups.items()))


# --- compliance: the indicator over cases ---------------------------------------------------------


def compliance_indicators() -> tuple[str, ...]:
    """``vcop_compliance`` and its parts by reason (the extract's reasons): the indicators
    a case's contacts feed. Contacts of the cases' own types count in ``vcop_compliance``;
    by reason they show through the ``reason`` cut."""
    from dsvb.indicators import definitions as defs

    return tuple(i for i in defs.INDICATORS if i.startswith("vcop_compliance"))


def _utc(at: dt.datetime) -> dt.datetime:
    """As the store keeps times: UTC without a zone (a naive time is London local)."""
    aware = at if at.tzinfo else at.replace(tzinfo=LONDON)
    return aware.astimezone(dt.UTC).replace(tzinfo=None)


def _month(at: dt.datetime) -> dt.date:
    local = _local(at)
    return dt.date(local.year, local.month, 1)


def case_compliance(
    rows: Iterable[ContactRow],
    start: dt.date,
    end: dt.date,
    *,
    by: Sequence[str] = (),
    indicators: Sequence[str] | None = None,
) -> list:
    """The Victims' Code indicators over cases' contacts falling due in ``[start, end)``,
    computed by the indicator engine from the same definitions as an extract's.

    The contacts are put in a throwaway in-memory store with the store's own schema: one
    crime per case (its area, its team as the unit, domestic abuse as the ``dv`` flag, a
    sexual offence as ``other_sexual``, status confirmed) and the contacts as
    ``victim_contacts``; then :func:`dsvb.indicators.engine.compute`. A case that is
    neither domestic abuse nor a sexual offence is in no family and in no figure, as in an
    extract. Returns :class:`~dsvb.indicators.results.IndicatorResult` records."""
    import duckdb
    import pyarrow as pa

    from dsvb.indicators.engine import IndicatorQuery, compute
    from dsvb.store.schema import create_schema

    rows = list(rows)
    con = duckdb.connect(":memory:")
    try:
        create_schema(con)
        cases: dict[str, ContactRow] = {}
        first_due: dict[str, dt.datetime] = {}
        for r in rows:
            key = f"case-{r.case_id}"
            cases.setdefault(key, r)
            due = _utc(r.due_at)
            first_due[key] = min(first_due.get(key, due), due)
        # whole columns through Arrow: row-at-a-time inserts cost ~2 s per 5,000 contacts
        crimes = pa.table(
            {
                "crime_id": list(cases),
                "recorded_at": pa.array([first_due[k] for k in cases], pa.timestamp("us")),
                "recorded_month": [_month(first_due[k].replace(tzinfo=dt.UTC)) for k in cases],
                "area_code": [r.area_code or "" for r in cases.values()],
                "unit": [r.team or "" for r in cases.values()],
                "offence_group": [
                    "other_sexual" if r.sexual_offence else "other" for r in cases.values()
                ],
                "dv": [bool(r.domestic_abuse) for r in cases.values()],
            }
        )
        con.register("case_crimes", crimes)
        con.execute(
            "INSERT INTO crimes (crime_id, recorded_at, recorded_month, area_code, unit, "
            "offence_group, status, dv, serious_sexual, hbv, forced_marriage, fgm, outcome, "
            "import_id) SELECT crime_id, recorded_at, recorded_month, area_code, unit, "
            "offence_group, 'confirmed', dv, false, false, false, false, 'pending', 0 "
            "FROM case_crimes"
        )
        contacts = pa.table(
            {
                "crime_id": [f"case-{r.case_id}" for r in rows],
                "reason": [r.reason for r in rows],
                "due_at": pa.array([_utc(r.due_at) for r in rows], pa.timestamp("us")),
                "due_month": [_month(r.due_at) for r in rows],
                "made_at": pa.array(
                    [_utc(r.made_at) if r.made_at is not None else None for r in rows],
                    pa.timestamp("us"),
                ),
            }
        )
        con.register("case_contacts", contacts)
        con.execute(
            "INSERT INTO victim_contacts SELECT crime_id, reason, due_at, due_month, made_at, 0 "
            "FROM case_contacts"
        )
        query = IndicatorQuery(
            start=start,
            end=end,
            by=tuple(by),
            indicators=tuple(indicators or compliance_indicators()),
            force_row=True,
        )
        return compute(con, query)
    finally:
        con.close()
