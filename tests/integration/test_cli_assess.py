"""`dsvb assess` in process on a small store built record by record: every figure of a
family and period as the pages judge it, agreeing with `dsvb compare` (the same funnel
judgement) and with counts worked by hand; the periods it offers and refuses."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dsvb.cli import main
from dsvb.indicators.assessment import RECORD_COLUMNS
from tests.support.builder import ExtractBuilder

LAMBETH, SOUTHWARK = "E09000022", "E09000028"
# DV offences charged of recorded, per month: March 2010 (the latest month held) and, for
# the previous period, February 2010
MARCH = {LAMBETH: (30, 40), SOUTHWARK: (5, 20)}
FEBRUARY = {LAMBETH: (10, 40), SOUTHWARK: (5, 20)}


def dsvb(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    b = ExtractBuilder()
    for month, counts in (("02", FEBRUARY), ("03", MARCH)):
        for area, (charged, offences) in counts.items():
            for i in range(offences):
                b.crime(
                    area=area,
                    with_incident=True,
                    outcome="charge" if i < charged else "",
                    outcome_at=f"2010-{month}-25T12:00:00" if i < charged else "",
                    recorded_at=f"2010-{month}-{1 + i % 20:02d}T12:00:00",
                )
    folder = b.write(tmp_path_factory.mktemp("assess") / "extract")
    path = folder.parent / "store.duckdb"
    assert dsvb("import", folder, "--store", path, "--quiet").exit_code == 0
    return path


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_a_month_is_judged_against_the_month_before(store: Path) -> None:
    result = dsvb(
        "assess", "--store", store, "--from", "2010-03-01", "--to", "2010-04-01",
        "--indicator", "sd_rate",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = rows_of(result.output)
    assert list(rows[0]) == list(RECORD_COLUMNS)
    by_area = {r["area_code"]: r for r in rows}
    lambeth = by_area[LAMBETH]
    assert (lambeth["numerator"], lambeth["denominator"]) == ("30", "40")
    assert float(lambeth["value"]) == 0.75 and float(lambeth["previous_value"]) == 0.25
    assert float(lambeth["change"]) == pytest.approx(0.5)
    assert lambeth["assessment"] == "better"  # 30/40 against 10/40: far beyond chance
    assert by_area[SOUTHWARK]["assessment"] == "no change"
    force = by_area["ALL"]
    assert (force["numerator"], force["denominator"]) == ("35", "60")
    # an area with no records is 0 of 0: no figure, and it says why there is no change
    empty = next(r for r in rows if r["area_code"] not in (LAMBETH, SOUTHWARK, "ALL"))
    assert empty["value"] == "" and empty["no_change_reason"].startswith("No change: ")


def test_its_flags_are_the_ones_dsvb_compare_gives(store: Path) -> None:
    period = ("--from", "2010-03-01", "--to", "2010-04-01")
    assessed = rows_of(dsvb("assess", "--store", store, *period, "--indicator", "sd_rate").output)
    compared = rows_of(
        dsvb(
            "compare", "--store", store, "--family", "dv", "--indicator", "sd_rate", *period
        ).output
    )
    flags = {r["area_code"]: (r["flag"], r["lower_998"], r["upper_998"]) for r in compared}
    for row in assessed:
        if row["area_code"] == "ALL":
            continue
        flag, low, high = flags[row["area_code"]]
        assert row["flag"] == flag
        assert (row["lower_998"], row["upper_998"]) == (low, high)


def test_periods_as_the_pages_name_them(store: Path) -> None:
    # two months held: no whole quarter, and the latest 12 months offered as partial
    result = dsvb("assess", "--store", store, "--period", "12m-2010-03", "--format", "json",
                  "--area", LAMBETH)  # fmt: skip
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert (document["from"], document["to"]) == ("2009-04-01", "2010-04-01")
    assert "partial: data from February 2010" in document["label"]
    assert document["previous"] is None  # the year before is not held
    assert {r["area_code"] for r in document["rows"]} == {LAMBETH}
    assert all(r["no_change_reason"] for r in document["rows"])
    latest = json.loads(dsvb("assess", "--store", store, "--format", "json").output)
    assert latest["period"] == "12m-2010-03"  # the default
    refused = dsvb("assess", "--store", store, "--period", "3m-2010-03")
    assert refused.exit_code == 2 and "it offers: 12m-2010-03" in refused.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--period", "12m-1999-01"), "no period '12m-1999-01' in this store"),
        (("--period", "3m-2010-03", "--from", "2010-01-01"), "not both"),
        (("--area", "E09999999"), "unknown area"),
        (("--indicator", "nope"), "unknown indicator"),
        (("--from", "2011-01-01"), "is after the data"),
    ],
)
def test_what_it_refuses_it_says_why(store: Path, args: tuple[str, ...], message: str) -> None:
    result = dsvb("assess", "--store", store, *args)
    assert result.exit_code == 2
    assert message in result.output
