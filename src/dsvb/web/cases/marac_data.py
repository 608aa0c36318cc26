"""Stored records -> the MARAC rules' plain facts (:mod:`dsvb.cases.marac`): one adapter,
used by the web pages and by ``dsvb marac-return`` alike, so both count the same cases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.db.models import Q

from dsvb.cases import marac as rules
from dsvb.cases.agencies import AgencyKind
from dsvb.cases.fields import FieldGroup, needed_groups
from dsvb.cases.states import MeetingState, PartyRole, ReferralState
from dsvb.web.cases.models import Agency, Assessment, Case, CaseIncident, Person, Referral

#: the groups a MARAC referral shares (with the MARAC and each member agency, by its need)
REFERRAL_GROUPS = frozenset(
    {
        FieldGroup.IDENTITY,
        FieldGroup.ADDRESS,
        FieldGroup.HOUSEHOLD,
        FieldGroup.PERPETRATOR,
        FieldGroup.RISK,
        FieldGroup.MARAC,
    }
)


def referral_groups(agency: Agency, cap: Iterable[FieldGroup] | None = None) -> list[str]:
    """The groups a referral shares with ``agency``: what its kind needs, of the referral's,
    and (``cap``) of what the referring agency itself may pass on (decision 0037, addendum:
    a referral never gives an agency more than the case's owner allowed)."""
    offered = REFERRAL_GROUPS if cap is None else REFERRAL_GROUPS & frozenset(cap)
    return sorted(g.value for g in needed_groups(agency.kind) & offered)


def perpetrator_ids(case: Case) -> frozenset[int]:
    return frozenset(
        case.parties.filter(role=PartyRole.PERPETRATOR).values_list("person_id", flat=True)
    )


def assessment_fact(assessment: Assessment | None) -> rules.AssessmentFact | None:
    if assessment is None:
        return None
    raised = bool(assessment.judgement_level) and assessment.level != assessment.score_level
    return rules.AssessmentFact(
        assessed_on=assessment.assessed_on,
        score=assessment.score,
        level=assessment.level,
        judgement_raised=raised,
        reasons=assessment.judgement_reasons,
    )


def incident_facts(incidents: Iterable[CaseIncident]) -> list[rules.IncidentFact]:
    return [
        rules.IncidentFact(i.occurred_on, i.kind, i.reported_to_police, i.perpetrator_id)
        for i in incidents
    ]


def referral_facts(case: Case) -> list[rules.ReferralFact]:
    """The victim's referrals, over every case of the same victim person (a repeat is per
    victim, not per case: a new case opened for her after a referral still repeats it).
    Transfers and withdrawals are not referrals of the victim: a transfer's new referral
    carries on the same one. A referral does not store the perpetrators it concerned, so
    each counts the perpetrators its case names now (decision 0037, addendum)."""
    referrals = (
        Referral.objects.filter(case__victim_id=case.victim_id)
        .exclude(status__in=[ReferralState.TRANSFERRED, ReferralState.WITHDRAWN])
        .select_related("case")
    )
    perps: dict[int, frozenset[int]] = {}
    out = []
    for r in referrals:
        if r.case_id not in perps:
            perps[r.case_id] = perpetrator_ids(r.case)
        out.append(rules.ReferralFact(r.referred_on, perps[r.case_id]))
    return out


def proposals_for(
    case: Case,
    on: dt.date,
    *,
    marac: Agency | None = None,
    risk: bool = True,
    incidents: bool = True,
) -> tuple[rules.Proposal, ...]:
    """The criteria the case meets on ``on``. ``risk`` / ``incidents``: whether the viewer
    sees the assessments / the incidents (the proposals shown use only what they see)."""
    return rules.proposals(
        assessment=assessment_fact(case.assessments.first()) if risk else None,
        incidents=incident_facts(case.incidents.all()) if incidents else [],
        referrals=referral_facts(case),
        on=on,
        escalation_threshold=marac.escalation_incidents if marac is not None else None,
    )


def repeat_for(case: Case, on: dt.date) -> rules.Repeat | None:
    """The repeat a new referral of the case on ``on`` is (None: not one)."""
    return rules.latest_repeat(incident_facts(case.incidents.all()), referral_facts(case), on)


def maracs() -> list[Agency]:
    return list(Agency.objects.filter(kind=AgencyKind.MARAC))


def maracs_for(agencies: Iterable[Agency], case: Case | None = None) -> list[Agency]:
    """The MARACs the agencies may refer to: those they are members of (the first: theirs,
    whose local escalation number the proposals use), then -- for ``case`` -- the MARAC of
    the case's borough. Never another borough's MARAC the agencies do not attend."""
    mine = {a.pk for a in agencies}
    every = maracs()
    member = [m for m in every if any(a.pk in mine for a in m.members.all())]
    area = case.area_code if case is not None else ""
    local = [m for m in every if area and m.area_code == area and m not in member]
    return member + local


class NotLinked(Exception):
    """Repeats by linked person were asked for, but the store holds no person keys."""


def person_keys(store_path: Path | None = None) -> rules.PersonKeys:
    """The person keys linkage gave case people (the store's ``person_links`` of every
    source but the police extract: source = agency name, record id = ``Person.pk``).
    Raises :class:`NotLinked` naming ``dsvb link`` when the store is missing or no link
    run has been made: "by linked person" would otherwise quietly equal "by recorded
    victim". Only keys are read: no identifier leaves the store."""
    import duckdb

    from dsvb import store
    from dsvb.indicators.engine import NoLinks, check_links
    from dsvb.linkage.records import EXTRACT

    path = Path(store_path or settings.DSVB_STORE)
    hint = f"run `dsvb link --store {path}` to link the people first"
    if not path.exists():
        raise NotLinked(f"there is no analytical store at {path}: {hint}")
    try:
        con = store.connect(path, read_only=True)
    except store.NotAStoreError as exc:
        raise NotLinked(f"the analytical store cannot be read: {exc}") from None
    except duckdb.Error as exc:  # a writer holds it (an import or a link run)
        raise NotLinked(f"the analytical store is busy ({exc}); try again shortly") from None
    try:
        try:
            check_links(con)
        except NoLinks:
            raise NotLinked(f"the people have not been linked: {hint}") from None
        found = con.execute(
            "SELECT source, record_id, person_key FROM person_links WHERE source <> ?", [EXTRACT]
        ).fetchall()
    finally:
        con.close()
    return rules.PersonKeys({(source, record): key for source, record, key in found})


def linked_repeat_for(case: Case, on: dt.date, keys: rules.PersonKeys) -> rules.Repeat | None:
    """The repeat a referral of the case on ``on`` is when victims and perpetrators are
    people as linkage found them (None: not a repeat by linked person either). The facts are
    those :func:`repeat_for` judges -- the case's incidents and the victim's referrals --
    plus, through the victim's person key only, the incidents and referrals of the cases of
    her other records (in any agency): only who is the same person changes, so a victim
    without a key, or a key of her record alone, is judged exactly as by recorded victim."""
    victim = case.victim
    records = keys.records(victim.agency.name, victim.pk)
    ids = [int(r) for _, r in records if r.isdigit() and int(r) != victim.pk]
    others = [
        p.pk
        for p in Person.objects.filter(pk__in=ids).select_related("agency")
        if (p.agency.name, str(p.pk)) in records
    ]
    incidents = [*case.incidents.all(), *CaseIncident.objects.filter(case__victim_id__in=others)]
    referrals = (
        Referral.objects.filter(case__victim_id__in=[victim.pk, *others])
        .exclude(status__in=[ReferralState.TRANSFERRED, ReferralState.WITHDRAWN])
        .select_related("case")
    )
    perps: dict[int, frozenset[int]] = {}
    facts = []
    for r in referrals:
        if r.case_id not in perps:
            perps[r.case_id] = perpetrator_ids(r.case)
        facts.append(rules.ReferralFact(r.referred_on, perps[r.case_id]))
    named = {i.perpetrator_id for i in incidents if i.perpetrator_id is not None}
    named |= {p for ids_ in perps.values() for p in ids_}
    source = dict(Person.objects.filter(pk__in=named).values_list("pk", "agency__name"))
    linked_incidents, linked_referrals = rules.linked_facts(
        incident_facts(incidents), facts, source, keys
    )
    return rules.latest_repeat(linked_incidents, linked_referrals, on)


def linked_is_repeat(referral: Referral, keys: rules.PersonKeys) -> bool:
    """Whether the referral is a repeat by linked person: the MARAC's recorded judgement
    (``is_repeat``, kept as made), or a repeat linkage shows that the recorded victim does
    not on the same facts today. Comparing both judgements on today's facts keeps what
    changed since the referral (an incident entered later) out of "hidden" repeats: a key
    per record gives exactly the recorded repeats."""
    if referral.is_repeat:
        return True
    on = referral.referred_on
    if linked_repeat_for(referral.case, on, keys) is None:
        return False
    return repeat_for(referral.case, on) is None


def _unlinked(person: Person, keys: rules.PersonKeys) -> bool:
    return (person.agency.name, str(person.pk)) not in keys.keys


def return_cases(
    maracs: Iterable[Agency],
    start: dt.date,
    end: dt.date,
    keys: rules.PersonKeys | None = None,
) -> list[rules.ReturnCase]:
    """The referrals heard at the MARACs' meetings held from ``start`` to ``end``; with
    ``keys``, each judged a repeat by linked person too (:func:`linked_repeat_for`)."""
    referrals = (
        Referral.objects.filter(
            marac__in=list(maracs),
            meeting__status=MeetingState.HELD,
            meeting__date__gte=start,
            meeting__date__lte=end,
        )
        .filter(
            Q(status__in=[ReferralState.HEARD, ReferralState.CLOSED])
            | Q(status=ReferralState.TRANSFERRED, transferred_to__isnull=False)
        )
        .select_related("meeting", "referring_agency", "case__victim__agency")
        .prefetch_related("case__parties__person")
    )
    out = []
    for r in referrals:
        day = r.meeting.date
        victim = r.case.victim
        parties = list(r.case.parties.all())
        out.append(
            rules.ReturnCase(
                referral_id=r.pk,
                discussed_on=day,
                referring_agency=r.referring_agency.name,
                referring_kind=r.referring_agency.kind,
                is_repeat=r.is_repeat,
                children=sum(1 for p in parties if p.role == PartyRole.CHILD and p.in_household),
                victim_ethnicity=victim.ethnicity,
                victim_sex=victim.sex,
                victim_lgbt=victim.lgbt,
                victim_disabled=victim.disabled,
                victim_age=victim.age_on(day),
                perpetrator_ages=tuple(
                    p.person.age_on(day) for p in parties if p.role == PartyRole.PERPETRATOR
                ),
                is_linked_repeat=None if keys is None else linked_is_repeat(r, keys),
                victim_unlinked=keys is not None and _unlinked(victim, keys),
            )
        )
    return out


def marac_return(
    chosen: list[Agency],
    start: dt.date,
    end: dt.date,
    *,
    adult_women: int | None = None,
    idva_fte: float | None = None,
    keys: rules.PersonKeys | None = None,
) -> rules.MaracReturn:
    """The return of the MARACs' cases; with ``keys`` (:func:`person_keys`), repeats by
    linked person beside those by recorded victim."""
    name = " and ".join(m.name for m in chosen) or "no MARAC"
    return rules.quarterly_return(
        return_cases(chosen, start, end, keys),
        start=start,
        end=end,
        marac=name,
        adult_women=adult_women,
        idva_fte=idva_fte,
        linked=keys is not None,
    )


def last_quarter(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last complete calendar quarter before ``today``."""
    q_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = q_start - dt.timedelta(days=1)
    return dt.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end
