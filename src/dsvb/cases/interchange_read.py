"""Reading a folder in the cases' interchange format (:mod:`dsvb.cases.interchange`): every
value typed, every problem collected (not just the first), each naming the file, the true
line in the file (a quoted value may span lines), the column and what is wrong in words.

Nothing here stores anything: the importer stores a folder only when this finds no
problem, so nothing is ever half-imported. DASH scores and levels are computed here with
:func:`dsvb.cases.dash.assess` from the answers (a file cannot set them), and a judgement
that would lower a level is a problem naming the assessment's row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from dsvb.cases import dash
from dsvb.cases import interchange as fmt
from dsvb.cases.agencies import AgencyKind
from dsvb.cases.fields import FieldGroup, needed_groups
from dsvb.cases.sharing import ShareRefused, check_share
from dsvb.cases.states import RiskLevel
from dsvb.linkage.records import EXTRACT


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong, where it is: ``file:line: column: problem``."""

    file: str
    line: int  # the line of the file the row begins on; 0 for the file as a whole
    column: str
    message: str

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        return (
            f"{where}: {self.column}: {self.message}" if self.column else f"{where}: {self.message}"
        )


class InterchangeError(Exception):
    """The folder cannot be imported; ``problems`` lists everything wrong. Nothing stored."""

    def __init__(self, folder: Path, problems: list[Problem]) -> None:
        self.folder = folder
        self.problems = problems
        listed = "\n".join(str(p) for p in problems)
        super().__init__(f"{folder}: {len(problems)} problem(s); nothing was imported\n{listed}")


@dataclass(frozen=True)
class Row:
    """One row, typed: ``values`` by column (an empty optional cell is "" / None / ())."""

    file: str
    line: int
    values: Mapping[str, Any]

    def __getitem__(self, column: str) -> Any:
        return self.values[column]


@dataclass(frozen=True)
class Interchange:
    """A valid folder: the rows of each file (absent optional files: none) and each
    assessment's computed result by assessment id."""

    rows: Mapping[str, tuple[Row, ...]]
    assessed: Mapping[str, dash.Assessed] = field(default_factory=dict)
    answers: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def of(self, name: str) -> tuple[Row, ...]:
        return self.rows.get(name, ())


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        # files that could not be read, and the cells of rows that could not: a reference
        # to them is not reported again (the one problem is the cause)
        self.unreadable: set[str] = set()
        self.failed: dict[str, dict[str, set[str]]] = {}

    def excused(self, file: str, column: str, value: str) -> bool:
        return file in self.unreadable or value in self.failed.get(file, {}).get(column, set())

    def fail_row(self, spec: fmt.FileSpec, given: Mapping[str, str]) -> None:
        cells = self.failed.setdefault(spec.name, {})
        for column, value in given.items():
            cells.setdefault(column, set()).add(value)

    def add(self, spec: fmt.FileSpec | str, line: int, column: str, message: str) -> None:
        name = spec if isinstance(spec, str) else spec.filename
        self.problems.append(Problem(name, line, column, message))


def read_folder(folder: Path) -> Interchange:
    """The folder's rows, typed and checked, or :class:`InterchangeError` with every
    problem found."""
    folder = Path(folder)
    out = _Collector()
    if not folder.is_dir():
        raise InterchangeError(folder, [Problem(str(folder), 0, "", "is not a folder")])
    known = {s.filename for s in fmt.FILES}
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() == ".csv" and path.name not in known:
            out.add(
                path.name,
                0,
                "",
                "is not a file of the cases' format (the files are "
                + ", ".join(sorted(known))
                + ")",
            )
    rows: dict[str, tuple[Row, ...]] = {}
    for spec in fmt.FILES:
        path = folder / spec.filename
        if not path.exists():
            if spec.required:
                out.add(spec, 0, "", "the file is missing; it is required")
                out.unreadable.add(spec.name)  # what names it is not wrong as well
            continue
        rows[spec.name] = tuple(_read_file(path, spec, out))
    data = Interchange(rows=MappingProxyType(rows))
    _check_references(data, out)
    assessed, answers = _assess(data, out)
    if out.problems:
        order = {s.filename: i for i, s in enumerate(fmt.FILES)}
        out.problems.sort(key=lambda p: (order.get(p.file, -1), p.file, p.line, p.column))
        raise InterchangeError(folder, out.problems)
    return Interchange(
        rows=MappingProxyType(rows),
        assessed=MappingProxyType(assessed),
        answers=MappingProxyType(answers),
    )


def _lines(path: Path, spec: fmt.FileSpec, out: _Collector) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of each row, the header first; undecodable or malformed text is a
    problem naming its line."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        out.add(spec, line, "", "the file is not UTF-8 text (save it as CSV UTF-8)")
        out.unreadable.add(spec.name)
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1
    except csv.Error as exc:
        out.add(spec, start, "", f"the CSV cannot be read here ({exc})")
        out.unreadable.add(spec.name)


def _read_file(path: Path, spec: fmt.FileSpec, out: _Collector) -> Iterator[Row]:
    lines = _lines(path, spec, out)
    first = next(lines, None)
    if first is None:
        if spec.name in out.unreadable:
            return  # not text: said already
        out.add(spec, 1, "", "the file is empty; it needs a header row")
        out.unreadable.add(spec.name)
        return
    header = [h.strip() for h in first[1]]
    bad_header = False
    for name in header:
        if name not in spec.names:
            what = f"{name!r}" if name else "an unnamed column"
            out.add(
                spec,
                1,
                name,
                f"{what} is not a column of {spec.filename} (its columns are "
                f"{', '.join(spec.names)})",
            )
            bad_header = True
        elif header.count(name) > 1:
            out.add(spec, 1, name, "the column is in the header more than once")
            bad_header = True
    for column in spec.columns:
        if column.required and column.name not in header:
            out.add(spec, 1, column.name, "the column is missing; it is required")
            bad_header = True
    if bad_header:
        out.unreadable.add(spec.name)
        return
    seen: dict[tuple[Any, ...], int] = {}
    for line, cells in lines:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            out.add(
                spec, line, "", f"the row has {len(cells)} values; the header has {len(header)}"
            )
            out.fail_row(spec, dict(zip(header, (c.strip() for c in cells), strict=False)))
            continue
        given = dict(zip(header, (c.strip() for c in cells), strict=True))
        values: dict[str, Any] = {}
        ok = True
        for column in spec.columns:
            try:
                values[column.name] = _typed(column, given.get(column.name, ""))
            except ValueError as exc:
                out.add(spec, line, column.name, str(exc))
                ok = False
        if not ok:
            out.fail_row(spec, given)
            continue
        repeated = False
        for columns in (spec.key, spec.match):
            if not columns:
                continue
            key = (columns, *(values[k] for k in columns))
            if key in seen:
                named = ", ".join(
                    f"{k} {_shown(v)}" for k, v in zip(columns, key[1:], strict=True) if v
                )
                out.add(spec, line, ", ".join(columns), f"{named} is on line {seen[key]} already")
                repeated = True
            else:
                seen[key] = line
        if repeated:
            continue
        yield Row(spec.filename, line, MappingProxyType(values))


def _shown(value: Any) -> str:
    return repr(value.isoformat() if isinstance(value, dt.date) else value)


def _typed(column: fmt.Column, value: str) -> Any:
    """The cell's value, typed; ValueError in words for a bad one."""
    if not value:
        if column.required:
            raise ValueError("a value is needed")
        if column.type in (fmt.LIST, fmt.NAMES):
            return ()
        if column.type == fmt.IDENTIFIERS:
            return MappingProxyType({})
        return None if column.type in (fmt.DATE, fmt.BOOL, fmt.INT) else ""
    if column.max_length is not None and len(value) > column.max_length:
        raise ValueError(f"the value is {len(value)} characters long; at most {column.max_length}")
    if column.type == fmt.DATE:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a date (write it as YYYY-MM-DD)") from None
    if column.type == fmt.BOOL:
        if value.lower() in fmt.TRUE_WORDS:
            return True
        if value.lower() in fmt.FALSE_WORDS:
            return False
        raise ValueError(f"{value!r} is not true or false")
    if column.type == fmt.INT:
        try:
            number = int(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a whole number") from None
        if number < 1:
            raise ValueError(f"{value!r} must be 1 or more")
        return number
    if column.type == fmt.ENUM:
        if value not in column.values:
            raise ValueError(f"{value!r} is not one of {', '.join(column.values)}")
        return value
    if column.type in (fmt.LIST, fmt.NAMES):
        parts = tuple(p.strip() for p in value.split(fmt.SEPARATOR) if p.strip())
        if column.type == fmt.LIST:
            wrong = [p for p in parts if p not in column.values]
            if wrong:
                raise ValueError(
                    f"{', '.join(map(repr, wrong))} not one of {', '.join(column.values)}"
                )
        if len(set(parts)) != len(parts):
            raise ValueError(f"{value!r} names the same value twice")
        if column.required and not parts:
            raise ValueError("a value is needed")
        return parts
    if column.type == fmt.IDENTIFIERS:
        found: dict[str, str] = {}
        for part in (p.strip() for p in value.split(fmt.SEPARATOR)):
            if not part:
                continue
            scheme, colon, ident = (s.strip() for s in part.partition(":"))
            if not colon or not scheme or not ident:
                raise ValueError(f"{part!r} is not scheme:value (e.g. nhs:9990001234)")
            if scheme in found:
                raise ValueError(f"the scheme {scheme!r} is given twice")
            found[scheme] = ident
        return MappingProxyType(found)
    return value


def _check_references(data: Interchange, out: _Collector) -> None:
    """Every id a row names is defined in its file, and the rules between files hold."""
    agencies = {r["name"]: r for r in data.of("agencies")}
    people = {(r["agency"], r["person_id"]) for r in data.of("people")}
    cases = {r["case_id"]: r for r in data.of("cases")}
    meetings = {r["meeting_id"]: r for r in data.of("meetings")}
    referrals = {r["referral_id"] for r in data.of("referrals")}
    assessments = {r["assessment_id"] for r in data.of("assessments")}

    def agency(row: Row, column: str, *, marac: bool = False) -> Row | None:
        name = row[column]
        if not name:
            return None
        found = agencies.get(name)
        if found is None and not out.excused("agencies", "name", name):
            out.add(row.file, row.line, column, f"{name!r} is not an agency in agencies.csv")
        elif found is not None and marac and found["kind"] != AgencyKind.MARAC:
            out.add(
                row.file, row.line, column, f"{name!r} is not a MARAC (its kind is {found['kind']})"
            )
        return found

    def case(row: Row, column: str = "case") -> Row | None:
        found = cases.get(row[column])
        if found is None and not out.excused("cases", "case_id", row[column]):
            out.add(row.file, row.line, column, f"{row[column]!r} is not a case in cases.csv")
        return found

    def person(row: Row, column: str, owner: Row | None) -> None:
        if owner is None or not row[column] or owner["agency"] not in agencies:
            return  # the case or its agency is unknown: said already
        if (owner["agency"], row[column]) not in people and not out.excused(
            "people", "person_id", row[column]
        ):
            out.add(
                row.file,
                row.line,
                column,
                f"{row[column]!r} is not a person of {owner['agency']} in people.csv",
            )

    def reference(row: Row, column: str, known: Any, file: str, what: str) -> None:
        target = fmt.BY_NAME[file.removesuffix(".csv")]
        ref_column = next(c for c in target.key if c.endswith("_id"))
        if (
            row[column]
            and row[column] not in known
            and not out.excused(target.name, ref_column, row[column])
        ):
            out.add(row.file, row.line, column, f"{row[column]!r} is not {what} in {file}")

    first_named: dict[str, Row] = {}
    for r in data.of("agencies"):
        if fmt.agency_key(r["name"]) == fmt.agency_key(EXTRACT):
            out.add(
                r.file,
                r.line,
                "name",
                f"{r['name']!r} is the name person linkage gives the police extract's "
                "records: an agency needs another name",
            )
        same = first_named.setdefault(fmt.agency_key(r["name"]), r)
        if same is not r:
            out.add(
                r.file,
                r.line,
                "name",
                f"{r['name']!r} is {same['name']!r} of line {same.line} (agency names are "
                "matched ignoring case and spacing)",
            )
        if r["kind"] != AgencyKind.MARAC:
            for column in ("marac_members", "escalation_incidents"):
                if r[column]:
                    out.add(r.file, r.line, column, "only a MARAC (kind marac) has this")
        for name in r["marac_members"]:
            if name not in agencies and not out.excused("agencies", "name", name):
                out.add(
                    r.file, r.line, "marac_members", f"{name!r} is not an agency in agencies.csv"
                )
            elif name == r["name"]:
                out.add(r.file, r.line, "marac_members", "a MARAC cannot be its own member")
    for r in data.of("people"):
        agency(r, "agency")
        if r["email"] and "@" not in r["email"]:
            out.add(r.file, r.line, "email", f"{r['email']!r} is not an e-mail address")
    for r in data.of("cases"):
        agency(r, "agency")
        person(r, "victim_person_id", r)
        if r["closed_on"] and r["closed_on"] < r["opened_on"]:
            out.add(r.file, r.line, "closed_on", "the case is closed before it was opened")
        if r["status"] == "closed" and not r["closed_on"]:
            out.add(r.file, r.line, "closed_on", "a closed case needs the date it was closed")
        if r["status"] != "closed" and r["closed_on"]:
            out.add(r.file, r.line, "status", "a case with closed_on must have status closed")
    for r in data.of("case_people"):
        owner = case(r)
        person(r, "person", owner)
        if owner is not None and r["person"] == owner["victim_person_id"]:
            out.add(r.file, r.line, "person", "the case's victim cannot be another party to it")
    for r in data.of("addresses"):
        case(r)
    for r in data.of("incidents"):
        owner = case(r)
        person(r, "perpetrator", owner)
        agency(r, "recorded_by")
    for r in data.of("assessments"):
        agency(r, "agency")
        case(r)
    for r in data.of("assessment_answers"):
        reference(r, "assessment_id", assessments, "assessments.csv", "an assessment")
    for r in data.of("meetings"):
        agency(r, "marac", marac=True)
    for r in data.of("referrals"):
        case(r)
        agency(r, "marac", marac=True)
        agency(r, "referring_agency")
        if r["consent"] != "given" and not r["consent_reason"]:
            out.add(
                r.file,
                r.line,
                "consent_reason",
                "proceeding without consent needs the reason",
            )
        if r["meeting"]:
            meeting = meetings.get(r["meeting"])
            if meeting is None:
                reference(r, "meeting", meetings, "meetings.csv", "a meeting")
            elif meeting["marac"] != r["marac"]:
                out.add(
                    r.file,
                    r.line,
                    "meeting",
                    f"{r['meeting']!r} is a meeting of {meeting['marac']}, not of {r['marac']}",
                )
    for r in data.of("actions"):
        reference(r, "referral", referrals, "referrals.csv", "a referral")
        agency(r, "agency")
        reference(r, "meeting", meetings, "meetings.csv", "a meeting")
        if r["status"] == "done" and not r["done_on"]:
            out.add(r.file, r.line, "done_on", "a done action needs the date it was done")
    for r in data.of("shares"):
        owner = case(r)
        to = agency(r, "to_agency")
        if owner is not None and r["to_agency"] == owner["agency"]:
            out.add(r.file, r.line, "to_agency", "a case is not shared with its own agency")
        elif to is not None:
            needed = needed_groups(to["kind"])
            extra = [g for g in r["groups"] if FieldGroup(g) not in needed]
            if extra:
                out.add(
                    r.file,
                    r.line,
                    "groups",
                    f"{', '.join(extra)}: not needed by a {AgencyKind(to['kind']).label} "
                    f"agency (it needs {', '.join(sorted(g.value for g in needed))})",
                )
        if r["basis"] == "legal_basis" and not r["legal_basis"]:
            out.add(r.file, r.line, "legal_basis", "a share on a legal basis must name it")
        if r["basis"] == "consent" and not r["consent_recorded_on"]:
            out.add(
                r.file, r.line, "consent_recorded_on", "a share on consent needs when it was given"
            )
        _check_share_rules(r, owner, to, out)
        if r["withdrawn_on"]:
            if not r["withdrawn_reason"]:
                out.add(r.file, r.line, "withdrawn_reason", "a withdrawn share needs the reason")
            if r["withdrawn_on"] < r["shared_on"]:
                out.add(r.file, r.line, "withdrawn_on", "the share is withdrawn before it was made")
        elif r["withdrawn_reason"]:
            out.add(r.file, r.line, "withdrawn_on", "a withdrawal reason needs its date")


def _check_share_rules(r: Row, owner: Row | None, to: Row | None, out: _Collector) -> None:
    """The sharing rules the web applies (:func:`dsvb.cases.sharing.check_share`), on the
    day the row says it was shared: consent recorded after that day did not exist when the
    case was shared. Reported once, on the row's own line and column, when the checks
    above found nothing wrong with the row already."""
    if owner is None or to is None or r["to_agency"] == owner["agency"]:
        return  # an unknown case or agency, or a share with itself: said already
    if r["basis"] == "legal_basis" and not r["legal_basis"]:
        return  # said already
    if r["basis"] == "consent":
        if not r["consent_recorded_on"]:
            return  # said already
        if r["consent_recorded_on"] > r["shared_on"]:
            out.add(
                r.file,
                r.line,
                "consent_recorded_on",
                f"consent recorded on {r['consent_recorded_on'].isoformat()} is after the "
                f"share on {r['shared_on'].isoformat()}: a share on consent needs the consent "
                "first",
            )
            return
    needed = needed_groups(to["kind"])
    if any(FieldGroup(g) not in needed for g in r["groups"]):
        return  # said already, naming the groups
    try:
        check_share(
            owner=owner["agency"],
            recipient=r["to_agency"],
            recipient_kind=to["kind"],
            groups=r["groups"],
            basis=r["basis"],
            legal_basis=r["legal_basis"],
            consent_recorded_on=r["consent_recorded_on"],
            on=r["shared_on"],
        )
    except ShareRefused as exc:
        out.add(r.file, r.line, _share_column(str(exc)), str(exc))


def _share_column(message: str) -> str:
    """The column a :class:`ShareRefused` is about (its message says which rule)."""
    if "consent or a legal basis" in message:
        return "basis"
    if "legal basis" in message:
        return "legal_basis"
    if "consent" in message:
        return "consent_recorded_on"
    return "groups"


JUDGEMENT_COLUMNS = {
    "graded": "graded_level",
    "judgement": "judgement_level",
    "reasons": "judgement_reasons",
}


def _assess(
    data: Interchange, out: _Collector
) -> tuple[dict[str, dash.Assessed], dict[str, dict[str, str]]]:
    """Each assessment scored from its answers (dsvb.cases.dash), the questions checked
    against its checklist on its date; problems name the row at fault."""
    by_id = {r["assessment_id"]: r for r in data.of("assessments")}
    answers: dict[str, dict[str, str]] = {k: {} for k in by_id}
    for r in data.of("assessment_answers"):
        assessment = by_id.get(r["assessment_id"])
        if assessment is None:
            continue  # named by the references check
        chosen = dash.checklist(assessment["checklist"])
        in_use = {q.id for q in chosen.on(assessment["assessed_on"])}
        if r["question_id"] not in in_use:
            out.add(
                r.file,
                r.line,
                "question_id",
                f"{r['question_id']!r} is not a question of the {chosen.name} in use on "
                f"{assessment['assessed_on'].isoformat()} (assessment {r['assessment_id']!r})",
            )
            continue
        answers[r["assessment_id"]][r["question_id"]] = r["answer"]
    assessed: dict[str, dash.Assessed] = {}
    for key, r in by_id.items():
        try:
            assessed[key] = dash.assess(
                r["checklist"],
                answers[key],
                on=r["assessed_on"],
                graded=RiskLevel(r["graded_level"]) if r["graded_level"] else None,
                judgement=RiskLevel(r["judgement_level"]) if r["judgement_level"] else None,
                reasons=r["judgement_reasons"],
            )
        except dash.JudgementError as exc:
            out.add(r.file, r.line, JUDGEMENT_COLUMNS.get(exc.field, "judgement_level"), str(exc))
        except dash.DashError as exc:
            out.add(r.file, r.line, "assessed_on", str(exc))
    return assessed, answers
