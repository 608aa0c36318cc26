"""The relations among counts: declared once in the definitions, derived by disclosure control
and the published-returns reader, checked at import."""

from __future__ import annotations

import dataclasses
import re

import pytest

from dsvb.indicators import definitions as defs
from dsvb.indicators import relations
from dsvb.indicators.model import Count, Family, Indicator
from dsvb.ingest import returns
from dsvb.ingest.extract_format import CONTACT_REASONS
from dsvb.ingest.returns import model as returns_model
from dsvb.reports import disclosure

# The hand-kept lists as they were before the relations were declared on the counts
# (reports/disclosure.py and ingest/returns/model.py at 36f2a8c): a regression guard.
OLD_DIRECT_SUBSETS = {
    ("incidents", "incidents_with_arrest"),
    ("incidents", "incidents_suspect_present"),
    ("incidents_suspect_present", "arrests_suspect_present"),
    ("incidents_with_arrest", "arrests_suspect_present"),
    ("incidents", "incidents_compliant"),
    ("incidents", "front_counter_incidents"),
    ("incidents", "havens_referrals"),
    ("offences", "sanction_detections"),
    ("sanction_detections", "charges"),
    ("sanction_detections", "cautions"),
    ("sanction_detections", "other_sds"),
    ("charges", "withdrawn_after_charge"),
    ("offences", "offences_with_arrest"),
    ("offences", "risk_forms"),
    ("risk_forms", "offences_risk_form_completed"),
    ("risk_forms", "risk_forms_supervised"),
    ("offences", "unsupported_prosecutions"),
    ("offences", "hbv_fm_crimes"),
    ("offences", "fgm_crimes"),
    ("offences", "lgbt_flagged"),
    ("offences", "homicides"),
    ("offences", "dv_and_serious_sexual"),
    ("contacts_due", "contacts_on_time"),
    ("victims", "repeat_victims"),
    ("cautioned_offenders", "repeat_caution_offenders"),
    *(
        pair
        for reason in CONTACT_REASONS
        for pair in (
            ("contacts_due", f"contacts_due_{reason}"),
            (f"contacts_due_{reason}", f"contacts_on_time_{reason}"),
            ("contacts_on_time", f"contacts_on_time_{reason}"),
        )
    ),
}
OLD_PARTITIONS = (
    ("sanction_detections", ("charges", "cautions", "other_sds")),
    ("contacts_due", tuple(f"contacts_due_{r}" for r in CONTACT_REASONS)),
    ("contacts_on_time", tuple(f"contacts_on_time_{r}" for r in CONTACT_REASONS)),
)
OLD_CRIMES_AGAINST_PEOPLE = (
    ("offences", "victims"),
    ("cautions", "cautioned_offenders"),
    ("offences_against_repeat_victims", "repeat_victims"),
)
OLD_FAMILY_PARTITIONS = (("sexual", ("serious_sexual", "other_sexual")),)
OLD_ADDITIVE_SOURCES = frozenset({"incidents", "crimes", "contacts"})
OLD_RATES = {
    "crime_conversion": ("offences", "incidents"),
    "sd_rate": ("sanction_detections", "offences"),
    "charge_rate": ("charges", "offences"),
    "caution_share": ("cautions", "sanction_detections"),
    "caution_rate": ("cautions", "offences"),
    "no_crime_rate": ("no_crimes", "incidents"),
    "cri_rate": ("cris", "incidents"),
    "havens_referral_rate": ("havens_referrals", "incidents"),
    "repeat_victim_rate": ("repeat_victims", "victims"),
    "offences_per_repeat_victim": ("offences_against_repeat_victims", "repeat_victims"),
    "arrest_rate_offences": ("offences_with_arrest", "offences"),
    "arrest_rate_incidents": ("incidents_with_arrest", "incidents"),
    "cad_to_cris": ("incidents_with_crime_or_reason", "incidents"),
    "risk_form_completion": ("risk_forms_completed", "offences"),
    "risk_form_supervision": ("risk_forms_supervised", "risk_forms"),
}


def _closure(pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
    closed = set(pairs)
    while more := {(w, q) for w, p in closed for p2, q in closed if p == p2} - closed:
        closed |= more
    return closed


def test_disclosure_derives_the_lists_it_used_to_keep_by_hand() -> None:
    assert disclosure._DIRECT_SUBSETS == OLD_DIRECT_SUBSETS
    assert _closure(OLD_DIRECT_SUBSETS) == disclosure.SUBSETS
    assert disclosure.PARTITIONS == OLD_PARTITIONS  # order kept: it orders the relations
    assert disclosure.CRIMES_AGAINST_PEOPLE == OLD_CRIMES_AGAINST_PEOPLE
    assert disclosure.FAMILY_PARTITIONS == OLD_FAMILY_PARTITIONS
    assert disclosure.ADDITIVE_SOURCES == OLD_ADDITIVE_SOURCES


def test_the_returns_reader_derives_its_rates() -> None:
    assert list(returns.RATES.items()) == list(OLD_RATES.items())  # order kept too
    # the two names the reader gives differently from the definitions, declared on the counts
    assert defs.COUNTS["incidents_compliant"].measure == "incidents_with_crime_or_reason"
    assert defs.COUNTS["offences_risk_form_completed"].measure == "risk_forms_completed"


def test_every_rate_the_returns_reader_knows_is_an_indicator_over_the_same_counts() -> None:
    measures = {c.measure: c.id for c in defs.COUNTS.values()}
    for rate, (num, den) in returns.RATES.items():
        indicator = defs.INDICATORS[rate]
        assert (measures[num], measures[den]) == (indicator.numerator, indicator.denominator)


def _with(*extra: Count, families: dict[str, Family] | None = None) -> relations.Relations:
    return relations.derive({**defs.COUNTS, **{c.id: c for c in extra}}, families or defs.FAMILIES)


def test_a_new_count_declared_with_its_relations_reaches_disclosure_and_the_returns_reader() -> (
    None
):
    arrests_charged = Count(
        "charges_after_arrest",
        "crimes",
        "Charged crimes where a suspect was arrested",
        part_of=("charges", "offences_with_arrest"),
        returns_name="charged_after_arrest",
    )
    derived = _with(arrests_charged)
    # its own relations, and the ones that follow from them (transitively)
    assert {
        ("charges", "charges_after_arrest"),
        ("offences_with_arrest", "charges_after_arrest"),
        ("sanction_detections", "charges_after_arrest"),
        ("offences", "charges_after_arrest"),
    } <= derived.subsets
    assert derived.subsets - disclosure.SUBSETS == {
        (w, "charges_after_arrest")
        for w in ("charges", "offences_with_arrest", "sanction_detections", "offences")
    }
    # the returns reader: a rate over it, named as the reader names its counts
    counts = {**defs.COUNTS, arrests_charged.id: arrests_charged}
    indicators = {
        **defs.INDICATORS,
        "charged_after_arrest_rate": Indicator(
            "charged_after_arrest_rate", "Charged after arrest", "charges_after_arrest", "charges"
        ),
    }
    rates = relations.rates(
        counts, indicators, (*returns_model.RETURN_RATES, "charged_after_arrest_rate")
    )
    assert rates["charged_after_arrest_rate"] == ("charged_after_arrest", "charges")
    assert {r: rates[r] for r in returns.RATES} == returns.RATES


def test_a_new_sum_and_crimes_people_pair_reach_disclosure() -> None:
    victims_of_dv_homicide = Count("homicide_victims", "victims", "Homicide victims")
    homicides = dataclasses.replace(defs.COUNTS["homicides"], people="homicide_victims")
    charged = Count("homicides_charged", "crimes", "x", part_of=("homicides",))
    not_charged = Count("homicides_not_charged", "crimes", "y", part_of=("homicides",))
    split = dataclasses.replace(homicides, parts=("homicides_charged", "homicides_not_charged"))
    derived = _with(victims_of_dv_homicide, split, charged, not_charged)
    assert ("homicides", "homicide_victims") in derived.crimes_against_people
    assert ("homicides", ("homicides_charged", "homicides_not_charged")) in derived.partitions
    assert ("offences", "homicides_not_charged") in derived.subsets
    families = {
        **defs.FAMILIES,
        "dv": dataclasses.replace(defs.FAMILIES["dv"], parts=("serious_sexual", "other_sexual")),
    }
    assert ("dv", ("serious_sexual", "other_sexual")) in _with(families=families).family_partitions


@pytest.mark.parametrize(
    ("count", "message"),
    [
        (
            Count("x", "crimes", "x", part_of=("offencez",)),
            "count x: part_of names unknown count offencez",
        ),
        (
            Count("x", "crimes", "x", parts=("charges", "nothing")),
            "count x: parts names unknown count nothing",
        ),
        (
            Count("x", "incidents", "x", part_of=("offences",)),
            "count x (source incidents) is declared part of offences (source crimes)",
        ),
        (
            Count("x", "crimes", "x", parts=("charges", "victims")),
            "count x (source crimes) is declared the sum of victims (source victims)",
        ),
        (Count("x", "crimes", "x", parts=("charges",)), "parts must be two or more"),
        (Count("x", "crimes", "x", people="offences"), "not of people"),
        (Count("x", "victims", "x", people="victims"), "people is for counts of records"),
    ],
)
def test_bad_declarations_are_refused_naming_the_count(count: Count, message: str) -> None:
    with pytest.raises(relations.DefinitionError, match=re.escape(message)):
        _with(count)


def test_a_cycle_is_refused() -> None:
    offences = dataclasses.replace(defs.COUNTS["offences"], part_of=("homicides",))
    with pytest.raises(relations.DefinitionError, match="part of itself"):
        _with(offences)


def test_an_unknown_family_part_is_refused() -> None:
    families = {**defs.FAMILIES, "x": Family("x", "X", "x", parts=("dv", "sexuall"))}
    with pytest.raises(relations.DefinitionError, match="family x: parts names unknown family"):
        relations.derive(defs.COUNTS, families)


def test_an_indicator_over_an_unknown_count_is_refused() -> None:
    indicators = {"x": Indicator("x", "X", "offences", "incidentz")}
    with pytest.raises(relations.DefinitionError, match="indicator x uses unknown count"):
        relations.check(defs.COUNTS, defs.FAMILIES, indicators)
    with pytest.raises(relations.DefinitionError, match="not a rate indicator"):
        relations.rates(defs.COUNTS, defs.INDICATORS, ("offences",))


@pytest.mark.parametrize("declared", [True, False])
def test_disclosure_protects_a_new_part_through_its_declared_relation(
    monkeypatch: pytest.MonkeyPatch, declared: bool
) -> None:
    """A count declared ``part_of`` offences: disclosure protects offences − it, as it does for
    the counts it has always known; undeclared, the same table publishes the difference."""
    from tests.reports.tables import rows

    new = Count(
        "strangulation_crimes",
        "crimes",
        "Confirmed crimes involving non-fatal strangulation",
        part_of=("offences",) if declared else (),
    )
    monkeypatch.setitem(defs.COUNTS, new.id, new)
    monkeypatch.setitem(defs.INDICATORS, new.id, Indicator(new.id, "Strangulation crimes", new.id))
    derived = relations.derive(defs.COUNTS, defs.FAMILIES)  # what disclosure does at import
    for name, value in (
        ("SUBSETS", derived.subsets),
        ("PARTITIONS", derived.partitions),
        ("CRIMES_AGAINST_PEOPLE", derived.crimes_against_people),
        ("FAMILY_PARTITIONS", derived.family_partitions),
    ):
        monkeypatch.setattr(disclosure, name, value)
    # A: 14 offences, 12 of them strangulation: 2 offences that are not, a small count
    table = disclosure.apply(
        rows("dv", "offences", {"A": 14, "B": 40, "C": 35})
        + rows("dv", new.id, {"A": 12, "B": 20, "C": 15})
    )
    cell = table.get("dv", new.id, "A")
    assert cell is not None
    assert cell.suppressed is declared
    assert table.get("dv", "offences", "A").numerator == 14
