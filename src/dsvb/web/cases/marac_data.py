"""Stored records -> the MARAC rules' plain facts (:mod:`dsvb.cases.marac`): one adapter,
used by the web pages and by ``dsvb marac-return`` alike, so both count the same cases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q

from dsvb.cases import marac as rules
from dsvb.cases.agencies import AgencyKind
from dsvb.cases.fields import FieldGroup, needed_groups
from dsvb.cases.states import MeetingState, PartyRole, ReferralState
from dsvb.web.cases.models import Agency, Assessment, Case, CaseIncident, Referral

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


def return_cases(maracs: Iterable[Agency], start: dt.date, end: dt.date) -> list[rules.ReturnCase]:
    """The referrals heard at the MARACs' meetings held from ``start`` to ``end``."""
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
        .select_related("meeting", "referring_agency", "case__victim")
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
) -> rules.MaracReturn:
    name = " and ".join(m.name for m in chosen) or "no MARAC"
    return rules.quarterly_return(
        return_cases(chosen, start, end),
        start=start,
        end=end,
        marac=name,
        adult_women=adult_women,
        idva_fte=idva_fte,
    )


def last_quarter(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last complete calendar quarter before ``today``."""
    q_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = q_start - dt.timedelta(days=1)
    return dt.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end
