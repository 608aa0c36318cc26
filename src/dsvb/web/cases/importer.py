"""Storing a folder in the cases' interchange format (``dsvb import-cases DIR``).

The folder is read and checked first (:func:`dsvb.cases.interchange_read.read_folder`: every
problem, by file, line and column); only a folder with no problem is stored, in one
transaction, so nothing is ever half-imported. A re-import finds each stored record again
(a person or a case by its agency and id, the rest by the natural key the format names,
:data:`dsvb.cases.interchange.FileSpec.matched_by`): the same files twice store everything
once, and a changed row updates its record. DASH scores and levels are the ones computed by
the reader, never the file's. One audit entry (``cases_imported``) records the counts, and
nothing personal.

An import never rewrites what dsvb has decided since (decision 0041's addendum): an agency
is matched by its name ignoring case and spacing, keeps its kind and area (a different one
is a problem naming the row), and is created only with ``new_agencies``; a MARAC's members
are only added; a stored case's, referral's, action's or meeting's state is kept when the
file's would be a move that needs a reason or is not allowed (:func:`dsvb.cases.states.move`),
and the summary says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from dsvb.cases import settings as case_settings
from dsvb.cases.agencies import AgencyKind
from dsvb.cases.interchange import agency_key
from dsvb.cases.interchange_read import Interchange, InterchangeError, Problem, Row, read_folder
from dsvb.cases.states import (
    ActionState,
    CaseState,
    InvalidMove,
    MeetingState,
    ReferralState,
    ShareState,
    move,
)
from dsvb.web.audit.recorder import cli_actor, record_as
from dsvb.web.cases.audit import CASES_IMPORTED
from dsvb.web.cases.models import (
    Address,
    Agency,
    Assessment,
    Case,
    CaseIncident,
    CaseParty,
    DeletedRecord,
    MaracAction,
    MaracMeeting,
    Person,
    Referral,
    Share,
)

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


@dataclass
class ImportSummary:
    """What an import stored (or, dry run, would store): counts per file."""

    folder: Path
    dry_run: bool
    counts: dict[str, Counts] = field(default_factory=dict)
    #: what the import did not take from the files, and why, one line each
    #: (``file:line: what``): an agency name matched to a stored one, a state kept
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"{name}.csv: {c.created} created, {c.updated} updated, {c.unchanged} unchanged"
            for name, c in self.counts.items()
        ] + self.notes

    def totals(self) -> Counts:
        out = Counts()
        for c in self.counts.values():
            out.created += c.created
            out.updated += c.updated
            out.unchanged += c.unchanged
        return out


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def import_cases(
    folder: Path, *, dry_run: bool = False, actor: Any = None, new_agencies: bool = False
) -> ImportSummary:
    """Check ``folder`` and store it in one transaction; :class:`InterchangeError` (nothing
    stored) when any file has a problem. ``dry_run``: everything is checked and counted,
    then rolled back. ``actor``: who imports (default: the command line's user).
    ``new_agencies``: agencies not yet stored may be created; without it each is a problem
    (a misspelt name must not become a second agency that nobody's membership names)."""
    folder = Path(folder)
    data = read_folder(folder)
    stored = _stored_agencies(data)
    problems = sorted(_agency_problems(data, stored, new_agencies) + _deleted_cases(data))
    if problems:
        raise InterchangeError(folder, problems)
    summary = ImportSummary(folder=folder, dry_run=dry_run)
    try:
        with transaction.atomic():
            _Writer(data, summary, stored).store()
            if dry_run:
                raise _DryRun
            totals = summary.totals()
            record_as(
                actor if actor is not None else cli_actor(),
                CASES_IMPORTED,
                f"Cases imported from {folder.name}: {totals.created} created, "
                f"{totals.updated} updated, {totals.unchanged} unchanged",
                object_type="import",
                object_id=folder.name,
                counts={k: vars(c) for k, c in summary.counts.items()},
            )
    except _DryRun:
        pass
    return summary


def _stored_agencies(data: Interchange) -> dict[str, Agency]:
    """The stored agency each of the folder's agency names is (by :func:`agency_key`)."""
    wanted = {agency_key(r["name"]) for r in data.of("agencies")}
    return {
        key: agency
        for agency in Agency.objects.order_by("pk")
        if (key := agency_key(agency.name)) in wanted
    }


def _agency_problems(
    data: Interchange, stored: dict[str, Agency], new_agencies: bool
) -> list[Problem]:
    """An import never changes what an agency is: a stored agency's kind (which decides what
    it may see of a case) or its area (which decides whose figures it is in) differing from
    the file's is a problem, to be changed in dsvb by hand if it is really so; an agency not
    stored is one unless ``new_agencies``."""
    problems = []
    for r in data.of("agencies"):
        agency = stored.get(agency_key(r["name"]))
        if agency is None:
            if not new_agencies:
                problems.append(
                    Problem(
                        r.file,
                        r.line,
                        "name",
                        f"{r['name']!r} is not an agency in dsvb (names are matched ignoring "
                        "case and spacing); check the name, or import with --new-agencies "
                        "to add it",
                    )
                )
            continue
        if r["kind"] != agency.kind:
            problems.append(
                Problem(
                    r.file,
                    r.line,
                    "kind",
                    f"{agency.name} is stored as {AgencyKind(agency.kind).label} "
                    f"({agency.kind}), not {r['kind']}: an import never changes an "
                    "agency's kind",
                )
            )
        if r["area_code"] and r["area_code"] != agency.area_code:
            problems.append(
                Problem(
                    r.file,
                    r.line,
                    "area_code",
                    f"{agency.name} is stored with area {agency.area_code or '(none)'}, not "
                    f"{r['area_code']}: an import never changes an agency's area "
                    "(leave the cell empty to keep it)",
                )
            )
    return problems


def _deleted_cases(data: Interchange) -> list[Problem]:
    """Rows of cases deleted after their retention period (``DeletedRecord``): an old export
    must not bring a deleted case back, so the folder is refused until they are taken out.
    The agency is matched as the import matches it (ignoring case and spacing)."""
    gone = {
        (agency_key(d.agency.name), d.external_id): d.deleted_on
        for d in DeletedRecord.objects.select_related("agency")
    }
    problems = []
    for r in data.of("cases"):
        day = gone.get((agency_key(r["agency"]), r["case_id"]))
        if day is not None:
            problems.append(
                Problem(
                    r.file,
                    r.line,
                    "case_id",
                    f"case {r['case_id']} of {r['agency']} was deleted after its retention "
                    f"period on {day.day} {day:%B %Y}; take it out of the export (with its "
                    "rows in the other files) before importing",
                )
            )
    return problems


def _changed(obj: models.Model, values: dict[str, Any]) -> list[str]:
    """The fields whose stored value differs (a relation compared by id, not loaded)."""
    out = []
    for name, new in values.items():
        model_field = obj._meta.get_field(name)
        if model_field.is_relation:
            current = getattr(obj, model_field.attname)
            new = new.pk if new is not None else None
        else:
            current = getattr(obj, name)
        if current != new:
            out.append(name)
    return out


def _midnight(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _kept_state(summary: ImportSummary, row: Row, what: str, stored: Any, wanted: StrEnum) -> bool:
    """Whether ``stored``'s state stays as it is rather than the file's ``wanted``: a move
    that needs a reason, or is not allowed, was not made by the file (it has no reason to
    give) but undoes one made in dsvb since, as a re-import of an older file would. Said
    in the summary."""
    if stored is None:
        return False  # a new record takes the file's state
    current = type(wanted)(stored.status)
    if current == wanted:
        return False
    try:
        move(current, wanted)
    except InvalidMove:
        summary.notes.append(
            f"{row.file}:{row.line}: {what}: kept {current.value}: changed in dsvb since "
            f"(the file says {wanted.value})"
        )
        return True
    return False


class _Writer:
    def __init__(
        self, data: Interchange, summary: ImportSummary, stored: dict[str, Agency]
    ) -> None:
        self.data = data
        self.summary = summary
        self.stored_agencies = stored
        self.agencies: dict[str, Agency] = {}
        self.people: dict[tuple[str, str], Person] = {}
        self.cases: dict[str, Case] = {}
        self.case_agency: dict[str, str] = {}  # case id -> its agency's name
        self.meetings: dict[str, MaracMeeting] = {}
        self.referrals: dict[str, Referral] = {}
        self.last = UNCHANGED  # the outcome of the latest upsert
        self.indexes: dict[type[models.Model], dict[tuple, Any]] = {}

    def upsert(
        self, file: str, model: type[models.Model], key: dict[str, Any], values: dict[str, Any]
    ) -> Any:
        """The record with ``key`` made or brought up to date with ``values``, counted."""
        counts = self.summary.counts.setdefault(file, Counts())
        index = self._index(model, tuple(key))
        found = tuple(v.pk if isinstance(v, models.Model) else v for v in key.values())
        obj = index.get(found)
        if obj is None:
            obj = model.objects.create(**key, **values)
            index[found] = obj
            self.last = CREATED
            counts.add(CREATED)
            return obj
        changed = _changed(obj, values)
        for k in changed:
            setattr(obj, k, values[k])
        if changed:
            obj.save(update_fields=changed)
        self.last = UPDATED if changed else UNCHANGED
        counts.add(self.last)
        return obj

    def found(self, model: type[models.Model], key: dict[str, Any]) -> Any:
        """The stored record ``upsert`` would update for ``key``, or None."""
        index = self._index(model, tuple(key))
        return index.get(tuple(v.pk if isinstance(v, models.Model) else v for v in key.values()))

    def _index(self, model: type[models.Model], names: tuple[str, ...]) -> dict[tuple, Any]:
        """The stored records a file's rows may match, by their key (read once per model,
        within the agencies the folder names: one query instead of one a row)."""
        if model not in self.indexes:
            agencies = list(self.agencies.values())
            scope = {
                Agency: {"name__in": [r["name"] for r in self.data.of("agencies")]},
                Person: {"agency__in": agencies},
                Case: {"agency__in": agencies},
                MaracMeeting: {"marac__in": agencies},
                Referral: {"referring_agency__in": agencies},
                MaracAction: {"referral__referring_agency__in": agencies},
            }.get(model, {"case__agency__in": agencies})
            attnames = [model._meta.get_field(n).attname for n in names]
            index: dict[tuple, Any] = {}
            for obj in model.objects.filter(**scope).order_by("pk"):
                index.setdefault(tuple(getattr(obj, a) for a in attnames), obj)
            self.indexes[model] = index
        return self.indexes[model]

    def store(self) -> None:
        for name in (
            "agencies",
            "people",
            "cases",
            "case_people",
            "addresses",
            "incidents",
            "assessments",
            "meetings",
            "referrals",
            "actions",
            "shares",
        ):
            self.summary.counts.setdefault(name, Counts())
            getattr(self, f"_{name}")()

    def _agencies(self) -> None:
        """A stored agency (checked before: same kind, same or no area) takes only the
        values the file gives (an empty cell keeps the stored one); a new one is created
        (allowed before: ``new_agencies``). A MARAC's members are added, never removed:
        an agency's place at a MARAC is decided in dsvb, not by one agency's file."""
        rows = self.data.of("agencies")
        counts = self.summary.counts["agencies"]
        outcomes: dict[str, str] = {}
        for r in rows:
            agency = self.stored_agencies.get(agency_key(r["name"]))
            if agency is None:
                agency = Agency.objects.create(
                    name=r["name"],
                    kind=r["kind"],
                    area_code=r["area_code"],
                    escalation_incidents=r["escalation_incidents"],
                )
                outcome = CREATED
            else:
                if agency.name != r["name"]:
                    self.summary.notes.append(
                        f"{r.file}:{r.line}: name: {r['name']!r} is the stored agency "
                        f"{agency.name!r} (names are matched ignoring case and spacing)"
                    )
                changed = []
                given = r["escalation_incidents"]
                if given is not None and agency.escalation_incidents != given:
                    agency.escalation_incidents = given
                    changed.append("escalation_incidents")
                if changed:
                    agency.save(update_fields=changed)
                outcome = UPDATED if changed else UNCHANGED
            self.agencies[r["name"]] = agency
            outcomes[r["name"]] = outcome
        for r in rows:  # a MARAC's members, once every agency exists
            agency = self.agencies[r["name"]]
            have = set(agency.members.values_list("pk", flat=True))
            added = {self.agencies[n].pk for n in r["marac_members"]} - have
            if added:
                agency.members.add(*added)
                if outcomes[r["name"]] == UNCHANGED:
                    outcomes[r["name"]] = UPDATED
        for outcome in outcomes.values():
            counts.add(outcome)

    def _people(self) -> None:
        for r in self.data.of("people"):
            agency = self.agencies[r["agency"]]
            self.people[(r["agency"], r["person_id"])] = self.upsert(
                "people",
                Person,
                {"agency": agency, "external_id": r["person_id"]},
                {
                    "given_name": r["given_name"],
                    "family_name": r["family_name"],
                    "other_names": r["other_names"],
                    "date_of_birth": r["date_of_birth"],
                    "sex": r["sex"],
                    "ethnicity": r["ethnicity"],
                    "disabled": r["disabled"],
                    "lgbt": r["lgbt"],
                    "phone": r["phone"],
                    "email": r["email"],
                    "identifiers": dict(r["identifiers"]),
                },
            )

    def _cases(self) -> None:
        for r in self.data.of("cases"):
            self.case_agency[r["case_id"]] = r["agency"]
            key = {"agency": self.agencies[r["agency"]], "external_id": r["case_id"]}
            values: dict[str, Any] = {
                "victim": self.people[(r["agency"], r["victim_person_id"])],
                "team": r["team"],
                "area_code": r["area_code"],
                "opened_on": r["opened_on"],
                "domestic_abuse": True if r["domestic_abuse"] is None else r["domestic_abuse"],
                "sexual_offence": bool(r["sexual_offence"]),
                "crime_reference": r["crime_reference"],
            }
            wanted = CaseState(r["status"] or "open")
            stored = self.found(Case, key)
            if not _kept_state(self.summary, r, f"case {r['case_id']}", stored, wanted):
                # the state and its date go together
                values |= {"status": wanted.value, "closed_on": r["closed_on"]}
            self.cases[r["case_id"]] = self.upsert("cases", Case, key, values)

    def _person_of(self, case_id: str, person_id: str) -> Person | None:
        """A person of the case's agency (the files name people by the case's agency's id)."""
        return self.people[(self.case_agency[case_id], person_id)] if person_id else None

    def _case_people(self) -> None:
        for r in self.data.of("case_people"):
            case = self.cases[r["case"]]
            self.upsert(
                "case_people",
                CaseParty,
                {
                    "case": case,
                    "person": self._person_of(r["case"], r["person"]),
                    "role": r["role"],
                },
                {"relationship": r["relationship"], "in_household": bool(r["in_household"])},
            )

    def _addresses(self) -> None:
        for r in self.data.of("addresses"):
            self.upsert(
                "addresses",
                Address,
                {"case": self.cases[r["case"]], "kind": r["kind"], "lines": r["lines"]},
                {
                    "postcode": r["postcode"],
                    "current": True if r["current"] is None else r["current"],
                },
            )

    def _incidents(self) -> None:
        for r in self.data.of("incidents"):
            case = self.cases[r["case"]]
            recorded_by = self.agencies[r["recorded_by"] or self.case_agency[r["case"]]]
            self.upsert(
                "incidents",
                CaseIncident,
                {
                    "case": case,
                    "occurred_on": r["occurred_on"],
                    "kind": r["kind"],
                    "perpetrator": self._person_of(r["case"], r["perpetrator"]),
                },
                {
                    "reported_to_police": bool(r["reported_to_police"]),
                    "police_reference": r["police_reference"],
                    "recorded_by": recorded_by,
                    "summary": r["summary"],
                },
            )

    def _assessments(self) -> None:
        for r in self.data.of("assessments"):
            result = self.data.assessed[r["assessment_id"]]
            self.upsert(
                "assessments",
                Assessment,
                {
                    "case": self.cases[r["case"]],
                    "agency": self.agencies[r["agency"]],
                    "checklist": r["checklist"],
                    "assessed_on": r["assessed_on"],
                },
                {
                    "answers": dict(result.answers),
                    "score": result.score,
                    "score_level": result.score_level.value,
                    "graded_level": r["graded_level"],
                    "judgement_level": r["judgement_level"],
                    "judgement_reasons": r["judgement_reasons"],
                    "level": result.level.value,
                    "rules_version": result.rules_version,
                    "assessor_name": r["assessor_name"],
                },
            )

    def _meetings(self) -> None:
        for r in self.data.of("meetings"):
            key = {"marac": self.agencies[r["marac"]], "date": r["date"]}
            wanted = MeetingState(r["status"] or "planned")
            stored = self.found(MaracMeeting, key)
            values = {}
            if not _kept_state(self.summary, r, f"meeting {r['meeting_id']}", stored, wanted):
                values["status"] = wanted.value
            self.meetings[r["meeting_id"]] = self.upsert("meetings", MaracMeeting, key, values)

    def _referrals(self) -> None:
        for r in self.data.of("referrals"):
            repeat = "repeat" in r["criteria"]
            definition = (
                str(case_settings.setting("repeat_definition", r["referred_on"])) if repeat else ""
            )
            key = {
                "referring_agency": self.agencies[r["referring_agency"]],
                "external_id": r["referral_id"],
            }
            values: dict[str, Any] = {
                "case": self.cases[r["case"]],
                "marac": self.agencies[r["marac"]],
                "referred_on": r["referred_on"],
                "criteria": list(r["criteria"]),
                "concerns": r["concerns"],
                "is_repeat": repeat,
                "repeat_definition": definition,
                "consent": r["consent"],
                "consent_reason": r["consent_reason"],
            }
            wanted = ReferralState(r["status"] or "referred")
            stored = self.found(Referral, key)
            if not _kept_state(self.summary, r, f"referral {r['referral_id']}", stored, wanted):
                # the state and the meeting it is listed at go together
                values |= {
                    "status": wanted.value,
                    "meeting": self.meetings[r["meeting"]] if r["meeting"] else None,
                }
            self.referrals[r["referral_id"]] = self.upsert("referrals", Referral, key, values)

    def _actions(self) -> None:
        for r in self.data.of("actions"):
            key = {
                "referral": self.referrals[r["referral"]],
                "agency": self.agencies[r["agency"]],
                "task": r["task"],
            }
            values: dict[str, Any] = {
                "owner": r["owner"],
                "due_on": r["due_on"],
                "meeting": self.meetings[r["meeting"]] if r["meeting"] else None,
            }
            wanted = ActionState(r["status"] or "open")
            stored = self.found(MaracAction, key)
            what = f"action of {r['agency']} on referral {r['referral']}"
            if not _kept_state(self.summary, r, what, stored, wanted):
                values |= {"status": wanted.value, "done_on": r["done_on"]}
            self.upsert("actions", MaracAction, key, values)

    def _shares(self) -> None:
        for r in self.data.of("shares"):
            key = {
                "case": self.cases[r["case"]],
                "to_agency": self.agencies[r["to_agency"]],
                "shared_at": _midnight(r["shared_on"]),
            }
            values: dict[str, Any] = {
                "groups": list(r["groups"]),
                "basis": r["basis"],
                "legal_basis": r["legal_basis"],
                "consent_recorded_on": r["consent_recorded_on"],
            }
            stored = Share.objects.filter(**key).order_by("pk").first()
            if r["withdrawn_on"] is not None:
                values |= {
                    "status": ShareState.WITHDRAWN.value,
                    "withdrawn_at": _midnight(r["withdrawn_on"]),
                    "withdrawn_reason": r["withdrawn_reason"],
                }
            elif stored is None or stored.status != ShareState.WITHDRAWN:
                values |= {"status": ShareState.ACTIVE.value}
            # else: a withdrawn share stays withdrawn (a new share is a new record), even
            # when an older file still lists it as active
            self.upsert("shares", Share, key, values)
