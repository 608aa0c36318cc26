"""Exports: every table as CSV and XLSX, equal to the page, audited once, area by area."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from dsvb.indicators.comparison import Flag
from dsvb.web.audit.models import Action, AuditEvent
from dsvb.web.performance import formatting
from tests.web.performance.conftest import LAMBETH, SOUTHWARK
from tests.web.performance.html import body_rows, read_csv

OVERVIEW_TABLES = ("summary", "areas", "funnel", "trend")
SCORECARD_TABLES = ("scorecard", "monthly", "notes")


def read_xlsx(response):
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Data", "About"]
    return book


def exports(action: str = Action.EXPORTED):
    return AuditEvent.objects.filter(action=action)


def test_the_areas_table_exports_equal_the_page(analyst, latest):
    params = {"family": "dv", "period": latest.key, "indicator": "sd_rate"}
    page = analyst.get("/performance/", params).content.decode()
    shown = {r["data"]["area"]: r for r in body_rows(page, "areas-table")}

    response = analyst.get("/performance/export/areas.csv", params)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="dsvb-overview-dv-sd_rate-by-area-12-months-to-2010-11.csv"'
    )
    rows = read_csv(response)
    assert len(rows) == 32
    for row in rows:
        on_page = shown[row["area_code"]]
        assert on_page["cells"][1] == row["area_name"]
        assert on_page["cells"][3:5] == [
            f"{int(row['numerator']):,}",
            f"{int(row['denominator']):,}",
        ]
        assert float(row["value"]) == float(on_page["data"]["value"])
        assert on_page["cells"][2] == formatting.percent(float(row["value"]))
        assert row["rank"] == on_page["data"]["rank"]
        assert float(row["value"]) == int(row["numerator"]) / int(row["denominator"])

    xlsx = analyst.get("/performance/export/areas.xlsx", params)
    book = read_xlsx(xlsx)
    sheet = book["Data"]
    header = [c.value for c in sheet[1]]
    assert header[:5] == [
        "Area code",
        "Area",
        "Sanction detections",
        "Offences",
        "Sanction detection rate",
    ]
    assert sheet.freeze_panes == "A2"
    for line in sheet.iter_rows(min_row=2):
        code, _name, numerator, denominator, value = (c.value for c in line[:5])
        assert shown[code]["cells"][3:5] == [f"{numerator:,}", f"{denominator:,}"]
        assert value == pytest.approx(numerator / denominator, rel=1e-14)  # Excel keeps 15 digits
        assert line[4].number_format == "0.0%"
        assert line[2].number_format == "#,##0"
    about = {row[0].value: row[1].value for row in book["About"].iter_rows(min_row=2)}
    assert about["Period"] == "12 months to November 2010"
    assert about["Crime family"] == "Domestic violence (dv)"
    assert about["Source"].startswith("dsvb analytical store, data version")
    assert about["Generated at (London time)"] is not None
    assert "no disclosure control" in about["Disclosure"]


def test_the_summary_export_equals_the_page(analyst, latest):
    params = {"family": "dv", "period": latest.key}
    page = analyst.get("/performance/", params).content.decode()
    shown = {r["data"]["indicator"]: r for r in body_rows(page, "summary-table")}
    rows = {
        r["indicator"]: r for r in read_csv(analyst.get("/performance/export/summary.csv", params))
    }
    assert list(rows) == list(shown)
    sd = rows["sd_rate"]
    assert shown["sd_rate"]["cells"][2:4] == [
        f"{int(sd['numerator']):,}",
        f"{int(sd['denominator']):,}",
    ]
    assert float(sd["target_value"]) == 0.46
    assert rows["incidents"]["denominator"] == ""
    assert shown["incidents"]["cells"][1] == f"{int(rows['incidents']['value']):,}"


def test_the_trend_and_funnel_exports_equal_the_page(analyst, latest):
    params = {"family": "dv", "period": latest.key, "indicator": "caution_share"}
    page = analyst.get("/performance/", params).content.decode()
    trend = read_csv(analyst.get("/performance/export/trend.csv", params))
    shown = body_rows(page, "trend-table")
    assert [r["month"] for r in trend] == ["2009-12", *[f"2010-{m:02d}" for m in range(1, 12)]]
    for exported, row in zip(trend, shown, strict=True):
        assert row["cells"][1:3] == [
            f"{int(exported['numerator']):,}",
            f"{int(exported['denominator']):,}",
        ]
    funnel = read_csv(analyst.get("/performance/export/funnel.csv", params))
    table = {r["cells"][0]: r for r in body_rows(page, "funnel-table")}
    areas = {r["data"]["area"]: r for r in body_rows(page, "areas-table")}
    by_area = read_csv(analyst.get("/performance/export/areas.csv", params))
    assert len(funnel) == len(by_area) == len(table) == 32
    for exported, in_areas in zip(funnel, by_area, strict=True):
        row = table[exported["area_name"]]
        assert row["cells"][3] == (
            f"{formatting.percent(float(exported['lower_998']))} to "
            f"{formatting.percent(float(exported['upper_998']))}"
        )
        assert row["cells"][4] == (
            f"{formatting.percent(float(exported['lower_95']))} to "
            f"{formatting.percent(float(exported['upper_95']))}"
        )
        assert row["cells"][5] == exported["flag_label"] == Flag(exported["flag"]).label
        assert row["data"]["flag"] == exported["flag"]
        # the flag is where the value lies against the limits exported beside it
        value = float(exported["value"])
        lo95, hi95, lo998, hi998 = (
            float(exported[k]) for k in ("lower_95", "upper_95", "lower_998", "upper_998")
        )
        outside = {
            "above_998": value > hi998,
            "below_998": value < lo998,
            "above_95": hi95 < value <= hi998,
            "below_95": lo998 <= value < lo95,
        }
        for flag, holds in outside.items():
            assert (exported["flag"] == flag) == holds
        assert exported["limits"] in ("exact", "widened")
        # the areas export and the areas table carry the same limits and flag
        assert in_areas["area_code"] == exported["area_code"]
        for key in ("lower_95", "upper_95", "lower_998", "upper_998", "flag", "limits"):
            assert in_areas[key] == exported[key]
        assert areas[exported["area_code"]]["cells"][-1] == exported["flag_label"]


@pytest.mark.parametrize("table", OVERVIEW_TABLES)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_each_overview_export_is_audited_exactly_once(analyst, latest, table, fmt):
    before = exports().count()
    params = {"family": "sexual", "period": "3m-2010-11", "indicator": "sd_rate"}
    response = analyst.get(f"/performance/export/{table}.{fmt}", params)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'-3-months-to-2010-11.{fmt}"')
    assert exports().count() == before + 1
    event = exports().first()
    assert event.object_type == "table"
    assert event.object_id == f"overview-{table}"
    assert event.actor_username == analyst.user.username
    details = event.details
    assert {k: details[k] for k in ("table", "format", "family", "period", "area")} == {
        "table": f"overview-{table}",
        "format": fmt,
        "family": "sexual",
        "period": "3m-2010-11",
        "area": "ALL",
    }


@pytest.mark.parametrize("table", SCORECARD_TABLES)
def test_a_borough_user_exports_their_own_borough(lambeth_user, latest, table):
    page = lambeth_user.get(f"/performance/scorecard/{LAMBETH}/").content.decode()
    for fmt in ("csv", "xlsx"):
        before = exports().count()
        response = lambeth_user.get(f"/performance/scorecard/{LAMBETH}/export/{table}.{fmt}")
        assert response.status_code == 200
        assert "dsvb-scorecard-lambeth-" in response["Content-Disposition"]
        assert exports().count() == before + 1
        event = exports().first()
        assert event.details["area"] == LAMBETH and event.details["format"] == fmt
        assert event.details["table"] == f"scorecard-{table}"
    if table == "scorecard":
        rows = {
            r["indicator"]: r
            for r in read_csv(
                lambeth_user.get(f"/performance/scorecard/{LAMBETH}/export/scorecard.csv")
            )
        }
        shown = {r["data"]["indicator"]: r for r in body_rows(page, "scorecard-table")}
        assert list(rows) == list(shown)
        sd = rows["sd_rate"]
        assert (
            shown["sd_rate"]["cells"][2]
            == f"{int(sd['numerator']):,} of {int(sd['denominator']):,}"
        )
        assert shown["sd_rate"]["cells"][1] == formatting.percent(float(sd["value"]))
        assert shown["sd_rate"]["cells"][3].replace(" ", "") == (
            f"{formatting.percent(float(sd['wilson_lower']))}to"
            f"{formatting.percent(float(sd['wilson_upper']))}"
        )
        assert shown["sd_rate"]["cells"][7].startswith(formatting.ordinal(int(sd["rank"])))


def test_a_borough_user_cannot_export_another_borough_or_the_overview(lambeth_user, latest):
    before_exports = exports().count()
    before_refusals = exports(Action.ACCESS_DENIED).count()
    assert (
        lambeth_user.get(f"/performance/scorecard/{SOUTHWARK}/export/scorecard.csv").status_code
        == 403
    )
    assert lambeth_user.get("/performance/export/areas.csv").status_code == 403
    assert exports().count() == before_exports
    assert exports(Action.ACCESS_DENIED).count() == before_refusals + 2


def test_unknown_tables_and_formats_are_not_found(analyst, latest):
    assert analyst.get("/performance/export/everything.csv").status_code == 404
    assert analyst.get("/performance/export/areas.pdf").status_code == 404
    assert analyst.get(f"/performance/scorecard/{LAMBETH}/export/areas.csv").status_code == 404
    assert analyst.get("/performance/scorecard/E09000001/export/scorecard.csv").status_code == 404
    assert exports().count() == 0


def test_the_notes_export_lists_the_published_notes(analyst, latest):
    rows = read_csv(analyst.get("/performance/scorecard/E09000021/export/notes.csv"))
    messages = [r["message"] for r in rows]
    assert "row 20 'Kingston Upon Thames' read as Kingston upon Thames (E09000021)" in messages
    assert {r["scope"] for r in rows} == {"area", "return"}
    book = read_xlsx(analyst.get("/performance/scorecard/E09000021/export/notes.xlsx"))
    assert book["Data"].max_row == len(rows) + 1


def test_text_is_never_read_as_a_formula(db):
    from dsvb.web.performance.exports import Column, ExportTable, to_csv, to_xlsx

    table = ExportTable(
        "notes",
        "Notes",
        "notes",
        [Column("message", "Note"), Column("found", "Found", "count")],
        [
            {"message": '=HYPERLINK("http://example.org")', "found": -3},
            {"message": "-x", "found": 4},
        ],
        [("Table", "=1+1")],
    )
    rows = list(csv.reader(io.StringIO(to_csv(table).decode())))
    assert rows[1] == ['\'=HYPERLINK("http://example.org")', "-3"]
    assert rows[2] == ["'-x", "4"]
    book = load_workbook(io.BytesIO(to_xlsx(table)))
    cell = book["Data"]["A2"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://example.org")', "s")
    assert book["Data"]["B2"].value == -3
    assert book["About"]["B2"].data_type == "s"


def test_the_funnel_about_sheet_shows_only_rates_as_percentages(analyst, latest):
    params = {"family": "dv", "period": latest.key, "indicator": "sd_rate"}
    book = load_workbook(io.BytesIO(analyst.get("/performance/export/funnel.xlsx", params).content))
    cells = {row[0].value: row[1] for row in book["About"].iter_rows(min_row=2)}
    assert cells["Force rate (target of the limits)"].number_format == "0.0%"
    statistics = ("Over-dispersion test p-value", "Between-area variance", "Dispersion")
    checked = [label for label in cells if label.startswith(statistics)]
    assert checked  # the demo's DV detection rates are over-dispersed
    for label in checked:
        assert "%" not in cells[label].number_format, label  # a p-value of 1e-65 is not "0.0%"
