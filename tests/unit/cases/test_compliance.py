"""The compliance lists: each list's records are the indicator's denominator minus its
numerator (repeat cautions: the count), per area, on real stores built from real extracts;
who may open one police record."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsvb import store
from dsvb.access import Membership, Principal, Role, decide
from dsvb.cases import compliance
from dsvb.indicators.engine import IndicatorQuery, compute
from dsvb.ingest.extract import import_extract
from tests.support.builder import ExtractBuilder

LAMBETH, SOUTHWARK = "E09000022", "E09000028"
START, END = dt.date(2010, 1, 1), dt.date(2011, 1, 1)


def _store(b: ExtractBuilder, folder: Path):
    con = store.connect(":memory:")
    import_extract(con, b.write(folder))
    return con


def _expected(con, item: compliance.ComplianceList) -> dict[str, int]:
    """The list's length per area from the indicator the engine computes."""
    results = compute(
        con,
        IndicatorQuery(families=(item.family,), start=START, end=END, indicators=(item.indicator,)),
    )
    expected = {}
    for r in results:
        if item.part is None:
            expected[r.area_code] = int(r.numerator)
        else:
            expected[r.area_code] = int(r.denominator) - int(r.numerator)
    return expected


def _agrees(con) -> None:
    for item in compliance.LISTS.values():
        expected = _expected(con, item)
        force = expected.pop("ALL")
        everywhere = compliance.records(con, item.id, start=START, end=END)
        by_area = compliance.counts_by_area(con, item.id, start=START, end=END)
        for area, n in expected.items():
            assert len([r for r in everywhere if r.area_code == area]) == n, (item.id, area)
            assert by_area.get(area, 0) == n, (item.id, area)
        assert len(everywhere) == force == sum(expected.values())
    # one area asked for: that area's records only
    one = compliance.records(con, "no_risk_form", start=START, end=END, area=LAMBETH)
    assert all(r.area_code == LAMBETH for r in one)
    assert len(one) == _expected(con, compliance.LISTS["no_risk_form"]).get(LAMBETH, 0)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    b = ExtractBuilder()
    v, s, s2 = b.person(), b.person(sex="male"), b.person(sex="male")
    # crimes: a completed and supervised form, a partial unsupervised one, none, not DV
    done = b.crime(risk_form="completed", risk_form_supervised="true", unit="CSU", victims=[v])
    partial = b.crime(risk_form="partial", risk_form_supervised="false", unit="BOROUGH_OTHER")
    none = b.crime(area=SOUTHWARK, unit="CSU")
    b.crime(dv=False, offence_group="harassment")  # not DV: on no DV list
    b.crime(status="no_crime")  # not a confirmed crime: not in offences
    # incidents: suspect present with and without an arrest, with neither crime nor reason
    b.incident(suspect_present=True, arrest_made=True, no_crime_report_reason="x")
    b.incident(suspect_present=True, arrest_made=False, crime_id=partial)
    b.incident(suspect_present=True, area=SOUTHWARK)
    b.incident(no_crime_report_reason="verbal argument")
    # cautions: s cautioned twice (the first in 2009), s2 once
    b.crime(outcome="caution", recorded_at="2009-05-01T10:00:00", suspects=[s])
    b.crime(
        outcome="caution", recorded_at="2010-06-01T10:00:00", suspects=[s], unit="BOROUGH_OTHER"
    )
    b.crime(outcome="caution", recorded_at="2010-06-02T10:00:00", suspects=[s2])
    con = _store(b, tmp_path_factory.mktemp("mixed"))
    yield con, {"done": done, "partial": partial, "none": none, "repeat": s}
    con.close()


def test_every_list_agrees_with_its_indicator(mixed) -> None:
    con, _ = mixed
    _agrees(con)


def test_the_records_on_each_list(mixed) -> None:
    con, ids = mixed

    def listed(list_id: str, area: str | None = None) -> list[str]:
        return [r.id for r in compliance.records(con, list_id, start=START, end=END, area=area)]

    assert ids["done"] not in listed("no_risk_form")
    assert ids["partial"] in listed("no_risk_form", LAMBETH)
    assert listed("no_risk_form", SOUTHWARK) == [ids["none"]]
    assert listed("risk_form_not_supervised") == [ids["partial"]]
    incidents = compliance.records(con, "suspect_present_no_arrest", start=START, end=END)
    assert [(r.area_code, r.unit) for r in incidents] == [
        (LAMBETH, "BOROUGH_OTHER"),  # the unit of the crime it became
        (SOUTHWARK, "not_recorded"),
    ]
    people = compliance.records(con, "repeat_cautions", start=START, end=END)
    assert [p.id for p in people] == [ids["repeat"]]
    (person,) = people
    assert person.kind == "person"
    assert person.dates == (dt.date(2009, 5, 1), dt.date(2010, 6, 1))
    assert len(person.crime_ids) == 2
    assert person.unit == "BOROUGH_OTHER"  # the latest caution's unit, as the count attributes it


def test_counts_per_unit(mixed) -> None:
    con, _ = mixed
    rows = compliance.counts(con, "no_risk_form", start=START, end=END)
    assert {(r.area_code, r.unit): r.count for r in rows} == {
        (LAMBETH, "CSU"): 1,  # a caution recorded in 2010, with no risk form either
        (LAMBETH, "BOROUGH_OTHER"): 2,  # the partial form, and the repeat caution
        (SOUTHWARK, "CSU"): 1,
    }


def test_one_police_record(mixed) -> None:
    con, ids = mixed
    crime = compliance.find_crime(con, ids["done"])
    assert crime is not None and crime.area_code == LAMBETH and crime.unit == "CSU"
    assert dict(crime.fields)["risk_form"] == "completed"
    assert crime.people and crime.people[0][1] == "victim"
    assert compliance.find_crime(con, "NO-SUCH") is None
    incident = compliance.find_incident(
        con,
        compliance.records(con, "suspect_present_no_arrest", start=START, end=END, area=LAMBETH)[
            0
        ].id,
    )
    assert incident is not None and incident.crime_id == ids["partial"]
    assert incident.unit == "BOROUGH_OTHER"


def test_a_list_that_contradicts_its_indicator_is_refused() -> None:
    wrong = compliance.ComplianceList(
        "x", "x", "risk_form_completion", "offences", "risk_forms_supervised", "dv", "crime"
    )
    with pytest.raises(ValueError, match="not risk_forms_supervised over offences"):
        compliance.check_lists({"x": wrong})
    with pytest.raises(compliance.UnknownList):
        compliance.get_list("nothing")


def _person(role: Role, area: str | None = None) -> Principal:
    return Principal("someone", (Membership(role, area_code=area),))


@pytest.mark.parametrize(
    ("role", "area", "owner", "allowed", "words"),
    [
        (Role.FORCE_ANALYST, None, SOUTHWARK, True, "every area"),
        (Role.BOROUGH_USER, LAMBETH, LAMBETH, True, "borough user of Lambeth may see"),
        (Role.BOROUGH_USER, LAMBETH, SOUTHWARK, False, "Lambeth may not see crime C1 of Southwark"),
        (Role.BOARD_MEMBER, None, LAMBETH, False, "no need to know"),
        (Role.SECRETARIAT, None, LAMBETH, False, "no need to know"),
        (Role.AUDITOR, None, LAMBETH, False, "no need to know"),
    ],
)
def test_who_may_open_a_police_record(role, area, owner, allowed, words) -> None:
    decision = decide(
        _person(role, area),
        compliance.VIEW_RECORD,
        compliance.record_resource("crime", "C1", owner),
        on=dt.date(2026, 1, 1),
    )
    assert decision.allowed is allowed
    assert words in decision.reason


def test_a_partner_may_not_open_a_police_record() -> None:
    partner = Principal("p", (Membership(Role.PARTNER, agency="Lambeth IDVA service"),))
    decision = decide(
        partner,
        compliance.VIEW_RECORD,
        compliance.record_resource("incident", "I1", LAMBETH),
        on=dt.date(2026, 1, 1),
    )
    assert not decision.allowed


def test_an_incident_names_the_area_of_the_crime_it_became(tmp_path) -> None:
    """An incident of one area may become a crime of another: access asks about that
    crime's area before the incident shows its people and contacts."""
    b = ExtractBuilder()
    v = b.person()
    crime = b.crime(area=SOUTHWARK, victims=[v])
    incident = b.incident(area=LAMBETH, crime_id=crime)
    con = _store(b, tmp_path)
    try:
        found = compliance.find_incident(con, incident)
    finally:
        con.close()
    assert found is not None and found.area_code == LAMBETH
    assert found.people == ((v, "victim"),)
    assert found.crime_resource() == compliance.record_resource("crime", crime, SOUTHWARK)
    borough = _person(Role.BOROUGH_USER, LAMBETH)
    assert decide(borough, compliance.VIEW_RECORD, found.resource(), on=START).allowed
    assert not decide(borough, compliance.VIEW_RECORD, found.crime_resource(), on=START).allowed
    hidden = found.without_crime()
    assert hidden.people == () and hidden.contacts == () and hidden.id == incident
    assert found.crime_id == crime


def test_a_crime_has_no_crime_to_ask_about(mixed) -> None:
    con, ids = mixed
    crime = compliance.find_crime(con, ids["done"])
    assert crime is not None and crime.crime_resource() is None


@pytest.mark.parametrize(
    ("role", "area", "allowed", "words"),
    [
        (Role.FORCE_ANALYST, None, True, "every area"),
        (Role.BOROUGH_USER, LAMBETH, True, "may see the crimes of Lambeth"),
        (Role.BOROUGH_USER, SOUTHWARK, False, "may not see the crimes of Lambeth"),
        (Role.BOARD_MEMBER, None, False, "no need to know"),
        (Role.SECRETARIAT, None, False, "no need to know"),
    ],
)
def test_who_may_see_a_lists_rows(role, area, allowed, words) -> None:
    resource = compliance.list_records_resource("repeat_cautions", LAMBETH)
    assert resource.kind == "crime" and resource.owner_area == LAMBETH  # cautions are crimes
    decision = decide(_person(role, area), compliance.VIEW_RECORD, resource, on=dt.date(2026, 1, 1))
    assert decision.allowed is allowed
    assert words in decision.reason
    assert compliance.list_records_resource("suspect_present_no_arrest", LAMBETH).kind == "incident"


BOOL = st.sampled_from(["", "true", "false"])


@st.composite
def extracts(draw) -> ExtractBuilder:
    b = ExtractBuilder()
    people = [b.person() for _ in range(draw(st.integers(1, 4)))]
    for _ in range(draw(st.integers(0, 8))):
        b.crime(
            area=draw(st.sampled_from([LAMBETH, SOUTHWARK])),
            unit=draw(st.sampled_from(["CSU", "BOROUGH_OTHER"])),
            dv=draw(st.sampled_from(["true", "false"])),
            status=draw(st.sampled_from(["confirmed", "no_crime"])),
            risk_form=draw(st.sampled_from(["", "completed", "partial", "missing"])),
            risk_form_supervised=draw(BOOL),
            outcome=draw(st.sampled_from(["", "caution", "charge"])),
            recorded_at=draw(st.sampled_from(["2009-11-01T10:00:00", "2010-04-01T10:00:00"])),
            suspects=draw(st.lists(st.sampled_from(people), max_size=2, unique=True)),
            with_incident=draw(st.booleans()),
        )
    for _ in range(draw(st.integers(0, 6))):
        b.incident(
            area=draw(st.sampled_from([LAMBETH, SOUTHWARK])),
            dv_flag=draw(st.sampled_from(["true", "false"])),
            suspect_present=draw(BOOL),
            arrest_made=draw(BOOL),
            no_crime_report_reason=draw(st.sampled_from(["", "argument"])),
        )
    b.incident()  # at least one record in 2010
    return b


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(b=extracts())
def test_lists_agree_with_indicators_on_any_extract(b: ExtractBuilder, tmp_path_factory) -> None:
    con = _store(b, tmp_path_factory.mktemp("extract"))
    try:
        _agrees(con)
    finally:
        con.close()
