"""Each indicator's definition, checked with exact figures on small hand-built extracts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dsvb.indicators.engine import IndicatorQuery, compute_from_extract
from dsvb.indicators.results import IndicatorResult
from tests.support.builder import ExtractBuilder

LAMBETH, SOUTHWARK, NEWHAM = "E09000022", "E09000028", "E09000025"
YEAR_2010 = {"start": dt.date(2010, 1, 1), "end": dt.date(2011, 1, 1)}


def run(builder: ExtractBuilder, tmp_path: Path, **query) -> dict:
    """Results keyed by (area_code, family, indicator, cuts) -> (numerator, denominator)."""
    folder = builder.write(tmp_path / "extract")
    results = compute_from_extract(folder, IndicatorQuery(**{**YEAR_2010, **query}))
    return {
        (r.area_code, r.family, r.indicator, r.cuts): (r.numerator, r.denominator) for r in results
    }


def get(rows: dict, indicator: str, area: str = "ALL", family: str = "dv", cuts=()) -> tuple:
    return rows[(area, family, indicator, tuple(cuts))]


def test_dv_volumes_and_outcomes(builder: ExtractBuilder, tmp_path: Path) -> None:
    b = builder
    for outcome in ("charge", "charge", "caution", "tic", "penalty_notice", "", "victim_declined"):
        b.crime(outcome=outcome, with_incident=True)
    b.crime(outcome="community_resolution", area=SOUTHWARK, with_incident=True)
    b.incident(no_crime_report_reason="argument only")
    b.incident()  # neither a crime nor a reason: not CAD-to-CRIS compliant
    b.crime(status="no_crime", with_incident=True)
    b.crime(status="cri", with_incident=True)
    b.crime(outcome="charge", dv=False)  # not DV
    rows = run(b, tmp_path)

    assert get(rows, "incidents") == (12, None)
    assert get(rows, "offences") == (8, None)
    assert get(rows, "crime_conversion") == (8, 12)
    assert get(rows, "sanction_detections") == (5, None)
    assert get(rows, "sd_rate") == (5, 8)
    assert get(rows, "charge_rate") == (2, 8)
    assert get(rows, "caution_share") == (1, 5)
    assert get(rows, "caution_rate") == (1, 8)
    assert get(rows, "other_sd") == (2, None)  # tic and penalty notice; not community resolution
    assert get(rows, "cad_to_cris") == (11, 12)
    assert get(rows, "no_crime_rate") == (1, 12)
    assert get(rows, "cri_rate") == (1, 12)
    assert get(rows, "sd_rate", LAMBETH) == (5, 7)
    assert get(rows, "sd_rate", SOUTHWARK) == (0, 1)


def test_arrests(builder: ExtractBuilder, tmp_path: Path) -> None:
    b = builder
    b.crime(arrested_at="2010-03-01T13:00:00")
    b.crime()
    b.incident(suspect_present=True, arrest_made=True)
    b.incident(suspect_present=True, arrest_made=False)
    b.incident(suspect_present=False, arrest_made=True)
    b.incident()  # not recorded: counts as no
    rows = run(b, tmp_path)
    assert get(rows, "arrest_rate_offences") == (1, 2)
    assert get(rows, "arrest_rate_incidents") == (2, 4)
    assert get(rows, "arrest_rate_suspect_present") == (1, 2)


def test_risk_forms_apply_to_dv_only(builder: ExtractBuilder, tmp_path: Path) -> None:
    b = builder
    b.crime(risk_form="completed", risk_form_supervised=True)
    b.crime(risk_form="completed", risk_form_supervised=False)
    b.crime(risk_form="partial", risk_form_supervised=True)
    b.crime(risk_form="missing")
    b.crime()
    rows = run(b, tmp_path)
    assert get(rows, "risk_form_completion") == (2, 5)
    assert get(rows, "risk_form_supervision") == (2, 3)
    assert ("ALL", "sexual", "risk_form_completion", ()) not in rows


def test_serious_sexual_incidents_follow_the_crime_they_became(
    builder: ExtractBuilder, tmp_path: Path
) -> None:
    b = builder
    sso = {"dv": False, "serious_sexual": True, "offence_group": "rape", "unit": "SCD2"}
    b.crime(**sso, with_incident=True, havens_referral=True)
    b.crime(**sso, with_incident=True, status="no_crime")
    b.crime(**sso, with_incident=True, status="cri", havens_referral=True)
    b.crime(**sso, havens_referral=True)  # no incident: not an incident referred
    b.crime(dv=False, offence_group="other_sexual", unit="BOROUGH_OTHER", with_incident=True,
            havens_referral=True)  # fmt: skip
    b.incident(dv_flag=False, sexual_offence_flag=True)  # no crime yet: sexual, not serious
    rows = run(b, tmp_path)
    assert get(rows, "incidents", family="serious_sexual") == (3, None)
    assert get(rows, "offences", family="serious_sexual") == (2, None)
    assert get(rows, "no_crime_rate", family="serious_sexual") == (1, 3)
    assert get(rows, "cri_rate", family="serious_sexual") == (1, 3)
    # the SCD2 return's measure: serious sexual incidents whose crime was referred
    assert get(rows, "havens_referral_rate", family="serious_sexual") == (2, 3)
    for family in ("sexual", "other_sexual", "dv"):
        assert ("ALL", family, "havens_referral_rate", ()) not in rows
    assert get(rows, "incidents", family="sexual") == (5, None)
    assert get(rows, "offences", family="sexual") == (3, None)
    assert get(rows, "incidents", family="other_sexual") == (2, None)
    assert get(rows, "offences", family="other_sexual") == (1, None)
    assert get(rows, "incidents", family="dv") == (0, None)


def test_repeat_victimisation_looks_back_over_the_window(
    builder: ExtractBuilder, tmp_path: Path
) -> None:
    b = builder
    once = b.person()
    twice_in_period = b.person()
    earlier_in_window = b.person()
    too_long_ago = b.person()
    other_family = b.person()
    b.crime(victims=[once], recorded_at="2010-06-01T10:00:00")
    b.crime(victims=[twice_in_period], recorded_at="2010-02-01T10:00:00")
    b.crime(victims=[twice_in_period], recorded_at="2010-09-01T10:00:00", area=NEWHAM)
    b.crime(victims=[twice_in_period], recorded_at="2010-10-01T10:00:00", area=NEWHAM)
    b.crime(victims=[earlier_in_window], recorded_at="2009-05-01T10:00:00")  # before the period
    b.crime(victims=[earlier_in_window], recorded_at="2010-03-01T10:00:00")
    b.crime(victims=[too_long_ago], recorded_at="2008-12-01T10:00:00")
    b.crime(victims=[too_long_ago], recorded_at="2010-03-01T10:00:00")
    b.crime(victims=[other_family], recorded_at="2010-03-01T10:00:00")
    b.crime(victims=[other_family], recorded_at="2010-04-01T10:00:00", dv=False)
    b.crime(victims=[once], recorded_at="2010-07-01T10:00:00", status="no_crime")  # not an offence
    rows = run(b, tmp_path)

    assert get(rows, "repeat_victim_rate") == (2, 5)
    # offences against repeat victims in the window (look-back start to period end): 3 + 2,
    # so at least two per repeat victim, as in the Kingston return
    assert get(rows, "offences_per_repeat_victim") == (5, 2)
    # offences in the period that are repeats (Sep and Oct 2010; Mar 2010)
    assert get(rows, "repeat_victim_offences") == (3, None)
    # victims are attributed to the area of their latest offence in the period
    assert get(rows, "repeat_victim_rate", NEWHAM) == (1, 1)
    assert get(rows, "repeat_victim_rate", LAMBETH) == (1, 4)

    # a longer window reaches the offence of December 2008
    rows = run(b, tmp_path, window_months=24)
    assert get(rows, "repeat_victim_rate") == (3, 5)
    assert get(rows, "offences_per_repeat_victim") == (7, 3)
    assert get(rows, "repeat_victim_offences") == (4, None)


def test_repeat_cautions_count_offenders_cautioned_before(
    builder: ExtractBuilder, tmp_path: Path
) -> None:
    b = builder
    twice, once, before_period = b.person(), b.person(), b.person()
    b.crime(suspects=[twice], outcome="caution", recorded_at="2010-02-01T00:00:00")
    b.crime(suspects=[twice], outcome="caution", recorded_at="2010-08-01T00:00:00")
    b.crime(suspects=[once], outcome="caution", recorded_at="2010-02-01T00:00:00")
    b.crime(suspects=[once], outcome="charge", recorded_at="2010-03-01T00:00:00")
    b.crime(suspects=[before_period], outcome="caution", recorded_at="2006-02-01T00:00:00")
    b.crime(suspects=[before_period], outcome="caution", recorded_at="2010-02-01T00:00:00")
    rows = run(b, tmp_path)
    assert get(rows, "repeat_caution_offenders") == (2, None)


def test_attrition_unsupported_and_flags(builder: ExtractBuilder, tmp_path: Path) -> None:
    b = builder
    b.crime(outcome="charge", withdrawn_after_charge=True, unsupported_prosecution=True)
    b.crime(outcome="charge", withdrawn_after_charge=False, unsupported_prosecution=True)
    b.crime(outcome="charge", hbv=True, lgbt=True)
    b.crime(forced_marriage=True, serious_sexual=True, offence_group="rape")
    b.crime(fgm=True, offence_group="fgm")
    b.crime(offence_group="homicide", unit="SCD1")
    b.incident(channel="front_counter")
    rows = run(b, tmp_path)
    assert get(rows, "attrition_rate") == (1, 3)
    assert get(rows, "unsupported_prosecutions") == (2, None)
    assert get(rows, "hbv_fm_crimes") == (2, None)
    assert get(rows, "lgbt_flagged") == (1, None)
    assert get(rows, "fgm_crimes") == (1, None)
    assert get(rows, "dv_and_serious_sexual") == (1, None)
    assert get(rows, "homicides") == (1, None)
    assert get(rows, "front_counter_share") == (1, 1)


def test_victims_code_compliance_by_deadline_and_reason(
    builder: ExtractBuilder, tmp_path: Path
) -> None:
    b = builder
    c = b.crime()
    b.contact(c, "support_referral", "2010-03-03T17:00:00", "2010-03-03T16:59:00")  # on time
    b.contact(c, "support_referral", "2010-03-04T17:00:00", "2010-03-04T17:00:00")  # exactly
    b.contact(c, "arrest", "2010-03-02T17:00:00", "2010-03-05T09:00:00")  # late
    b.contact(c, "update", "2010-04-01T17:00:00")  # never made
    b.contact(c, "update", "2011-02-01T17:00:00")  # due after the period
    rows = run(b, tmp_path)
    assert get(rows, "vcop_compliance") == (2, 4)
    assert get(rows, "vcop_compliance_support_referral") == (2, 2)
    assert get(rows, "vcop_compliance_arrest") == (0, 1)
    assert get(rows, "vcop_compliance_update") == (0, 1)


def test_period_is_half_open_in_london_local_time(builder: ExtractBuilder, tmp_path: Path) -> None:
    b = builder
    b.crime(recorded_at="2010-06-30T23:59:59")  # local: in June
    b.crime(recorded_at="2010-07-01T00:00:00")  # local midnight: July
    b.crime(recorded_at="2010-06-30T23:30:00Z")  # 00:30 BST on 1 July: July
    b.crime(recorded_at="2010-06-01T00:00:00+01:00")  # local midnight: June
    rows = run(b, tmp_path, start=dt.date(2010, 6, 1), end=dt.date(2010, 7, 1))
    assert get(rows, "offences") == (2, None)
    rows = run(b, tmp_path, by=("month",))
    assert get(rows, "offences", cuts=[("month", "2010-06")]) == (2, None)
    assert get(rows, "offences", cuts=[("month", "2010-07")]) == (2, None)


def test_every_borough_appears_and_areas_add_up_to_the_force_row(
    builder: ExtractBuilder, tmp_path: Path
) -> None:
    b = builder
    b.crime(area=LAMBETH, outcome="charge", with_incident=True)
    b.crime(area=NEWHAM, outcome="caution", with_incident=True)
    b.crime(area="Newham", with_incident=True)
    folder = b.write(tmp_path / "x")
    results = compute_from_extract(folder, IndicatorQuery(families=("dv",), **YEAR_2010))
    areas = {r.area_code for r in results}
    assert len(areas) == 33  # 32 boroughs and the force row
    sd = {r.area_code: r for r in results if r.indicator == "sd_rate"}
    assert (sd["ALL"].numerator, sd["ALL"].denominator) == (2, 3)
    assert sd[NEWHAM].value == pytest.approx(0.5)
    assert (sd["E09000002"].numerator, sd["E09000002"].denominator) == (0, 0)
    assert sd["E09000002"].value is None


def test_victim_cuts_use_one_victim_per_crime(builder: ExtractBuilder, tmp_path: Path) -> None:
    b = builder
    girl = b.person("A1", sex="female", birth_year=1995)
    man = b.person("B2", sex="male", birth_year=1950)
    b.crime(victims=[man, girl], recorded_at="2010-05-01T00:00:00")  # A1 has the lowest id
    b.crime(victims=[man], recorded_at="2010-05-01T00:00:00")
    b.crime()  # no victim linked: "none", not "not recorded" (nobody to describe)
    unknown = b.person("C3", sex="not_recorded", birth_year=None)
    b.crime(victims=[unknown], recorded_at="2010-05-01T00:00:00")
    rows = run(b, tmp_path, by=("victim_sex", "victim_age_band"))
    assert get(
        rows, "offences", cuts=[("victim_sex", "female"), ("victim_age_band", "under_18")]
    ) == (1, None)
    assert get(rows, "offences", cuts=[("victim_sex", "male"), ("victim_age_band", "36_60")]) == (
        1,
        None,
    )
    not_recorded = [("victim_sex", "not_recorded"), ("victim_age_band", "not_recorded")]
    assert get(rows, "offences", cuts=not_recorded) == (1, None)
    assert get(rows, "offences", cuts=[("victim_sex", "none"), ("victim_age_band", "none")]) == (
        1,
        None,
    )
    assert get(rows, "offences", cuts=[("victim_sex", "ALL"), ("victim_age_band", "ALL")]) == (
        4,
        None,
    )


def test_unit_cut_and_reason_cut(builder: ExtractBuilder, tmp_path: Path) -> None:
    b = builder
    c = b.crime(unit="CSU", with_incident=True)
    b.crime(unit="SCD2", serious_sexual=True, offence_group="rape", with_incident=True)
    b.contact(c, "update", "2010-04-01T00:00:00", "2010-03-30T00:00:00")
    rows = run(b, tmp_path, families=("sexual",), by=("area", "unit"))
    assert get(rows, "incidents", LAMBETH, "sexual", [("unit", "SCD2")]) == (1, None)
    rows = run(b, tmp_path, by=("reason",))
    assert get(rows, "vcop_compliance", cuts=[("reason", "update")]) == (1, 1)
    assert not any(key[2] == "sd_rate" for key in rows)  # crimes cannot be cut by reason


def test_sanction_detections_follow_the_dated_rules() -> None:
    from dsvb import reference

    assert set(reference.sanction_detection_outcomes(dt.date(2010, 1, 1), dt.date(2011, 1, 1))) == {
        "charge",
        "caution",
        "tic",
        "penalty_notice",
        "cannabis_warning",
    }
    assert reference.sanction_detection_outcomes(dt.date(1990, 1, 1), dt.date(1991, 1, 1)) == ()


def test_results_are_records_with_the_documented_columns(
    builder: ExtractBuilder, tmp_path: Path
) -> None:
    from dsvb.indicators.results import to_csv

    builder.crime(outcome="charge", with_incident=True)
    folder = builder.write(tmp_path / "x")
    results = compute_from_extract(
        folder, IndicatorQuery(families=("dv",), indicators=("sd_rate",), **YEAR_2010)
    )
    text = to_csv(results).splitlines()
    assert text[0] == "area_code,area_name,family,indicator,numerator,denominator,value"
    assert "ALL,All areas,dv,sd_rate,1,1,1" in text
    assert f"{LAMBETH},Lambeth,dv,sd_rate,1,1,1" in text
    assert isinstance(results[0], IndicatorResult)
