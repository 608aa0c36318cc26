"""The partnership cases' interchange format, as data: what ``dsvb import-cases DIR`` reads.

An agency moving from spreadsheets writes one folder of UTF-8 CSV files (a byte-order mark
is allowed), one file per kind of record. This module is the one definition of every file
and column (type, whether required, what it means, the values allowed); the reader
(:mod:`dsvb.cases.interchange_read`) checks a folder against it and ``docs/cases-format.md``
describes it (a test holds the two together). Plain Python: the web's importer
(``dsvb.web.cases.importer``) stores what the reader returns.

Ids in the files are the agency's own (its spreadsheet's row ids). A person or a case is
stored with its id as ``external_id`` and found again by (agency, id) on a re-import; the
records inside a case (its parties, addresses, incidents, assessments, shares) and a
MARAC's meetings and actions are found again by their natural key (``MATCHED_BY``), so the
same files imported twice store everything once and a changed row updates its record.
"""

from __future__ import annotations

from dataclasses import dataclass

from dsvb.cases.agencies import AgencyKind
from dsvb.cases.dash import ANSWERS as DASH_ANSWERS
from dsvb.cases.dash import CHECKLIST_NAMES
from dsvb.cases.fields import FieldGroup
from dsvb.cases.marac import Criterion
from dsvb.cases.states import (
    ActionState,
    CaseState,
    Consent,
    MeetingState,
    PartyRole,
    ReferralState,
    RiskLevel,
    ShareBasis,
)

FORMAT_VERSION = 1

# Column types
ID = "id"  # an opaque id, unique as the file's key says
TEXT = "text"
DATE = "date"  # ISO 8601, 2024-03-31
BOOL = "bool"  # true/false (also 1/0, yes/no, y/n, any case)
INT = "int"
ENUM = "enum"  # one of the column's values
LIST = "list"  # several of the column's values, separated by ";"
NAMES = "names"  # several agency names, separated by ";"
IDENTIFIERS = "identifiers"  # scheme:value;scheme:value
REF = "reference"  # an id (or agency name) defined in another file

TRUE_WORDS = ("true", "1", "y", "yes")
FALSE_WORDS = ("false", "0", "n", "no")
SEPARATOR = ";"

TYPE_WORDS = {
    ID: "id",
    TEXT: "text",
    DATE: "date",
    BOOL: "true/false",
    INT: "whole number",
    ENUM: "one of",
    LIST: "list of",
    NAMES: "agency names",
    IDENTIFIERS: "identifiers",
    REF: "reference",
}


def agency_key(name: str) -> str:
    """What two agency names must share to be the same agency: a name differing only in
    case or spacing ("Northbrook IDVA Service", "Northbrook  IDVA service") is the stored
    agency, never a second one (which would also slip past the deleted-case check)."""
    return " ".join(name.split()).casefold()


def _values(enum: type) -> tuple[str, ...]:
    return tuple(e.value for e in enum)


# values the web's models hold as plain choices (tests/web/cases/test_import_cases.py checks
# they match the models)
SEXES = ("female", "male", "other")
ETHNICITIES = ("white", "black", "asian", "mixed", "other")
ADDRESS_KINDS = ("home", "previous", "refuge")
INCIDENT_KINDS = ("violence", "threats", "stalking", "sexual", "other")
ANSWERS = tuple(DASH_ANSWERS)
# MARAC referral criteria: the MARAC part's one list
CRITERIA = tuple(c.value for c in Criterion)


@dataclass(frozen=True)
class Column:
    """One column. ``references`` is (file, column) the value must name a row of;
    ``values`` the words allowed for an enum or a list."""

    name: str
    type: str
    required: bool = True
    values: tuple[str, ...] = ()
    references: tuple[str, str] | None = None
    meaning: str = ""
    default: str = ""  # what an empty optional cell means, in words
    max_length: int | None = None  # the stored field's (tests check they agree)

    @property
    def type_words(self) -> str:
        if self.type == REF and self.references:
            return f"reference to {self.references[0]}.csv {self.references[1]}"
        return TYPE_WORDS[self.type]


@dataclass(frozen=True)
class FileSpec:
    """One file. ``key`` is the columns unique within the file (a repeated key is an
    error); ``matched_by`` says in words how a re-import finds the stored record again."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    required: bool = False
    meaning: str = ""
    matched_by: str = ""
    #: the columns a stored record is found by, when not the key: unique within the file too
    match: tuple[str, ...] = ()

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


AGENCIES = FileSpec(
    "agencies",
    (
        Column(
            "name",
            ID,
            max_length=200,
            meaning="the agency's name, as partner users' memberships name it",
        ),
        Column("kind", ENUM, values=_values(AgencyKind), meaning="the kind of agency"),
        Column(
            "area_code",
            TEXT,
            max_length=9,
            required=False,
            meaning="ONS code of the borough it serves",
        ),
        Column(
            "marac_members",
            NAMES,
            required=False,
            references=("agencies", "name"),
            meaning="for a MARAC only: the agencies that attend it, separated by ';' (added "
            "to those stored; never removed by an import)",
        ),
        Column(
            "escalation_incidents",
            INT,
            required=False,
            meaning="for a MARAC only: police-reported incidents in 12 months that make "
            "potential escalation (the dated setting when empty)",
        ),
    ),
    key=("name",),
    required=True,
    meaning="every agency the other files name. An agency already stored keeps its kind "
    "and area (a different one is an error); a MARAC's members are only ever added; an "
    "empty value leaves the stored one. An agency not yet stored is an error unless "
    "`--new-agencies` is given",
    matched_by="name, ignoring case and spacing",
)

PEOPLE = FileSpec(
    "people",
    (
        Column("agency", REF, references=("agencies", "name"), meaning="whose record it is"),
        Column("person_id", ID, max_length=100, meaning="the agency's own id for the person"),
        Column("given_name", TEXT, max_length=100),
        Column("family_name", TEXT, max_length=100),
        Column(
            "other_names", TEXT, max_length=200, required=False, meaning="aliases, former names"
        ),
        Column("date_of_birth", DATE, required=False),
        Column("sex", ENUM, required=False, values=SEXES, default="not known"),
        Column("ethnicity", ENUM, required=False, values=ETHNICITIES, default="not recorded"),
        Column("disabled", BOOL, required=False, default="not known"),
        Column("lgbt", BOOL, required=False, default="not known"),
        Column("phone", TEXT, max_length=40, required=False),
        Column(
            "email", TEXT, max_length=254, required=False, meaning="an e-mail address (with an @)"
        ),
        Column(
            "identifiers",
            IDENTIFIERS,
            required=False,
            meaning="other systems' ids as scheme:value separated by ';' "
            "(e.g. nhs:9990001234;pnc:10/123456X)",
        ),
    ),
    key=("agency", "person_id"),
    required=True,
    meaning="victims, alleged perpetrators, children: each agency keeps its own records",
    matched_by="agency and person_id",
)

CASES = FileSpec(
    "cases",
    (
        Column("agency", REF, references=("agencies", "name"), meaning="the owning agency"),
        Column(
            "case_id",
            ID,
            max_length=100,
            meaning="the agency's own case id; unique across the folder",
        ),
        Column(
            "victim_person_id",
            REF,
            references=("people", "person_id"),
            meaning="the victim: a person of the same agency",
        ),
        Column("team", TEXT, max_length=100, required=False, meaning="e.g. Lambeth CSU, IDVA team"),
        Column("area_code", TEXT, max_length=9, required=False, meaning="ONS code of the borough"),
        Column("status", ENUM, required=False, values=_values(CaseState), default="open"),
        Column("opened_on", DATE),
        Column("closed_on", DATE, required=False, meaning="needed when the status is closed"),
        Column("domestic_abuse", BOOL, required=False, default="true"),
        Column("sexual_offence", BOOL, required=False, default="false"),
        Column(
            "crime_reference", TEXT, max_length=60, required=False, meaning="the police crime id"
        ),
    ),
    key=("case_id",),
    required=True,
    meaning="a victim's case, owned by one agency",
    matched_by="agency and case_id",
)

CASE_PEOPLE = FileSpec(
    "case_people",
    (
        Column("case", REF, references=("cases", "case_id")),
        Column(
            "person",
            REF,
            references=("people", "person_id"),
            meaning="a person of the case's agency",
        ),
        Column("role", ENUM, values=_values(PartyRole)),
        Column("relationship", TEXT, required=False, meaning="to the victim", max_length=100),
        Column("in_household", BOOL, required=False, default="false"),
    ),
    key=("case", "person", "role"),
    meaning="the others in a case: the alleged perpetrator, children, household members",
    matched_by="case, person and role",
)

ADDRESSES = FileSpec(
    "addresses",
    (
        Column("case", REF, references=("cases", "case_id")),
        Column(
            "kind",
            ENUM,
            values=ADDRESS_KINDS,
            meaning="a refuge's address is shown only to agencies that need it",
        ),
        Column("lines", TEXT, meaning="the address; a quoted value may span lines"),
        Column("postcode", TEXT, max_length=10, required=False),
        Column("current", BOOL, required=False, default="true"),
    ),
    key=("case", "kind", "lines"),
    meaning="the victim's addresses",
    matched_by="case, kind and lines (a changed address is a new address)",
)

INCIDENTS = FileSpec(
    "incidents",
    (
        Column("case", REF, references=("cases", "case_id")),
        Column("occurred_on", DATE),
        Column("kind", ENUM, values=INCIDENT_KINDS),
        Column(
            "perpetrator",
            REF,
            required=False,
            references=("people", "person_id"),
            meaning="a person of the case's agency",
        ),
        Column("reported_to_police", BOOL, required=False, default="false"),
        Column("police_reference", TEXT, max_length=60, required=False),
        Column(
            "recorded_by",
            REF,
            required=False,
            references=("agencies", "name"),
            default="the case's agency",
        ),
        Column("summary", TEXT, required=False),
    ),
    key=("case", "occurred_on", "kind", "perpetrator"),
    meaning="incidents of abuse (for potential escalation and repeats)",
    matched_by="case, occurred_on, kind and perpetrator",
)

ASSESSMENTS = FileSpec(
    "assessments",
    (
        Column("agency", REF, references=("agencies", "name"), meaning="who assessed"),
        Column("assessment_id", ID, meaning="unique across the folder; answers name it"),
        Column("case", REF, references=("cases", "case_id")),
        Column("checklist", ENUM, values=tuple(CHECKLIST_NAMES), meaning="the DASH checklist used"),
        Column("assessed_on", DATE),
        Column("graded_level", ENUM, required=False, values=_values(RiskLevel)),
        Column(
            "judgement_level",
            ENUM,
            required=False,
            values=_values(RiskLevel),
            meaning="professional judgement: may raise the level, never lower it",
        ),
        Column(
            "judgement_reasons",
            TEXT,
            required=False,
            meaning="needed when a grading or judgement raises the level",
        ),
        Column("assessor_name", TEXT, max_length=150, required=False),
    ),
    key=("assessment_id",),
    meaning="DASH risk assessments; the score and levels are computed from the answers, "
    "never read from the file",
    matched_by="case, agency, checklist and assessed_on",
    match=("case", "agency", "checklist", "assessed_on"),
)

ASSESSMENT_ANSWERS = FileSpec(
    "assessment_answers",
    (
        Column("assessment_id", REF, references=("assessments", "assessment_id")),
        Column(
            "question_id",
            ID,
            meaning="a question id of the assessment's checklist in use on its date "
            "(src/dsvb/reference/data/dash_questions.csv)",
        ),
        Column("answer", ENUM, values=ANSWERS),
    ),
    key=("assessment_id", "question_id"),
    meaning="one row per answered question (a question with no row is unanswered)",
    matched_by="its assessment (the answers are stored in it)",
)

MEETINGS = FileSpec(
    "meetings",
    (
        Column("marac", REF, references=("agencies", "name"), meaning="an agency of kind marac"),
        Column("meeting_id", ID, meaning="unique across the folder; referrals name it"),
        Column("date", DATE),
        Column("status", ENUM, required=False, values=_values(MeetingState), default="planned"),
    ),
    key=("meeting_id",),
    meaning="MARAC meetings",
    matched_by="marac and date",
    match=("marac", "date"),
)

REFERRALS = FileSpec(
    "referrals",
    (
        Column("referral_id", ID, max_length=100, meaning="unique across the folder"),
        Column("case", REF, references=("cases", "case_id")),
        Column("marac", REF, references=("agencies", "name"), meaning="an agency of kind marac"),
        Column("referring_agency", REF, references=("agencies", "name")),
        Column("referred_on", DATE),
        Column("criteria", LIST, values=CRITERIA, meaning="the criteria met, separated by ';'"),
        Column("concerns", TEXT, required=False, meaning="professional judgement's concerns"),
        Column("consent", ENUM, values=_values(Consent)),
        Column(
            "consent_reason",
            TEXT,
            required=False,
            meaning="why proceeding without consent: needed unless consent is given",
        ),
        Column(
            "meeting",
            REF,
            required=False,
            references=("meetings", "meeting_id"),
            meaning="the meeting of the same MARAC it is listed at",
        ),
        Column("status", ENUM, required=False, values=_values(ReferralState), default="referred"),
    ),
    key=("referral_id",),
    meaning="cases referred to a MARAC",
    matched_by="referring_agency and referral_id",
)

ACTIONS = FileSpec(
    "actions",
    (
        Column("referral", REF, references=("referrals", "referral_id")),
        Column("agency", REF, references=("agencies", "name"), meaning="the agency to act"),
        Column("task", TEXT),
        Column("owner", TEXT, max_length=150, required=False, meaning="the person responsible"),
        Column("due_on", DATE, required=False),
        Column("status", ENUM, required=False, values=_values(ActionState), default="open"),
        Column("done_on", DATE, required=False),
        Column("meeting", REF, required=False, references=("meetings", "meeting_id")),
    ),
    key=("referral", "agency", "task"),
    meaning="MARAC actions, per agency",
    matched_by="referral, agency and task",
)

SHARES = FileSpec(
    "shares",
    (
        Column("case", REF, references=("cases", "case_id")),
        Column("to_agency", REF, references=("agencies", "name")),
        Column(
            "groups",
            LIST,
            values=_values(FieldGroup),
            meaning="the field groups shared, separated by ';': each one the recipient's "
            "kind of agency needs (reference/data/case_field_needs.csv)",
        ),
        Column("basis", ENUM, values=_values(ShareBasis)),
        Column("legal_basis", TEXT, required=False, meaning="needed when basis is legal_basis"),
        Column(
            "consent_recorded_on",
            DATE,
            required=False,
            meaning="needed when consent; on or before shared_on",
        ),
        Column("shared_on", DATE),
        Column("withdrawn_on", DATE, required=False),
        Column("withdrawn_reason", TEXT, required=False, meaning="needed when withdrawn"),
    ),
    key=("case", "to_agency", "shared_on"),
    meaning="parts of a case shared with another agency, on consent or a legal basis",
    matched_by="case, to_agency and shared_on",
)

#: every file, in the order they are read and stored (a file names only earlier ones,
#: apart from a MARAC's members)
FILES: tuple[FileSpec, ...] = (
    AGENCIES,
    PEOPLE,
    CASES,
    CASE_PEOPLE,
    ADDRESSES,
    INCIDENTS,
    ASSESSMENTS,
    ASSESSMENT_ANSWERS,
    MEETINGS,
    REFERRALS,
    ACTIONS,
    SHARES,
)
BY_NAME = {f.name: f for f in FILES}


def _type_cell(column: Column) -> str:
    words = column.type_words
    if column.type in (ENUM, LIST):
        words += " " + ", ".join(f"`{v}`" for v in column.values)
    if column.max_length is not None:
        words += f" (at most {column.max_length} characters)"
    return words + ("" if column.required else ", optional")


def tables_markdown() -> str:
    """The files and columns as Markdown tables: ``docs/cases-format.md`` holds this text
    between its ``generated`` markers (a test checks it is current)."""
    out: list[str] = []
    for spec in FILES:
        need = "required" if spec.required else "optional"
        out.append(f"### {spec.filename} ({need})")
        out.append("")
        out.append(
            f"{spec.meaning[0].upper()}{spec.meaning[1:]}. Unique in the file: "
            + "; ".join(
                ", ".join(f"`{k}`" for k in cols) for cols in (spec.key, spec.match) if cols
            )
            + f". Found again on a re-import by {spec.matched_by}."
        )
        out.append("")
        out.append("| column | type | meaning |")
        out.append("| --- | --- | --- |")
        for c in spec.columns:
            meaning = c.meaning
            if c.default:
                meaning += ("; " if meaning else "") + f"empty: {c.default}"
            out.append(f"| `{c.name}` | {_type_cell(c)} | {meaning} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
