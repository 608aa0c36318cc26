"""Victims' Code deadlines: dated reference rules, and the one way a deadline is computed.

The Code of Practice for Victims of Crime tells the police how soon a victim must be told of
an arrest, a release, a charge, a caution or other disposal, a change to bail, and by when
they must be referred to victim support. The limits are counted in working days (weekends
and bank holidays in England and Wales excluded), differ between the enhanced service
(victims of domestic violence and sexual offences, among others: 1 working day) and other
victims (5), and belong to an edition of the Code (2006, 2013, 2015, the 2020 Code in force
from 1 April 2021). They are data, ``reference/data/victims_code_deadlines.csv``, one row
per edition, contact type and victim category with the dates the edition was in force, so a
new edition is a new row, not a code change. ``DOMAIN.md`` ("Victims' Code") gives the
rules; the editions before 2020 are recorded with the same limits (the 2006 Code's 1-day
service was for "vulnerable or intimidated" victims, which DV and sexual-offence victims
were treated as).

The file is checked as it is read: a mistake fails at start-up and in the tests with the
file, line and column named. Monthly updates while an investigation is open are a recurring
duty, not a deadline from one event, and are not here.

:func:`deadline` is the deadline of one contact; :func:`due_days` the same rule over an array
of event days (the demo generator's); both count working days the same way, with
:func:`working_day_calendar`. An event on a weekend or bank holiday counts from the working
day before it (an arrest on Saturday is due by the end of Monday); the deadline is the end
(23:59:59) of the working day it falls on, local (Europe/London) time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

import holidays
import numpy as np

from dsvb.reference.file_errors import (
    ReferenceFileError,
    checked_rows,
    read_date,
    read_optional_date,
)

__all__ = [
    "CASE_CONTACT_TYPES",
    "CATEGORIES",
    "DeadlineRule",
    "DeadlineRules",
    "DeadlineRulesError",
    "bank_holidays",
    "contact_types",
    "deadline",
    "deadline_rules",
    "due_days",
    "load_deadline_rules",
    "load_update_rules",
    "update_rules",
    "working_day_calendar",
]

FILE_NAME = "victims_code_deadlines.csv"
COLUMNS = (
    "edition",
    "contact_type",
    "victim_category",
    "working_days",
    "valid_from",
    "valid_to",
    "source",
)
#: the enhanced service (DV, sexual offences and other victims of the most serious crime,
#: vulnerable, intimidated or persistently targeted victims) and everyone else
ENHANCED, STANDARD = "enhanced", "standard"
CATEGORIES = (ENHANCED, STANDARD)
MAX_WORKING_DAYS = 60  # no deadline in the Code is longer than a few weeks

#: Contact types a partnership case records that the extract format (v1) does not carry:
#: the 2020 Code's interview under caution and release under investigation, and a decision
#: not to charge (decision 0039: kept apart from the extract's ENUM so that v1 extracts,
#: the indicator list and published outputs stay as they are). Cases feed the indicator
#: ``vcop_compliance`` with them all; ``vcop_compliance_<reason>`` exists for the extract's.
CASE_CONTACT_TYPES = ("interview", "released_under_investigation", "decision_not_to_charge")


def contact_types() -> tuple[str, ...]:
    """Every contact type with a rule: the extract format's and the cases' own."""
    from dsvb.ingest.extract_format import CONTACT_REASONS  # the extract's contact types

    return (*CONTACT_REASONS, *CASE_CONTACT_TYPES)


class DeadlineRulesError(ReferenceFileError):
    """A deadline-rules file that cannot be used, with the file, line and column named."""


@dataclass(frozen=True)
class DeadlineRule:
    """One contact's limit under one edition of the Code: ``[valid_from, valid_to)``."""

    edition: str
    contact_type: str
    victim_category: str
    working_days: int
    valid_from: dt.date
    valid_to: dt.date | None
    source: str

    def in_force(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


class DeadlineRules:
    """The checked rules, looked up by contact type, victim category and date."""

    def __init__(self, rules: tuple[DeadlineRule, ...]) -> None:
        self.rules = rules

    def __iter__(self) -> Iterator[DeadlineRule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def rule(self, contact_type: str, on: dt.date, victim_category: str = ENHANCED) -> DeadlineRule:
        """The rule in force on ``on``; ValueError says why there is none."""
        if victim_category not in CATEGORIES:
            raise ValueError(
                f"unknown victim category {victim_category!r}: one of {', '.join(CATEGORIES)}"
            )
        kinds = {r.contact_type for r in self.rules}
        if contact_type not in kinds:
            raise ValueError(
                f"no Victims' Code deadline for {contact_type!r}: deadlines are set for "
                f"{', '.join(sorted(kinds))}"
            )
        for r in self.rules:
            if (
                r.contact_type == contact_type
                and r.victim_category == victim_category
                and r.in_force(on)
            ):
                return r
        raise ValueError(
            f"no Victims' Code deadline for {contact_type!r} ({victim_category}) was in force "
            f"on {on.isoformat()}"
        )

    def edition(self, on: dt.date) -> str:
        """The edition of the Code in force on ``on``."""
        for r in self.rules:
            if r.in_force(on):
                return r.edition
        raise ValueError(f"no edition of the Victims' Code was in force on {on.isoformat()}")


def load_deadline_rules(text: str, file: str = FILE_NAME) -> DeadlineRules:
    """Read and check a rules file's text; DeadlineRulesError names the file, line, column."""
    known = contact_types()
    rules: list[tuple[int, DeadlineRule]] = []
    editions: dict[str, tuple[dt.date, dt.date | None, int]] = {}
    for line, v in checked_rows(text, file, COLUMNS, DeadlineRulesError):
        for column in ("edition", "source", "valid_from"):
            if not v[column]:
                raise DeadlineRulesError(file, line, column, f"the {column} is empty")
        if v["contact_type"] not in known:
            raise DeadlineRulesError(
                file,
                line,
                "contact_type",
                f"{v['contact_type']!r} is not a contact type of the extract format or of "
                f"partnership cases ({', '.join(known)})",
            )
        if v["victim_category"] not in CATEGORIES:
            raise DeadlineRulesError(
                file,
                line,
                "victim_category",
                f"{v['victim_category']!r} is not a victim category ({', '.join(CATEGORIES)})",
            )
        if not v["working_days"].isdigit() or not 1 <= int(v["working_days"]) <= MAX_WORKING_DAYS:
            raise DeadlineRulesError(
                file,
                line,
                "working_days",
                f"{v['working_days']!r} is not a whole number of working days from 1 to "
                f"{MAX_WORKING_DAYS}",
            )
        valid_from = read_date(file, line, "valid_from", v["valid_from"], DeadlineRulesError)
        valid_to = read_optional_date(file, line, "valid_to", v["valid_to"], DeadlineRulesError)
        if valid_to is not None and valid_to <= valid_from:
            raise DeadlineRulesError(
                file, line, "valid_to", f"{valid_to} is not after valid_from {valid_from}"
            )
        seen = editions.setdefault(v["edition"], (valid_from, valid_to, line))
        if seen[:2] != (valid_from, valid_to):
            raise DeadlineRulesError(
                file,
                line,
                "valid_from",
                f"{v['edition']} is in force {valid_from} to {valid_to or 'now'} here but "
                f"{seen[0]} to {seen[1] or 'now'} on line {seen[2]}",
            )
        rule = DeadlineRule(
            v["edition"],
            v["contact_type"],
            v["victim_category"],
            int(v["working_days"]),
            valid_from,
            valid_to,
            v["source"],
        )
        for other_line, other in rules:
            if (other.contact_type, other.victim_category) == (
                rule.contact_type,
                rule.victim_category,
            ) and _overlap(rule, other):
                raise DeadlineRulesError(
                    file,
                    line,
                    "valid_from",
                    f"{rule.contact_type} ({rule.victim_category}) already has a rule in force "
                    f"then ({other.edition}, line {other_line}); editions must not overlap",
                )
        rules.append((line, rule))
    if not rules:
        raise DeadlineRulesError(file, 2, None, "the file has no rules")
    return DeadlineRules(tuple(r for _, r in rules))


def _overlap(a: DeadlineRule, b: DeadlineRule) -> bool:
    a_end = a.valid_to or dt.date.max
    b_end = b.valid_to or dt.date.max
    return a.valid_from < b_end and b.valid_from < a_end


@cache
def deadline_rules() -> DeadlineRules:
    """The rules shipped with dsvb (read and checked once)."""
    text = resources.files("dsvb.reference").joinpath("data", FILE_NAME).read_text("utf-8")
    return load_deadline_rules(text, f"reference/data/{FILE_NAME}")


# --- working days ------------------------------------------------------------------------------


def bank_holidays(years: range) -> tuple[dt.date, ...]:
    """Bank holidays in England and Wales in ``years`` (the ``holidays`` package)."""
    return tuple(sorted(holidays.country_holidays("GB", subdiv="ENG", years=years)))


@cache
def working_day_calendar(years: range) -> np.busdaycalendar:
    """Monday to Friday less the bank holidays of ``years``: the working days deadlines count."""
    return np.busdaycalendar(holidays=np.array(bank_holidays(years), dtype="datetime64[D]"))


def due_days(
    contact_type: str,
    event_days: np.ndarray,
    calendar: np.busdaycalendar,
    victim_category: str = ENHANCED,
    rules: DeadlineRules | None = None,
) -> np.ndarray:
    """The day each deadline falls on (``datetime64[D]``), for events on ``event_days``.

    Each event takes the limit of the edition in force on its day. ``calendar`` must cover
    the years of the events and their deadlines (:func:`working_day_calendar`).
    """
    rules = rules or deadline_rules()
    days = np.asarray(event_days, dtype="datetime64[D]")
    out = np.empty(days.shape, dtype="datetime64[D]")
    covered = np.zeros(days.shape, dtype=bool)
    for r in rules:
        if r.contact_type != contact_type or r.victim_category != victim_category:
            continue
        end = np.datetime64(r.valid_to or dt.date.max, "D")
        here = (days >= np.datetime64(r.valid_from, "D")) & (days < end) & ~covered
        out[here] = np.busday_offset(
            days[here], r.working_days, roll="backward", busdaycal=calendar
        )
        covered |= here
    if not covered.all():
        first = days[~covered].min().astype(dt.date)
        rules.rule(contact_type, first, victim_category)  # raises, saying why
        raise ValueError(f"no Victims' Code deadline for {contact_type!r} on {first}")
    return out


def deadline(
    contact_type: str,
    event_at: dt.datetime,
    victim_category: str = ENHANCED,
    rules: DeadlineRules | None = None,
) -> dt.datetime:
    """When a contact about an event at ``event_at`` (local time) is due: the end (23:59:59)
    of the working day the limit of the edition in force on the event's day falls on."""
    day = event_at.date()
    calendar = working_day_calendar(range(day.year - 1, day.year + 2))
    due = due_days(
        contact_type, np.array([day], dtype="datetime64[D]"), calendar, victim_category, rules
    )[0].astype(dt.date)
    return dt.datetime.combine(due, dt.time(23, 59, 59))


# --- monthly updates ---------------------------------------------------------------------------

UPDATES_FILE_NAME = "victims_code_updates.csv"
UPDATE_COLUMNS = ("edition", "interval_months", "valid_from", "valid_to", "source")
MAX_INTERVAL_MONTHS = 12


@dataclass(frozen=True)
class UpdateRule:
    """How often a victim is updated while an investigation is open and no one has been
    arrested, under one edition of the Code: ``[valid_from, valid_to)``."""

    edition: str
    interval_months: int
    valid_from: dt.date
    valid_to: dt.date | None
    source: str

    def in_force(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


class UpdateRules:
    """The checked update rules, looked up by date."""

    def __init__(self, rules: tuple[UpdateRule, ...]) -> None:
        self.rules = rules

    def __iter__(self) -> Iterator[UpdateRule]:
        return iter(self.rules)

    def rule(self, on: dt.date) -> UpdateRule:
        """The rule in force on ``on``; ValueError if none was."""
        for r in self.rules:
            if r.in_force(on):
                return r
        raise ValueError(f"no Victims' Code rule for updates was in force on {on.isoformat()}")


def load_update_rules(
    text: str, file: str = UPDATES_FILE_NAME, deadlines: DeadlineRules | None = None
) -> UpdateRules:
    """Read and check an update-rules file; DeadlineRulesError names the file, line and
    column. With ``deadlines``, each edition must be one of its editions, in force on the
    same dates (one edition, one set of dates, in both files)."""
    editions: dict[str, tuple[dt.date, dt.date | None]] = {}
    if deadlines is not None:
        for d in deadlines:
            editions.setdefault(d.edition, (d.valid_from, d.valid_to))
    rules: list[tuple[int, UpdateRule]] = []
    for line, v in checked_rows(text, file, UPDATE_COLUMNS, DeadlineRulesError):
        for column in ("edition", "source", "valid_from"):
            if not v[column]:
                raise DeadlineRulesError(file, line, column, f"the {column} is empty")
        months = v["interval_months"]
        if not months.isdigit() or not 1 <= int(months) <= MAX_INTERVAL_MONTHS:
            raise DeadlineRulesError(
                file,
                line,
                "interval_months",
                f"{months!r} is not a whole number of months from 1 to {MAX_INTERVAL_MONTHS}",
            )
        valid_from = read_date(file, line, "valid_from", v["valid_from"], DeadlineRulesError)
        valid_to = read_optional_date(file, line, "valid_to", v["valid_to"], DeadlineRulesError)
        if valid_to is not None and valid_to <= valid_from:
            raise DeadlineRulesError(
                file, line, "valid_to", f"{valid_to} is not after valid_from {valid_from}"
            )
        if deadlines is not None:
            if v["edition"] not in editions:
                raise DeadlineRulesError(
                    file,
                    line,
                    "edition",
                    f"{v['edition']!r} is not an edition of the deadlines file "
                    f"({', '.join(editions)})",
                )
            if editions[v["edition"]] != (valid_from, valid_to):
                start, end = editions[v["edition"]]
                raise DeadlineRulesError(
                    file,
                    line,
                    "valid_from",
                    f"{v['edition']} is in force {start} to {end or 'now'} in the deadlines "
                    f"file, not {valid_from} to {valid_to or 'now'}",
                )
        rule = UpdateRule(v["edition"], int(months), valid_from, valid_to, v["source"])
        for other_line, other in rules:
            if rule.valid_from < (other.valid_to or dt.date.max) and other.valid_from < (
                rule.valid_to or dt.date.max
            ):
                raise DeadlineRulesError(
                    file,
                    line,
                    "valid_from",
                    f"already a rule in force then ({other.edition}, line {other_line}); "
                    "editions must not overlap",
                )
        rules.append((line, rule))
    if not rules:
        raise DeadlineRulesError(file, 2, None, "the file has no rules")
    return UpdateRules(tuple(r for _, r in rules))


@cache
def update_rules() -> UpdateRules:
    """The update rules shipped with dsvb, checked against the deadlines file's editions."""
    text = resources.files("dsvb.reference").joinpath("data", UPDATES_FILE_NAME).read_text("utf-8")
    return load_update_rules(text, f"reference/data/{UPDATES_FILE_NAME}", deadline_rules())
