"""The dsvb case-level extract format, version 1, as data.

One declaration of every file and column (see ``docs/extract-format.md``, which mirrors
the shared specification). The importer validates against it, the demo-data generator
writes to it and the store's tables are derived from it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dsvb import reference

FORMAT_VERSION = 1

# Column types
ID = "id"
DATETIME = "datetime"
BOOL = "bool"
ENUM = "enum"
AREA = "area"
INT = "int"
TEXT = "text"

TRUE_WORDS = ("true", "1", "y", "yes")
FALSE_WORDS = ("false", "0", "n", "no")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = True
    values: tuple[str, ...] = ()
    references: tuple[str, str] | None = None  # (file, column)
    meaning: str = ""

    @property
    def optional(self) -> bool:
        return not self.required


@dataclass(frozen=True)
class FileSpec:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    required: bool = True
    unique_key: bool = True

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


CHANNELS = ("emergency_call", "non_emergency_call", "front_counter", "third_party", "other")
STATUSES = ("confirmed", "no_crime", "cri")
RISK_FORMS = ("completed", "partial", "missing")
RISK_LEVELS = ("standard", "medium", "high")
SEXES = ("female", "male", "other", "not_recorded")
ETHNICITIES = ("white", "black", "asian", "mixed", "other", "not_recorded")
ROLES = ("victim", "suspect")
CONTACT_REASONS = (
    "support_referral",
    "update",
    "arrest",
    "suspect_released",
    "suspect_charged",
    "non_court_disposal",
    "bail_change",
)


def _units() -> tuple[str, ...]:
    return tuple(reference.units())


def _offence_groups() -> tuple[str, ...]:
    return tuple(reference.offence_groups())


def _outcomes() -> tuple[str, ...]:
    return tuple(reference.outcomes())


INCIDENTS = FileSpec(
    "incidents",
    (
        Column("incident_id", ID),
        Column("reported_at", DATETIME, meaning="when the report reached the police"),
        Column("area", AREA, meaning="borough where it is recorded"),
        Column("channel", ENUM, values=CHANNELS),
        Column("dv_flag", BOOL, meaning="flagged as domestic violence at the call"),
        Column("sexual_offence_flag", BOOL),
        Column("crime_id", ID, required=False, references=("crimes", "crime_id")),
        Column("no_crime_report_reason", TEXT, required=False),
        Column("suspect_present", BOOL, required=False),
        Column("arrest_made", BOOL, required=False),
    ),
    key=("incident_id",),
)

CRIMES = FileSpec(
    "crimes",
    (
        Column("crime_id", ID),
        Column("incident_id", ID, required=False, references=("incidents", "incident_id")),
        Column("recorded_at", DATETIME),
        Column("area", AREA),
        Column("unit", ENUM, values=_units()),
        Column("offence_group", ENUM, values=_offence_groups()),
        Column("status", ENUM, values=STATUSES),
        Column("dv", BOOL),
        Column("serious_sexual", BOOL),
        Column("hbv", BOOL),
        Column("forced_marriage", BOOL),
        Column("fgm", BOOL),
        Column("lgbt", BOOL, required=False),
        Column("risk_form", ENUM, required=False, values=RISK_FORMS),
        Column("risk_form_supervised", BOOL, required=False),
        Column("risk_level", ENUM, required=False, values=RISK_LEVELS),
        Column("arrested_at", DATETIME, required=False),
        Column("outcome", ENUM, required=False, values=_outcomes()),
        Column("outcome_at", DATETIME, required=False),
        Column("unsupported_prosecution", BOOL, required=False),
        Column("withdrawn_after_charge", BOOL, required=False),
        Column("havens_referral", BOOL, required=False),
    ),
    key=("crime_id",),
)

PEOPLE = FileSpec(
    "people",
    (
        Column("person_id", ID),
        Column("sex", ENUM, values=SEXES),
        Column("birth_year", INT, required=False),
        Column("ethnicity", ENUM, values=ETHNICITIES),
        Column("disabled", BOOL, required=False),
        Column("lgbt", BOOL, required=False),
    ),
    key=("person_id",),
)

CRIME_PEOPLE = FileSpec(
    "crime_people",
    (
        Column("crime_id", ID, references=("crimes", "crime_id")),
        Column("person_id", ID, references=("people", "person_id")),
        Column("role", ENUM, values=ROLES),
    ),
    key=("crime_id", "person_id", "role"),
)

VICTIM_CONTACTS = FileSpec(
    "victim_contacts",
    (
        Column("crime_id", ID, references=("crimes", "crime_id")),
        Column("reason", ENUM, values=CONTACT_REASONS),
        Column("due_at", DATETIME),
        Column("made_at", DATETIME, required=False),
    ),
    key=("crime_id", "reason", "due_at"),
    required=False,
    unique_key=False,
)

FILES: tuple[FileSpec, ...] = (INCIDENTS, CRIMES, PEOPLE, CRIME_PEOPLE, VICTIM_CONTACTS)
BY_NAME = {f.name: f for f in FILES}


def birth_year_range(now: dt.datetime | None = None) -> tuple[int, int]:
    """The plausible birth years (reference data ``plausible_values.csv``) at ``now``."""
    when = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return reference.plausible_values().birth_years(when)


# Birth years outside this range are rejected as implausible (as at this process's start;
# an import reads birth_year_range() at its own start).
BIRTH_YEAR_RANGE = birth_year_range()
