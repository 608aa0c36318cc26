"""Result records and their CSV and JSON forms."""

from __future__ import annotations

import json

from dsvb.indicators.results import IndicatorResult, to_csv, to_json


def test_rate_value_is_numerator_over_denominator() -> None:
    r = IndicatorResult("ALL", "MPS", "dv", "sd_rate", 24406, 49883, is_rate=True)
    assert round(r.value, 3) == 0.489
    assert IndicatorResult("ALL", "MPS", "dv", "sd_rate", 0, 0, is_rate=True).value is None
    assert IndicatorResult("ALL", "MPS", "dv", "offences", 5).value == 5


def test_csv_columns_put_cuts_after_the_area_and_extras_at_the_end() -> None:
    rows = [
        IndicatorResult(
            "E09000022",
            "Lambeth",
            "dv",
            "sd_rate",
            1,
            4,
            True,
            cuts=(("month", "2010-03"),),
            extra=(("published", 0.25),),
        ),
        IndicatorResult("ALL", "All areas", "dv", "offences", 4, cuts=(("month", "ALL"),)),
    ]
    lines = to_csv(rows).splitlines()
    assert lines[0] == (
        "area_code,area_name,month,family,indicator,numerator,denominator,value,published"
    )
    assert lines[1] == "E09000022,Lambeth,2010-03,dv,sd_rate,1,4,0.25,0.25"
    assert lines[2] == "ALL,All areas,ALL,dv,offences,4,,4,"


def test_json_has_the_same_records() -> None:
    rows = [IndicatorResult("ALL", "All areas", "dv", "sd_rate", 1, 0, True)]
    (record,) = json.loads(to_json(rows))
    assert record == {
        "area_code": "ALL",
        "area_name": "All areas",
        "family": "dv",
        "indicator": "sd_rate",
        "numerator": 1,
        "denominator": 0,
        "value": None,
    }
