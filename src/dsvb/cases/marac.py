"""MARAC: when a case should be referred, when a new incident is a *repeat*, and the
quarterly return as SafeLives collects it (plain Python; the web and ``dsvb marac-return``
turn stored records into the plain facts below, decision 0037).

A referral may be made on any of four criteria (:class:`Criterion`); :func:`proposals`
says which ones the facts of a case meet on a day, each with its reason in words, so the
person referring sees *why* the system proposes a referral and decides. A repeat is a new
incident between the same victim and perpetrator within the dated window (12 months) of
the last referral; SafeLives' two definitions (the older counting only violence, threats,
stalking and sexual abuse; the current any abuse) are a dated setting, and a repeat records
which definition judged it (:class:`Repeat`). The numbers -- the visible-high-risk score,
the escalation number, the window, the benchmarks -- are dated settings
(:mod:`dsvb.cases.settings`), never written here.

Boundaries (decision 0037): "within 12 months" is inclusive -- an incident on the same day
of the month twelve months after the referral is a repeat (a referral on 29 February: the
window ends on 28 February); an incident on the day of the referral itself is the one
referred, not a repeat. Potential escalation counts police-reported incidents from the
same day twelve months before ``on`` up to and including ``on``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import astuple, dataclass, field
from enum import StrEnum

from dsvb.cases import dash
from dsvb.cases import settings as case_settings
from dsvb.oversight.deadlines import add_months

#: the kinds of incident (as ``CaseIncident.KINDS``)
KINDS = ("violence", "threats", "stalking", "sexual", "other")
#: the kinds the older repeat definition counts
SERIOUS_KINDS = frozenset({"violence", "threats", "stalking", "sexual"})
#: a year, for annualising a period's counts
DAYS_A_YEAR = 365.25


class Criterion(StrEnum):
    VISIBLE_HIGH_RISK = "visible_high_risk"
    PROFESSIONAL_JUDGEMENT = "professional_judgement"
    POTENTIAL_ESCALATION = "potential_escalation"
    REPEAT = "repeat"

    @property
    def label(self) -> str:
        return CRITERIA[self]


CRITERIA = {
    Criterion.VISIBLE_HIGH_RISK: "Visible high risk (DASH score)",
    Criterion.PROFESSIONAL_JUDGEMENT: "Professional judgement",
    Criterion.POTENTIAL_ESCALATION: "Potential escalation (police-reported incidents)",
    Criterion.REPEAT: "Repeat (a new incident since the last referral)",
}


class RepeatDefinition(StrEnum):
    """SafeLives' two repeat definitions (setting ``repeat_definition``, dated)."""

    SERIOUS = "violence_threats_stalking_sexual"
    ANY_ABUSE = "any_abuse"

    @property
    def label(self) -> str:
        if self is RepeatDefinition.SERIOUS:
            return "violence, threats, stalking or sexual abuse only (older definition)"
        return "any abuse (current definition)"

    def counts(self, kind: str) -> bool:
        return self is RepeatDefinition.ANY_ABUSE or kind in SERIOUS_KINDS


@dataclass(frozen=True)
class IncidentFact:
    occurred_on: dt.date
    kind: str
    reported_to_police: bool
    perpetrator_id: int | str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.kind!r} is not a kind of incident ({', '.join(KINDS)})")


@dataclass(frozen=True)
class ReferralFact:
    """A past referral of the same victim: when, and the perpetrators it concerned."""

    referred_on: dt.date
    perpetrator_ids: frozenset = field(default_factory=frozenset)


@dataclass(frozen=True)
class AssessmentFact:
    assessed_on: dt.date
    score: int
    level: str  # the assessment's final level (RiskLevel value)
    judgement_raised: bool = False  # professional judgement raised the level
    reasons: str = ""


@dataclass(frozen=True)
class Proposal:
    criterion: Criterion
    reason: str


@dataclass(frozen=True)
class Repeat:
    """A repeat: the incident, the referral it repeats, and the definition that judged it."""

    incident_on: dt.date
    last_referral_on: dt.date
    definition: RepeatDefinition
    window_months: int

    @property
    def reason(self) -> str:
        return (
            f"an incident on {_day(self.incident_on)} came within {self.window_months} months "
            f"of the last referral ({_day(self.last_referral_on)}); repeat definition: "
            f"{self.definition.label}"
        )


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def window_end(referred_on: dt.date, on: dt.date | None = None) -> dt.date:
    """The last day of the repeat window after a referral (inclusive; 29 February + 12
    months is 28 February). ``on`` picks the dated window length (default: the referral's)."""
    months = case_settings.number("repeat_window_months", on or referred_on)
    return add_months(referred_on, months)


def definition_on(day: dt.date) -> RepeatDefinition:
    return RepeatDefinition(str(case_settings.setting("repeat_definition", day)))


def repeat_of(
    incident: IncidentFact,
    referrals: Iterable[ReferralFact],
    *,
    definition: RepeatDefinition | str | None = None,
) -> Repeat | None:
    """Whether ``incident`` is a repeat of the victim's last referral before it.

    The last referral is the latest one made before the incident's day. The incident must
    be with a perpetrator of that referral (an incident naming none matches a referral
    naming none: the same unknown person cannot be told apart), fall within the window
    (inclusive), and be of a kind the definition in force on its day counts (or
    ``definition``, when given)."""
    before = [r for r in referrals if r.referred_on < incident.occurred_on]
    if not before:
        return None
    last = max(before, key=lambda r: r.referred_on)
    if incident.perpetrator_id is None:
        if last.perpetrator_ids:
            return None
    elif incident.perpetrator_id not in last.perpetrator_ids:
        return None
    months = case_settings.number("repeat_window_months", incident.occurred_on)
    if incident.occurred_on > add_months(last.referred_on, months):
        return None
    judged = RepeatDefinition(definition) if definition else definition_on(incident.occurred_on)
    if not judged.counts(incident.kind):
        return None
    return Repeat(incident.occurred_on, last.referred_on, judged, months)


def latest_repeat(
    incidents: Iterable[IncidentFact], referrals: Sequence[ReferralFact], on: dt.date
) -> Repeat | None:
    """Whether a new referral on ``on`` is a repeat: the most recent repeat of the victim's
    latest referral made before ``on`` among the incidents after that referral and up to
    ``on`` (None: none).

    Only an incident *after* the latest referral makes a new referral a repeat: one before
    it, even if it repeated an earlier referral, was already covered by the latest referral
    (DOMAIN.md: a new incident within 12 months of the *last* referral; decision 0037). A
    referral made on ``on`` itself is the one being judged, not an earlier one."""
    made = [r for r in referrals if r.referred_on < on]
    if not made:
        return None
    latest = max(r.referred_on for r in made)
    found = [
        rep
        for i in incidents
        if latest < i.occurred_on <= on and (rep := repeat_of(i, made)) is not None
    ]
    return max(found, key=lambda r: r.incident_on) if found else None


def escalation_count(incidents: Iterable[IncidentFact], on: dt.date) -> int:
    """Police-reported incidents in the 12 months up to and including ``on``."""
    start = add_months(on, -12)
    return sum(1 for i in incidents if i.reported_to_police and start <= i.occurred_on <= on)


def proposals(
    *,
    assessment: AssessmentFact | None,
    incidents: Sequence[IncidentFact],
    referrals: Sequence[ReferralFact],
    on: dt.date,
    escalation_threshold: int | None = None,
) -> tuple[Proposal, ...]:
    """The criteria a case meets on ``on``, each with its reason: from its latest
    assessment, its incidents and its past referrals. ``escalation_threshold`` is the
    MARAC's local number (None: the dated setting, 3)."""
    out: list[Proposal] = []
    if assessment is not None:
        if dash.visible_high_risk(assessment.score, assessment.assessed_on):
            threshold = case_settings.number("visible_high_risk_score", assessment.assessed_on)
            out.append(
                Proposal(
                    Criterion.VISIBLE_HIGH_RISK,
                    f"the DASH assessment of {_day(assessment.assessed_on)} scored "
                    f"{assessment.score}: {threshold} or more is visible high risk",
                )
            )
        if assessment.judgement_raised and assessment.level == "high":
            because = f": {assessment.reasons}" if assessment.reasons else ""
            out.append(
                Proposal(
                    Criterion.PROFESSIONAL_JUDGEMENT,
                    f"professional judgement raised the assessment of "
                    f"{_day(assessment.assessed_on)} to high risk{because}",
                )
            )
    threshold = escalation_threshold or case_settings.number("escalation_incidents", on)
    count = escalation_count(incidents, on)
    if count >= threshold:
        local = "the MARAC's local number" if escalation_threshold else "the usual number"
        out.append(
            Proposal(
                Criterion.POTENTIAL_ESCALATION,
                f"{count} police-reported incidents in the 12 months to {_day(on)} "
                f"({local} is {threshold})",
            )
        )
    rep = latest_repeat(incidents, referrals, on)
    if rep is not None:
        out.append(Proposal(Criterion.REPEAT, rep.reason))
    return tuple(out)


# --- who is the same person: linkage's person keys ------------------------------------


@dataclass(frozen=True)
class PersonKeys:
    """Who linkage found to be the same person across agencies (decision 0047): each case
    person record, by its agency's name and its id, and the person key ``dsvb link`` gave it
    (the store's ``person_links``). A record without a key is a person of its own.

    Repeats judged by linked person treat the records of one key as one victim (her
    referrals and incidents in every agency's cases) and one perpetrator, so a victim
    referred by the IDVA service and, months later, by the police under another record is
    a repeat the recorded victims cannot show."""

    keys: Mapping[tuple[str, str], str] = field(default_factory=dict)

    def of(self, source: str, record_id: int | str) -> str:
        """The person a record is: ``key:<person key>``, else ``<source>:<record id>``."""
        key = self.keys.get((source, str(record_id)))
        return f"key:{key}" if key else f"{source}:{record_id}"

    def records(self, source: str, record_id: int | str) -> frozenset[tuple[str, str]]:
        """Every record of the same person as this one (itself included)."""
        key = self.keys.get((source, str(record_id)))
        if key is None:
            return frozenset({(source, str(record_id))})
        return frozenset(r for r, k in self.keys.items() if k == key)


def linked_facts(
    incidents: Iterable[IncidentFact],
    referrals: Iterable[ReferralFact],
    person_source: Mapping[int | str, str],
    keys: PersonKeys,
) -> tuple[list[IncidentFact], list[ReferralFact]]:
    """The facts of a victim's cases with each perpetrator as the person linkage found
    (``person_source``: a perpetrator's record id -> its agency's name), so that the same
    perpetrator recorded by two agencies is one: :func:`latest_repeat` then judges repeats
    by linked person with the same rule as by recorded person."""

    def who(record_id: int | str) -> str:
        return keys.of(person_source[record_id], record_id)

    return (
        [
            IncidentFact(
                i.occurred_on,
                i.kind,
                i.reported_to_police,
                None if i.perpetrator_id is None else who(i.perpetrator_id),
            )
            for i in incidents
        ],
        [
            ReferralFact(r.referred_on, frozenset(who(p) for p in r.perpetrator_ids))
            for r in referrals
        ],
    )


# --- the quarterly return ---------------------------------------------------------------

BME = frozenset({"black", "asian", "mixed", "other"})


@dataclass(frozen=True)
class ReturnCase:
    """One case discussed at a MARAC meeting (a referral heard), as the return counts it.
    Unknowns are ``None`` (or ``""`` for ethnicity and sex) and reported as such."""

    referral_id: int | str
    discussed_on: dt.date
    referring_agency: str
    referring_kind: str  # AgencyKind value
    is_repeat: bool
    children: int  # children in the household
    victim_ethnicity: str = ""  # "" not recorded
    victim_sex: str = ""
    victim_lgbt: bool | None = None
    victim_disabled: bool | None = None
    victim_age: int | None = None  # on the day discussed
    perpetrator_ages: tuple[int | None, ...] = ()
    # a repeat by linked person (recorded as one, or found one across the records linkage
    # joined); None: not judged (the people were not linked)
    is_linked_repeat: bool | None = None
    # the victim's record has no person key (recorded since the last link run): by linked
    # person she is her own record alone, so linkage cannot have found her repeats yet
    victim_unlinked: bool = False


@dataclass(frozen=True)
class Row:
    measure: str
    value: int | float | None
    benchmark: int | float | None = None
    note: str = ""


@dataclass(frozen=True)
class MaracReturn:
    marac: str
    start: dt.date
    end: dt.date
    cases: int
    repeats: int
    children: int
    by_agency: tuple[tuple[str, str, int], ...]  # (agency, kind, referrals)
    police: int
    partners: int
    characteristics: tuple[tuple[str, int, int], ...]  # (measure, yes, not known)
    volume_per_10000: float | None
    volume_benchmark: int
    idva_referrals: int
    idva_per_fte: float | None
    idva_benchmark: int
    adult_women: int | None = None
    idva_fte: float | None = None
    linked_repeats: int | None = None  # None: repeats by linked person not judged
    unlinked_victims: int = 0  # cases whose victim's record has no person key yet

    @property
    def hidden_repeats(self) -> int | None:
        """Repeat cases the recorded victims hid: by linked person − by recorded victim."""
        return None if self.linked_repeats is None else self.linked_repeats - self.repeats

    def rows(self) -> list[Row]:
        """(measure, value, benchmark, note) for CSV and JSON; unknowns get rows of their
        own (a count of cases with the characteristic not recorded). Repeats by linked
        person, when judged, follow the repeats by recorded victim (an internal figure:
        SafeLives' return counts repeats by the MARAC's own records)."""
        out = [
            Row("Cases discussed", self.cases, None, _period(self.start, self.end)),
            Row("Repeat cases", self.repeats, None, _share(self.repeats, self.cases)),
        ]
        if self.linked_repeats is not None:
            hidden = self.linked_repeats - self.repeats
            out.append(
                Row(
                    "Repeat cases by linked person",
                    self.linked_repeats,
                    None,
                    f"{_share(self.linked_repeats, self.cases)}; {hidden} more than by "
                    "recorded victim (internal: not part of the SafeLives return)"
                    + _unlinked(self.unlinked_victims),
                )
            )
        out.append(Row("Children in the households", self.children))
        for agency, kind, n in self.by_agency:
            out.append(Row(f"Referrals by {agency}", n, None, f"{kind}; {_share(n, self.cases)}"))
        out.append(
            Row("Referrals by the police", self.police, None, _share(self.police, self.cases))
        )
        out.append(
            Row(
                "Referrals by partner agencies",
                self.partners,
                None,
                _share(self.partners, self.cases),
            )
        )
        for measure, yes, unknown in self.characteristics:
            out.append(Row(measure, yes, None, _share(yes, self.cases)))
            out.append(Row(f"{measure}: not recorded", unknown, None, _share(unknown, self.cases)))
        out.append(
            Row(
                "Cases a year per 10,000 adult women",
                self.volume_per_10000,
                self.volume_benchmark,
                f"adult women (16+): {self.adult_women:,}"
                if self.adult_women
                else "enter the adult female population to compare",
            )
        )
        out.append(Row("Referrals from IDVA services", self.idva_referrals))
        out.append(
            Row(
                "IDVA referrals a year per full-time IDVA",
                self.idva_per_fte,
                self.idva_benchmark,
                f"full-time IDVAs: {self.idva_fte:g}"
                if self.idva_fte
                else "enter the full-time IDVAs to compare",
            )
        )
        return out


def _period(start: dt.date, end: dt.date) -> str:
    return f"discussed {_day(start)} to {_day(end)}"


def _share(n: int, total: int) -> str:
    return f"{round(100 * n / total)}% of cases" if total else ""


def annual_factor(start: dt.date, end: dt.date) -> float:
    """How many of the period make a year (both days included)."""
    return DAYS_A_YEAR / ((end - start).days + 1)


def _characteristics(cases: Sequence[ReturnCase]) -> tuple[tuple[str, int, int], ...]:
    def count(
        pred: Callable[[ReturnCase], object], known: Callable[[ReturnCase], bool]
    ) -> tuple[int, int]:
        return sum(1 for c in cases if known(c) and pred(c)), sum(1 for c in cases if not known(c))

    under_18 = [c for c in cases if any(a is not None and a < 18 for a in c.perpetrator_ages)]
    young = {id(c) for c in under_18}
    perp_unknown = [
        c
        for c in cases
        if id(c) not in young and (not c.perpetrator_ages or None in c.perpetrator_ages)
    ]
    rows = [
        (
            "Victims BME",
            *count(lambda c: c.victim_ethnicity in BME, lambda c: c.victim_ethnicity != ""),
        ),
        ("Victims LGBT", *count(lambda c: c.victim_lgbt, lambda c: c.victim_lgbt is not None)),
        (
            "Victims disabled",
            *count(lambda c: c.victim_disabled, lambda c: c.victim_disabled is not None),
        ),
        ("Victims male", *count(lambda c: c.victim_sex == "male", lambda c: c.victim_sex != "")),
        (
            "Victims aged 16-17",
            *count(lambda c: c.victim_age in (16, 17), lambda c: c.victim_age is not None),
        ),
        ("Perpetrators under 18", len(under_18), len(perp_unknown)),
    ]
    return tuple(rows)


def quarterly_return(
    cases: Iterable[ReturnCase],
    *,
    start: dt.date,
    end: dt.date,
    marac: str,
    adult_women: int | None = None,
    idva_fte: float | None = None,
    linked: bool = False,
) -> MaracReturn:
    """The return of the cases discussed from ``start`` to ``end`` (inclusive), with the
    volume per 10,000 adult women and IDVA referrals per full-time IDVA annualised over the
    period, against the dated benchmarks (in force on ``end``). ``linked``: count repeats
    by linked person too (each case's ``is_linked_repeat``; a case the MARAC recorded as a
    repeat counts as one by linked person too: linkage adds the repeats the records did not
    show, it does not undo a referral's recorded judgement)."""
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    if adult_women is not None and adult_women <= 0:
        raise ValueError("the adult female population must be above 0")
    if idva_fte is not None and idva_fte <= 0:
        raise ValueError("the full-time IDVAs must be above 0")
    chosen = [c for c in cases if start <= c.discussed_on <= end]
    agencies = Counter((c.referring_agency, c.referring_kind) for c in chosen)
    police = sum(1 for c in chosen if c.referring_kind == "police")
    idva = sum(1 for c in chosen if c.referring_kind == "idva")
    year = annual_factor(start, end)
    return MaracReturn(
        marac=marac,
        start=start,
        end=end,
        cases=len(chosen),
        repeats=sum(1 for c in chosen if c.is_repeat),
        children=sum(c.children for c in chosen),
        by_agency=tuple(
            (name, kind, n)
            for (name, kind), n in sorted(agencies.items(), key=lambda x: (-x[1], x[0]))
        ),
        police=police,
        partners=len(chosen) - police,
        characteristics=_characteristics(chosen),
        volume_per_10000=round(len(chosen) * year / adult_women * 10000, 1)
        if adult_women
        else None,
        volume_benchmark=case_settings.number("marac_cases_per_10000_women", end),
        idva_referrals=idva,
        idva_per_fte=round(idva * year / idva_fte, 1) if idva_fte else None,
        idva_benchmark=case_settings.number("idva_referrals_per_fte", end),
        adult_women=adult_women,
        idva_fte=idva_fte,
        linked_repeats=(
            sum(1 for c in chosen if c.is_linked_repeat or c.is_repeat) if linked else None
        ),
        unlinked_victims=sum(1 for c in chosen if c.victim_unlinked) if linked else 0,
    )


def _unlinked(victims: int) -> str:
    """The linked row's word on victims no link run has keyed yet (counted as their own
    record alone, so the linked figure may understate)."""
    if not victims:
        return ""
    cases = "case's victim has" if victims == 1 else "cases' victims have"
    return (
        f"; {victims} {cases} no person key yet (recorded since the last link run: "
        "run `dsvb link` to link them)"
    )


RETURN_COLUMNS = ("measure", "value", "benchmark", "note")


def as_csv(ret: MaracReturn) -> str:
    """The return as CSV (one row per measure; an empty value: not computed)."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RETURN_COLUMNS)
    for row in ret.rows():
        writer.writerow(
            ["" if v is None else v for v in (row.measure, row.value, row.benchmark, row.note)]
        )
    return out.getvalue()


def as_json(ret: MaracReturn) -> str:
    import json

    return json.dumps(
        {
            "marac": ret.marac,
            "from": ret.start.isoformat(),
            "to": ret.end.isoformat(),
            "rows": [dict(zip(RETURN_COLUMNS, astuple(row), strict=True)) for row in ret.rows()],
        },
        indent=2,
    )
