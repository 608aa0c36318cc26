"""`dsvb compare` as a user runs it (the installed script, a real store) gives what the web
page's funnel plot table and its export show for the same store and period: the same rows,
limits, flags and words."""

from __future__ import annotations

import csv
import io
import json

import pytest

from dsvb.indicators.comparison import Flag
from dsvb.web.performance import formatting
from tests.acceptance.test_cli import dsvb
from tests.web.performance.html import body_rows, read_csv, text_of

COLUMNS = [
    "area_code", "area_name", "numerator", "denominator", "value", "force_value",
    "lower_95", "upper_95", "lower_998", "upper_998", "flag", "limits",
]  # fmt: skip
LIMITS = ("lower_95", "upper_95", "lower_998", "upper_998")


def percent_range(low: str, high: str) -> str:
    return f"{formatting.percent(float(low))} to {formatting.percent(float(high))}"


@pytest.mark.parametrize(
    ("family", "indicator", "period", "start", "end"),
    [
        # the demo's caution shares vary more than chance: judged by widened limits
        ("dv", "caution_share", "12m-2010-11", "2009-12-01", "2010-12-01"),
        ("dv", "sd_rate", "3m-2010-11", "2010-09-01", "2010-12-01"),
        # a handful of referrals per borough in a quarter: several too few to judge
        ("serious_sexual", "havens_referral_rate", "3m-2010-11", "2010-09-01", "2010-12-01"),
    ],
)
def test_the_command_gives_what_the_funnel_plot_shows(
    demo_store, client_for, family, indicator, period, start, end
):
    args = ["compare", "--store", str(demo_store), "--family", family, "--indicator", indicator]
    args += ["--from", start, "--to", end]
    out = dsvb(*args).stdout
    assert out.splitlines()[0].split(",") == COLUMNS
    rows = list(csv.DictReader(io.StringIO(out)))
    document = json.loads(dsvb(*args, "--format", "json").stdout)
    assert [r["area_code"] for r in document["rows"]] == [r["area_code"] for r in rows]

    client = client_for("force_analyst")
    params = {"family": family, "period": period, "indicator": indicator}
    page = client.get("/performance/", params).content.decode()
    shown = {r["data"]["area"]: r for r in body_rows(page, "funnel-table")}
    exported = {r["area_code"]: r for r in read_csv(client.get("/performance/export/funnel.csv",
                                                               params))}  # fmt: skip
    assert rows[-1]["area_code"] == "ALL" and set(shown) == set(exported) == {
        r["area_code"] for r in rows[:-1]
    }
    widened = document["limits"] == "widened"
    assert ("allowing for over-dispersion" in text_of(page, "funnel-table")) is widened
    if document["dispersion"] is not None:
        areas = document["dispersion"]["areas"]
        assert f"{areas} areas" in text_of(page, "dispersion")
    flags = set()
    for row in rows[:-1]:
        code, cells = row["area_code"], shown[row["area_code"]]["cells"]
        flags.add(row["flag"])
        assert cells[0] == row["area_name"]
        assert cells[1] == f"{int(row['denominator']):,}"
        # the words on the page are the flag's; the export carries the same figures exactly
        assert cells[5] == Flag(row["flag"]).label == exported[code]["flag_label"]
        assert shown[code]["data"]["flag"] == row["flag"] == exported[code]["flag"]
        for key in (*LIMITS, "value", "limits"):
            same = row[key] == exported[code][key]
            assert same or float(row[key]) == float(exported[code][key]), (key, row)
        if row["lower_95"]:
            assert cells[3] == percent_range(row["lower_998"], row["upper_998"])
            assert cells[4] == percent_range(row["lower_95"], row["upper_95"])
            assert row["limits"] == document["limits"]
        else:
            assert cells[3] == cells[4] == "–" and row["flag"] == "too_few"
    if "too_few" in flags:  # the page names them apart
        named = text_of(page, "too-few")
        for row in rows[:-1]:
            assert (f"{row['area_name']} (" in named) is (row["flag"] == "too_few")
    if indicator == "havens_referral_rate":
        assert "too_few" in flags
