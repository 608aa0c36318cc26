"""A synthetic partnership's cases, written in the cases' interchange format.

The demo loads its partnership cases the way an agency moving from spreadsheets would: a
folder of interchange CSV files (:mod:`dsvb.cases.interchange`, ``docs/cases-format.md``)
that ``dsvb import-cases`` reads. One path for demo and real imports means the demo can only
hold what an import can, and every demo load exercises the reader and the importer.

Everyone is invented: names are common first names and surnames (none of them in the
seeds' documents) combined by a seeded random generator, streets are made-up words, and
postcodes end in letters no real postcode uses (C, I, K, M, O, V are never in a postcode's
last two letters). Dates are placed around ``today`` so the pages have current, due and
overdue things; the same seed and day give the same files.

What the files hold, so every screen has something to show: the Lambeth agencies and their
MARAC (and Southwark's, to try another agency's refusals); about 40 victims with alleged
perpetrators, children, home and refuge addresses; incidents over the past 18 months; DASH
assessments with answers, some escalating over time, some of visible high risk, some raised
by professional judgement or police grading with reasons; MARAC meetings held and one
planned; referrals on every criterion, including repeats under the current definition and,
on an old case, under the older one; consent given and not, with reasons; actions done,
open and one overdue; shares on consent or a legal basis, one withdrawn; and one case
closed longer ago than the retention period. The numbers that decide these (14 for visible
high risk, 3 incidents, 12 months, the repeat definitions' dates, the retention years) are
read from the dated case settings, never written here.

Given the demo police extract (``extract``: a folder with people's identifiers, extract
format 2), some victims and perpetrators are people of that extract, victims and suspects of
its crimes in the case's borough, recorded as an agency would: the extract's names, date of
birth and postcode with the agency's own variations (:func:`dsvb.demo.identities.recorded`,
at lower error rates: an agency asks the person). So the same person is in the police
records and the agencies' cases, as in a real partnership, and linkage has cross-agency
links to find; :attr:`DemoCases.same_people` is the truth of them. These people carry the
extract's invented names (no surname from the board's papers).
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from dsvb.cases import dash
from dsvb.cases import interchange as fmt
from dsvb.cases import settings as case_settings
from dsvb.cases.agencies import AgencyKind
from dsvb.cases.fields import needed_groups
from dsvb.demo import identities

LAMBETH, SOUTHWARK = "E09000022", "E09000028"
IDVA = "Lambeth IDVA service"
POLICE = "Lambeth Police CSU"
CHILDREN = "Lambeth Children's Services"
HOUSING = "Lambeth Housing"
REFUGE = "Lambeth Refuge"
MARAC = "Lambeth MARAC"
SOUTHWARK_IDVA = "Southwark IDVA service"
SOUTHWARK_MARAC = "Southwark MARAC"

AGENCIES: tuple[tuple[str, AgencyKind, str], ...] = (
    (IDVA, AgencyKind.IDVA, LAMBETH),
    (POLICE, AgencyKind.POLICE, LAMBETH),
    (CHILDREN, AgencyKind.CHILDREN, LAMBETH),
    (HOUSING, AgencyKind.HOUSING, LAMBETH),
    (REFUGE, AgencyKind.REFUGE, LAMBETH),
    (MARAC, AgencyKind.MARAC, LAMBETH),
    (SOUTHWARK_IDVA, AgencyKind.IDVA, SOUTHWARK),
    (SOUTHWARK_MARAC, AgencyKind.MARAC, SOUTHWARK),
)
MEMBERS = {
    MARAC: (IDVA, POLICE, CHILDREN, HOUSING, REFUGE),
    SOUTHWARK_MARAC: (SOUTHWARK_IDVA,),
}

# Invented people: common first names and surnames, none of them in the seeds' documents
# (tests/unit/cases/test_demo_cases.py checks).
WOMEN = [
    "Amy",
    "Beth",
    "Chloe",
    "Dana",
    "Ella",
    "Fern",
    "Hana",
    "Isla",
    "Jade",
    "Kara",
    "Leah",
    "Maya",
    "Nina",
    "Orla",
    "Priya",
    "Rosa",
    "Tara",
    "Una",
    "Vera",
    "Yara",
    "Zoe",
    "Abby",
    "Bea",
    "Cara",
    "Demi",
    "Esme",
    "Faye",
    "Gita",
    "Ines",
    "Jody",
    "Kemi",
    "Lena",
    "Mina",
    "Noor",
    "Ola",
]
MEN = [
    "Adam",
    "Ben",
    "Carl",
    "Dev",
    "Eli",
    "Finn",
    "Gus",
    "Hugo",
    "Ivan",
    "Jack",
    "Kai",
    "Leon",
    "Marc",
    "Nico",
    "Rhys",
    "Sol",
    "Theo",
    "Wes",
]
SURNAMES = [
    "Ashdown",
    "Birchall",
    "Calloway",
    "Denholm",
    "Eastwood",
    "Fairley",
    "Gorringe",
    "Hartnell",
    "Ingleby",
    "Jessop",
    "Kettering",
    "Lomax",
    "Marchbank",
    "Nettleford",
    "Oakridge",
    "Pennock",
    "Quarrie",
    "Rushworth",
    "Stainsby",
    "Thackray",
    "Underhill",
    "Varley",
    "Whitlock",
    "Yardley",
    "Cheverton",
    "Dunstall",
    "Farrant",
    "Gledhill",
    "Kershaw",
    "Lytton",
    "Mossop",
    "Netherby",
    "Redfern",
    "Sowerby",
    "Tillotson",
    "Wainwright",
]
STREETS = (
    "Brellow Road",
    "Cantermoor Street",
    "Ditchell Close",
    "Evenholt Way",
    "Farrowby Lane",
    "Gillamore Terrace",
    "Hestlewood Gardens",
    "Ormsley Walk",
    "Pellingham Road",
    "Quarndon Street",
)
REFUGE_STREET = "Tansworth Mews"
NOT_IN_POSTCODES = "CIKMOV"  # never a postcode's last two letters: these are not real

# How agencies get a shared person's identifiers wrong: less often than the police, since
# they ask the person, but a nickname, a former surname or a typo still happen.
AGENCY_RATES = identities.ErrorRates(
    given_nickname=0.15,
    given_typo=0.02,
    given_missing=0.0,
    family_typo=0.02,
    family_missing=0.0,
    dob_missing=0.03,
    dob_transposed=0.02,
    dob_typo=0.01,
    postcode_missing=0.0,
    postcode_unspaced=0.0,
    sex_missing=0.0,
    upper_case=0.0,
)
#: at most this many of the extract's victims become case victims (with their suspects)
SHARED_VICTIMS = 14


@dataclass(frozen=True)
class _Shared:
    """A person of the extract as an agency records them, and their extract id."""

    extract_id: str
    record: identities.PersonRecord


def _extract_people(extract: Path, seed: int) -> dict[str, list[tuple[_Shared, _Shared | None]]]:
    """Victims (women) of the extract's crimes in Lambeth and Southwark with every
    identifier, each with a suspect of the same crime (a man, with every identifier) when
    there is one, by borough; drawn for ``seed``, at most ``SHARED_VICTIMS`` in all."""

    def rows(name: str) -> list[dict[str, str]]:
        with (extract / f"{name}.csv").open(newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))

    people = {r["person_id"]: r for r in rows("people")}
    needed = ("given_name", "family_name", "date_of_birth", "postcode")
    if not people or not all(c in next(iter(people.values())) for c in needed):
        return {}
    area = {r["crime_id"]: r["area"] for r in rows("crimes") if r["area"] in (LAMBETH, SOUTHWARK)}
    victims: dict[str, str] = {}
    suspects: dict[str, str] = {}
    for r in rows("crime_people"):
        if r["crime_id"] in area:
            (victims if r["role"] == "victim" else suspects).setdefault(
                r["crime_id"], r["person_id"]
            )

    def complete(pid: str | None, sex: str) -> bool:
        row = people.get(pid or "")
        return bool(row and row["sex"] == sex and all(row[c] for c in needed))

    chosen = sorted(
        (crime, victims[crime]) for crime in victims if complete(victims[crime], "female")
    )
    rng = random.Random(f"dsvb-demo-cases-shared:{seed}")
    rng.shuffle(chosen)
    used: set[str] = set()
    out: dict[str, list[tuple[_Shared, _Shared | None]]] = {LAMBETH: [], SOUTHWARK: []}
    for crime, victim in chosen:
        if sum(len(v) for v in out.values()) >= SHARED_VICTIMS:
            break
        suspect = suspects.get(crime)
        if victim in used or suspect in used:
            continue
        used.update({victim, suspect or ""})
        pair = (
            _Shared(victim, _as_identity(people[victim])),
            _Shared(suspect, _as_identity(people[suspect]))
            if suspect and complete(suspect, "male")
            else None,
        )
        out[area[crime]].append(pair)
    return out


def _as_identity(row: dict[str, str]) -> identities.PersonRecord:
    """The extract's record of a person (what the agency's record varies)."""
    return identities.PersonRecord(
        source="extract",
        record_id=row["person_id"],
        given_name=row["given_name"].title(),
        family_name=row["family_name"].title() if row["family_name"].isupper() else
        row["family_name"],
        date_of_birth=dt.date.fromisoformat(row["date_of_birth"]),
        postcode=_postcode(row["postcode"]),
        sex=row["sex"],
    )  # fmt: skip


def _postcode(value: str) -> str:
    packed = value.replace(" ", "").upper()
    return f"{packed[:-3]} {packed[-3:]}"


LEGAL_BASIS_MARAC = "Crime and Disorder Act 1998 s.115: MARAC referral of a high-risk victim"
LEGAL_BASIS_CHILDREN = "Children Act 1989 s.47: safeguarding the children in the household"
CONSENT_NOT_GIVEN = "The victim declined; the risk to her and the children is high"
CONSENT_NOT_SOUGHT = "Asking would raise the risk: the perpetrator checks her phone"
CONCERNS = "Strangulation in this incident and a recent separation"

_POLICE_LINES = (
    "Flag the address for an urgent police response",
    "Check bail conditions are being kept",
)
_ACTIONS = {
    IDVA: ("Review the safety plan with the victim", "Support the victim at court"),
    SOUTHWARK_IDVA: ("Review the safety plan with the victim",),
    POLICE: _POLICE_LINES,
    CHILDREN: ("Check the children's safety at school", "Hold a strategy discussion"),
    HOUSING: ("Consider the sanctuary scheme", "Assess for a management transfer"),
    REFUGE: ("Offer a refuge place if she wants one",),
}
_OWNERS = {
    IDVA: "IDVA team leader",
    SOUTHWARK_IDVA: "IDVA team leader",
    POLICE: "CSU detective sergeant",
    CHILDREN: "Duty social worker",
    HOUSING: "Housing options officer",
    REFUGE: "Refuge manager",
}


@dataclass(frozen=True)
class DemoCases:
    """What :func:`write_demo_cases` wrote: rows per file, and the ids of the cases the web's
    loader adds to (``break_glass_case``: a Lambeth IDVA case with children that is not
    shared with Children's Services; ``police_cases``: cases the Victims' Code events go on)."""

    folder: Path
    rows: Mapping[str, int]
    break_glass_case: str
    police_cases: tuple[str, ...]
    #: (agency, the agency's person id) -> the extract's person_id of the same person, for
    #: the people shared with the extract (empty without one)
    same_people: Mapping[tuple[str, str], str] = field(default_factory=dict)

    def line(self) -> str:
        return (
            f"Wrote the partnership cases' demo to {self.folder}: "
            + ", ".join(f"{n} {name}" for name, n in self.rows.items())
            + "."
        )


@dataclass
class _Case:
    """One case as it is being made (rows are added to the builder's files)."""

    id: str
    agency: str
    victim: str
    perpetrator: str
    children: list[str] = field(default_factory=list)
    referrals: list[str] = field(default_factory=list)


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class _Builder:
    def __init__(
        self,
        today: dt.date,
        seed: int,
        shared: dict[str, list[tuple[_Shared, _Shared | None]]] | None = None,
    ) -> None:
        self.today = today
        self.rng = random.Random(seed)
        self.shared = shared or {}
        self.shared_rng = random.Random(f"dsvb-demo-cases-variations:{seed}")
        self.same_people: dict[tuple[str, str], str] = {}
        self.shared_postcode: dict[str, str] = {}  # case id -> the shared victim's postcode
        self.files: dict[str, list[dict[str, str]]] = {s.name: [] for s in fmt.FILES}
        self.people_made: dict[str, int] = {}
        self.used_names: set[tuple[str, str]] = set()
        self.meetings: dict[str, list[tuple[dt.date, str, str]]] = {}  # marac -> (date, id, st)
        self.action_count = 0
        self.overdue_done = False

    # --- small helpers -----------------------------------------------------------------------

    def ago(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)

    def add(self, file: str, **values: Any) -> None:
        spec = fmt.BY_NAME[file]
        row = {}
        for c in spec.columns:
            v = values.pop(c.name, "")
            if isinstance(v, bool):
                v = "true" if v else "false"
            elif isinstance(v, dt.date):
                v = v.isoformat()
            elif isinstance(v, (list, tuple)):
                v = fmt.SEPARATOR.join(v)
            row[c.name] = "" if v is None else str(v)
        if values:
            raise KeyError(f"{file}: no column {', '.join(values)}")
        self.files[file].append(row)

    def name(self, women: bool) -> tuple[str, str]:
        while True:
            given = self.rng.choice(WOMEN if women else MEN)
            family = self.rng.choice(SURNAMES)
            if (given, family) not in self.used_names:
                self.used_names.add((given, family))
                return given, family

    def person(
        self,
        agency: str,
        prefix: str,
        *,
        woman: bool,
        age: int,
        family: str = "",
        contact: bool = False,
        shared: _Shared | None = None,
    ) -> str:
        n = self.people_made[prefix] = self.people_made.get(prefix, 0) + 1
        pid = f"{prefix}-P{n:03d}"
        given, fam = self.name(woman)
        fam = family or fam
        born = _years_before(self.today, age) - dt.timedelta(days=self.rng.randrange(20, 340))
        other_names = ""
        if shared is not None:  # a person of the extract, as this agency records them
            base = shared.record
            person = identities.Identity(
                shared.extract_id, base.given_name or given, base.family_name or fam,
                base.date_of_birth or born, base.postcode or "", base.sex or "female", "",
            )  # fmt: skip
            record = identities.recorded(
                person, self.shared_rng, source=agency, record_id=pid, rates=AGENCY_RATES
            )
            given, fam = record.given_name or given, record.family_name or fam
            born = record.date_of_birth or born
            other_names = record.other_names or ""
            woman = person.sex == "female"
            self.same_people[(agency, pid)] = shared.extract_id
        self.add(
            "people",
            agency=agency,
            person_id=pid,
            given_name=given,
            family_name=fam,
            other_names=other_names,
            date_of_birth=born,
            sex="female" if woman else "male",
            ethnicity=self.rng.choice(("white", "white", "black", "asian", "mixed", "other")),
            disabled=self.rng.random() < 0.15,
            lgbt=self.rng.random() < 0.08,
            phone=f"07700 900{self.rng.randrange(0, 1000):03d}" if contact else "",
            email=f"{given}.{fam}{n}@example.org".lower() if contact and n % 3 else "",
            identifiers=f"nhs:999{self.rng.randrange(0, 10**7):07d}" if contact else "",
        )
        return pid

    def address(self, case: str, kind: str = "home", current: bool = True) -> None:
        if kind == "refuge":
            lines = f"{self.rng.randrange(1, 9)} {REFUGE_STREET}\nLondon"
        else:
            lines = f"{self.rng.randrange(1, 180)} {self.rng.choice(STREETS)}\nLondon"
        code = "".join(self.rng.choice(NOT_IN_POSTCODES) for _ in range(2))
        district = "SE24" if kind == "refuge" else self.rng.choice(("SE11", "SW9", "SW2", "SE27"))
        postcode = f"{district} 9{code}"
        if kind == "home" and case in self.shared_postcode:  # the shared victim's home
            postcode = self.shared_postcode[case]
        self.add(
            "addresses",
            case=case,
            kind=kind,
            lines=lines,
            postcode=postcode,
            current=current,
        )

    def answers(self, assessment: str, checklist: str, on: dt.date, yes: list[str]) -> None:
        for q in dash.checklist(checklist).on(on):
            if q.id in yes:
                answer = dash.YES
            elif q.scored and self.rng.random() < 0.1:
                answer = dash.NOT_KNOWN
            elif not q.scored and self.rng.random() < 0.5:
                continue  # the optional screening questions are often left out
            else:
                answer = dash.NO
            self.add(
                "assessment_answers", assessment_id=assessment, question_id=q.id, answer=answer
            )

    # --- meetings ------------------------------------------------------------------------------

    def meeting(self, marac: str, day: dt.date) -> None:
        mid = f"{'LAM' if marac == MARAC else 'SWK'}-M{day.isoformat()}"
        status = "held" if day <= self.today else "planned"
        self.add("meetings", marac=marac, meeting_id=mid, date=day, status=status)
        self.meetings.setdefault(marac, []).append((day, mid, status))
        self.meetings[marac].sort()

    def listed_at(self, marac: str, referred_on: dt.date) -> tuple[dt.date, str, str] | None:
        """The first meeting at least three days after the referral."""
        for found in self.meetings.get(marac, []):
            if found[0] >= referred_on + dt.timedelta(days=3):
                return found
        return None

    # --- referrals and their actions -------------------------------------------------------

    def refer(
        self,
        case: _Case,
        marac: str,
        on: dt.date,
        criteria: tuple[str, ...],
        *,
        consent: str,
        concerns: str = "",
        unlisted: bool = False,
    ) -> str:
        rid = f"{case.id}-R{len(case.referrals) + 1}"
        case.referrals.append(rid)
        meeting = None if unlisted else self.listed_at(marac, on)
        status = "referred"
        if meeting is not None:
            status = "heard" if meeting[2] == "held" else "listed"
        self.add(
            "referrals",
            referral_id=rid,
            case=case.id,
            marac=marac,
            referring_agency=case.agency,
            referred_on=on,
            criteria=criteria,
            concerns=concerns,
            consent=consent,
            consent_reason={"not_given": CONSENT_NOT_GIVEN, "not_sought": CONSENT_NOT_SOUGHT}.get(
                consent, ""
            ),
            meeting=meeting[1] if meeting else "",
            status=status,
        )
        if meeting is not None and meeting[2] == "held":
            self.actions(case, rid, meeting[0], meeting[1], marac)
        return rid

    def actions(self, case: _Case, rid: str, held: dt.date, mid: str, marac: str) -> None:
        members = [case.agency] + [
            a for a in MEMBERS.get(marac, ()) if a != case.agency and a in _ACTIONS
        ]
        chosen = [members[0], *self.rng.sample(members[1:], k=min(2, len(members) - 1))]
        if case.children and CHILDREN in members and CHILDREN not in chosen:
            chosen.append(CHILDREN)
        for agency in chosen:
            if agency not in _ACTIONS:
                continue
            self.action_count += 1
            due = held + dt.timedelta(days=self.rng.choice((14, 21, 28)))
            status, done_on = "open", None
            if due < self.today:
                if not self.overdue_done and agency != case.agency and due >= self.ago(60):
                    self.overdue_done = True  # one action left open past its due date
                else:
                    status, done_on = "done", due - dt.timedelta(days=self.rng.randrange(1, 10))
            self.add(
                "actions",
                referral=rid,
                agency=agency,
                task=self.rng.choice(_ACTIONS[agency]),
                owner=_OWNERS[agency],
                due_on=due,
                status=status,
                done_on=done_on,
                meeting=mid,
            )

    def share(
        self,
        case: _Case,
        to: str,
        on: dt.date,
        *,
        consent: bool,
        legal_basis: str = LEGAL_BASIS_MARAC,
        groups: tuple[str, ...] | None = None,
        withdrawn: dt.date | None = None,
    ) -> None:
        kind = next(k for name, k, _ in AGENCIES if name == to)
        needed = {g.value for g in needed_groups(kind)}
        chosen = tuple(sorted(needed if groups is None else needed & set(groups)))
        self.add(
            "shares",
            case=case.id,
            to_agency=to,
            groups=chosen,
            basis="consent" if consent else "legal_basis",
            legal_basis="" if consent else legal_basis,
            consent_recorded_on=on if consent else None,
            shared_on=on,
            withdrawn_on=withdrawn,
            withdrawn_reason="The victim withdrew her consent to sharing" if withdrawn else "",
        )

    # --- a case --------------------------------------------------------------------------------

    def case(
        self,
        agency: str,
        cid: str,
        *,
        opened: dt.date,
        woman: bool = True,
        age: int | None = None,
        children: int = 0,
        perpetrator_age: int | None = None,
        refuge: bool = False,
        team: str = "",
        closed: dt.date | None = None,
        crime_reference: str = "",
        area: str = LAMBETH,
    ) -> _Case:
        prefix = cid
        pool = self.shared.get(area, [])
        shared_victim, shared_perp = pool.pop(0) if woman and pool else (None, None)
        victim = self.person(
            agency,
            prefix,
            woman=woman,
            age=age or self.rng.randrange(19, 58),
            contact=True,
            shared=shared_victim,
        )
        perp = self.person(
            agency,
            prefix,
            woman=not woman and self.rng.random() < 0.5,
            age=perpetrator_age or self.rng.randrange(20, 60),
            shared=shared_perp,
        )
        if shared_victim is not None and shared_victim.record.postcode:
            self.shared_postcode[cid] = shared_victim.record.postcode
        made = _Case(cid, agency, victim, perp)
        self.add(
            "cases",
            agency=agency,
            case_id=cid,
            victim_person_id=victim,
            team=team,
            area_code=area,
            status="closed" if closed else "open",
            opened_on=opened,
            closed_on=closed,
            domestic_abuse=True,
            sexual_offence=self.rng.random() < 0.1,
            crime_reference=crime_reference,
        )
        self.add(
            "case_people",
            case=cid,
            person=perp,
            role="perpetrator",
            relationship=self.rng.choice(("partner", "ex-partner", "ex-partner", "husband")),
            in_household=self.rng.random() < 0.3,
        )
        family = next(r["family_name"] for r in self.files["people"] if r["person_id"] == victim)
        for _ in range(children):
            child = self.person(
                agency,
                prefix,
                woman=self.rng.random() < 0.5,
                age=self.rng.randrange(1, 15),
                family=family,
            )
            made.children.append(child)
            self.add(
                "case_people",
                case=cid,
                person=child,
                role="child",
                relationship="child",
                in_household=True,
            )
        if refuge:
            self.address(cid, "home", current=False)
            self.address(cid, "refuge")
        else:
            self.address(cid)
        return made

    def incident(
        self, case: _Case, on: dt.date, kind: str = "", *, police: bool | None = None
    ) -> None:
        reported = self.rng.random() < 0.6 if police is None else police
        self.add(
            "incidents",
            case=case.id,
            occurred_on=on,
            kind=kind or self.rng.choice(("violence", "threats", "stalking", "other")),
            perpetrator=case.perpetrator,
            reported_to_police=reported,
            police_reference=f"CAD {on:%d%m}/{self.rng.randrange(1000, 9999)}" if reported else "",
            summary="",
        )

    def assess(
        self,
        case: _Case,
        on: dt.date,
        score: int,
        *,
        number: int,
        keep: list[str] | None = None,
        graded: str = "",
        judgement: str = "",
        reasons: str = "",
    ) -> list[str]:
        """An assessment with ``score`` yes answers (those of ``keep`` first, so a later
        assessment of the same victim keeps the earlier yes answers: escalation shows)."""
        checklist = dash.default_checklist(
            next(k for name, k, _ in AGENCIES if name == case.agency)
        )
        scored = [q.id for q in dash.checklist(checklist).scored(on)]
        yes = [q for q in (keep or []) if q in scored][:score]
        rest = [q for q in scored if q not in yes]
        self.rng.shuffle(rest)
        yes += rest[: score - len(yes)]
        aid = f"{case.id}-A{number}"
        self.add(
            "assessments",
            agency=case.agency,
            assessment_id=aid,
            case=case.id,
            checklist=checklist,
            assessed_on=on,
            graded_level=graded,
            judgement_level=judgement,
            judgement_reasons=reasons,
            assessor_name="CSU officer" if case.agency == POLICE else "IDVA",
        )
        self.answers(aid, checklist, on, yes)
        return yes


def write_demo_cases(
    folder: Path, *, today: dt.date, seed: int, extract: Path | None = None
) -> DemoCases:
    """Write the demo partnership as interchange CSV files in ``folder`` (made if missing;
    the format's files in it are replaced). Deterministic for a ``seed``, ``today`` and
    ``extract`` (the demo police extract whose people some cases share; none: no sharing)."""
    shared = _extract_people(extract, seed) if extract is not None else {}
    b = _Builder(today, seed, shared)
    high = case_settings.number("visible_high_risk_score", today)
    incidents_needed = case_settings.number("escalation_incidents", today)
    window = case_settings.number("repeat_window_months", today)
    retention = case_settings.number("retention_years", today)

    for name, kind, area in AGENCIES:
        b.add(
            "agencies",
            name=name,
            kind=kind.value,
            area_code=area,
            marac_members=MEMBERS.get(name, ()),
        )

    # MARAC meetings: Lambeth's every four weeks (the latest a fortnight ago), the next in
    # about two weeks; Southwark's three weeks ago and next week
    for k in range(7):
        b.meeting(MARAC, b.ago(14 + 28 * k))
    b.meeting(MARAC, today + dt.timedelta(days=14))
    b.meeting(SOUTHWARK_MARAC, b.ago(21))
    b.meeting(SOUTHWARK_MARAC, today + dt.timedelta(days=7))

    # The old case, closed longer ago than the retention period: a repeat under the older
    # definition (violence, threats, stalking or sexual abuse only), before it changed
    old_rule = next(
        s
        for s in case_settings.settings()
        if s.name == "repeat_definition" and s.valid_to is not None
    )
    changed = old_rule.valid_to
    assert changed is not None
    first_ref = changed - dt.timedelta(days=300)
    second_ref = changed - dt.timedelta(days=40)
    b.meeting(MARAC, first_ref + dt.timedelta(days=10))
    b.meeting(MARAC, second_ref + dt.timedelta(days=10))
    closed = changed + dt.timedelta(days=200)
    if _years_before(today, retention) <= closed:
        raise ValueError(f"the demo's old case needs a day after {closed} + {retention} years")
    old = b.case(
        IDVA,
        "IDVA-0001",
        opened=first_ref - dt.timedelta(days=20),
        children=1,
        team="IDVA team",
        closed=closed,
    )
    b.incident(old, first_ref - dt.timedelta(days=22), "violence", police=True)
    b.assess(old, first_ref - dt.timedelta(days=10), high + 1, number=1)
    b.refer(old, MARAC, first_ref, ("visible_high_risk",), consent="given")
    b.incident(old, second_ref - dt.timedelta(days=9), "threats", police=True)
    b.refer(old, MARAC, second_ref, ("repeat",), consent="given")
    b.share(old, MARAC, first_ref, consent=True)

    idva_cases: list[_Case] = []
    # Lambeth IDVA service: 24 more cases, in turn of six kinds
    profiles = ("vhr", "escalating", "judgement", "escalation", "repeat", "standard")
    for n in range(2, 26):
        profile = profiles[(n - 2) % len(profiles)]
        cid = f"IDVA-{n:04d}"
        first = b.ago(b.rng.randrange(60, 540))
        if profile in ("escalating", "repeat"):
            first = b.ago(b.rng.randrange(420, 540))
        elif profile == "escalation":
            first = b.ago(b.rng.randrange(200, 320))
        age = 17 if n == 5 else None
        case = b.case(
            IDVA,
            cid,
            opened=first + dt.timedelta(days=b.rng.randrange(0, 6)),
            woman=n % 9 != 0,
            age=age,
            children=b.rng.choice((0, 0, 1, 2, 3)) if n != 8 else 2,
            perpetrator_age=17 if n == 6 else None,
            refuge=n in (7, 14),
            team="IDVA team",
            closed=b.ago(20) if n == 19 else None,
        )
        idva_cases.append(case)
        b.incident(case, first, "violence")
        opened = first + dt.timedelta(days=6)
        consent = ("given", "given", "not_given", "not_sought")[n % 4]
        if profile == "vhr":
            b.incident(case, first + dt.timedelta(days=40))
            on = b.ago(9) if n == 2 else opened + dt.timedelta(days=3)  # n 2: to be heard
            b.assess(case, on, high + b.rng.randrange(0, 5), number=1)
            ref = min(on + dt.timedelta(days=2), b.ago(2))
            b.refer(case, MARAC, ref, ("visible_high_risk",), consent=consent)
            b.share(case, MARAC, ref, consent=consent == "given")
        elif profile == "escalating":
            # three assessments over a year, each keeping the earlier yes answers
            latest = b.ago(8) if n == 3 else b.ago(b.rng.randrange(20, 60))
            dates = [opened, opened + dt.timedelta(days=150), latest]
            keep: list[str] = []
            for i, (day, score) in enumerate(zip(dates, (5, 10, high + 2), strict=True), 1):
                b.incident(case, day - dt.timedelta(days=2))
                keep = b.assess(case, day, score, number=i, keep=keep)
            ref = dates[-1] + dt.timedelta(days=1)
            b.refer(case, MARAC, ref, ("visible_high_risk",), consent=consent)
            b.share(case, MARAC, ref, consent=consent == "given")
        elif profile == "judgement":
            on = opened + dt.timedelta(days=2)
            b.assess(
                case,
                on,
                high - b.rng.randrange(3, 6),
                number=1,
                judgement="high",
                reasons=CONCERNS + ": professional judgement raises the level to high",
            )
            ref = on + dt.timedelta(days=1)
            b.refer(
                case,
                MARAC,
                ref,
                ("professional_judgement",),
                consent=consent,
                concerns=CONCERNS,
            )
            b.share(case, MARAC, ref, consent=consent == "given")
        elif profile == "escalation":
            # the local number of police-reported incidents within 12 months
            for k in range(incidents_needed):
                b.incident(case, first + dt.timedelta(days=30 + 45 * k), police=True)
            on = first + dt.timedelta(days=30 + 45 * (incidents_needed - 1) + 5)
            b.assess(case, on, high - 4, number=1)
            b.refer(case, MARAC, on, ("potential_escalation",), consent=consent)
            b.share(case, MARAC, on, consent=consent == "given")
        elif profile == "repeat":
            # referred, then a new incident within the window: a repeat referral (the current
            # definition: any abuse counts, here abuse that is not violence or threats)
            on = opened + dt.timedelta(days=5)
            b.assess(case, on, high + 1, number=1)
            b.refer(case, MARAC, on, ("visible_high_risk",), consent="given")
            b.share(case, MARAC, on, consent=True)
            inside = _add_months(on, window) - dt.timedelta(days=b.rng.randrange(5, 40))
            last = n == 24  # the latest repeat is not listed yet: the coordinator lists it
            inside = min(inside, b.ago(8) if last else b.ago(30))
            b.incident(case, inside, "other")
            b.refer(
                case,
                MARAC,
                inside + dt.timedelta(days=(2 if last else 5)),
                ("repeat",),
                consent=consent,
                unlisted=last,
            )
        else:  # standard risk: assessed, not referred
            b.incident(case, first + dt.timedelta(days=20), "other")
            b.assess(case, opened + dt.timedelta(days=1), b.rng.randrange(2, 8), number=1)
        if profile != "standard" and case.children and n % 2 == 0:
            b.share(
                case,
                CHILDREN,
                opened + dt.timedelta(days=10),
                consent=False,
                legal_basis=LEGAL_BASIS_CHILDREN,
            )
        if n in (7, 14):  # in a refuge: the refuge and housing know where she is
            b.share(case, REFUGE, opened + dt.timedelta(days=4), consent=True)
            b.share(case, HOUSING, opened + dt.timedelta(days=8), consent=True)
        if n in (3, 9, 15):
            b.share(
                case,
                POLICE,
                opened + dt.timedelta(days=12),
                consent=True,
                groups=("identity", "contact", "risk", "perpetrator", "criminal_justice"),
            )

    # Lambeth Police CSU: ten cases with crime references, the police DASH and grading
    police_cases: list[_Case] = []
    for n in range(1, 11):
        cid = f"CSU-{n:04d}"
        first = b.ago(b.rng.randrange(25, 400))
        case = b.case(
            POLICE,
            cid,
            opened=first,
            children=b.rng.choice((0, 1, 2)),
            team=("Lambeth CSU team A", "Lambeth CSU team B")[n % 2],
            crime_reference=f"CR-{n:05d}-DEMO",
        )
        police_cases.append(case)
        b.incident(case, first, "violence", police=True)
        if n % 3 == 0:
            on = first + dt.timedelta(days=1)
            b.assess(case, on, high + b.rng.randrange(0, 6), number=1, graded="high")
            b.refer(case, MARAC, on + dt.timedelta(days=1), ("visible_high_risk",), consent="given")
            b.share(case, MARAC, on + dt.timedelta(days=1), consent=True)
        elif n % 3 == 1:
            b.assess(
                case,
                first + dt.timedelta(days=1),
                b.rng.randrange(6, 11),
                number=1,
                graded="medium",
                reasons="Graded medium: child contact dispute and the abuse getting worse",
            )
        else:
            b.assess(case, first + dt.timedelta(days=1), b.rng.randrange(2, 6), number=1)
        # shared with the IDVA service on the victim's consent (one later withdrawn)
        if n <= 4:
            b.share(
                case,
                IDVA,
                first + dt.timedelta(days=2),
                consent=True,
                groups=("identity", "contact", "risk", "household", "perpetrator"),
                withdrawn=min(first + dt.timedelta(days=20), b.ago(1)) if n == 4 else None,
            )

    # Lambeth Refuge: two residents
    for n in range(1, 3):
        cid = f"REF-{n:04d}"
        first = b.ago(b.rng.randrange(40, 200))
        case = b.case(REFUGE, cid, opened=first, children=n, refuge=True, team="Refuge")
        b.incident(case, first - dt.timedelta(days=3), "violence")
        b.assess(case, first + dt.timedelta(days=1), b.rng.randrange(8, 16), number=1)
        b.share(case, HOUSING, first + dt.timedelta(days=5), consent=True)

    # Southwark: another borough's cases, which no Lambeth account may see
    for n in range(1, 4):
        cid = f"SWK-{n:04d}"
        first = b.ago(b.rng.randrange(30, 120))
        case = b.case(
            SOUTHWARK_IDVA, cid, opened=first, children=1, team="Southwark IDVA", area=SOUTHWARK
        )
        b.incident(case, first, "violence", police=True)
        b.assess(case, first + dt.timedelta(days=1), high + n, number=1)
        b.refer(case, SOUTHWARK_MARAC, first + dt.timedelta(days=2), ("visible_high_risk",),
                consent="given")  # fmt: skip
        b.share(case, SOUTHWARK_MARAC, first + dt.timedelta(days=2), consent=True)

    # the case for the demo's break glass: a Lambeth IDVA case with children, not shared
    # with Children's Services
    shared_children = {r["case"] for r in b.files["shares"] if r["to_agency"] == CHILDREN}
    glass = next(
        c.id
        for c in idva_cases
        if c.children
        and c.id not in shared_children
        and next(r for r in b.files["cases"] if r["case_id"] == c.id)["status"] == "open"
    )

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for spec in fmt.FILES:
        path = folder / spec.filename
        partial = path.with_name(path.name + ".new")
        with partial.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=spec.names, lineterminator="\n")
            writer.writeheader()
            writer.writerows(b.files[spec.name])
        partial.replace(path)
    return DemoCases(
        folder=folder,
        rows=MappingProxyType({name: len(rows) for name, rows in b.files.items()}),
        break_glass_case=glass,
        police_cases=tuple(c.id for c in police_cases),
        same_people=MappingProxyType(dict(b.same_people)),
    )
