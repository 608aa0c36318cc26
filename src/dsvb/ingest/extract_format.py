"""The dsvb case-level extract format, version 2, as data.

One declaration of every file and column (see ``docs/extract-format.md``, which mirrors
the shared specification). The importer validates against it, the demo-data generator
writes to it and the store's tables are derived from it.

Version 2 adds optional identifier columns to ``people.csv`` (names, date of birth,
postcode) so that one person recorded under several ids can be linked; everything else is
version 1, so a version 1 extract is a version 2 extract without those columns and reads as
before. An extract states version 2 by having any of the columns (:func:`version_of`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dsvb import reference

FORMAT_VERSION = 2
#: the versions this dsvb reads (1: no identifiers; 2: people's identifiers, optional)
READABLE_VERSIONS = (1, 2)

# Column types
ID = "id"
DATETIME = "datetime"
BOOL = "bool"
ENUM = "enum"
AREA = "area"
INT = "int"
TEXT = "text"
DATE = "date"  # ISO 8601 date, YYYY-MM-DD
NAME = "name"  # a person's name: text, trimmed
POSTCODE = "postcode"  # a UK postcode, stored upper case with one space before the inward code

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
    identifier: bool = False  # identifies a person: stored apart, never exported (version 2)

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
        Column("given_name", NAME, required=False, identifier=True,
               meaning="first name as recorded (version 2)"),
        Column("family_name", NAME, required=False, identifier=True,
               meaning="surname as recorded (version 2)"),
        Column("date_of_birth", DATE, required=False, identifier=True,
               meaning="date of birth (version 2)"),
        Column("postcode", POSTCODE, required=False, identifier=True,
               meaning="home postcode as recorded (version 2)"),
    ),
    key=("person_id",),
)  # fmt: skip

#: people.csv's identifier columns (version 2), in file order
IDENTIFIER_COLUMNS: tuple[str, ...] = tuple(c.name for c in PEOPLE.columns if c.identifier)

#: Postcode cells that say a person has no place in the postcode geography: police records
#: write them often, and they identify nobody (a thousand people have "NFA"). Each is read
#: as no postcode and counted in the import report, never refused; anything else not shaped
#: like a UK postcode is still an error. Regular expressions over the cell in upper case with
#: its white space removed (see docs/extract-format.md and decision 0045's addendum).
POSTCODE_MARKERS: tuple[str, ...] = (
    r"N[./]?F[./]?A\.?",  # no fixed abode
    r"NOFIXEDABODE",
    r"BFPO[0-9]{1,4}",  # British Forces Post Office
    r"GIR0AA",  # the old Girobank code, not a place
    # overseas territories' single codes (Ascension, British Indian Ocean Territory,
    # British Antarctic Territory, Falklands, Pitcairn, South Georgia, St Helena, Tristan
    # da Cunha, Turks and Caicos) and the Cayman Islands', Montserrat's, the British Virgin
    # Islands' and Anguilla's own forms
    r"(ASCN|BBND|BIQQ|FIQQ|PCRN|SIQQ|STHL|TDCU|TKCA)1ZZ",
    r"KY[1-3]-?[0-9]{4}",
    r"MSR-?1[1-3][0-9]{2}",
    r"VG-?11[1-6]0",
    r"AI-?2640",
    r"ZZ99[0-9][A-Z]{2}",  # NHS pseudo-postcodes (ZZ99 3VZ: no fixed abode)
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


def version_of(people_header: list[str] | tuple[str, ...]) -> int:
    """The format version an extract's ``people.csv`` header states: 2 when it has any
    identifier column, else 1 (a version 1 file is a version 2 file without them)."""
    return 2 if set(people_header) & set(IDENTIFIER_COLUMNS) else 1


def birth_year_range(now: dt.datetime | None = None) -> tuple[int, int]:
    """The plausible birth years (reference data ``plausible_values.csv``) at ``now``."""
    when = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return reference.plausible_values().birth_years(when)


# Birth years outside this range are rejected as implausible (as at this process's start;
# an import reads birth_year_range() at its own start).
BIRTH_YEAR_RANGE = birth_year_range()
