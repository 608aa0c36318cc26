"""Person-based indicators (repeat victims, repeat cautions) look back before the period.

The demo store holds December 2009 to November 2010, so every look-back reaches before the
data held: the figures are marked as understated, a quarter has no comparable previous
figure, and no monthly trend is drawn or tabulated (each person is counted once, in the
month of their latest offence, so monthly series drift upward by construction).
"""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from dsvb.indicators import assessment
from dsvb.indicators.definitions import INDICATORS
from dsvb.indicators.model import Period
from dsvb.indicators.periods import ReportingPeriod
from tests.web.performance.conftest import LAMBETH
from tests.web.performance.html import body_rows, read_csv, text_of

QUARTER = "3m-2010-11"
LOOKING_BACK = (
    "repeat_victim_rate",
    "offences_per_repeat_victim",
    "repeat_victim_offences",
    "repeat_caution_offenders",
)
# people counted once each, in the month of their latest offence, with no look-back
PERSON_BASED = ("victims", "suspects", *LOOKING_BACK)


def page(client, url: str = "/performance/", **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_look_back_reaching_before_the_first_month_held_is_a_gap() -> None:
    first = dt.date(2009, 12, 1)
    rate = assessment.indicator_info("repeat_victim_rate")
    covered = Period(dt.date(2010, 12, 1), dt.date(2011, 3, 1))  # looks back to Dec 2009
    assert assessment.history_gap(rate, covered, first) is None
    short = Period(dt.date(2010, 11, 1), dt.date(2011, 2, 1))  # looks back to Nov 2009
    gap = assessment.history_gap(rate, short, first)
    assert gap is not None
    assert gap.text == (
        "The 12-month look-back reaches back to November 2009, before the first month of "
        "data held (December 2009), so this figure is understated."
    )
    # repeat cautions look back over all history: earlier cautions are never seen
    cautions = assessment.history_gap(
        assessment.indicator_info("repeat_caution_offenders"), covered, first
    )
    assert cautions is not None and "Cautions before December 2009" in cautions.text
    assert "not seen" in cautions.text
    assert assessment.history_gap(assessment.indicator_info("sd_rate"), short, first) is None
    person_based = {i for i in INDICATORS if assessment.indicator_info(i).is_person_based}
    assert person_based == set(PERSON_BASED)


def test_a_change_needs_the_previous_look_back_held_too() -> None:
    """With three years held, a quarter's previous quarter looks back within the data."""
    choice = ReportingPeriod(
        "3m-2010-11", "3 months to November 2010", Period(dt.date(2010, 9, 1), dt.date(2010, 12, 1))
    )

    rate = assessment.indicator_info("repeat_victim_rate")
    held = dt.date(2009, 6, 1)  # first month held: the previous quarter looks to Jun 2009
    assert assessment.comparison_gap(rate, choice, held) is None
    short = dt.date(2009, 7, 1)
    gap = assessment.comparison_gap(rate, choice, short)
    assert gap is not None and gap.text.startswith("No comparable previous figure: ")
    assert "3 months to August 2010" in gap.text and "less history" in gap.text
    cautions = assessment.indicator_info("repeat_caution_offenders")
    # all history: never comparable
    assert assessment.comparison_gap(cautions, choice, held) is not None
    assert assessment.comparison_gap(assessment.indicator_info("sd_rate"), choice, short) is None


def test_the_overview_marks_repeat_victimisation_as_understated(analyst, latest):
    shown = page(analyst, family="dv", period=QUARTER, indicator="repeat_victim_rate")
    caveat = text_of(shown, "history-caveat")
    assert caveat == (
        "The 12-month look-back reaches back to September 2009, before the first month of "
        "data held (December 2009), so this figure is understated."
    )
    summary = {r["data"]["indicator"]: r for r in body_rows(shown, "summary-table")}
    for indicator in ("repeat_victim_rate", "repeat_victim_offences"):
        assert (
            "understated: look-back reaches before the data held" in summary[indicator]["cells"][1]
        )
    assert "look-back" not in summary["sd_rate"]["cells"][1]
    sd = page(analyst, family="dv", period=QUARTER, indicator="sd_rate")
    assert 'id="history-caveat"' not in sd


def test_repeat_cautions_say_cautions_before_the_first_month_are_not_seen(analyst, latest):
    shown = page(analyst, family="dv", period=latest.key, indicator="repeat_caution_offenders")
    assert text_of(shown, "history-caveat") == (
        "Cautions before December 2009, the first month of data held, are not seen, so this "
        "figure is understated."
    )


def test_a_quarter_has_no_comparable_previous_repeat_victim_figure(analyst, latest):
    shown = page(analyst, family="dv", period=QUARTER, indicator="repeat_victim_rate")
    assert text_of(shown, "force-change") == (
        "No comparable previous figure: the look-back for the 3 months to August 2010 reaches "
        "before December 2009, the first month of data held, so it had less history to look "
        "back over."
    )
    for row in body_rows(shown, "areas-table"):
        assert row["cells"][5].startswith("no comparable previous figure"), row["cells"][5]
        assert "pts" not in row["cells"][5]
    # other indicators still compare with the previous quarter
    sd = page(analyst, family="dv", period=QUARTER, indicator="sd_rate")
    assert "pts" in text_of(sd, "force-change")


def test_person_based_indicators_have_no_monthly_trend(analyst, latest):
    for indicator in PERSON_BASED:
        params = {"family": "dv", "period": latest.key, "indicator": indicator}
        shown = page(analyst, **params)
        assert 'id="trend-chart-title"' not in shown and 'id="trend-table"' not in shown
        assert "in the month of their latest offence" in text_of(shown, "trend-note")
        assert analyst.get("/performance/export/trend.csv", params).status_code == 404
    sd = page(analyst, family="dv", period=latest.key, indicator="sd_rate")
    assert 'id="trend-chart-title"' in sd and len(body_rows(sd, "trend-table")) == 12


def test_the_scorecard_marks_person_based_rows_and_draws_no_trend_for_them(analyst, latest):
    shown = page(analyst, f"/performance/scorecard/{LAMBETH}/", family="dv", period=QUARTER)
    rows = {r["data"]["indicator"]: r for r in body_rows(shown, "scorecard-table")}
    for indicator in LOOKING_BACK:
        cells = rows[indicator]["cells"]
        assert "reaches before the data held" in cells[1] or "are not seen" in cells[1]
        assert cells[8].startswith("no comparable previous figure")
    for indicator in PERSON_BASED:
        cells = rows[indicator]["cells"]
        assert cells[9].startswith("Not shown: each person is counted once")
    for indicator in ("victims", "suspects"):  # a count of people looks back at nothing
        assert "look-back" not in rows[indicator]["cells"][1]
    assert "look-back" not in rows["sd_rate"]["cells"][1]
    assert "pts" in rows["sd_rate"]["cells"][8]
    caveats = text_of(shown, "history-caveats")
    assert "Repeat victimisation: The 12-month look-back reaches back to September 2009" in caveats
    assert "Cautions before December 2009" in caveats
    monthly = [r["cells"][0] for r in body_rows(shown, "monthly-table")]
    assert "Sanction detection rate" in monthly
    assert not {assessment.indicator_info(i).label for i in PERSON_BASED} & set(monthly)
    assert "month of their latest offence" in text_of(shown, "not-monthly")


def test_the_exports_carry_the_caveats(analyst, latest):
    params = {"family": "dv", "period": QUARTER}
    summary = {
        r["indicator"]: r for r in read_csv(analyst.get("/performance/export/summary.csv", params))
    }
    rate = summary["repeat_victim_rate"]
    assert "before the first month of data held" in rate["history_caveat"]
    assert rate["no_comparison"].startswith("No comparable previous figure")
    assert rate["change"] == "" and rate["previous_value"] == ""
    assert summary["sd_rate"]["history_caveat"] == summary["sd_rate"]["no_comparison"] == ""
    assert summary["sd_rate"]["change"] != ""

    areas = analyst.get(
        "/performance/export/areas.xlsx", {**params, "indicator": "repeat_victim_rate"}
    )
    book = load_workbook(io.BytesIO(areas.content))
    about = {row[0].value: row[1].value for row in book["About"].iter_rows(min_row=2)}
    assert "before the first month of data held" in about["Look-back caveat"]
    assert about["Change on previous period"].startswith("No comparable previous figure")

    card = {
        r["indicator"]: r
        for r in read_csv(
            analyst.get(f"/performance/scorecard/{LAMBETH}/export/scorecard.csv", params)
        )
    }
    assert "Cautions before December 2009" in card["repeat_caution_offenders"]["history_caveat"]
    assert "month of their latest offence" in card["repeat_victim_rate"]["trend"]

    monthly = read_csv(analyst.get(f"/performance/scorecard/{LAMBETH}/export/monthly.csv", params))
    assert {r["indicator"] for r in monthly}.isdisjoint(PERSON_BASED)
    assert "sd_rate" in {r["indicator"] for r in monthly}
    monthly_book = load_workbook(
        io.BytesIO(
            analyst.get(f"/performance/scorecard/{LAMBETH}/export/monthly.xlsx", params).content
        )
    )
    about = {row[0].value: row[1].value for row in monthly_book["About"].iter_rows(min_row=2)}
    assert "month of their latest offence" in about["Not by month"]
