"""MARAC rules: the referral criteria, repeats by the dated definition (and the 12-month
boundary), and the quarterly return's counts and benchmarks (dsvb.cases.marac)."""

from __future__ import annotations

import datetime as dt

import pytest

from dsvb.cases import marac
from dsvb.cases.marac import (
    AssessmentFact,
    Criterion,
    IncidentFact,
    ReferralFact,
    RepeatDefinition,
    ReturnCase,
    proposals,
    quarterly_return,
    repeat_of,
)

D = dt.date
P1, P2 = 101, 102  # perpetrators' ids


def _criteria(found) -> set[Criterion]:
    return {p.criterion for p in found}


def _referral(day: dt.date, *perpetrators: int) -> ReferralFact:
    return ReferralFact(day, frozenset(perpetrators or (P1,)))


# --- criteria -----------------------------------------------------------------------------


def test_a_score_of_14_is_visible_high_risk_and_13_is_not() -> None:
    on = D(2026, 6, 1)
    high = proposals(assessment=AssessmentFact(on, 14, "high"), incidents=(), referrals=(), on=on)
    assert _criteria(high) == {Criterion.VISIBLE_HIGH_RISK}
    assert "scored 14: 14 or more is visible high risk" in high[0].reason
    low = proposals(assessment=AssessmentFact(on, 13, "medium"), incidents=(), referrals=(), on=on)
    assert low == ()


def test_professional_judgement_raising_the_level_to_high_is_a_criterion_with_its_reasons() -> None:
    on = D(2026, 6, 1)
    found = proposals(
        assessment=AssessmentFact(on, 9, "high", judgement_raised=True, reasons="new threats"),
        incidents=(),
        referrals=(),
        on=on,
    )
    assert _criteria(found) == {Criterion.PROFESSIONAL_JUDGEMENT}
    assert found[0].reason.endswith("to high risk: new threats")
    # raised, but only to medium: not a MARAC criterion
    medium = AssessmentFact(on, 5, "medium", judgement_raised=True, reasons="x")
    assert proposals(assessment=medium, incidents=(), referrals=(), on=on) == ()
    # high by score alone, no judgement: visible high risk only
    score_only = AssessmentFact(on, 16, "high")
    found = proposals(assessment=score_only, incidents=(), referrals=(), on=on)
    assert _criteria(found) == {Criterion.VISIBLE_HIGH_RISK}


def _police(*days: dt.date, reported: bool = True) -> list[IncidentFact]:
    return [IncidentFact(d, "other", reported, P1) for d in days]


def test_potential_escalation_counts_police_reported_incidents_in_12_months_inclusive() -> None:
    on = D(2026, 6, 1)
    three = _police(D(2025, 6, 1), D(2026, 1, 10), D(2026, 5, 31))  # the first: exactly 12 months
    found = proposals(assessment=None, incidents=three, referrals=(), on=on)
    assert _criteria(found) == {Criterion.POTENTIAL_ESCALATION}
    assert (
        "3 police-reported incidents" in found[0].reason and "usual number is 3" in found[0].reason
    )
    # a day older than 12 months: two in the window, not enough
    older = _police(D(2025, 5, 31), D(2026, 1, 10), D(2026, 5, 31))
    assert proposals(assessment=None, incidents=older, referrals=(), on=on) == ()
    # not reported to the police: not counted; after ``on``: not counted
    unreported = [*_police(D(2026, 1, 10), D(2026, 5, 31)), *_police(D(2026, 2, 1), reported=False)]
    assert proposals(assessment=None, incidents=unreported, referrals=(), on=on) == ()
    later = [*_police(D(2026, 1, 10), D(2026, 5, 31)), *_police(D(2026, 6, 2))]
    assert proposals(assessment=None, incidents=later, referrals=(), on=on) == ()


def test_a_marac_s_local_escalation_number_replaces_the_default() -> None:
    on = D(2026, 6, 1)
    two = _police(D(2026, 1, 10), D(2026, 5, 31))
    assert proposals(assessment=None, incidents=two, referrals=(), on=on) == ()
    local = proposals(assessment=None, incidents=two, referrals=(), on=on, escalation_threshold=2)
    assert _criteria(local) == {Criterion.POTENTIAL_ESCALATION}
    assert "the MARAC's local number is 2" in local[0].reason
    three = _police(D(2026, 1, 10), D(2026, 3, 1), D(2026, 5, 31))
    stricter = proposals(
        assessment=None, incidents=three, referrals=(), on=on, escalation_threshold=4
    )
    assert stricter == ()


def test_every_criterion_at_once() -> None:
    on = D(2026, 6, 1)
    incidents = _police(D(2025, 9, 1), D(2026, 1, 10), D(2026, 5, 31))
    found = proposals(
        assessment=AssessmentFact(on, 17, "high", judgement_raised=True, reasons="r"),
        incidents=incidents,
        referrals=[_referral(D(2025, 8, 1))],
        on=on,
    )
    assert [p.criterion for p in found] == list(Criterion)
    assert all(p.reason for p in found)


# --- repeats ------------------------------------------------------------------------------


def test_a_repeat_on_the_day_12_months_after_the_referral_counts_and_the_day_after_does_not() -> (
    None
):
    referrals = [_referral(D(2024, 3, 15))]
    on_the_day = repeat_of(IncidentFact(D(2025, 3, 15), "other", False, P1), referrals)
    assert on_the_day is not None and on_the_day.last_referral_on == D(2024, 3, 15)
    assert repeat_of(IncidentFact(D(2025, 3, 16), "other", False, P1), referrals) is None


def test_a_referral_on_29_february_has_its_window_end_on_28_february() -> None:
    referrals = [_referral(D(2024, 2, 29))]
    assert marac.window_end(D(2024, 2, 29)) == D(2025, 2, 28)
    assert repeat_of(IncidentFact(D(2025, 2, 28), "violence", True, P1), referrals) is not None
    assert repeat_of(IncidentFact(D(2025, 3, 1), "violence", True, P1), referrals) is None


def test_an_incident_on_the_day_of_the_referral_or_before_it_is_not_a_repeat() -> None:
    referrals = [_referral(D(2024, 3, 15))]
    assert repeat_of(IncidentFact(D(2024, 3, 15), "violence", True, P1), referrals) is None
    assert repeat_of(IncidentFact(D(2024, 3, 1), "violence", True, P1), referrals) is None
    assert repeat_of(IncidentFact(D(2024, 3, 16), "violence", True, P1), referrals) is not None


def test_the_window_runs_from_the_last_referral_before_the_incident() -> None:
    referrals = [_referral(D(2022, 1, 10)), _referral(D(2023, 6, 1))]
    rep = repeat_of(IncidentFact(D(2024, 5, 1), "violence", False, P1), referrals)
    assert rep is not None and rep.last_referral_on == D(2023, 6, 1)
    # more than 12 months after the last: not a repeat, though within 12 of none
    assert repeat_of(IncidentFact(D(2024, 6, 2), "violence", False, P1), referrals) is None


def test_a_repeat_is_between_the_same_victim_and_perpetrator() -> None:
    referrals = [_referral(D(2024, 3, 15), P1)]
    assert repeat_of(IncidentFact(D(2024, 6, 1), "violence", True, P2), referrals) is None
    # an incident naming nobody does not match a referral naming a perpetrator...
    assert repeat_of(IncidentFact(D(2024, 6, 1), "violence", True, None), referrals) is None
    # ...but matches a referral that named nobody either
    nobody = [ReferralFact(D(2024, 3, 15))]
    assert repeat_of(IncidentFact(D(2024, 6, 1), "violence", True, None), nobody) is not None


def test_the_definition_in_force_on_the_incident_s_day_judges_it_and_is_recorded() -> None:
    # the settings: the older definition until 2013-04-01, any abuse from then
    assert marac.definition_on(D(2013, 3, 31)) is RepeatDefinition.SERIOUS
    assert marac.definition_on(D(2013, 4, 1)) is RepeatDefinition.ANY_ABUSE
    referrals = [_referral(D(2012, 9, 1))]
    # coercive control ("other") in 2012: the older definition does not count it
    assert repeat_of(IncidentFact(D(2013, 3, 31), "other", False, P1), referrals) is None
    serious = repeat_of(IncidentFact(D(2013, 3, 31), "stalking", False, P1), referrals)
    assert serious is not None and serious.definition is RepeatDefinition.SERIOUS
    assert "older definition" in serious.reason
    # the same kind of incident from the day the current definition came in: a repeat
    current = repeat_of(IncidentFact(D(2013, 4, 1), "other", False, P1), referrals)
    assert current is not None and current.definition is RepeatDefinition.ANY_ABUSE
    assert current.window_months == 12


def test_a_definition_given_overrides_the_setting() -> None:
    referrals = [_referral(D(2020, 1, 1))]
    incident = IncidentFact(D(2020, 5, 1), "other", False, P1)
    assert repeat_of(incident, referrals) is not None
    assert repeat_of(incident, referrals, definition="violence_threats_stalking_sexual") is None


def test_the_repeat_criterion_names_the_definition() -> None:
    on = D(2026, 6, 1)
    found = proposals(
        assessment=None,
        incidents=[IncidentFact(D(2026, 5, 1), "other", False, P1)],
        referrals=[_referral(D(2025, 10, 1))],
        on=on,
    )
    assert _criteria(found) == {Criterion.REPEAT}
    assert "any abuse (current definition)" in found[0].reason


def test_an_unknown_kind_of_incident_is_refused() -> None:
    with pytest.raises(ValueError, match="'assault' is not a kind of incident"):
        IncidentFact(D(2026, 1, 1), "assault", True, P1)


def test_an_incident_already_covered_by_a_later_referral_does_not_make_a_repeat() -> None:
    # the March incident repeated January's referral, but April's referral covered it:
    # a referral in June is not a repeat of anything (the reviewer's hole)
    referrals = [_referral(D(2025, 1, 10)), _referral(D(2025, 4, 1))]
    march = IncidentFact(D(2025, 3, 1), "violence", True, P1)
    assert marac.latest_repeat([march], referrals, D(2025, 6, 1)) is None
    # a new incident after April's referral is a repeat of it
    may = IncidentFact(D(2025, 5, 1), "violence", True, P1)
    rep = marac.latest_repeat([march, may], referrals, D(2025, 6, 1))
    assert rep is not None and (rep.incident_on, rep.last_referral_on) == (
        D(2025, 5, 1), D(2025, 4, 1),
    )  # fmt: skip


def test_latest_repeat_counts_only_incidents_after_the_latest_referral_up_to_on() -> None:
    referrals = [_referral(D(2025, 4, 1))]
    on_the_day = IncidentFact(D(2025, 4, 1), "violence", True, P1)
    day_after = IncidentFact(D(2025, 4, 2), "violence", True, P1)
    assert marac.latest_repeat([on_the_day], referrals, D(2025, 6, 1)) is None
    rep = marac.latest_repeat([on_the_day, day_after], referrals, D(2025, 6, 1))
    assert rep is not None and rep.incident_on == D(2025, 4, 2)
    # ``on`` itself counts; a day later than ``on`` does not
    assert marac.latest_repeat([day_after], referrals, D(2025, 4, 2)) is not None
    assert marac.latest_repeat([day_after], referrals, D(2025, 4, 1)) is None
    # a referral on or after ``on`` is the one judged or not yet made: the window runs
    # from the one before
    later = [*referrals, _referral(D(2025, 7, 1))]
    assert marac.latest_repeat([day_after], later, D(2025, 6, 1)) is not None
    assert marac.latest_repeat([day_after], later, D(2025, 7, 1)) is not None
    assert marac.latest_repeat([day_after], later, D(2025, 7, 2)) is None
    assert marac.latest_repeat([day_after], [], D(2025, 8, 1)) is None


# --- the quarterly return -----------------------------------------------------------------

START, END = D(2026, 1, 1), D(2026, 3, 31)  # 90 days


def _case(n: int, **kw) -> ReturnCase:
    base = {
        "referral_id": n,
        "discussed_on": D(2026, 2, 10),
        "referring_agency": "Lambeth Police CSU",
        "referring_kind": "police",
        "is_repeat": False,
        "children": 0,
        "victim_ethnicity": "white",
        "victim_sex": "female",
        "victim_lgbt": False,
        "victim_disabled": False,
        "victim_age": 30,
        "perpetrator_ages": (35,),
    }
    base.update(kw)
    return ReturnCase(**base)


CASES = [
    _case(1, children=2, victim_ethnicity="black", is_repeat=True),
    _case(
        2,
        referring_agency="Lambeth IDVA service",
        referring_kind="idva",
        victim_age=17,
        perpetrator_ages=(17,),
        victim_ethnicity="",
    ),
    _case(
        3,
        referring_agency="Lambeth IDVA service",
        referring_kind="idva",
        victim_sex="male",
        victim_lgbt=True,
        victim_disabled=None,
        children=1,
        perpetrator_ages=(None,),
    ),
    _case(
        4,
        referring_agency="Lambeth Children's Services",
        referring_kind="children_services",
        victim_disabled=True,
        victim_age=None,
        victim_sex="",
    ),
    _case(5, discussed_on=D(2026, 4, 1)),  # after the quarter: not counted
    _case(6, discussed_on=D(2025, 12, 31)),  # before it
]


def test_the_return_counts_the_cases_discussed_in_the_period() -> None:
    r = quarterly_return(CASES, start=START, end=END, marac="Lambeth MARAC")
    assert (r.cases, r.repeats, r.children) == (4, 1, 3)
    assert r.by_agency == (
        ("Lambeth IDVA service", "idva", 2),
        ("Lambeth Children's Services", "children_services", 1),
        ("Lambeth Police CSU", "police", 1),
    )
    assert (r.police, r.partners, r.idva_referrals) == (1, 3, 2)
    assert {m: (y, u) for m, y, u in r.characteristics} == {
        "Victims BME": (1, 1),
        "Victims LGBT": (1, 0),
        "Victims disabled": (1, 1),
        "Victims male": (1, 1),
        "Victims aged 16-17": (1, 1),
        "Perpetrators under 18": (1, 1),
    }


def test_the_return_s_benchmarks_annualised_over_the_period() -> None:
    r = quarterly_return(
        CASES, start=START, end=END, marac="Lambeth MARAC", adult_women=10_000, idva_fte=0.5
    )
    year = 365.25 / 90
    assert r.volume_per_10000 == round(4 * year, 1) == 16.2
    assert r.volume_benchmark == 40
    assert r.idva_per_fte == round(2 * year / 0.5, 1) == 16.2
    assert r.idva_benchmark == 100
    rows = {row.measure: row for row in r.rows()}
    assert rows["Cases a year per 10,000 adult women"].benchmark == 40
    assert rows["IDVA referrals a year per full-time IDVA"].value == 16.2
    # without the population or the IDVAs: no figure, and the row says what to enter
    bare = {
        row.measure: row for row in quarterly_return(CASES, start=START, end=END, marac="M").rows()
    }
    assert bare["Cases a year per 10,000 adult women"].value is None
    assert "enter the adult female population" in bare["Cases a year per 10,000 adult women"].note


def test_the_return_s_rows_report_unknowns_as_rows_of_their_own() -> None:
    rows = quarterly_return(CASES, start=START, end=END, marac="M").rows()
    by = {row.measure: row for row in rows}
    assert by["Victims BME"].value == 1 and by["Victims BME: not recorded"].value == 1
    assert by["Victims BME"].note == "25% of cases"
    assert by["Referrals by Lambeth IDVA service"].value == 2
    assert by["Referrals by Lambeth IDVA service"].note == "idva; 50% of cases"
    assert by["Referrals by the police"].value == 1
    assert by["Cases discussed"].value == 4 and by["Repeat cases"].value == 1


def test_a_period_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="ends"):
        quarterly_return(CASES, start=END, end=START, marac="M")
    with pytest.raises(ValueError, match="population"):
        quarterly_return(CASES, start=START, end=END, marac="M", adult_women=0)
