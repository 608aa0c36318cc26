"""Properties of the indicator engine on random extracts (hypothesis).

- Results do not depend on the order of rows in the files.
- Area rows add up to the force-wide row, and the force-wide row equals an ungrouped
  query run on its own (a different query, so the check is not circular).
- Indicators move as they should when one record changes.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import tempfile
from collections import defaultdict
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsvb import reference
from dsvb.indicators.engine import IndicatorQuery, compute_from_extract
from dsvb.ingest import extract_format as fmt
from tests.support.builder import ExtractBuilder

AREAS = ("E09000022", "E09000028", "E09000025")
OFFENCE_GROUPS = fmt.CRIMES.column("offence_group").values
STATUSES = ("confirmed", "confirmed", "confirmed", "no_crime", "cri")
SEXUAL_GROUPS = reference.sexual_offence_groups()
OUTCOMES = ("", "charge", "caution", "tic", "no_further_action", "victim_declined")
PERIOD = {"start": dt.date(2010, 1, 1), "end": dt.date(2011, 1, 1)}
SETTINGS = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def timestamps() -> st.SearchStrategy[str]:
    base = dt.datetime(2009, 1, 1)
    return st.integers(0, 800 * 24).map(
        lambda h: (base + dt.timedelta(hours=h)).strftime("%Y-%m-%dT%H:%M:%S")
    )


@st.composite
def extracts(draw: st.DrawFn) -> ExtractBuilder:
    b = ExtractBuilder()
    people = [
        b.person(
            sex=draw(st.sampled_from(fmt.SEXES)),
            birth_year=draw(st.one_of(st.none(), st.integers(1930, 2008))),
            ethnicity=draw(st.sampled_from(fmt.ETHNICITIES)),
        )
        for _ in range(draw(st.integers(1, 6)))
    ]
    crimes = []
    for _ in range(draw(st.integers(1, 14))):
        serious = draw(st.booleans())
        crimes.append(
            b.crime(
                area=draw(st.sampled_from(AREAS)),
                recorded_at=draw(timestamps()),
                dv=draw(st.booleans()),
                serious_sexual=serious,
                offence_group="rape" if serious else draw(st.sampled_from(OFFENCE_GROUPS)),
                unit=draw(st.sampled_from(("CSU", "SCD2", "BOROUGH_OTHER"))),
                status=draw(
                    st.sampled_from(("confirmed", "confirmed", "confirmed", "no_crime", "cri"))
                ),
                outcome=draw(st.sampled_from(OUTCOMES)),
                risk_form=draw(st.sampled_from(("", "completed", "partial", "missing"))),
                risk_form_supervised=draw(st.sampled_from(("", "true", "false"))),
                arrested_at=draw(st.one_of(st.just(""), timestamps())),
                havens_referral=draw(st.sampled_from(("", "true", "false"))),
                victims=draw(st.lists(st.sampled_from(people), max_size=2, unique=True)),
                suspects=draw(st.lists(st.sampled_from(people), max_size=1, unique=True)),
                with_incident=draw(st.booleans()),
            )
        )
    for _ in range(draw(st.integers(0, 4))):
        b.incident(
            area=draw(st.sampled_from(AREAS)),
            reported_at=draw(timestamps()),
            dv_flag=draw(st.booleans()),
            sexual_offence_flag=draw(st.booleans()),
            suspect_present=draw(st.sampled_from(("", "true", "false"))),
            arrest_made=draw(st.sampled_from(("", "true", "false"))),
            no_crime_report_reason=draw(st.sampled_from(("", "no offence disclosed"))),
        )
    for _ in range(draw(st.integers(0, 4))):
        b.contact(
            draw(st.sampled_from(crimes)),
            draw(st.sampled_from(fmt.CONTACT_REASONS)),
            draw(timestamps()),
            draw(st.one_of(st.just(""), timestamps())),
        )
    return b


def compute(b: ExtractBuilder, **query) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="dsvb-prop-"))
    try:
        b.write(folder)
        results = compute_from_extract(folder, IndicatorQuery(**{**PERIOD, **query}))
    finally:
        shutil.rmtree(folder)
    return {r.key(): (r.numerator, r.denominator) for r in results}


@SETTINGS
@given(extracts(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_row_order(b: ExtractBuilder, rnd: random.Random) -> None:
    before = compute(b)
    for name in ("incidents", "crimes", "people", "crime_people", "victim_contacts"):
        rnd.shuffle(getattr(b, name))
    assert compute(b) == before


@SETTINGS
@given(extracts(), st.sampled_from((("area",), ("month",), ("victim_sex",), ("area", "unit"))))
def test_groups_add_up_to_the_force_row(b: ExtractBuilder, by: tuple[str, ...]) -> None:
    grouped = compute(b, by=by)
    force_only = compute(b, by=())
    sums: dict = defaultdict(lambda: [0, 0])
    for (_area, cuts, family, indicator), (num, den) in grouped.items():
        if any(v == "ALL" for _, v in cuts) or (_area == "ALL" and "area" in by):
            continue
        sums[(family, indicator)][0] += num
        sums[(family, indicator)][1] += den or 0
    for (_area, _cuts, family, indicator), (num, den) in force_only.items():
        force_key = ("ALL", tuple((c, "ALL") for c in by if c != "area"), family, indicator)
        if force_key not in grouped:
            continue  # the indicator's source cannot be cut this way (e.g. offenders by victim)
        assert sums[(family, indicator)][0] == num, (family, indicator)
        assert sums[(family, indicator)][1] == (den or 0), (family, indicator)
        assert grouped[force_key] == (num, den)


@SETTINGS
@given(extracts(), st.data())
def test_a_new_charge_adds_one_sanction_detection(b: ExtractBuilder, data: st.DataObject) -> None:
    candidates = [
        c
        for c in b.crimes
        if c["status"] == "confirmed"
        and c["outcome"] in ("", "no_further_action", "victim_declined")
        and "2010-01-01" <= c["recorded_at"] < "2011-01-01"
    ]
    crime = data.draw(st.sampled_from(candidates)) if candidates else None
    if crime is None:
        return
    before = compute(b, families=("dv", "sexual"))
    crime["outcome"] = "charge"
    after = compute(b, families=("dv", "sexual"))
    sexual = crime["serious_sexual"] == "true" or crime["offence_group"] in SEXUAL_GROUPS
    in_family = {"dv": crime["dv"] == "true", "sexual": sexual}
    for area in (crime["area"], "ALL"):
        for fam in ("dv", "sexual"):
            num0, den0 = before[(area, (), fam, "sd_rate")]
            num1, den1 = after[(area, (), fam, "sd_rate")]
            assert den1 == den0
            assert num1 == num0 + (1 if in_family[fam] else 0)
            assert after[(area, (), fam, "charge_rate")][0] == before[
                (area, (), fam, "charge_rate")
            ][0] + (1 if in_family[fam] else 0)


@SETTINGS
@given(extracts(), st.data())
def test_no_criming_an_offence_moves_it_from_offences_to_no_crimes(
    b: ExtractBuilder, data: st.DataObject
) -> None:
    dv_confirmed = [
        c
        for c in b.crimes
        if c["status"] == "confirmed"
        and c["dv"] == "true"
        and "2010-01-01" <= c["recorded_at"] < "2011-01-01"
    ]
    if not dv_confirmed:
        return
    crime = data.draw(st.sampled_from(dv_confirmed))
    before = compute(b, families=("dv",))
    crime["status"] = "no_crime"
    after = compute(b, families=("dv",))
    for area in (crime["area"], "ALL"):
        assert after[(area, (), "dv", "offences")][0] == before[(area, (), "dv", "offences")][0] - 1
        no_crime_before = before[(area, (), "dv", "no_crime_rate")]
        no_crime_after = after[(area, (), "dv", "no_crime_rate")]
        assert no_crime_after[0] == no_crime_before[0] + 1
        assert no_crime_after[1] == no_crime_before[1]  # incidents unchanged
